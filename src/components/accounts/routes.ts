import type { Mailer } from '../mail/index.js';
import { Router, type Request, type Response, type NextFunction } from 'express';
import passport from 'passport';
import { z } from 'zod';
import type { AppConfig } from '../../config/index.js';
import { LANGUAGES, type Language } from '../../web/i18n.js';
import { sessionCookieName, sessionCookieOptions } from '../../web/session.js';
import { safeReturnTo } from './return-to.js';
import type { SessionUser } from '../../web/session-user.js';
import { completeLogin, saveThenRedirect } from './complete-login.js';
import { loginAttemptFailed, loginAttemptSucceeded, startLoginAttempt, takeNewPasswordAttempt, type LoginLimitState } from './login-limits.js';
import { NEW_PASSWORD_PATH, checkPasswordLink, requestPasswordReset, setPasswordWithToken, type PasswordLinkState } from './password-service.js';
import { createSsoClient, SSO_CALLBACK_PATH, type SsoClient, type SsoFailure } from './oidc.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.js';
import { logins } from '../../lib/metrics.js';
import { TooManyRequestsError, ValidationError } from '../../lib/errors.js';
import { fieldErrorsOf } from '../../lib/validation.js';

const loginInput = z.object({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(1024),
  returnTo: z.string().optional(),
});

const forgotInput = z.object({ email: z.email().max(254) });

const newPasswordInput = z
  .object({
    password: z.string().min(PASSWORD_MIN, 'accounts:password.length').max(PASSWORD_MAX, 'accounts:password.length'),
    passwordConfirm: z.string().max(1024),
  })
  .refine((v) => v.password === v.passwordConfirm, { path: ['passwordConfirm'], message: 'accounts:password.mismatch' });

function languageOf(req: Request): Language {
  return LANGUAGES.includes(req.language as Language) ? (req.language as Language) : 'nb';
}

function renderLogin(req: Request, res: Response, status: number, sso: SsoClient | undefined, extra: Record<string, unknown> = {}): void {
  res.status(status).render('pages/accounts/login', {
    title: req.t('accounts:login.title'),
    email: '',
    returnTo: safeReturnTo(req.query.returnTo, ''),
    error: null,
    errorParams: {},
    ssoLabel: sso?.config.displayName ?? null,
    ...extra,
  });
}

function lockedParams(state: Extract<LoginLimitState, { blocked: true }>): { count: number } {
  return { count: Math.max(1, Math.ceil(state.retryAfterSeconds / 60)) };
}

/** A mailed link that cannot be used: unknown (404), or used or expired (410), with the way on. */
function renderLinkProblem(req: Request, res: Response, state: Exclude<PasswordLinkState, { status: 'valid' }>): void {
  res.status(state.status === 'invalid' ? 404 : 410).render('pages/accounts/link-problem', {
    title: req.t(`accounts:link.${state.status}.title`),
    reason: state.status,
  });
}

function renderNewPassword(req: Request, res: Response, status: number, token: string, purpose: string, errors: Record<string, string> = {}): void {
  res.status(status).render('pages/accounts/new-password', {
    title: req.t(purpose === 'activation' ? 'accounts:newPassword.activationTitle' : 'accounts:newPassword.title'),
    action: `${NEW_PASSWORD_PATH}/${token}`,
    purpose,
    errors,
  });
}

export function accountRoutes(config: AppConfig, mailer: Mailer): Router {
  const router = Router();
  const sso = config.oidc ? createSsoClient(config.oidc, config.baseUrl) : undefined;

  // GET /logg-inn — the login form (with the SSO button when SSO is configured).
  router.get('/logg-inn', (req, res) => {
    if (req.user) {
      res.redirect(safeReturnTo(req.query.returnTo));
      return;
    }
    const flash = req.session.flash ?? null;
    if (flash) delete req.session.flash;
    renderLogin(req, res, 200, sso, { flash });
  });

  // POST /logg-inn — e-mail + password, within the failed-login limits; one vague message on failure.
  router.post('/logg-inn', async (req: Request, res: Response, next: NextFunction) => {
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
    passport.authenticate('local', (err: unknown, user: SessionUser | false) => {
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
  });

  // POST /logg-ut — ends this session on the server and clears the cookie (other sessions live on).
  router.post('/logg-ut', (req, res, next) => {
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy((destroyErr) => {
        if (destroyErr) return next(destroyErr);
        res.clearCookie(sessionCookieName(config), sessionCookieOptions(config));
        res.redirect('/');
      });
    });
  });

  // GET /passord/glemt — asks for the e-mail address to send a reset link to.
  router.get('/passord/glemt', (req, res) => {
    res.render('pages/accounts/forgot', { title: req.t('accounts:forgot.title'), email: '', errors: {} });
  });

  // POST /passord/glemt — sends a link if the address is known; always the same answer.
  router.post('/passord/glemt', (req, res) => {
    const parsed = forgotInput.safeParse({ email: String(req.body?.email ?? '').trim() });
    if (!parsed.success) {
      res.status(400).render('pages/accounts/forgot', {
        title: req.t('accounts:forgot.title'),
        email: String(req.body?.email ?? '').slice(0, 254),
        errors: { email: 'accounts:forgot.emailInvalid' },
      });
      return;
    }
    // Not awaited: answering before the mail is sent keeps the response time the same for known
    // and unknown addresses.
    requestPasswordReset(mailer, { email: parsed.data.email, lang: languageOf(req) }).catch((err: unknown) => req.log.error({ err }, 'password reset mail failed'));
    res.redirect(303, '/passord/glemt/sendt');
  });

  // GET /passord/glemt/sendt — "if the address is ours, a link is on its way".
  router.get('/passord/glemt/sendt', (req, res) => {
    res.render('pages/accounts/forgot-sent', { title: req.t('accounts:forgot.sentTitle') });
  });

  // GET /passord/ny/:token — the new-password form behind a mailed reset or activation link.
  router.get(`${NEW_PASSWORD_PATH}/:token`, async (req, res) => {
    const token = String(req.params.token);
    const state = await checkPasswordLink(token);
    if (state.status !== 'valid') {
      renderLinkProblem(req, res, state);
      return;
    }
    renderNewPassword(req, res, 200, token, state.purpose);
  });

  // POST /passord/ny/:token — sets the password (once per link) and sends the person to the login page.
  router.post(`${NEW_PASSWORD_PATH}/:token`, async (req, res, next) => {
    const token = String(req.params.token);
    const limit = await takeNewPasswordAttempt(token, req.ip ?? 'unknown');
    if (limit.blocked) {
      req.log.info('new-password post refused: rate limit');
      throw new TooManyRequestsError('new-password posts over the limit', 'accounts:link.tooMany', limit.retryAfterSeconds);
    }
    const parsed = newPasswordInput.safeParse(req.body ?? {});
    if (!parsed.success) {
      const state = await checkPasswordLink(token);
      if (state.status !== 'valid') {
        renderLinkProblem(req, res, state);
        return;
      }
      const errors = fieldErrorsOf(parsed.error, 'accounts:password.length', 'password');
      renderNewPassword(req, res, 400, token, state.purpose, errors);
      return;
    }
    let result: PasswordLinkState;
    try {
      result = await setPasswordWithToken({ token, password: parsed.data.password });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const state = await checkPasswordLink(token);
      if (state.status !== 'valid') return renderLinkProblem(req, res, state);
      return renderNewPassword(req, res, 400, token, state.purpose, err.fields);
    }
    if (result.status !== 'valid') {
      renderLinkProblem(req, res, result);
      return;
    }
    req.log.info({ purpose: result.purpose }, 'password set with mailed link');
    req.session.flash = { type: 'success', key: result.purpose === 'activation' ? 'accounts:newPassword.activated' : 'accounts:newPassword.changed' };
    saveThenRedirect(req, res, next, '/logg-inn', 303);
  });

  if (sso) {
    const ssoFailed = (req: Request, res: Response, status: number, error: string) =>
      renderLogin(req, res, status, sso, { error, errorParams: { provider: sso.config.displayName } });

    // GET /logg-inn/sso — starts the authorization code flow (PKCE, state, nonce) at the provider.
    router.get('/logg-inn/sso', async (req, res, next) => {
      let strategy;
      try {
        strategy = await sso.strategy();
      } catch (err) {
        req.log.error({ err }, 'SSO provider unavailable');
        ssoFailed(req, res, 503, 'accounts:sso.unavailable');
        return;
      }
      req.session.returnTo = safeReturnTo(req.query.returnTo);
      // A fresh object per request: passport attaches per-request actions to the strategy it is given.
      passport.authenticate(Object.create(strategy), { session: false })(req, res, next);
    });

    // GET /logg-inn/sso/callback — the provider sends the person back here with a code.
    router.get(SSO_CALLBACK_PATH, async (req, res, next) => {
      let strategy;
      try {
        strategy = await sso.strategy();
      } catch (err) {
        req.log.error({ err }, 'SSO provider unavailable');
        ssoFailed(req, res, 503, 'accounts:sso.unavailable');
        return;
      }
      const returnTo = safeReturnTo(req.session.returnTo);
      delete req.session.returnTo;
      passport.authenticate(Object.create(strategy), (err: unknown, user: SessionUser | false, info?: SsoFailure | { message?: string }) => {
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
    });
  }

  return router;
}
