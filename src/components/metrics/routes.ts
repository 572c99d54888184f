import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { bearerToken, rawEndpoint, type EndpointInfo } from '../../web/endpoints.js';
import mongoose from 'mongoose';
import { dbCommandDuration, digestLastRun, enableProcessMetrics, httpDuration, httpRequests, onCollect, scrape } from '../../lib/metrics.js';
import { lastDigestFinishedAt } from '../reminders/index.js';

/** Requests that matched no route (404s, static files): one label, so a scan of random URLs adds no series. */
const NO_ROUTE = '(none)';
const STATIC = '/static/*';

/**
 * The route pattern of a request (`/moduler/:slug`), never its URL: ids and tokens in paths would
 * make a time series per person. Read when the answer is finished, when routing has set req.route.
 */
function routeLabel(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  return req.originalUrl.startsWith('/static/') ? STATIC : NO_ROUTE;
}

/** Counts and times every answer by method, route pattern and status. */
function requestMetrics(req: Request, res: Response, next: NextFunction): void {
  const stop = httpDuration.startTimer();
  res.once('finish', () => {
    const labels = { method: req.method, route: routeLabel(req), status: String(res.statusCode) };
    httpRequests.inc(labels);
    stop(labels);
  });
  next();
}

// Once per process: the driver's client is one per process (one mongoose), and so is the registry
// its durations go to; a second app must not count every command twice.
let databaseWatched = false;

/** Database command durations from the driver's command monitoring (the connection sets monitorCommands). */
function watchDatabaseCommands(): void {
  if (databaseWatched) return;
  databaseWatched = true;
  const client = mongoose.connection.getClient();
  client.on('commandSucceeded', (e) => dbCommandDuration.observe({ command: e.commandName, outcome: 'ok' }, e.duration / 1000));
  client.on('commandFailed', (e) => dbCommandDuration.observe({ command: e.commandName, outcome: 'failed' }, e.duration / 1000));
}

const digestCollector = async () => {
  const at = await lastDigestFinishedAt();
  digestLastRun.set(at ? at.getTime() / 1000 : 0);
};

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * GET /metrics — Prometheus text format, only with `Authorization: Bearer <METRICS_TOKEN>`.
 * Without METRICS_TOKEN there is no such route (a plain 404), and no request is timed.
 */
export function metricsRoutes(options: { token: string | undefined }): Router & { manifest: readonly EndpointInfo[] } {
  const router = Router() as Router & { manifest: readonly EndpointInfo[] };
  router.manifest = [];
  const { token } = options;
  if (!token) return router;
  enableProcessMetrics();
  watchDatabaseCommands();
  onCollect(digestCollector);
  const expected = sha256(token);
  const scrapeMetrics = async (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer ([\x21-\x7e]+)$/.exec(req.get('authorization') ?? '');
    // Hashing first gives equal lengths, so the comparison takes the same time whatever was sent.
    if (!match || !timingSafeEqual(sha256(match[1]!), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      res.status(401).type('text/plain').send('401: /metrics needs the header Authorization: Bearer <METRICS_TOKEN>\n');
      return;
    }
    try {
      const { contentType, body } = await scrape();
      res.setHeader('Cache-Control', 'no-store');
      res.type(contentType).send(body);
    } catch (err) {
      next(err);
    }
  };
  const metrics = rawEndpoint({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics for the scraper with the bearer token',
    access: bearerToken(),
    why: 'answers in Prometheus text format, and a wrong token with 401 and WWW-Authenticate (no session involved)',
    handlers: [scrapeMetrics],
  });
  // Every request is timed, so this router's middleware runs before the route.
  router.use(requestMetrics);
  router.get(metrics.info.path, ...metrics.handlers);
  router.manifest = [metrics.info];
  return router;
}
