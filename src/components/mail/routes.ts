import { Router } from 'express';
import { requirePermission } from '../../web/policy.js';
import { addNavEntry } from '../../web/navigation.js';
import { NotFoundError } from '../../lib/errors.js';
import { findOutboxMessage, listOutbox } from './outbox.js';

export const OUTBOX_PATH = '/utvikling/e-post';

/** Links in a mail's text part, so the outbox page can make them clickable. */
function linksIn(text: string): string[] {
  return [...new Set(text.match(/https?:\/\/[^\s<>"]+/g) ?? [])];
}

/** The development outbox; only mounted outside production (see app.ts). */
export function outboxRoutes(): Router {
  const router = Router();
  addNavEntry({ href: OUTBOX_PATH, label: 'mail:outbox.nav', visibleTo: 'mail:outbox' });

  // GET /utvikling/e-post — the latest mails the platform would have sent.
  router.get(OUTBOX_PATH, ...requirePermission('mail:outbox'), async (req, res) => {
    const messages = await listOutbox();
    res.render('pages/mail/outbox', {
      title: req.t('mail:outbox.title'),
      messages: messages.map((m) => ({ id: String(m._id), to: m.to, subject: m.subject, template: m.template, createdAt: m.createdAt.toISOString() })),
    });
  });

  // GET /utvikling/e-post/:id — one mail: its text part, with its links clickable.
  router.get(`${OUTBOX_PATH}/:id`, ...requirePermission('mail:outbox'), async (req, res) => {
    const message = await findOutboxMessage(String(req.params.id));
    if (!message) throw new NotFoundError('no such outbox message');
    res.render('pages/mail/message', {
      title: message.subject,
      message: { id: String(message._id), to: message.to, from: message.from, subject: message.subject, text: message.text, createdAt: message.createdAt.toISOString() },
      links: linksIn(message.text),
    });
  });

  // GET /utvikling/e-post/:id/html — the HTML part as the mail client would show it, sandboxed.
  router.get(`${OUTBOX_PATH}/:id/html`, ...requirePermission('mail:outbox'), async (req, res) => {
    const message = await findOutboxMessage(String(req.params.id));
    if (!message) throw new NotFoundError('no such outbox message');
    // Mail HTML carries inline styles; the sandbox keeps it from running anything or using our origin.
    res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    res.type('html').send(message.html);
  });

  return router;
}
