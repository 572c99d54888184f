import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import { paths } from '../config/index.js';

const hashes = new Map<string, string>();

/**
 * URL of a file in public/ with a content hash, so browsers may cache it for a year and
 * still get the new file the moment it changes.
 */
export function assetUrl(file: string): string {
  let hash = hashes.get(file);
  if (!hash) {
    hash = createHash('sha256').update(readFileSync(path.join(paths.public, file))).digest('hex').slice(0, 12);
    hashes.set(file, hash);
  }
  return `/static/${file}?v=${hash}`;
}

export function staticFiles(): Router {
  const router = express.Router();
  const cacheHeaders: RequestHandler = (req, res, next) => {
    res.setHeader('Cache-Control', req.query.v ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    next();
  };
  router.use('/static', cacheHeaders, express.static(paths.public, { cacheControl: false, index: false, dotfiles: 'ignore' }));
  return router;
}
