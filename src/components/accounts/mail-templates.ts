import { z } from 'zod';
import { defineMailTemplate } from '../mail/index.js';

const linkParams = z.object({
  name: z.string().min(1),
  link: z.url({ protocol: /^https?$/ }),
});

/** Sent when someone asks for a new password; the link is valid for one hour. */
export const passwordResetMail = defineMailTemplate({
  name: 'accounts.password-reset',
  params: linkParams,
  compose: (t, p) => ({
    subject: t('accounts:mail.reset.subject'),
    intro: [t('accounts:mail.greeting', { name: p.name }), t('accounts:mail.reset.intro')],
    action: { label: t('accounts:mail.reset.action'), url: p.link },
    outro: [t('accounts:mail.reset.validity'), t('accounts:mail.reset.ignore')],
  }),
});

/** Sent to a person who has been registered (by an administrator or an import) and has no password yet. */
export const activationMail = defineMailTemplate({
  name: 'accounts.activation',
  params: linkParams,
  compose: (t, p) => ({
    subject: t('accounts:mail.activation.subject'),
    intro: [t('accounts:mail.greeting', { name: p.name }), t('accounts:mail.activation.intro')],
    action: { label: t('accounts:mail.activation.action'), url: p.link },
    outro: [t('accounts:mail.activation.validity'), t('accounts:mail.activation.ignore')],
  }),
});
