import type { Request, Response, RequestHandler } from 'express';
import { LANGUAGES } from './i18n.js';
import { assetUrl } from './assets.js';
import { currentUser } from './policy.js';
import { navigationFor } from './navigation.js';
import { sessionLimits } from './session.js';

/**
 * Locals the layout needs on every page. The error handler calls this too, because an error
 * can be raised before the request reaches the middleware (bad CSRF token, unparsable body).
 */
export function setBaseLocals(req: Request, res: Response): void {
  if (res.locals.baseLocalsSet) return;
  res.locals.baseLocalsSet = true;
  res.locals.t = req.t ?? ((key: string) => key);
  res.locals.lang = (LANGUAGES as readonly string[]).includes(req.language) ? req.language : 'nb';
  res.locals.languages = LANGUAGES;
  res.locals.currentPath = req.path;
  res.locals.asset = assetUrl;
  const user = currentUser(req);
  res.locals.user = user ? { id: user.id, name: user.name } : null;
  res.locals.navItems = navigationFor(user);
  // For the time-out warning (public/js/session-timeout.js), shown only to signed-in people.
  res.locals.sessionLimits = user ? sessionLimits(req.session?.authenticatedAt) : null;
  res.locals.csrfToken ??= '';
  res.locals.flash = null;
}

export const baseLocals: RequestHandler = (req, res, next) => {
  setBaseLocals(req, res);
  next();
};
