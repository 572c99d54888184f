import type { NextFunction, Request, Response } from 'express';
import type { SessionUser } from '../../web/session-user.js';
import { logins } from '../../lib/metrics.js';
import { can } from '../../web/policy.js';

/**
 * Where a login without a return address lands: leaders and the municipality's administrators on
 * their figures (/leder), everyone else on the start page ("Mine kurs").
 */
export function landingFor(user: SessionUser): string {
  return can(user, 'unit:lead-any') || can(user, 'reports:municipal') ? '/leder' : '/';
}

/**
 * Redirects only once the session is stored. express-session otherwise flushes the redirect's
 * headers while it is still saving, and a browser that follows at once can read the old session
 * (seen under load as a login or a one-time message that did not stick).
 */
function saveThenRedirect(req: Request, res: Response, next: NextFunction, location: string, status = 302): void {
  req.session.save((err) => {
    if (err) return next(err);
    res.redirect(status, location);
  });
}

/**
 * The one way a person becomes logged in, whatever proved who they are (password or SSO):
 * passport regenerates the session (so an id planted before login is worthless after it), and the
 * login time is recorded for the absolute session limit and for ending sessions at a password change.
 */
export function completeLogin(req: Request, res: Response, next: NextFunction, user: SessionUser, method: 'password' | 'oidc', returnTo: string): void {
  req.login(user, (err) => {
    if (err) return next(err);
    req.session.authenticatedAt = Date.now();
    req.log.info({ userId: user.id, method }, 'login');
    logins.inc({ method, result: 'ok' });
    saveThenRedirect(req, res, next, returnTo === '/' ? landingFor(user) : returnTo);
  });
}
