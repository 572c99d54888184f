import type { RequestHandler } from 'express';
import { floodBlockMs } from './login-limits.js';

type Translate = (key: string, params?: Record<string, unknown>) => string;

/**
 * Answers a source that is already over its login or new-password limit before anything costly
 * runs (session lookup, body parsing, CSRF, templates): a flood from one address is then refused
 * for almost nothing, and signed-in people keep the server's time. The database still holds the
 * counts; this only reads what this process has already learnt from them. It runs first of all,
 * before the request log, the security headers and language detection (each refused request would
 * otherwise pay for them); the refusal that starts a block is logged by the route, and the page is
 * in bokmål, the default language.
 */
/**
 * How many posts of the login, forgot-password and new-password forms one address may have in
 * progress at once. A person posts one at a time, and a school behind one address seldom has two
 * logins in the same tenth of a second (a login takes about that long); a script sends dozens at
 * once, and each one reaching the database and Argon2 takes time from everyone else. The surplus is
 * refused at once with a one-second Retry-After and a message to try again; `npm run
 * bench:auth-flood` measured 4 in flight at 3.4× the quiet lesson p95 and 2 at 2.1–2.7×.
 */
export const FLOOD_IN_FLIGHT_PER_ADDRESS = 2;

const COSTLY_FORM = /^\/(logg-inn|passord\/glemt|passord\/ny\/[^/]+)$/;

function refuse(res: Parameters<RequestHandler>[1], seconds: number, text: string, t: Translate): void {
  res.status(429).setHeader('Retry-After', String(seconds));
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.type('html').send(
    `<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>${t('errors:title', { status: 429 })}</title></head>` +
      `<body><main><h1>${t('errors:title', { status: 429 })}</h1><p>${text}</p>` +
      `<p><a href="/">${t('errors:backHome')}</a></p></main></body></html>`,
  );
}

export function floodGuard(t: Translate, maxInFlight = FLOOD_IN_FLIGHT_PER_ADDRESS): RequestHandler {
  const inFlight = new Map<string, number>();
  return (req, res, next) => {
    if (req.method !== 'POST' || !COSTLY_FORM.test(req.path)) return next();
    const ip = req.ip ?? 'unknown';
    const ms = floodBlockMs(req.method, req.path, ip);
    if (ms > 0) return refuse(res, Math.ceil(ms / 1000), t('accounts:flood.wait', { count: Math.max(1, Math.ceil(ms / 60_000)) }), t);
    const now = inFlight.get(ip) ?? 0;
    if (now >= maxInFlight) return refuse(res, 1, t('accounts:flood.busy'), t);
    inFlight.set(ip, now + 1);
    // 'close' fires once per response, whether it finished or the client went away.
    res.once('close', () => {
      const left = (inFlight.get(ip) ?? 1) - 1;
      if (left > 0) inFlight.set(ip, left);
      else inFlight.delete(ip);
    });
    next();
  };
}
