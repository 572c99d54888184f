/**
 * Scenario 3: the app is started on a data directory it cannot write to — read-only, or a disk that
 * takes no more bytes — while that directory already holds a database. It must stop with a non-zero
 * exit code and one clear line that names the directory and what to do, within a bounded time, and
 * leave the database exactly as it was: byte for byte, and it must open afterwards with every write.
 *
 * How the faults are made, without mounting anything (CI runs without that privilege):
 * - read-only: `chmod 0555` on DATA_DIR and its database folder. Root ignores permission bits, so when
 *   the drill runs as root the app is started as user `nobody` (65534) for this start; for `nobody`
 *   the root-owned 0555 directories are as read-only as a read-only mount.
 * - disk full: RLIMIT_FSIZE = 0 (`ulimit -f 0`) on the app and the database it starts: every write that
 *   would grow a file fails with EFBIG ("file too large"), as a full disk fails with ENOSPC. The Go
 *   launcher ignores the SIGXFSZ that comes with it and sees the error; Node writes no file at start
 *   (tsx's compile cache is switched off for this start), so only the database's writes are refused.
 */
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
  const before = fingerprint(path.join(dataDir, 'ferretdb'));
  const t0 = Date.now();
  const app = startApp(port, options);
  const killer = setTimeout(() => app.child.kill('SIGKILL'), START_LIMIT_MS);
  const { code, signal } = await app.exited;
  clearTimeout(killer);
  const ms = Date.now() - t0;
  const lines = app.output().trim().split('\n').filter(Boolean);
  // The fatal line is the logger's JSON; what a person reads is its message.
  const problems = lines.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      return (entry.level ?? 0) >= 50 ? [entry.msg ?? ''] : [];
    } catch {
      return [line];
    }
  });
  report.notes.push(`${label}: exit code ${code}${signal ? ` (${signal})` : ''} after ${(ms / 1000).toFixed(1)} s; the line: ${problems.join(' | ') || '(none)'}`);
  check(report, code !== null && code !== 0 && ms < START_LIMIT_MS, `${label}: the app stopped by itself with a non-zero exit code within ${START_LIMIT_MS / 1000} s`);
  const line = problems[0] ?? '';
  check(
    report,
    problems.length === 1 && line.includes(path.join(dataDir, 'ferretdb')) && /DATA_DIR/.test(line) && expected.test(line),
    `${label}: exactly one error line, naming the directory, the cause and what to do`,
  );
  check(report, launchersFor(dataDir).length === 0, `${label}: no database process left`);
  check(report, fingerprint(path.join(dataDir, 'ferretdb')) === before, `${label}: the database files are byte for byte unchanged`);
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

  const restore = () => {
    chmodSync(dataDir, 0o700);
    chmodSync(dbDir, 0o750);
  };
  onCleanup(restore);
  chmodSync(dataDir, 0o555);
  chmodSync(dbDir, 0o555);
  const asRoot = process.getuid?.() === 0;
  report.notes.push(`read-only: chmod 0555${asRoot ? ', app started as user nobody (the drill runs as root, which ignores permission bits)' : ''}`);
  try {
    await failedStart(report, 'read-only', dataDir, port, { env: { ...quiet, HOME: '/tmp' }, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) }, /permission denied|read-only/i);
  } finally {
    restore();
  }

  report.notes.push('disk full: RLIMIT_FSIZE 0 (ulimit -f 0) on the app and its database');
  await failedStart(report, 'disk full', dataDir, port, { env: quiet, shellPrefix: 'ulimit -f 0;' }, /too large|no space/i);

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
