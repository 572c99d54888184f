/**
 * `npm run bench`: throughput and latency of the two hottest learning paths, beside a bare Express
 * endpoint measured in the same process and the same run.
 *
 * It starts a fresh embedded database in a temporary directory (never the development data), fills
 * it with the demo municipality and the modules in modules/, builds the app in-process with view
 * caching on (as in production), logs in the demo staff member through the real login form, and
 * drives with autocannon for a fixed time each:
 *   1. bare:     GET /bare on a plain Express app (the ceiling of this machine and process)
 *   2. lesson:   GET a lesson page (session, person, catalogue, progress, EJS with every activity)
 *   3. progress: POST a quiz answer as JSON, each request with its own action id and the CSRF token
 * Then it counts the actions stored in the database and compares with the 2xx answers of run 3:
 * `lost` must be 0. The last line printed is one JSON object with every figure.
 *
 * Usage: npm run bench [-- --seconds 10 --connections 10] [--uri mongodb://127.0.0.1:PORT/fresh_db]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import express from 'express';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { loadConfig, paths } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/index.js';
import { createApp } from '../../src/app.js';
import { seedDemoOrganisation } from '../../src/components/organisation/index.js';
import { DEMO_PASSWORD, seedDemoUsers } from '../../src/components/accounts/index.js';
import { publishFromFolder } from '../../src/components/modules/index.js';
import mongoose from 'mongoose';
import { ProgressModel } from '../../src/components/learning/index.js';
import { cookiesOf, formLogin } from '../lib/form-login.js';
import { assertLoopback } from '../stress/tally.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    // Another database server to measure instead (docs/decisions/0001-embedded-database.md): a loopback
    // mongodb:// URI with its database name, emptied by nothing here, so give it a fresh one.
    uri: { type: 'string' },
  },
});
if (args.uri) assertLoopback(args.uri);
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const DEMO_STAFF = 'ansatt@fellesskap.example';
const LESSON = '/moduler/inkluderende-fellesskap/barn-som-har-det-vanskelig';

function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

/** CPU time (ms) of a process by pid, from /proc (Linux); null where that cannot be read. */
function processCpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    // Fields 14 and 15 of /proc/<pid>/stat (after the command name in parentheses): user and system time in clock ticks.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
/** Linux's USER_HZ: /proc counts CPU time in hundredths of a second on every common build. */
const CLOCK_TICKS = 100;

interface Run {
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

async function drive(title: string, options: autocannon.Options): Promise<Run> {
  const result = await autocannon({ duration: SECONDS, connections: CONNECTIONS, ...options, title });
  const run: Run = {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
  console.log(
    `${title.padEnd(9)} ${String(run.rps).padStart(7)} req/s   p50 ${run.p50} ms   p97.5 ${run.p97_5} ms   p99 ${run.p99} ms   2xx ${run.ok}   non-2xx ${run.non2xx}   errors ${run.errors}`,
  );
  return run;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-bench-'));
  // Production logs a JSON line per request; the bench pays for that work but writes to /dev/null.
  const logger = pino({ level: 'info', base: { service: 'fellesskap' } }, pino.destination({ dest: '/dev/null', sync: false }));
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'info', MONGODB_URI: args.uri });
  const db = await openDatabase(config, logger, { dbName: 'fellesskap_bench' });
  const servers: Server[] = [];
  try {
    console.log(`bench: ${args.uri ? `database ${args.uri}` : `fresh embedded database in ${dataDir}`}; ${SECONDS} s per run, ${CONNECTIONS} connections, ${os.cpus().length} CPUs`);
    await seedDemoOrganisation();
    await seedDemoUsers();
    await publishFromFolder(paths.modules, { by: { id: null, name: 'bench' } });

    const app = await createApp({ config, logger });
    // As in production (app.ts enables it when NODE_ENV=production): templates compiled once.
    app.enable('view cache');
    const appServer = await listen(app);
    servers.push(appServer.server);
    const bare = express();
    bare.get('/bare', (_req, res) => {
      res.type('text/plain').send('ok');
    });
    const bareServer = await listen(bare);
    servers.push(bareServer.server);

    const loginCookies = await formLogin(appServer.url, DEMO_STAFF, DEMO_PASSWORD);
    const page = await fetch(`${appServer.url}${LESSON}`, { headers: { Cookie: loginCookies } });
    const html = await page.text();
    if (page.status !== 200) throw new Error(`lesson page answered ${page.status}`);
    // As a browser does: keep what the first page set (the session's version cookie after its CSRF token).
    const cookie = cookiesOf(page, loginCookies);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    const submitUrl = /action="(\/moduler\/[^"]+\/aktiviteter\/[^"]+\/submit)"/.exec(html)?.[1];
    const question = /name="answers\[([^\]]+)\]"/.exec(html)?.[1];
    if (!csrf || !submitUrl || !question) throw new Error('the lesson has no quiz form to drive');

    // Round trips, not only time: every command the driver sends during a run, by name and collection.
    const commands = new Map<string, number>();
    let counting = false;
    mongoose.connection.getClient().on('commandStarted', (event: mongoose.mongo.CommandStartedEvent) => {
      if (!counting) return;
      const key = `${event.commandName} ${String(event.command[event.commandName])}`;
      commands.set(key, (commands.get(key) ?? 0) + 1);
    });
    // Where the time goes: CPU milliseconds per request of this process (the app and autocannon,
    // which drives from here) and of the embedded database's process, measured over each run.
    const databasePid = db.embedded?.pid;
    const counted = async <R extends Run>(run: () => Promise<R>): Promise<{ run: R; perRequest: number; byCommand: Record<string, number>; cpu: { node: number; database: number | null } }> => {
      commands.clear();
      counting = true;
      const cpuBefore = process.cpuUsage();
      const dbBefore = processCpuMs(databasePid);
      const result = await run();
      const cpuAfter = process.cpuUsage(cpuBefore);
      const dbAfter = processCpuMs(databasePid);
      counting = false;
      const total = [...commands.values()].reduce((a, b) => a + b, 0);
      const requests = Math.max(1, result.ok + result.non2xx);
      const byCommand = Object.fromEntries([...commands].map(([name, n]) => [name, Math.round((n / requests) * 100) / 100]));
      const perRequestMs = (ms: number) => Math.round((ms / requests) * 1000) / 1000;
      const cpu = { node: perRequestMs((cpuAfter.user + cpuAfter.system) / 1000), database: dbBefore === null || dbAfter === null ? null : perRequestMs(dbAfter - dbBefore) };
      console.log(`${'cpu'.padEnd(9)} ms per request: this process (app + autocannon) ${cpu.node}, database process ${cpu.database ?? 'n/a'}`);
      return { run: result, perRequest: Math.round((total / requests) * 100) / 100, byCommand, cpu };
    };

    const bareCounted = await counted(() => drive('bare', { url: `${bareServer.url}/bare` }));
    const bareRun = bareCounted.run;
    const lessonCounted = await counted(() => drive('lesson', { url: `${appServer.url}${LESSON}`, headers: { Cookie: cookie } }));
    const lessonRun = lessonCounted.run;
    console.log(`lesson:   database commands per request ${lessonCounted.perRequest} ${JSON.stringify(lessonCounted.byCommand)}`);
    let sent = 0;
    const progressCounted = await counted(() => drive('progress', {
      url: `${appServer.url}${submitUrl}`,
      requests: [
        {
          method: 'POST',
          headers: { Cookie: cookie, 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
          // A fresh action id per request: each one is a new answer that must be stored.
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ answers: { [question]: [0] }, actionId: `bench-${process.pid}-${(sent += 1)}` }) }),
        },
      ],
    }));
    const progressRun = progressCounted.run;
    console.log(`progress: database commands per request ${progressCounted.perRequest} ${JSON.stringify(progressCounted.byCommand)}`);

    // Every acknowledged answer is one quiz attempt: count the attempts stored in the database.
    const stored = (await ProgressModel.find({}, { activities: 1 }).lean<Array<{ activities?: Record<string, { attempts?: number }> }>>()).reduce(
      (sum, doc) => sum + Object.values(doc.activities ?? {}).reduce((n, a) => n + (a.attempts ?? 0), 0),
      0,
    );
    // Answers still in flight when a run's time is up are stored but not counted as 2xx; those are
    // extra, not lost. Lost means acknowledged with 2xx and not in the database.
    const lost = Math.max(0, progressRun.ok - stored);
    const summary = {
      lessonRps: lessonRun.rps,
      bareRps: bareRun.rps,
      ratio: Math.round((lessonRun.rps / bareRun.rps) * 1000) / 1000,
      progressRps: progressRun.rps,
      dbPerLesson: lessonCounted.perRequest,
      dbPerProgress: progressCounted.perRequest,
      cpuMsPerBare: bareCounted.cpu,
      cpuMsPerLesson: lessonCounted.cpu,
      cpuMsPerProgress: progressCounted.cpu,
      lost,
      non2xx: bareRun.non2xx + lessonRun.non2xx + progressRun.non2xx,
      errors: bareRun.errors + lessonRun.errors + progressRun.errors,
      storedActions: stored,
      progressSent: sent,
      progress2xx: progressRun.ok,
      lessonP50Ms: lessonRun.p50,
      lessonP97_5Ms: lessonRun.p97_5,
      lessonP99Ms: lessonRun.p99,
      progressP50Ms: progressRun.p50,
      progressP97_5Ms: progressRun.p97_5,
      progressP99Ms: progressRun.p99,
      bareP50Ms: bareRun.p50,
      bareP99Ms: bareRun.p99,
      seconds: SECONDS,
      connections: CONNECTIONS,
      cpus: os.cpus().length,
    };
    console.log(`progress: ${progressRun.ok} answers acknowledged with 2xx, ${sent} sent, ${stored} stored, lost ${lost}`);
    console.log(JSON.stringify(summary));
    if (lost !== 0 || summary.non2xx !== 0) process.exitCode = 1;
  } finally {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
