/**
 * The drill's isolated world: a temporary DATA_DIR seeded through the app's own services, the real
 * server started as a child process (`node --import tsx src/server.ts`, which starts the embedded
 * FerretDB as its own child), logged-in learners, and a way to read the database directly.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { loadConfig, paths } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/index.js';
import { seedDemoOrganisation, findUnitIdsByName } from '../../src/components/organisation/index.js';
import { DEMO_PASSWORD, ensureUser, seedDemoUsers } from '../../src/components/accounts/index.js';
import { seedDemoData } from '../../src/seed/index.js';
import { createServices } from '../../src/app.js';
import { formLogin } from '../lib/form-login.js';

export const MODULE = 'inkluderende-fellesskap';
export const LESSON = 'hva-er-inkludering';
const UNIT = 'Solsikken barnehage';
const silent = pino({ level: 'silent' });

export function learnerEmail(i: number): string {
  return `drill-${String(i).padStart(3, '0')}@fellesskap.example`;
}

/**
 * Fills DATA_DIR with the demo municipality, its modules and `learners` extra staff members, in this
 * process and through the app's services, then closes the database so the app can open it.
 */
export async function seedWorld(dataDir: string, learners: number): Promise<void> {
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SEED_DEMO: 'true' });
  const db = await openDatabase(config, silent);
  try {
    await seedDemoOrganisation();
    await seedDemoUsers();
    const unitId = (await findUnitIdsByName([UNIT])).get(UNIT);
    if (!unitId) throw new Error(`the demo seed has no unit ${UNIT}`);
    for (let i = 1; i <= learners; i += 1) {
      await ensureUser({ email: learnerEmail(i), name: `Drill Deltaker ${i}`, password: DEMO_PASSWORD, memberships: [{ unitId, role: 'ansatt' }] });
    }
    // Modules, assignments and report summaries, exactly as a development start would make them.
    await seedDemoData(config, silent, createServices({ config, logger: silent }).reports);
  } finally {
    await db.close();
  }
}

export interface AppProcess {
  child: ChildProcess;
  base: string;
  output: () => string;
  /** Standard error alone: the app writes its logs to stdout, so anything here is a plain-text problem. */
  errors: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
/** Every start's output, kept for the logs a failed drill leaves behind. */
export const appOutputs: Array<{ label: string; output: () => string }> = [];

export interface StartOptions {
  env: Record<string, string>;
  /** Run as another user (the read-only drill when the drill itself runs as root). */
  uid?: number;
  gid?: number;
  /** A shell prefix such as `ulimit -f 0;` applied to the server and everything it starts. */
  shellPrefix?: string;
}

/** Starts `src/server.ts` as a real process with its own environment (nothing inherited but PATH). */
export function startApp(port: number, options: StartOptions): AppProcess {
  let out = '';
  let err = '';
  const args = ['--import', 'tsx', 'src/server.ts'];
  // JSON log lines (development would pretty-print them): the drill reads the app's records.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(port), HOST: '127.0.0.1', LOG_FORMAT: 'json', ...options.env };
  const child = options.shellPrefix
    ? spawn('/bin/sh', ['-c', `${options.shellPrefix} exec "$0" "$@"`, process.execPath, ...args], { cwd: paths.root, env, stdio: ['ignore', 'pipe', 'pipe'], uid: options.uid, gid: options.gid })
    : spawn(process.execPath, args, { cwd: paths.root, env, stdio: ['ignore', 'pipe', 'pipe'], uid: options.uid, gid: options.gid });
  running.add(child);
  appOutputs.push({ label: `app-${appOutputs.length + 1}-pid-${child.pid}`, output: () => out });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, base: `http://127.0.0.1:${port}`, output: () => out, errors: () => err, exited };
}

/** Kills every app process this drill started and is still running (on failure or Ctrl-C). */
export function killRunningApps(): void {
  for (const child of running) child.kill('SIGKILL');
}

export { sleep };

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export async function waitReady(app: AppProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (app.child.exitCode !== null || app.child.signalCode !== null) {
      throw new Error(`the app exited (${app.child.exitCode ?? app.child.signalCode}) before it was ready:\n${app.output().slice(-3000)}`);
    }
    const ok = await fetch(`${app.base}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for the app to answer /readyz with 200\n${app.output().slice(-3000)}`);
    await sleep(100);
  }
}

export interface LauncherProcess {
  pid: number;
  port: number;
  dataDir: string;
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function launcherOf(pid: number): LauncherProcess | undefined {
  const argv = cmdline(pid);
  if (!argv[0]?.endsWith('ferretdb-launcher')) return undefined;
  const listen = argv[argv.indexOf('--listen') + 1] ?? '';
  return { pid, port: Number(listen.split(':').pop()), dataDir: argv[argv.indexOf('--data') + 1] ?? '' };
}

/** The embedded FerretDB launcher the app started: its child process, found through /proc (Linux). */
export function launcherOfApp(appPid: number): LauncherProcess | undefined {
  let children: number[];
  try {
    children = readFileSync(`/proc/${appPid}/task/${appPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return undefined;
  }
  for (const pid of children) {
    const launcher = launcherOf(pid);
    if (launcher) return launcher;
  }
  return undefined;
}

/** Every launcher process on this machine serving a data directory under `dataDir` (orphans included). */
export function launchersFor(dataDir: string): LauncherProcess[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      const launcher = launcherOf(Number(name));
      return launcher && launcher.dataDir.startsWith(dataDir) ? [launcher] : [];
    });
}

/** A direct connection to the database the app serves (through its running embedded server). */
export async function connectDirect(port: number): Promise<void> {
  await mongoose.connect(`mongodb://127.0.0.1:${port}/fellesskap`, { serverSelectionTimeoutMS: 10_000 });
}

export async function disconnectDirect(): Promise<void> {
  await mongoose.disconnect();
}

export interface Target {
  activityId: string;
  kind: 'save' | 'markRead';
  url: string;
}

export interface Learner {
  index: number;
  email: string;
  cookie: string;
  csrf: string;
  targets: Target[];
}

/** Logs a learner in through the real form and reads the lesson page's activity forms and CSRF token. */
export async function login(base: string, index: number): Promise<Learner> {
  const email = learnerEmail(index);
  const cookie = await formLogin(base, email, DEMO_PASSWORD);
  const page = await fetch(`${base}/moduler/${MODULE}/${LESSON}`, { headers: { Cookie: cookie } });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the lesson page answered ${page.status} for ${email}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const targets: Target[] = [];
  for (const m of html.matchAll(/action="(\/moduler\/[^"]+\/aktiviteter\/([^"/]+)\/(save|markRead))"/g)) {
    targets.push({ url: m[1]!, activityId: decodeURIComponent(m[2]!), kind: m[3] as 'save' | 'markRead' });
  }
  if (!csrf || !targets.some((t) => t.kind === 'save')) throw new Error(`the lesson ${LESSON} has no reflection form to drive`);
  return { index, email, cookie, csrf, targets };
}
