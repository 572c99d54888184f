import type { RequestHandler } from 'express';
import { NotFoundError } from '../../lib/errors.js';
import { ASSET_NAME } from './format.js';
import { ModuleAssetModel } from './models.js';
import { toBuffer } from './store.js';
import { endpointRouter, PUBLIC, rawEndpoint } from '../../web/endpoints.js';

const HASH = /^[0-9a-f]{64}$/;

/**
 * Module files are served by their sha256, so a URL's content never changes: browsers may cache
 * them for a year. They are course material, not personal data, and the hash is unguessable, so
 * they are served without a login (which also lets caches and the video element use them).
 */
const serveAsset: RequestHandler = async (req, res) => {
  const { hash = '', name = '' } = req.params as Record<string, string | undefined>;
  if (!HASH.test(hash) || !ASSET_NAME.test(name)) throw new NotFoundError('no such asset');
  const asset = await ModuleAssetModel.findById(hash).lean();
  if (!asset) throw new NotFoundError('no such asset');
  const data = toBuffer(asset.data);

  res.setHeader('Content-Type', asset.contentType);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  res.setHeader('ETag', `"${hash}"`);
  // The name is limited to [A-Za-z0-9._-], so it needs no quoting beyond the quotes.
  res.setHeader('Content-Disposition', `inline; filename="${name}"`);
  // Opened on its own, a file (an SVG above all) runs no script and reaches nothing.
  res.setHeader('Content-Security-Policy', "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox");
  res.setHeader('Accept-Ranges', 'bytes');

  if (req.headers['if-none-match'] === `"${hash}"`) {
    res.status(304).end();
    return;
  }
  // Video players seek with range requests.
  const ranges = req.headers.range ? req.range(data.length) : undefined;
  if (Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1) {
    const { start, end } = ranges[0]!;
    res.status(206).setHeader('Content-Range', `bytes ${start}-${end}/${data.length}`);
    res.end(data.subarray(start, end + 1));
    return;
  }
  if (ranges === -1) {
    res.status(416).setHeader('Content-Range', `bytes */${data.length}`).end();
    return;
  }
  res.setHeader('Content-Length', String(data.length));
  res.end(data);
};

export function moduleAssetRoutes() {
  return endpointRouter([
    rawEndpoint({
      method: 'get',
      path: '/moduler/filer/:hash/:name',
      summary: 'A module file (image, captions, transcript, video) by its sha256, read-only and cached for a year',
      access: PUBLIC,
      why: 'answers conditional (304) and range (206/416) requests for video players, with its own cache and CSP headers',
      handlers: [serveAsset],
    }),
  ]);
}
