import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type Resource, type TFunction } from 'i18next';
import { LRUCache } from 'lru-cache';
import { LanguageDetector, handle } from 'i18next-http-middleware';
import type { RequestHandler } from 'express';
import { paths } from '../config/index.js';

/** Bokmål is the source language; nynorsk and English are complete translations. */
export const LANGUAGES = ['nb', 'nn', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'nb';

/** Reads every namespace file src/locales/<lng>/<ns>.json once at start-up. */
export function loadResources(dir = paths.locales): Resource {
  const resources: Resource = {};
  for (const lng of LANGUAGES) {
    resources[lng] = {};
    for (const file of readdirSync(path.join(dir, lng)).filter((f) => f.endsWith('.json'))) {
      resources[lng]![path.basename(file, '.json')] = JSON.parse(readFileSync(path.join(dir, lng, file), 'utf8'));
    }
  }
  return resources;
}

/**
 * Translations asked by key alone, remembered per language. A page calls `t` hundreds of times (every
 * label of every activity), and i18next resolves each call anew (namespaces, fallbacks, nesting,
 * post-processing): a quarter of a lesson page's CPU in the profile of `npm run bench`. A key without
 * options always gives the same text for a language, since the resources are read once at start and
 * never change, so it is resolved once. Calls with options (interpolation, plurals, defaults) go to
 * i18next as before. Bounded, though the keys are the app's own: one per key and language.
 */
export class TranslationMemo {
  private readonly byLanguage = new Map<string, LRUCache<string, string>>();

  /** `t` for a request in `language`, resolving each key-only call once. */
  wrap(language: string, t: TFunction): TFunction {
    let memo = this.byLanguage.get(language);
    if (!memo) {
      memo = new LRUCache<string, string>({ max: 20_000 });
      this.byLanguage.set(language, memo);
    }
    const texts = memo;
    const resolve = t as unknown as (...args: unknown[]) => unknown;
    const translate = (...args: unknown[]): unknown => {
      const [key] = args;
      if (args.length !== 1 || typeof key !== 'string') return resolve(...args);
      let text = texts.get(key);
      if (text === undefined) {
        text = String(resolve(key));
        texts.set(key, text);
      }
      return text;
    };
    return translate as unknown as TFunction;
  }
}

export async function createI18n(secureCookie: boolean): Promise<{ instance: i18n; middleware: RequestHandler }> {
  const resources = loadResources();
  const instance = i18next.createInstance();
  await instance.use(LanguageDetector).init({
    resources,
    ns: Object.keys(resources[DEFAULT_LANGUAGE] ?? {}),
    defaultNS: 'common',
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    nonExplicitSupportedLngs: false,
    load: 'languageOnly',
    interpolation: { escapeValue: false }, // EJS escapes on output
    returnNull: false,
    detection: {
      // Bokmål unless the person chooses otherwise: many staff run English browsers but
      // expect the municipality's service in Norwegian.
      order: ['querystring', 'cookie'],
      lookupQuerystring: 'lang',
      lookupCookie: 'lang',
      caches: ['cookie'],
      cookieSecure: secureCookie,
      cookieSameSite: 'lax',
      cookieExpirationDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    },
  });
  const detect = handle(instance) as unknown as RequestHandler;
  // Languages are only LANGUAGES (supportedLngs), so at most three memos per app.
  const memo = new TranslationMemo();
  const middleware: RequestHandler = (req, res, next) => {
    detect(req, res, (err?: unknown) => {
      if (!err && typeof req.t === 'function' && (LANGUAGES as readonly string[]).includes(req.language)) {
        req.t = memo.wrap(req.language, req.t);
        res.locals.t = req.t;
      }
      next(err);
    });
  };
  return { instance, middleware };
}
