/**
 * `npm run drill`: fault drills against the real server process under load (issue 8).
 *
 *   0. every database reply belongs to its request (issue 14): a short run of the stress script
 *      (tools/stress) against a second embedded database and against the app's pages.
 *   1. database killed under load: SIGKILL the embedded FerretDB while learners write progress; the
 *      app must bring it back, and every acknowledged write must be in the database.
 *   2. SIGTERM under load: the app finishes what it accepted, exits 0, leaves no database process,
 *      and a restart on the same DATA_DIR shows every acknowledged write, nothing half-written.
 *   3. read-only data directory and disk full at start: a non-zero exit with one clear line, and the
 *      existing database opens afterwards with its data intact.
 *
 * Everything happens in a temporary DATA_DIR on loopback; the drill's children and the directory are
 * removed at the end, also on failure and Ctrl-C. The last line printed is one JSON object:
 * {"sent","acked","failedClean","lost","hung","replies","mismatched","malformed"}. Exit code 1 when
 * anything was lost or hung, a reply was mismatched or malformed, or a check failed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { FLOOD_IN_FLIGHT_PER_ADDRESS } from '../../src/components/accounts/index.js';
import { findFreePort } from '../../src/db/index.js';
import { appOutputs, connectDirect, disconnectDirect, killRunningApps, launcherOfApp, launchersFor, login, seedWorld, sleep, startApp, waitFor, waitReady, type AppProcess, type Learner } from './world.js';
import { runLoad, type Outcome } from './load.js';
import { newlyLost, verifyStored } from './verify.js';
import { check, count, latency, newReport, passed, printReport, spread, type ScenarioReport } from './summary.js';
import { startFaults } from './start-faults.js';
import { scenarioReplies } from './replies.js';

const LEARNERS = 30;
/** The whole drill normally takes under two minutes (scenario 0 adds about 35 s); past this something is stuck, and it stops. */
const WATCHDOG_MS = 6 * 60_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;
/**
 * A request with no answer after this long counts as hung: longer than any wait the system itself
 * allows, so a request past it is one nothing would ever have answered. The longest such wait is a
 * write's wait for its collection's lock in the embedded database's front (`--lock-wait`, 30 s; then
 * the client gets an error); the driver's server selection gives up after 5 s. The drill used 15 s,
 * and on the 2-CPU CI machine, with 30 learners writing to one unit while FerretDB's updates cost
 * time in proportion to the collection's size (docs/benchmarks.md), a first action was answered
 * (303) after 14.999 s and counted as hung. Slow answers are the learning benchmark's business.
 */
const CLIENT_TIMEOUT_MS = 35_000;
const THINK_MS = 150;

const started = Date.now();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-drill-'));
const cleanups: Array<() => void> = [];
const reports: ScenarioReport[] = [];

/** On failure the app's own logs are kept (outside the temporary DATA_DIR, which is removed). */
function keepLogs(): void {
  const dir = path.join(os.tmpdir(), `fellesskap-drill-logs-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  for (const { label, output } of appOutputs) writeFileSync(path.join(dir, `${label}.log`), output());
  console.log(`drill: the app's logs are kept in ${dir}`);
}

function cleanup(): void {
  killRunningApps();
  // Only launchers serving this drill's own temporary directory, by pid.
  for (const launcher of launchersFor(dataDir)) {
    try {
      process.kill(launcher.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const fn of cleanups.splice(0)) fn();
  rmSync(dataDir, { recursive: true, force: true });
}

setTimeout(() => {
  console.log(`\ndrill: still running after ${WATCHDOG_MS / 60_000} minutes; stopping`);
  keepLogs();
  cleanup();
  process.exit(printTotals(false));
}, WATCHDOG_MS).unref();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.log(`\ndrill: ${signal}, cleaning up`);
    cleanup();
    printTotals(false);
    process.exit(130);
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

// One secret for every start, so sessions survive a restart as they do in production.
const SESSION_SECRET = randomBytes(32).toString('hex');

function appEnv(port: number): Record<string, string> {
  return {
    // Production refuses the embedded database (MONGODB_URI is required there), so the drill runs the
    // development build of the same server with production-like settings otherwise.
    NODE_ENV: 'development',
    PORT: String(port),
    DATA_DIR: dataDir,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'info',
    DIGEST_ENABLED: 'false',
    SESSION_SECRET,
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    // The session sweep runs under the load and the faults too (every 10 minutes by default).
    SESSION_SWEEP_INTERVAL_MS: '5000',
  };
}

type LogEntry = { req?: { id?: string }; res?: { statusCode?: number }; responseTime?: number; msg?: string; err?: { type?: string; message?: string } };

/** The app's log lines per request id (pino-http writes one when it answers or the connection closes). */
function logByRequest(output: string): Map<string, LogEntry[]> {
  const byId = new Map<string, LogEntry[]>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as LogEntry;
      if (entry.req?.id) byId.set(entry.req.id, [...(byId.get(entry.req.id) ?? []), entry]);
    } catch {
      /* not a log line */
    }
  }
  return byId;
}

/** One line per request that hung or broke, with what the app logged about it. */
function describeFailures(report: ScenarioReport, outcomes: Outcome[], output: string, t0: number): void {
  const log = logByRequest(output);
  for (const o of outcomes.filter((x) => x.result === 'hung' || x.result === 'reset' || x.result === 'unexpected').slice(0, 8)) {
    const seen = (log.get(o.actionId) ?? []).map((e) => `${e.msg} ${e.res?.statusCode ?? ''} ${e.responseTime ?? ''}ms ${e.err?.type ?? ''} ${e.err?.message ?? ''}`.trim());
    report.notes.push(`${o.result} ${o.detail}: ${o.actionId} ${o.json ? 'JSON' : 'form'} ${o.kind}, sent at ${((o.startedAt - t0) / 1000).toFixed(1)} s from the fault, ended at ${((o.endedAt - t0) / 1000).toFixed(1)} s; app log: ${seen.join(' / ') || 'nothing'}`);
  }
}

async function loginAll(base: string): Promise<Learner[]> {
  const learners: Learner[] = [];
  // Two at a time: each login verifies an Argon2id hash (19 MiB), which is meant to be slow, and one
  // address may have at most FLOOD_IN_FLIGHT_PER_ADDRESS login posts in progress at once.
  const width = FLOOD_IN_FLIGHT_PER_ADDRESS;
  for (let i = 1; i <= LEARNERS; i += width) {
    learners.push(...(await Promise.all(Array.from({ length: Math.min(width, LEARNERS - i + 1) }, (_, k) => login(base, i + k)))));
  }
  return learners;
}

/** Verifies every request so far against the database; returns how many action ids are stored. */
async function verifyInto(report: ScenarioReport, port: number, all: Outcome[]): Promise<number> {
  await connectDirect(port);
  try {
    const result = await verifyStored(all, LEARNERS);
    const lost = newlyLost(result.lost);
    report.lost += lost.length;
    for (const o of lost.slice(0, 5)) report.notes.push(`lost: ${o.actionId} (${o.kind} ${o.activityId}, ${o.detail})`);
    for (const p of result.problems.slice(0, 10)) report.notes.push(`problem: ${p}`);
    check(report, result.problems.length === 0, `read directly from the database: ${result.storedActions} actions stored, every document valid per its schema, nothing stored that was not sent`);
    return result.storedActions;
  } finally {
    await disconnectDirect();
  }
}

async function scenarioKill(app: AppProcess, learners: Learner[], all: Outcome[]): Promise<ScenarioReport> {
  const report = newReport('1. embedded database killed under load');
  const before = launcherOfApp(app.child.pid!);
  if (!check(report, !!before, 'the embedded database runs as a child of the app')) return report;
  let killedAt = 0;
  let backAfter = -1;
  const killer = (async () => {
    await sleep(6000);
    killedAt = Date.now();
    process.kill(before!.pid, 'SIGKILL');
    const after = await waitFor(async () => {
      const now = launcherOfApp(app.child.pid!);
      return now && now.pid !== before!.pid ? now : undefined;
    }, 30_000, 'a new embedded database process');
    await waitFor(async () => (await fetch(`${app.base}/readyz`)).status === 200, 30_000, 'readyz 200 again');
    backAfter = Date.now() - killedAt;
    return after;
  })();
  const outcomes = await runLoad({ base: app.base, learners, scenario: 's1', durationMs: 16_000, maxPerLearner: 90, timeoutMs: CLIENT_TIMEOUT_MS, thinkMs: THINK_MS });
  const after = await killer.catch((err: Error) => {
    check(report, false, err.message);
    return undefined;
  });
  all.push(...outcomes);
  count(report, outcomes);
  report.notes.push(`${LEARNERS} learners for 16 s; the database (pid ${before!.pid}) was killed 6 s in and answered again after ${seconds(backAfter)}`);
  report.notes.push(`not acknowledged: ${spread(outcomes)}`);
  report.notes.push(`answer times: each learner's first action ${latency(outcomes.filter((o) => o.seq === 1))}; the others ${latency(outcomes.filter((o) => o.seq > 1))}`);
  const duringOutage = outcomes.filter((o) => o.endedAt >= killedAt && o.startedAt <= killedAt + Math.max(backAfter, 0));
  describeFailures(report, outcomes, app.output(), killedAt);
  report.notes.push(`requests overlapping the outage: ${duringOutage.length}, of which acknowledged ${duringOutage.filter((o) => o.result === 'acked').length}`);
  if (!after) return report;
  check(report, after.port === before!.port, `the app restarted the embedded database (new pid ${after.pid}) on the same port ${after.port}`);
  check(report, outcomes.filter((o) => o.startedAt > killedAt + backAfter + 2000).every((o) => o.result === 'acked'), 'every request sent 2 s after the recovery was acknowledged');
  await verifyInto(report, after.port, all);
  return report;
}

async function scenarioSigterm(app: AppProcess, learners: Learner[], all: Outcome[], port: number): Promise<{ report: ScenarioReport; next: AppProcess | undefined; stored: number }> {
  const report = newReport('2. SIGTERM to the app under load');
  const launcher = launcherOfApp(app.child.pid!);
  let exitedAt = 0;
  let termAt = 0;
  const exit = app.exited.then((e) => {
    exitedAt = Date.now();
    return e;
  });
  const load = runLoad({
    base: app.base,
    learners,
    scenario: 's2',
    durationMs: 15_000,
    maxPerLearner: 50,
    timeoutMs: CLIENT_TIMEOUT_MS,
    thinkMs: THINK_MS,
    // Once the app no longer listens every further request is refused; one per learner shows it.
    stopOnRefused: true,
  });
  await sleep(4000);
  termAt = Date.now();
  app.child.kill('SIGTERM');
  const timer = setTimeout(() => app.child.kill('SIGKILL'), SHUTDOWN_TIMEOUT_MS + 10_000);
  const { code, signal } = await exit;
  clearTimeout(timer);
  const outcomes = await load;
  all.push(...outcomes);

  // A broken connection is clean only when the app never read the request (an idle keep-alive
  // connection closed at shutdown, so the client knows nothing happened). Judged by the app's log.
  const logged = logByRequest(app.output());
  for (const o of outcomes) {
    if (o.result === 'reset' && !logged.has(o.actionId)) {
      o.result = 'failedClean';
      o.detail += ' (never read by the app)';
    }
  }
  count(report, outcomes);
  describeFailures(report, outcomes, app.output(), termAt);
  const inFlight = outcomes.filter((o) => o.startedAt < termAt && o.endedAt > termAt);
  report.notes.push(`${LEARNERS} learners; SIGTERM 4 s in; the app exited ${seconds(exitedAt - termAt)} later with code ${code}${signal ? ` (${signal})` : ''}`);
  // Accepted = read by the app. A request sent on a keep-alive connection the app had just closed as
  // idle was never read (the client learns nothing happened and may retry): clean, not accepted.
  const accepted = inFlight.filter((o) => !o.detail.includes('never read by the app'));
  report.notes.push(`in flight at the signal: ${inFlight.length}, accepted by the app ${accepted.length}, acknowledged ${inFlight.filter((o) => o.result === 'acked').length}`);
  report.notes.push(`not acknowledged: ${spread(outcomes)}`);
  report.notes.push(`answer times: ${latency(outcomes)}`);
  check(report, code === 0, 'the app exited with code 0');
  check(report, exitedAt - termAt <= SHUTDOWN_TIMEOUT_MS + 3000, `the app exited within SHUTDOWN_TIMEOUT_MS (${SHUTDOWN_TIMEOUT_MS} ms) + 3 s`);
  check(report, accepted.every((o) => o.result === 'acked'), 'every request the app had accepted before the signal was answered and acknowledged');
  const orphans = await waitFor(async () => (launchersFor(dataDir).length === 0 ? [] : undefined), 5000, 'the embedded database to exit').catch(() => launchersFor(dataDir));
  check(report, !!launcher && orphans.length === 0, `the embedded database (pid ${launcher?.pid}) exited with the app; no database process left`);

  const next = startApp(port, { env: appEnv(port) });
  await waitReady(next, 60_000);
  const restarted = launcherOfApp(next.child.pid!);
  if (!check(report, !!restarted, 'restarted on the same DATA_DIR')) return { report, next, stored: -1 };
  const stored = await verifyInto(report, restarted!.port, all);
  const page = await fetch(`${next.base}/mine-kurs`, { headers: { Cookie: learners[0]!.cookie }, redirect: 'manual' });
  check(report, page.status === 200, `a session from before the restart still works (GET /mine-kurs answered ${page.status})`);
  return { report, next, stored };
}

async function main(): Promise<number> {
  console.log(`drill: temporary DATA_DIR ${dataDir}; ${os.cpus().length} CPUs`);
  await seedWorld(dataDir, LEARNERS);
  console.log(`drill: seeded the demo municipality, its modules and ${LEARNERS} learners (${seconds(Date.now() - started)})`);
  const port = await findFreePort();
  const first = startApp(port, { env: appEnv(port) });
  await waitReady(first, 90_000);
  const learners = await loginAll(first.base);
  console.log(`drill: app on ${first.base}, ${learners.length} learners logged in (${seconds(Date.now() - started)})`);

  reports.push(await scenarioReplies(dataDir, first, learners));
  printReport(reports.at(-1)!);
  const all: Outcome[] = [];
  reports.push(await scenarioKill(first, learners, all));
  printReport(reports.at(-1)!);
  const { report, next, stored } = await scenarioSigterm(first, learners, all, port);
  reports.push(report);
  printReport(report);
  if (next) {
    next.child.kill('SIGTERM');
    await next.exited;
  }
  reports.push(await startFaults(dataDir, port, appEnv(port), all, LEARNERS, stored, (fn) => cleanups.push(fn)));
  printReport(reports.at(-1)!);
  if (!reports.every(passed)) keepLogs();
  return printTotals(true);
}

/** The overall summary; the last line is the one JSON object. Returns the exit code. */
function printTotals(complete: boolean): number {
  const totals = { sent: 0, acked: 0, failedClean: 0, lost: 0, hung: 0, replies: 0, mismatched: 0, malformed: 0 };
  for (const r of reports) {
    totals.sent += r.sent;
    totals.acked += r.acked;
    totals.failedClean += r.failedClean;
    totals.lost += r.lost;
    totals.hung += r.hung;
    totals.replies += r.replies;
    totals.mismatched += r.mismatched;
    totals.malformed += r.malformed;
  }
  const ok = complete && reports.every(passed);
  console.log(`\n== overall: ${ok ? 'PASS' : 'FAIL'}${complete ? '' : ' (aborted: the figures cover the scenarios that finished)'} in ${seconds(Date.now() - started)}`);
  console.log(`   sent ${totals.sent}, acknowledged ${totals.acked}, failed with a clean error ${totals.failedClean}, lost ${totals.lost}, hung ${totals.hung}`);
  console.log(`   replies checked ${totals.replies}, mismatched ${totals.mismatched}, malformed ${totals.malformed}`);
  console.log(JSON.stringify(totals));
  return ok ? 0 : 1;
}

main()
  .then((code) => {
    cleanup();
    process.exit(code);
  })
  .catch((err: unknown) => {
    console.error('drill: aborted:', err);
    keepLogs();
    cleanup();
    process.exit(printTotals(false));
  });
