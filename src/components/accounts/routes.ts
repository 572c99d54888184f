import { Router, type Request, type Response, type NextFunction } from 'express';
import passport from 'passport';
import { z } from 'zod';
import { safeReturnTo } from './return-to.js';
import type { SessionUser } from './session-user.js';

const loginInput = z.object({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(1024),
  returnTo: z.string().optional(),
});

function renderLogin(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}): void {
  res.status(status).render('pages/accounts/login', {
    title: req.t('accounts:login.title'),
    email: '',
    returnTo: safeReturnTo(req.query.returnTo, ''),
    error: null,
    ...extra,
  });
}

export function accountRoutes(): Router {
  const router = Router();

  // GET /logg-inn — the login form.
  router.get('/logg-inn', (req, res) => {
    if (req.user) {
      res.redirect(safeReturnTo(req.query.returnTo));
      return;
    }
    renderLogin(req, res, 200);
  });

  // POST /logg-inn — e-mail + password; a new session id on success, one vague message on failure.
  router.post('/logg-inn', (req: Request, res: Response, next: NextFunction) => {
    const parsed = loginInput.safeParse(req.body);
    const returnTo = safeReturnTo(parsed.success ? parsed.data.returnTo : undefined);
    if (!parsed.success) {
      renderLogin(req, res, 400, { error: 'accounts:login.missing', email: String(req.body?.email ?? '').slice(0, 254), returnTo });
      return;
    }
    passport.authenticate('local', (err: unknown, user: SessionUser | false) => {
      if (err) return next(err);
      if (!user) {
        req.log.info('login failed');
        renderLogin(req, res, 401, { error: 'accounts:login.failed', email: parsed.data.email, returnTo });
        return;
      }
      // passport regenerates the session here, so an id planted before login is worthless after it.
      req.login(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        req.session.authenticatedAt = Date.now();
        req.log.info({ userId: user.id }, 'login');
        res.redirect(returnTo);
      });
    })(req, res, next);
  });

  // POST /logg-ut — ends the session on the server and clears the cookie.
  router.post('/logg-ut', (req, res, next) => {
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy((destroyErr) => {
        if (destroyErr) return next(destroyErr);
        res.clearCookie(String(req.app.get('session cookie name') ?? ''), { path: '/' });
        res.redirect('/');
      });
    });
  });

  return router;
}
