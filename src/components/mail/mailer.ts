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

/**
 * Outgoing mail of one app, built once by the composition root (`createServices` in app.ts; a job
 * runner or command that sends mail builds its own). SMTP_URL set: SMTP. Unset: the outbox outside
 * production, and in production a logged error per mail instead of a silent loss.
 */
export class Mailer {
  readonly transport: MailTransport;
  private readonly from: string;
  private readonly baseUrl: string;
  private readonly logger: Logger;

  constructor(config: Pick<AppConfig, 'smtpUrl' | 'isProduction' | 'mailFrom' | 'baseUrl'>, logger: Logger) {
    this.logger = logger.child({ component: 'mail' });
    this.transport = config.smtpUrl ? smtpTransport(config.smtpUrl) : config.isProduction ? disabledTransport(this.logger) : outboxTransport;
    this.from = config.mailFrom;
    this.baseUrl = config.baseUrl;
  }

  /** An absolute link to a page of the platform, for use in a mail. */
  absoluteUrl(pathname: string): string {
    return `${this.baseUrl}${pathname}`;
  }

  /**
   * Renders and sends one mail. Every mail is logged with recipient, template and time, never its
   * parameters or body: those may hold single-use links.
   */
  async send<P>(message: MailMessage<P>): Promise<{ messageId: string }> {
    const { transport, from, logger } = this;
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
}

export interface MailMessage<P> {
  to: string;
  template: MailTemplate<P>;
  params: P;
  lang?: Language;
}
