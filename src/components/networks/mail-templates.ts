import { z } from 'zod';
import { defineMailTemplate } from '../mail/index.js';

/**
 * Sent to an external partner who already has an account when the municipality invites them to a
 * network (a new account gets the activation mail instead, whose link leads here after the password).
 */
export const partnerInvitationMail = defineMailTemplate({
  name: 'networks.partner-invitation',
  params: z.object({
    name: z.string().min(1),
    network: z.string().min(1),
    link: z.url({ protocol: /^https?$/ }),
  }),
  compose: (t, p) => ({
    subject: t('networks:mail.invitation.subject', { network: p.network }),
    intro: [t('networks:mail.invitation.greeting', { name: p.name }), t('networks:mail.invitation.intro', { network: p.network })],
    action: { label: t('networks:mail.invitation.action'), url: p.link },
    outro: [t('networks:mail.invitation.login')],
  }),
});
