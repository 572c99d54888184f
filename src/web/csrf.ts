import type { RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';

/**
 * Synchronizer-token CSRF protection for every state-changing request. Forms carry the token
 * in a hidden `_csrf` field; scripts send `X-CSRF-Token`. Multipart forms are parsed after this
 * check, so they carry the token in the form's action URL (`?_csrf=`), which the logger redacts.
 */
const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof fromBody === 'string') return fromBody;
    const fromHeader = req.get('x-csrf-token');
    if (fromHeader) return fromHeader;
    const fromQuery = req.query._csrf;
    return req.is('multipart/form-data') && typeof fromQuery === 'string' ? fromQuery : undefined;
  },
  size: 32,
  errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' },
});

export const csrfProtection: RequestHandler = csrfSynchronisedProtection;

/** Makes the session's token available to every view as `csrfToken`. */
export const csrfTokenLocal: RequestHandler = (req, res, next) => {
  res.locals.csrfToken = generateToken(req);
  next();
};
