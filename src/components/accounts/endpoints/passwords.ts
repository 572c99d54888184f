import { z } from 'zod';
import type { FieldErrors } from '../../../lib/errors.js';
import { LANGUAGES, type Language } from '../../../web/i18n.js';
import { endpoint, formText, PUBLIC, type DeclaredEndpoint, type PageReply, type Translate } from '../../../web/endpoints.js';
import type { Mailer } from '../../mail/index.js';
import { NEW_PASSWORD_PATH, checkPasswordLink, requestPasswordReset, submitNewPassword, type PasswordLinkState } from '../password.service.js';

/** Forgotten passwords and activation: the form that mails a link, and the new-password form behind the link. */

// Read longer than any rule allows, so that the rules (not the cut) refuse what is too long.
const forgotForm = z.object({ email: formText(1024) });
const forgotRules = z.object({ email: z.string().trim().pipe(z.email('accounts:forgot.emailInvalid').max(254, 'accounts:forgot.emailInvalid')) });
const newPasswordBody = z.object({ password: formText(2048), passwordConfirm: formText(2048) });
// Any text: the link's state decides (an unknown token is the 404 page that says how to get a new link),
// and a refused path would put the token into the log.
const tokenParams = z.object({ token: z.string() });

function forgotPage(t: Translate, email = '', errors: FieldErrors = {}): PageReply {
  return { view: 'pages/accounts/forgot', model: { title: t('accounts:forgot.title'), email, errors } };
}

/** A mailed link that cannot be used: unknown (404), or used or expired (410), with the way on. */
function linkProblemPage(t: Translate, state: Exclude<PasswordLinkState, { status: 'valid' }>): PageReply {
  return { view: 'pages/accounts/link-problem', status: state.status === 'invalid' ? 404 : 410, model: { title: t(`accounts:link.${state.status}.title`), reason: state.status } };
}

function newPasswordPage(t: Translate, token: string, purpose: string, errors: FieldErrors = {}): PageReply {
  return {
    view: 'pages/accounts/new-password',
    model: {
      title: t(purpose === 'activation' ? 'accounts:newPassword.activationTitle' : 'accounts:newPassword.title'),
      action: `${NEW_PASSWORD_PATH}/${token}`,
      purpose,
      errors,
    },
  };
}

function languageOf(lang: string): Language {
  return LANGUAGES.find((l) => l === lang) ?? 'nb';
}

export function passwordEndpoints(mailer: Mailer): DeclaredEndpoint[] {
  return [
    // GET /passord/glemt — asks for the e-mail address to send a reset link to.
    endpoint({
      method: 'get',
      path: '/passord/glemt',
      summary: 'Asks for the e-mail address to send a password reset link to',
      access: PUBLIC,
      handle: async (context) => forgotPage(context.t),
    }),
    // POST /passord/glemt — sends a link if the address is known; always the same answer.
    endpoint({
      method: 'post',
      path: '/passord/glemt',
      summary: 'Mails a reset (or activation) link if the address is known; the same answer either way',
      access: PUBLIC,
      body: forgotForm,
      check: forgotRules,
      async handle(context) {
        // Not awaited: answering before the mail is sent keeps the response time the same for known
        // and unknown addresses.
        requestPasswordReset(mailer, { email: context.body.email.trim(), lang: languageOf(context.lang) }).catch((err: unknown) => context.log.error({ err }, 'password reset mail failed'));
        return { redirect: '/passord/glemt/sendt' };
      },
      invalid: async (context, errors) => forgotPage(context.t, context.body.email.slice(0, 254), errors),
    }),
    // GET /passord/glemt/sendt — "if the address is ours, a link is on its way".
    endpoint({
      method: 'get',
      path: '/passord/glemt/sendt',
      summary: 'Says that a link is on its way if the address is known',
      access: PUBLIC,
      handle: async (context) => ({ view: 'pages/accounts/forgot-sent', model: { title: context.t('accounts:forgot.sentTitle') } }),
    }),
    // GET /passord/ny/:token — the new-password form behind a mailed reset or activation link.
    endpoint({
      method: 'get',
      path: `${NEW_PASSWORD_PATH}/:token`,
      summary: 'The new-password form behind a mailed reset or activation link, or why the link cannot be used',
      access: PUBLIC,
      params: tokenParams,
      async handle(context) {
        const { token } = context.params;
        const state = await checkPasswordLink(token);
        return state.status === 'valid' ? newPasswordPage(context.t, token, state.purpose) : linkProblemPage(context.t, state);
      },
    }),
    // POST /passord/ny/:token — sets the password (once per link) and sends the person to the login page.
    endpoint({
      method: 'post',
      path: `${NEW_PASSWORD_PATH}/:token`,
      summary: 'Sets the password with a mailed link (once per link, within the per-address and per-link limits)',
      access: PUBLIC,
      params: tokenParams,
      body: newPasswordBody,
      async handle(context) {
        const result = await submitNewPassword({ token: context.params.token, ip: context.ip, ...context.body });
        if (result.status !== 'valid') return linkProblemPage(context.t, result);
        context.log.info({ purpose: result.purpose }, 'password set with mailed link');
        return { redirect: '/logg-inn', flash: { type: 'success', key: result.purpose === 'activation' ? 'accounts:newPassword.activated' : 'accounts:newPassword.changed' } };
      },
      // The form again for the link's purpose. The link was usable a moment ago (the service checks it
      // first); should it have been used since, its page says so (answered 400, as every form again).
      async invalid(context, errors) {
        const state = await checkPasswordLink(context.params.token);
        return state.status === 'valid' ? newPasswordPage(context.t, context.params.token, state.purpose, errors) : linkProblemPage(context.t, state);
      },
    }),
  ];
}
