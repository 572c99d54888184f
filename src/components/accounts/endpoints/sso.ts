import type { Request, Response } from 'express';
import type passport from 'passport';
import { logins } from '../../../lib/metrics.js';
import { rawEndpoint, PUBLIC, type DeclaredEndpoint } from '../../../web/endpoints.js';
import type { SessionUser } from '../../../web/session-user.js';
import { completeLogin } from '../complete-login.js';
import { SSO_CALLBACK_PATH, type SsoClient, type SsoFailure } from '../oidc.js';
import { safeReturnTo } from '../return-to.js';
import { renderLogin } from './login.js';

/** Single sign-on (OpenID Connect): declared only when SSO is configured. */
export function ssoEndpoints(sso: SsoClient, authenticator: passport.Authenticator): DeclaredEndpoint[] {
  const ssoFailed = (req: Request, res: Response, status: number, error: string) => renderLogin(req, res, status, sso, { error, errorParams: { provider: sso.config.displayName } });

  /** The provider's strategy, or the login page with 503 when the provider cannot be reached (then undefined). */
  async function strategyOr503(req: Request, res: Response) {
    try {
      return await sso.strategy();
    } catch (err) {
      req.log.error({ err }, 'SSO provider unavailable');
      ssoFailed(req, res, 503, 'accounts:sso.unavailable');
      return undefined;
    }
  }

  return [
    // GET /logg-inn/sso — starts the authorization code flow (PKCE, state, nonce) at the provider.
    rawEndpoint({
      method: 'get',
      path: '/logg-inn/sso',
      summary: 'Starts single sign-on at the identity provider (authorization code flow with PKCE, state and nonce)',
      access: PUBLIC,
      why: 'hands the request to passport’s OpenID Connect strategy, which redirects to the provider itself',
      handlers: [
        async (req, res, next) => {
          const strategy = await strategyOr503(req, res);
          if (!strategy) return;
          req.session.returnTo = safeReturnTo(req.query.returnTo);
          // A fresh object per request: passport attaches per-request actions to the strategy it is given.
          authenticator.authenticate(Object.create(strategy), { session: false })(req, res, next);
        },
      ],
    }),
    // GET /logg-inn/sso/callback — the provider sends the person back here with a code.
    rawEndpoint({
      method: 'get',
      path: SSO_CALLBACK_PATH,
      summary: 'Where the identity provider sends the person back with a code: logs them in, or says why not',
      access: PUBLIC,
      why: 'passport’s OpenID Connect strategy checks the code in a callback, and a login regenerates the session (completeLogin)',
      handlers: [
        async (req, res, next) => {
          const strategy = await strategyOr503(req, res);
          if (!strategy) return;
          const returnTo = safeReturnTo(req.session.returnTo);
          delete req.session.returnTo;
          authenticator.authenticate(Object.create(strategy), (err: unknown, user: SessionUser | false, info?: SsoFailure | { message?: string }) => {
            if (err) {
              req.log.warn({ err }, 'SSO login failed');
              logins.inc({ method: 'oidc', result: 'failed' });
              ssoFailed(req, res, 401, 'accounts:sso.failed');
              return;
            }
            if (!user) {
              const reason = info && 'reason' in info ? info.reason : undefined;
              req.log.info({ reason: reason ?? 'cancelled or expired' }, 'SSO login refused');
              logins.inc({ method: 'oidc', result: 'refused' });
              if (reason && reason !== 'missing-claim') {
                res.status(403).render('pages/accounts/sso-refused', { title: req.t(`accounts:sso.${reason}.title`), reason });
                return;
              }
              ssoFailed(req, res, 401, 'accounts:sso.failed');
              return;
            }
            completeLogin(req, res, next, user, 'oidc', returnTo);
          })(req, res, next);
        },
      ],
    }),
  ];
}
