import type { RequestHandler } from 'express';
import { floodBlockMs } from './login-limits.js';

/**
 * Answers a source that is already over its login or new-password limit before anything costly
 * runs (session lookup, body parsing, CSRF, templates): a flood from one address is then refused
 * for almost nothing, and signed-in people keep the server's time. The database still holds the
 * counts; this only reads what this process has already learnt from them.
 */
export function floodGuard(): RequestHandler {
  return (req, res, next) => {
    const ms = floodBlockMs(req.method, req.path, req.ip ?? 'unknown');
    if (ms <= 0) return next();
    const t = req.t ?? ((key: string) => key);
    res.status(429).setHeader('Retry-After', String(Math.ceil(ms / 1000)));
    res.type('html').send(
      `<!doctype html><html lang="${req.language === 'en' ? 'en' : req.language === 'nn' ? 'nn' : 'nb'}"><head><meta charset="utf-8"><title>${t('errors:title', { status: 429 })}</title></head>` +
        `<body><main><h1>${t('errors:title', { status: 429 })}</h1><p>${t('accounts:flood.wait', { count: Math.max(1, Math.ceil(ms / 60_000)) })}</p>` +
        `<p><a href="/">${t('errors:backHome')}</a></p></main></body></html>`,
    );
  };
}
