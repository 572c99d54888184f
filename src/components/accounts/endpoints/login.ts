import type { Request, Response, NextFunction } from 'express';
import type passport from 'passport';
import { z } from 'zod';
import type { AppConfig } from '../../../config/index.js';
import { logins } from '../../../lib/metrics.js';
import { endpoint, rawEndpoint, PUBLIC, type DeclaredEndpoint, type Translate } from '../../../web/endpoints.js';
import { sessionCookieName, sessionCookieOptions } from '../../../web/session.js';
import type { SessionUser } from '../../../web/session-user.js';
import { completeLogin } from '../complete-login.js';
import { loginAttemptFailed, loginAttemptSucceeded, startLoginAttempt, type LoginLimitState } from '../login-limits.js';
import type { SsoClient } from '../oidc.js';
import { safeReturnTo } from '../return-to.js';

/** Logging in with e-mail and password, and logging out. */

const loginInput = z.object({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(1024),
  returnTo: z.string().optional(),
});

/** The login page: the form, empty or with what went wrong, and the SSO button when SSO is configured. */
export function loginModel(t: Translate, sso: SsoClient | undefined, returnTo: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: t('accounts:login.title'), email: '', returnTo, error: null, errorParams: {}, ssoLabel: sso?.config.displayName ?? null, ...extra };
}

/** The login page from a raw endpoint (a failed login, a failed SSO hand-off), the return address from the query unless given. */
export function renderLogin(req: Request, res: Response, status: number, sso: SsoClient | undefined, extra: Record<string, unknown> = {}): void {
  res.status(status).render('pages/accounts/login', loginModel(req.t, sso, safeReturnTo(req.query.returnTo, ''), extra));
}

function lockedParams(state: Extract<LoginLimitState, { blocked: true }>): { count: number } {
  return { count: Math.max(1, Math.ceil(state.retryAfterSeconds / 60)) };
}

/** POST /logg-inn — e-mail + password, within the failed-login limits; one vague message on failure. */
function passwordLogin(authenticator: passport.Authenticator, sso: SsoClient | undefined) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const parsed = loginInput.safeParse(req.body);
    const returnTo = safeReturnTo(parsed.success ? parsed.data.returnTo : undefined);
    if (!parsed.success) {
      renderLogin(req, res, 400, sso, { error: 'accounts:login.missing', email: String(req.body?.email ?? '').slice(0, 254), returnTo });
      return;
    }
    const { email } = parsed.data;
    const ip = req.ip ?? 'unknown';
    const renderLocked = (state: Extract<LoginLimitState, { blocked: true }>) => {
      res.setHeader('Retry-After', String(state.retryAfterSeconds));
      renderLogin(req, res, 429, sso, { error: 'accounts:login.locked', errorParams: lockedParams(state), email, returnTo });
    };
    // The attempt is counted before the password is checked (atomically), so simultaneous attempts
    // cannot slip past the limit, and a refused one costs no password hashing.
    const before = await startLoginAttempt(email, ip);
    if (before.blocked) {
      req.log.info('login refused: failed-login limit');
      logins.inc({ method: 'password', result: 'refused' });
      renderLocked(before);
      return;
    }
    authenticator.authenticate('local', (err: unknown, user: SessionUser | false) => {
      (async () => {
        if (err) throw err;
        if (!user) {
          req.log.info('login failed');
          logins.inc({ method: 'password', result: 'failed' });
          const after = await loginAttemptFailed(email, ip);
          if (after.blocked) renderLocked(after);
          else renderLogin(req, res, 401, sso, { error: 'accounts:login.failed', email, returnTo });
          return;
        }
        await loginAttemptSucceeded(email, ip);
        completeLogin(req, res, next, user, 'password', returnTo);
      })().catch(next);
    })(req, res, next);
  };
}

export function loginEndpoints(config: AppConfig, authenticator: passport.Authenticator, sso: SsoClient | undefined): DeclaredEndpoint[] {
  return [
    // GET /logg-inn — the login form (with the SSO button when SSO is configured).
    endpoint({
      method: 'get',
      path: '/logg-inn',
      summary: 'The login form, with the SSO button when SSO is configured; someone already signed in is sent on',
      access: PUBLIC,
      query: z.object({ returnTo: z.unknown().optional() }),
      async handle(context) {
        // Only a local return address (safeReturnTo), here and in the form's hidden field.
        if (context.user) return { redirect: safeReturnTo(context.query.returnTo), status: 302 };
        return { view: 'pages/accounts/login', model: loginModel(context.t, sso, safeReturnTo(context.query.returnTo, '')) };
      },
    }),
    rawEndpoint({
      method: 'post',
      path: '/logg-inn',
      summary: 'Logs in with e-mail and password, within the failed-login limits; one vague message on failure',
      access: PUBLIC,
      why: 'passport’s local strategy decides in a callback, a login regenerates the session (completeLogin), and a refusal is the form again with 401 or 429 and Retry-After',
      handlers: [passwordLogin(authenticator, sso)],
    }),
    // POST /logg-ut — ends this session on the server and clears the cookie (other sessions live on).
    rawEndpoint({
      method: 'post',
      path: '/logg-ut',
      summary: 'Ends this session on the server and clears its cookie (the person’s other sessions live on)',
      access: PUBLIC,
      why: 'ends the session itself: passport’s logout, destroying the stored session and clearing its cookie before the redirect',
      handlers: [
        (req, res, next) => {
          req.logout((err) => {
            if (err) return next(err);
            req.session.destroy((destroyErr) => {
              if (destroyErr) return next(destroyErr);
              res.clearCookie(sessionCookieName(config), sessionCookieOptions(config));
              res.redirect('/');
            });
          });
        },
      ],
    }),
  ];
}
