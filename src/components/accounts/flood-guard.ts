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
export function floodGuard(t: Translate): RequestHandler {
  return (req, res, next) => {
    const ms = floodBlockMs(req.method, req.path, req.ip ?? 'unknown');
    if (ms <= 0) return next();
    res.status(429).setHeader('Retry-After', String(Math.ceil(ms / 1000)));
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(
      `<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>${t('errors:title', { status: 429 })}</title></head>` +
        `<body><main><h1>${t('errors:title', { status: 429 })}</h1><p>${t('accounts:flood.wait', { count: Math.max(1, Math.ceil(ms / 60_000)) })}</p>` +
        `<p><a href="/">${t('errors:backHome')}</a></p></main></body></html>`,
    );
  };
}
