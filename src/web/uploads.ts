import type { RequestHandler } from 'express';
import { PayloadTooLargeError, ValidationError } from '../lib/errors.js';

/**
 * Runs a multer middleware and turns whatever it fails with into a client error. Uploads are read
 * into memory, so every failure is about the request itself — a file over the limit, too many parts
 * or files, an unexpected field name, a multipart body without a boundary or cut off mid-way — and
 * must be a 413 or 400 with a message, never a 500 logged as our fault. (multer's own errors carry a
 * code but no HTTP status; the multipart parser's are plain Errors.)
 */
export function clientUpload(upload: RequestHandler): RequestHandler {
  return (req, res, next) => {
    upload(req, res, (err?: unknown) => {
      if (!err) return next();
      const code = (err as { code?: string }).code;
      req.log?.info({ code, reason: (err as Error).message }, 'upload refused');
      next(code === 'LIMIT_FILE_SIZE' ? new PayloadTooLargeError('upload too large') : new ValidationError('unreadable upload', {}, 'errors:badRequest'));
    });
  };
}
