/**
 * Scenario 3: the app is started on a data directory it cannot write to — read-only, or a disk that
 * takes no more bytes — while that directory already holds a database. It must stop with a non-zero
 * exit code and one clear line that names the directory and what to do, within a bounded time, and
 * leave the database exactly as it was: byte for byte, and it must open afterwards with every write.
 *
 * How the faults are made, without mounting anything (CI runs without that privilege):
 * - read-only: `chmod 0555` on DATA_DIR and its database folder. Root ignores permission bits, so when
 *   the drill runs as root the app is started as user `nobody` (65534) for this start; for `nobody`
 *   the root-owned 0555 directories are as read-only as a read-only mount. Where `nobody` cannot read
 *   the app (a checkout under /root), root makes DATA_DIR a read-only bind mount instead (EROFS); where
 *   that is not allowed either (a container without CAP_SYS_ADMIN), the read-only start is skipped with a
 *   NOT SIMULATED line in the summary rather than failing the drill: the machine, not the app, lacks
 *   the means, and CI must not turn red for it. DRILL_READ_ONLY=chmod|nobody|mount picks one by hand
 *   (a chosen method that cannot be made does fail the drill).
 * - disk full: RLIMIT_FSIZE = 0 (`ulimit -f 0`) on the app and the database it starts: every write that
 *   would grow a file fails with EFBIG ("file too large"), as a full disk fails with ENOSPC. The Go
 *   launcher ignores the SIGXFSZ that comes with it and sees the error; Node writes no file at start
 *   (tsx's compile cache is switched off for this start), so only the database's writes are refused.
 * - disk nearly full: RLIMIT_FSIZE = 64 KiB on a first start in an empty directory, so the launcher's
 *   few-byte probe passes and the database fails part-way through creating its tables — the case the
 *   probe cannot catch; afterwards a normal start must open what the failed one left.
 * - the disk fills while a first start writes the demo data: RLIMIT_FSIZE = 4000 KiB with SEED_DEMO=true,
 *   so the database opens and a later start-up step fails; the same checks.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { paths } from '../../src/config/index.js';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { connectDirect, disconnectDirect, launcherOfApp, launchersFor, startApp, waitReady, type StartOptions } from './world.js';
import { check, newReport, type ScenarioReport } from './summary.js';
import { newlyLost, verifyStored } from './verify.js';
import type { Outcome } from './load.js';

const START_LIMIT_MS = 30_000;

/** A fingerprint of every file in the database folder: name, size and SHA-256. */
function fingerprint(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(`${path.relative(dir, full)}\0${createHash('sha256').update(readFileSync(full)).digest('hex')}\n`);
    }
  };
  walk(dir);
  return hash.digest('hex');
}

async function failedStart(report: ScenarioReport, label: string, dataDir: string, port: number, options: StartOptions, expected: RegExp): Promise<void> {
  // A first start has no database yet to compare; a later normal start must open what it left.
  const existing = existsSync(path.join(dataDir, 'ferretdb'));
  const before = existing ? fingerprint(path.join(dataDir, 'ferretdb')) : '';
  const t0 = Date.now();
  const app = startApp(port, options);
  const killer = setTimeout(() => app.child.kill('SIGKILL'), START_LIMIT_MS);
  const { code, signal } = await app.exited;
  clearTimeout(killer);
  const ms = Date.now() - t0;
  // The fatal line is the logger's JSON on stdout; what a person reads is its message. Any line on
  // stderr is a problem too. (Plain stdout lines, such as the demo logins of a first start, are not.)
  const logged = app
    .output()
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string };
        return (entry.level ?? 0) >= 50 ? [entry.msg ?? ''] : [];
      } catch {
        return [];
      }
    });
  const problems = [...logged, ...app.errors().split('\n').filter((line) => line.trim() !== '')];
  report.notes.push(`${label}: exit code ${code}${signal ? ` (${signal})` : ''} after ${(ms / 1000).toFixed(1)} s; the line: ${problems.join(' | ') || '(none)'}`);
  check(report, code !== null && code !== 0 && ms < START_LIMIT_MS, `${label}: the app stopped by itself with a non-zero exit code within ${START_LIMIT_MS / 1000} s`);
  const line = problems[0] ?? '';
  check(
    report,
    problems.length === 1 && line.includes(path.join(dataDir, 'ferretdb')) && /DATA_DIR/.test(line) && expected.test(line),
    `${label}: exactly one error line, naming the directory, the cause and what to do`,
  );
  check(report, launchersFor(dataDir).length === 0, `${label}: no database process left`);
  if (existing) check(report, fingerprint(path.join(dataDir, 'ferretdb')) === before, `${label}: the database files are byte for byte unchanged`);
}

/** After a failed first start, with space again: the same directory must start and be ready. */
async function startsAgain(report: ScenarioReport, label: string, port: number, env: Record<string, string>): Promise<void> {
  const app = startApp(port, { env });
  try {
    await waitReady(app, 60_000);
    check(report, true, `${label}: with space again, the same directory starts normally (what the failed start left opens)`);
  } catch (err) {
    check(report, false, `${label}: with space again, the same directory does not start: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    app.child.kill('SIGTERM');
    await app.exited;
  }
}

/** How to make DATA_DIR read-only for the app on this machine (see the header). */
function readOnlyMethod(): { method: 'chmod' | 'nobody' | 'mount'; why: string } {
  const forced = process.env.DRILL_READ_ONLY;
  if (forced === 'chmod' || forced === 'nobody' || forced === 'mount') return { method: forced, why: 'chosen by DRILL_READ_ONLY' };
  if (process.getuid?.() !== 0) return { method: 'chmod', why: 'the drill does not run as root' };
  const probe = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(path.join(paths.root, 'src', 'server.ts'))}, 4)`], { uid: 65534, gid: 65534 });
  return probe.status === 0
    ? { method: 'nobody', why: 'the drill runs as root, which ignores permission bits' }
    : { method: 'mount', why: 'the drill runs as root, and user nobody cannot read the app' };
}

export async function startFaults(
  dataDir: string,
  port: number,
  env: Record<string, string>,
  all: Outcome[],
  learners: number,
  storedBefore: number,
  onCleanup: (fn: () => void) => void,
): Promise<ScenarioReport> {
  const report = newReport('3. read-only data directory and disk full at start');
  const dbDir = path.join(dataDir, 'ferretdb');
  const quiet = { ...env, TSX_DISABLE_CACHE: '1' };

  const { method, why } = readOnlyMethod();
  const restore = () => {
    if (method === 'mount') spawnSync('umount', [dataDir]);
    chmodSync(dataDir, 0o700);
    chmodSync(dbDir, 0o750);
  };
  onCleanup(restore);
  let ready = true;
  if (method === 'mount') {
    ready = spawnSync('mount', ['--bind', dataDir, dataDir]).status === 0 && spawnSync('mount', ['-o', 'remount,bind,ro', dataDir]).status === 0;
    report.notes.push(`read-only: DATA_DIR made a read-only bind mount (${why})`);
  } else {
    chmodSync(dataDir, 0o555);
    chmodSync(dbDir, 0o555);
    report.notes.push(`read-only: chmod 0555${method === 'nobody' ? ', app started as user nobody' : ''} (${why})`);
  }
  try {
    if (!ready && process.env.DRILL_READ_ONLY !== 'mount') {
      report.notes.push('read-only: NOT SIMULATED on this machine (root, user nobody cannot read the app, and mounting is not allowed); run the drill as a normal user, or from a checkout nobody can read, to cover it');
    } else if (check(report, ready, 'read-only: the fault could be made on this machine')) {
      const user = method === 'nobody' ? { uid: 65534, gid: 65534 } : {};
      await failedStart(report, 'read-only', dataDir, port, { env: { ...quiet, HOME: '/tmp' }, ...user }, /permission denied|read-only/i);
    }
  } finally {
    restore();
  }

  report.notes.push('disk full: RLIMIT_FSIZE 0 (ulimit -f 0) on the app and its database');
  await failedStart(report, 'disk full', dataDir, port, { env: quiet, shellPrefix: 'ulimit -f 0;' }, /too large|no space/i);
  // Nearly full, at a first start: the launcher's few-byte write probe passes, and the database fails
  // part-way through creating its tables. (On an existing database a start writes nothing, so there the
  // app starts and a full disk shows in the first write — not a start-up fault.)
  const fresh = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-drill-fresh-'));
  onCleanup(() => rmSync(fresh, { recursive: true, force: true }));
  report.notes.push('disk nearly full at a first start: an empty DATA_DIR, RLIMIT_FSIZE 64 KiB (ulimit -f 64)');
  const freshEnv = { ...quiet, DATA_DIR: fresh };
  await failedStart(report, 'disk nearly full', fresh, port, { env: freshEnv, shellPrefix: 'ulimit -f 64;' }, /disk I\/O error|disk is full|too large|half-made/i);
  await startsAgain(report, 'disk nearly full', port, freshEnv);

  // The disk fills while a first start writes the demo data (after the database has opened).
  const seeded = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-drill-seed-'));
  onCleanup(() => rmSync(seeded, { recursive: true, force: true }));
  report.notes.push('disk fills during the demo data of a first start: an empty DATA_DIR, SEED_DEMO=true, RLIMIT_FSIZE 4000 KiB');
  const seedEnv = { ...quiet, DATA_DIR: seeded, SEED_DEMO: 'true' };
  await failedStart(report, 'disk fills while seeding', seeded, port, { env: seedEnv, shellPrefix: 'ulimit -f 4000;' }, /disk I\/O error|disk is full|too large|half-made/i);
  await startsAgain(report, 'disk fills while seeding', port, seedEnv);

  // Afterwards the same directory opens as before, with every write of scenarios 1 and 2.
  const app = startApp(port, { env });
  try {
    await waitReady(app, 60_000);
    const launcher = launcherOfApp(app.child.pid!);
    await connectDirect(launcher!.port);
    try {
      const result = await verifyStored(all, learners);
      report.lost += newlyLost(result.lost).length;
      check(
        report,
        result.lost.length === 0 && result.problems.length === 0 && result.storedActions === storedBefore,
        `a normal start afterwards opens the database with all ${result.storedActions} stored actions (before: ${storedBefore}), nothing lost`,
      );
    } finally {
      await disconnectDirect();
    }
  } finally {
    app.child.kill('SIGTERM');
    const { code } = await app.exited;
    check(report, code === 0, 'that start stops again with exit code 0');
  }
  return report;
}
