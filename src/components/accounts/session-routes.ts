import { Router } from 'express';
import { ABSOLUTE_TIMEOUT_MS } from '../../web/session.js';
import { csrfProtection } from '../../web/csrf.js';
import { requirePermission } from '../../web/policy.js';

/**
 * The time-out warning's «Fortsett å være innlogget» (WCAG 2.2.1). Mounted before the app-wide CSRF
 * check and checking login first, so a session that has already ended gets a 401 the script can
 * explain, rather than a 403 for the token that ended with it. A signed-in request still needs a
 * valid token: the route runs the same CSRF check itself.
 */
export function sessionRoutes(): Router {
  const router = Router();

  // POST /okt/forleng — renews the idle limit and does nothing else; the absolute limit stays.
  router.post('/okt/forleng', ...requirePermission('session:own'), csrfProtection, (req, res, next) => {
    // Written now, not left to the end of the request: the store renews an unchanged session's
    // expiry at most once a minute, and this request exists to renew it.
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
  });

  return router;
}
