import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type Resource } from 'i18next';
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
  return { instance, middleware: handle(instance) as unknown as RequestHandler };
}
