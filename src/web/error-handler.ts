import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { AppError, BusyError, NotFoundError, ServiceUnavailableError, ValidationError, TooManyRequestsError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { setBaseLocals } from './locals.js';

/** True for requests that want JSON back: the /api routes and clients that only accept JSON. */
export function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || (!!req.get('accept') && !req.accepts('html') && !!req.accepts('json'));
}

/** Errors from the database driver that mean "the database is not reachable right now". */
function isDatabaseUnavailable(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name ?? '';
  return /^Mongo(ose)?(ServerSelection|NetworkTimeout|Network|NotConnected|TopologyClosed|PoolCleared)Error$/.test(name);
}

/** Body-parser, multer and similar errors carry an HTTP status and say it is the client's fault. */
function clientErrorStatus(err: unknown): number | undefined {
  const e = err as { status?: number; statusCode?: number; type?: string; code?: string } | null;
  if (e?.code === 'LIMIT_FILE_SIZE' || e?.type === 'entity.too.large') return 413;
  const status = e?.status ?? e?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

const KEY_BY_STATUS: Record<number, string> = {
  400: 'errors:badRequest',
  403: 'errors:forbidden',
  404: 'errors:notFound',
  413: 'errors:payloadTooLarge',
  415: 'errors:badRequest',
  429: 'errors:tooManyRequests',
};

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new NotFoundError('No route'));
};

/** The one error handler: logs with the request id and renders HTML or JSON. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    let status = 500;
    let messageKey = 'errors:internal';
    let fields: Record<string, string> = {};
    if (err instanceof AppError) {
      status = err.status;
      messageKey = err.expose ? err.messageKey : 'errors:internal';
      if (err instanceof ValidationError) fields = err.fields;
      if (err instanceof TooManyRequestsError || err instanceof BusyError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    } else if ((err as { code?: string }).code === 'EBADCSRFTOKEN') {
      status = 403;
      messageKey = 'errors:csrf';
    } else if (isDatabaseUnavailable(err)) {
      status = 503;
      messageKey = new ServiceUnavailableError('').messageKey;
    } else {
      const clientStatus = clientErrorStatus(err);
      if (clientStatus) {
        status = clientStatus;
        messageKey = KEY_BY_STATUS[clientStatus] ?? 'errors:badRequest';
      }
    }
    const errorId = String(req.id ?? '');
    const log = (req.log ?? logger).child({ errorId });
    if (status >= 500) log.error({ err }, 'request failed');
    else if (status === 403) log.warn({ path: req.path, reason: (err as Error).message }, 'access denied');
    else log.info({ status, reason: (err as Error).message }, 'request refused');

    setBaseLocals(req, res);
    const t = req.t ?? ((key: string) => key);
    const message = t(messageKey);
    res.status(status);
    if (wantsJson(req)) {
      res.json({ error: { status, message, fields, errorId } });
      return;
    }
    res.render('pages/error', { title: t('errors:title', { status }), status, message, fields, errorId });
  };
}
