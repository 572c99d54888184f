import type { RequestHandler } from 'express';
import { ABSOLUTE_TIMEOUT_MS } from '../../web/session.js';
import { csrfProtection } from '../../web/csrf.js';
import { endpointRouter, permission, rawEndpoint } from '../../web/endpoints.js';

// Written now, not left to the end of the request: the store renews an unchanged session's expiry at
// most once a minute, and this request exists to renew it.
const renew: RequestHandler = (req, res, next) => {
  req.session.touch();
  req.session.save((err) => {
    if (err) {
      next(err);
      return;
    }
    const absoluteEnd = (req.session.authenticatedAt ?? Date.now()) + ABSOLUTE_TIMEOUT_MS;
    const idleEnd = req.session.cookie.expires?.getTime() ?? Date.now();
    res.set('Cache-Control', 'no-store').json({
      idleExpiresAt: new Date(Math.min(idleEnd, absoluteEnd)).toISOString(),
      absoluteExpiresAt: new Date(absoluteEnd).toISOString(),
    });
  });
};

/**
 * The time-out warning's «Fortsett å være innlogget» (WCAG 2.2.1). Mounted before the app-wide CSRF
 * check and checking login first, so a session that has already ended gets a 401 the script can
 * explain, rather than a 403 for the token that ended with it. A signed-in request still needs a
 * valid token: the route runs the same CSRF check itself.
 */
export function sessionRoutes() {
  return endpointRouter([
    rawEndpoint({
      method: 'post',
      path: '/okt/forleng',
      summary: 'Renews the idle limit of the session and does nothing else; the absolute limit stays',
      access: permission('session:own'),
      why: 'checks CSRF after login (outside the app-wide order) and must save the session before it answers',
      handlers: [csrfProtection, renew],
    }),
  ]);
}
