import path from 'node:path';
import ejs from 'ejs';
import i18next, { type TFunction } from 'i18next';
import type { z } from 'zod';
import { paths } from '../../config/index.js';
import { DEFAULT_LANGUAGE, LANGUAGES, loadResources, type Language } from '../../web/i18n.js';

/**
 * A mail is built from a template: a stable name (logged with every mail), a schema for its
 * parameters, and a function that turns the reader's translator and the parameters into content.
 * The owner of a mail (accounts for activation and reset, later reminders and digests) defines
 * its template next to the code that sends it, with its texts in the owner's i18n namespace.
 */
export interface MailTemplate<P> {
  readonly name: string;
  readonly params: z.ZodType<P>;
  compose(t: TFunction, params: P): MailContent;
}

export interface MailContent {
  subject: string;
  /** Paragraphs before the action: greeting and why the mail was sent. */
  intro: string[];
  /** The one thing the reader is asked to do (a link shown as a button). */
  action?: { label: string; url: string };
  /** Paragraphs after the action: how long it is valid, what to do if the mail was unexpected. */
  outro?: string[];
  /** For mails people can choose not to get (the weekly digest): why they get it and the link to stop. */
  unsubscribe?: { text: string; label: string; url: string };
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** Sent as the List-Unsubscribe header, so mail clients can offer their own button. */
  unsubscribeUrl?: string;
}

export function defineMailTemplate<P>(template: MailTemplate<P>): MailTemplate<P> {
  return template;
}

// Loaded lazily, once per process: the mail texts never change while it runs.
let translator: Promise<typeof i18next> | undefined;

/** One translator for mails, outside any request (mails are also sent by jobs and commands). */
function mailI18n(): Promise<typeof i18next> {
  translator ??= (async () => {
    const resources = loadResources();
    const instance = i18next.createInstance();
    await instance.init({
      resources,
      ns: Object.keys(resources[DEFAULT_LANGUAGE] ?? {}),
      defaultNS: 'mail',
      fallbackLng: DEFAULT_LANGUAGE,
      supportedLngs: [...LANGUAGES],
      interpolation: { escapeValue: false }, // the HTML part is escaped by EJS, the text part is plain
      returnNull: false,
    });
    return instance;
  })();
  return translator;
}

const LAYOUT = path.join(paths.views, 'mail', 'layout.ejs');

function plainText(content: MailContent, footer: string): string {
  const blocks = [...content.intro];
  if (content.action) blocks.push(`${content.action.label}:\n${content.action.url}`);
  blocks.push(...(content.outro ?? []));
  if (content.unsubscribe) blocks.push(`${content.unsubscribe.text}\n${content.unsubscribe.label}: ${content.unsubscribe.url}`);
  return `${blocks.join('\n\n')}\n\n-- \n${footer}\n`;
}

/** Renders a mail in the reader's language as plain text and HTML (pure apart from reading views). */
export async function renderMail<P>(template: MailTemplate<P>, params: P, lang: Language = DEFAULT_LANGUAGE): Promise<RenderedMail> {
  const t = (await mailI18n()).getFixedT(lang);
  const content = template.compose(t, template.params.parse(params));
  const footer = t('mail:footer');
  const html = await ejs.renderFile(LAYOUT, { lang, content, footer });
  return { subject: content.subject, text: plainText(content, footer), html, ...(content.unsubscribe ? { unsubscribeUrl: content.unsubscribe.url } : {}) };
}
