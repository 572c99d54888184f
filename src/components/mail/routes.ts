import { z } from 'zod';
import { addNavEntry } from '../../web/navigation.js';
import { NotFoundError } from '../../lib/errors.js';
import { endpoint, endpointRouter, permission, rawEndpoint } from '../../web/endpoints.js';
import { findOutboxMessage, listOutbox } from './outbox.js';

export const OUTBOX_PATH = '/utvikling/e-post';

const outbox = permission('mail:outbox');
// Any text: an id that is no stored mail's is a 404, whatever it looks like.
const messageParams = z.object({ id: z.string() });

/** Links in a mail's text part, so the outbox page can make them clickable. */
function linksIn(text: string): string[] {
  return [...new Set(text.match(/https?:\/\/[^\s<>"]+/g) ?? [])];
}

async function outboxMessage(id: string) {
  const message = await findOutboxMessage(id);
  if (!message) throw new NotFoundError('no such outbox message');
  return message;
}

/** The development outbox; only mounted outside production (see app.ts). */
export function outboxRoutes() {
  addNavEntry({ href: OUTBOX_PATH, label: 'mail:outbox.nav', visibleTo: 'mail:outbox' });
  return endpointRouter([
    // GET /utvikling/e-post — the latest mails the platform would have sent.
    endpoint({
      method: 'get',
      path: OUTBOX_PATH,
      summary: 'The latest mails the platform would have sent (development only)',
      access: outbox,
      async handle(context) {
        const messages = await listOutbox();
        return {
          view: 'pages/mail/outbox',
          model: {
            title: context.t('mail:outbox.title'),
            messages: messages.map((m) => ({ id: String(m._id), to: m.to, subject: m.subject, template: m.template, createdAt: m.createdAt.toISOString() })),
          },
        };
      },
    }),
    // GET /utvikling/e-post/:id — one mail: its text part, with its links clickable.
    endpoint({
      method: 'get',
      path: `${OUTBOX_PATH}/:id`,
      summary: 'One mail of the development outbox: its text part, with its links clickable',
      access: outbox,
      params: messageParams,
      async handle(context) {
        const message = await outboxMessage(context.params.id);
        return {
          view: 'pages/mail/message',
          model: {
            title: message.subject,
            message: { id: String(message._id), to: message.to, from: message.from, subject: message.subject, text: message.text, createdAt: message.createdAt.toISOString() },
            links: linksIn(message.text),
          },
        };
      },
    }),
    // GET /utvikling/e-post/:id/html — the HTML part as the mail client would show it, sandboxed.
    rawEndpoint({
      method: 'get',
      path: `${OUTBOX_PATH}/:id/html`,
      summary: 'The HTML part of one mail of the development outbox, as a mail client would show it, sandboxed',
      access: outbox,
      why: 'answers with its own Content-Security-Policy (a sandbox for the mail’s HTML) in place of the app’s',
      handlers: [
        async (req, res) => {
          const message = await outboxMessage(String(req.params.id));
          // Mail HTML carries inline styles; the sandbox keeps it from running anything or using our origin.
          res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:");
          res.type('html').send(message.html);
        },
      ],
    }),
  ]);
}
