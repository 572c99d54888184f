export { Mailer, type MailMessage, type MailTransport } from './mailer.js';
export { defineMailTemplate, renderMail, type MailTemplate, type MailContent, type RenderedMail } from './templates.js';
export { outboxRoutes, OUTBOX_PATH } from './routes.js';
export { forgetMailsTo } from './outbox.js';
