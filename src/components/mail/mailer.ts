import nodemailer from 'nodemailer';
import type { AppConfig } from '../../config/index.js';
import type { Logger } from '../../lib/logger.js';
import { atMostEvery } from '../../lib/periodic.js';
import { emails } from '../../lib/metrics.js';
import { DEFAULT_LANGUAGE, type Language } from '../../web/i18n.js';
import { OutboxModel, sweepOutbox } from './outbox.js';
import { renderMail, type MailTemplate, type RenderedMail } from './templates.js';

export interface OutgoingMail extends RenderedMail {
  from: string;
  to: string;
  template: string;
  lang: Language;
}

/** Where mail goes: an SMTP server, the development outbox, or (production without SMTP) nowhere. */
export interface MailTransport {
  readonly kind: 'smtp' | 'outbox' | 'disabled';
  deliver(mail: OutgoingMail): Promise<string>;
}

function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    kind: 'smtp',
    async deliver(mail) {
      const info = await transporter.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        ...(mail.unsubscribeUrl ? { list: { unsubscribe: mail.unsubscribeUrl } } : {}),
      });
      return String(info.messageId);
    },
  };
}

const sweepOutboxIfDue = atMostEvery(60 * 60 * 1000, sweepOutbox);

const outboxTransport: MailTransport = {
  kind: 'outbox',
  async deliver(mail) {
    await sweepOutboxIfDue();
    const doc = await OutboxModel.create(mail);
    return `outbox:${String(doc._id)}`;
  },
};

function disabledTransport(logger: Logger): MailTransport {
  return {
    kind: 'disabled',
    async deliver(mail) {
      logger.error({ template: mail.template }, 'mail not delivered: SMTP_URL is not set');
      return 'not-delivered';
    },
  };
}

interface MailState {
  transport: MailTransport;
  from: string;
  baseUrl: string;
  logger: Logger;
}

let state: MailState | undefined;

/**
 * Sets up outgoing mail for this process from the config (called when the app is built; a job
 * runner or command that sends mail calls it too). SMTP_URL set: SMTP. Unset: the outbox outside
 * production, and in production a logged error per mail instead of a silent loss.
 */
export function configureMail(config: AppConfig, logger: Logger): MailTransport {
  const log = logger.child({ component: 'mail' });
  const transport = config.smtpUrl ? smtpTransport(config.smtpUrl) : config.isProduction ? disabledTransport(log) : outboxTransport;
  state = { transport, from: config.mailFrom, baseUrl: config.baseUrl, logger: log };
  return transport;
}

function configured(): MailState {
  if (!state) throw new Error('mail is not configured: call configureMail(config, logger) first');
  return state;
}

/** An absolute link to a page of the platform, for use in a mail. */
export function absoluteUrl(pathname: string): string {
  return `${configured().baseUrl}${pathname}`;
}

export interface MailMessage<P> {
  to: string;
  template: MailTemplate<P>;
  params: P;
  lang?: Language;
}

/**
 * Renders and sends one mail. Every mail is logged with recipient, template and time, never its
 * parameters or body: those may hold single-use links.
 */
export async function sendMail<P>(message: MailMessage<P>): Promise<{ messageId: string }> {
  const { transport, from, logger } = configured();
  const lang = message.lang ?? DEFAULT_LANGUAGE;
  const rendered = await renderMail(message.template, message.params, lang);
  let messageId: string;
  try {
    messageId = await transport.deliver({ ...rendered, from, to: message.to, template: message.template.name, lang });
  } catch (err) {
    emails.inc({ template: message.template.name, result: 'failed' });
    throw err;
  }
  emails.inc({ template: message.template.name, result: transport.kind === 'disabled' ? 'failed' : 'sent' });
  logger.info({ to: message.to, template: message.template.name, transport: transport.kind, messageId }, 'mail sent');
  return { messageId };
}
