import { createServer, type Server, type ServerResponse } from 'node:http';
import { ConfigError, loadConfig } from './config/index.js';
import { createLogger } from './lib/logger.js';
import { explainStorageError, openDatabase, type DatabaseHandle } from './db/index.js';
import { createApp, createServices, type Services } from './app.js';
import { seedDemoData } from './seed/index.js';
import { startDigestSchedule } from './components/reminders/index.js';
import { startSessionSweep } from './web/session.js';
import { runMigrations } from './migrations/index.js';

/** Start-up: config → database → app.listen, and a graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

  let db: DatabaseHandle;
  try {
    db = await openDatabase(config, logger);
  } catch (err) {
    logger.fatal({ err }, (err as Error).message);
    process.exit(1);
  }
  let app: Awaited<ReturnType<typeof createApp>>;
  let services: Services;
  try {
    // Built once, before the demo seed: the seed, the app and the digest schedule share them.
    services = createServices({ config, logger });
    // Pending data changes first (one instance at a time, under the migration lock), before any request reads the data.
    const applied = await runMigrations({ logger });
    if (applied.length) logger.info({ migrations: applied }, 'database migrated');
    if (config.seedDemo) await seedDemoData(config, logger, services.reports);
    const embedded = db.embedded;
    app = await createApp({
      config,
      logger,
      services,
      writePathProblem: embedded && (() => (embedded.stuckWriteTarget ? `a write on ${embedded.stuckWriteTarget} is stuck` : undefined)),
    });
  } catch (err) {
    // A start-up step that fails (the disk filling up while the demo data is written, say) must stop
    // the process with one line; unhandled, it left the app running without ever listening.
    const explained = (db.embedded && explainStorageError(db.embedded.dataDir, err)) || (err as Error);
    logger.fatal({ err }, explained.message);
    await db.close();
    process.exit(1);
  }
  // Slow clients (slowloris: headers or a body trickled byte by byte) would each hold a socket for
  // Node's defaults, a minute for headers and five for a request; they get a 408 at these limits instead. The check runs
  // at least every 5 s (Node's default is every 30 s, far coarser than the limits themselves).
  const server: Server = createServer(
    {
      headersTimeout: config.httpHeadersTimeoutMs,
      requestTimeout: config.httpRequestTimeoutMs,
      connectionsCheckingInterval: Math.min(5_000, Math.max(250, Math.floor(config.httpHeadersTimeoutMs / 4))),
    },
    app,
  );
  server.listen(config.port, config.host, () => {
    logger.info({ url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}` }, 'Fellesskap is listening');
  });
  // The weekly digest is sent by the server processes themselves (each person once per week, however
  // many instances run); `npm run digest` does the same on demand.
  const stopSessionSweep = startSessionSweep(logger, config.sessionSweepIntervalMs);
  const stopDigest = config.digest.enabled ? startDigestSchedule(config, { progress: services.progress, learning: services.learning, logger, mailer: services.mail }) : () => {};
  server.on('error', async (err) => {
    logger.fatal({ err }, `cannot listen on ${config.host}:${config.port}`);
    await db.close();
    process.exit(1);
  });

  let shuttingDown = false;
  // A keep-alive connection that keeps bringing requests never turns idle, so close() would wait for
  // the timeout and then cut requests off mid-answer (the fault drill saw it). At shutdown every
  // answer not yet started, and every request that still arrives on an open connection, is sent with
  // `Connection: close`: the client gets its answer and then the connection ends by itself.
  const unanswered = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    if (shuttingDown) {
      res.setHeader('Connection', 'close');
      return;
    }
    unanswered.add(res);
    res.once('close', () => unanswered.delete(res));
  });
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    for (const res of unanswered) if (!res.headersSent) res.setHeader('Connection', 'close');
    stopDigest();
    stopSessionSweep();
    logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    // Idle keep-alive sockets would hold close() open; busy ones are given the timeout to finish.
    const forced = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(forced);
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main();
