import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, statSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { Logger } from '../lib/logger.js';
import { paths } from '../config/index.js';

/**
 * Control of the embedded FerretDB v1 (SQLite backend) that stands in for MongoDB when
 * MONGODB_URI is unset: build the Go launcher when needed, start it on a free loopback
 * port, restart it if it dies under a running app, and stop it on shutdown.
 */

export class EmbeddedDatabaseError extends Error {
  override readonly name = 'EmbeddedDatabaseError';
}

const READY_TIMEOUT_MS = 60_000;
const BUILD_TIMEOUT_MS = 15 * 60_000;
const RESTART_DELAY_MS = 300;

/**
 * The one line a person needs when the data directory cannot take writes (read-only, wrong owner,
 * disk full): which directory, why, and what to do — instead of the launcher's or Node's raw error.
 */
function unwritableDataDir(dir: string, cause: string): EmbeddedDatabaseError {
  return new EmbeddedDatabaseError(
    `The data directory ${dir} cannot be written (${cause}). Make it writable for the user running the app ` +
      'and make sure the disk has free space, or set DATA_DIR to another directory.',
  );
}

/**
 * SQLite's own words, as FerretDB passes them on, when a write cannot reach the disk: a disk that
 * still took the launcher's small write probe but not the database's pages (nearly full), or files
 * that turned read-only. Without this the app stops with a FerretDB stack path and an error number.
 */
const SQLITE_STORAGE_ERROR = /(disk I\/O error|database or disk is full|attempt to write a readonly database) \(\d+\)/;

/**
 * FerretDB v1 creates a collection's table and its metadata row in two steps; when the second fails
 * (a full disk), a retry in the same run finds the half-made table. The launcher removes such empty
 * tables when it starts, so the cure is space and a new start.
 */
const HALF_MADE_COLLECTION = /SQL logic error: table "[^"]+" already exists \(1\)/;

/** The one-line explanation of a storage error of the embedded database, or undefined for other errors. */
export function explainStorageError(dataDir: string, err: unknown): EmbeddedDatabaseError | undefined {
  const message = (err as Error | null)?.message ?? '';
  const match = SQLITE_STORAGE_ERROR.exec(message);
  if (match) return unwritableDataDir(dataDir, `the database reports: ${match[0]}`);
  if (HALF_MADE_COLLECTION.test(message)) {
    return new EmbeddedDatabaseError(
      `The data directory ${dataDir} could not be written completely (a collection was left half-made, most often by a full disk). ` +
        'Make sure the disk has free space and start the app again (the half-made table is removed at start), or set DATA_DIR to another directory.',
    );
  }
  return undefined;
}

/** The launcher's own lines for a data directory it cannot create or write (tools/ferretdb/main.go). */
const LAUNCHER_UNWRITABLE = /ferretdb-launcher: (?:data directory \S+ is not writable|cannot create data directory \S+): (.*)$/m;

function newestSourceMtime(): number {
  const files = readdirSync(paths.launcherSource).filter((f) => /\.(go|mod|sum)$/.test(f));
  return Math.max(...files.map((f) => statSync(path.join(paths.launcherSource, f)).mtimeMs));
}

/** Builds the launcher when it is missing or older than its Go sources. */
export function ensureLauncherBuilt(logger: Logger): string {
  const binary = paths.launcherBinary;
  if (existsSync(binary) && statSync(binary).mtimeMs >= newestSourceMtime()) return binary;

  const goCheck = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (goCheck.error || goCheck.status !== 0) {
    throw new EmbeddedDatabaseError(
      'The embedded database needs Go >= 1.24 to build its launcher (tools/ferretdb). ' +
        'Install Go (https://go.dev/doc/install, or `apt-get install golang`) or set MONGODB_URI to a MongoDB server.',
    );
  }
  logger.info('building the embedded FerretDB launcher (first start only, takes a minute or two)');
  mkdirSync(path.dirname(binary), { recursive: true });
  // Build to a unique name and rename, so two processes building at once never run a half-written file.
  const tmp = `${binary}.${process.pid}.tmp`;
  const result = spawnSync('go', ['build', '-o', tmp, '.'], {
    cwd: paths.launcherSource,
    env: { ...process.env, CGO_ENABLED: '0' },
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  if (result.status !== 0) {
    throw new EmbeddedDatabaseError(
      `Building the embedded FerretDB launcher failed: ${(result.stderr || result.error?.message || '').trim().slice(0, 2000)}`,
    );
  }
  renameSync(tmp, binary);
  return binary;
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface EmbeddedServerOptions {
  dataDir: string;
  logger: Logger;
  port?: number;
  /**
   * When another process's launcher already serves dataDir (the app is running), use it instead of
   * refusing to start: for the command-line tools, which run beside the app. The app itself never
   * shares: two apps on one directory would each believe they own its launcher.
   */
  shareRunning?: boolean;
}

/** The launcher's exit code when another launcher holds the data directory (tools/ferretdb/main.go). */
const EXIT_IN_USE = 3;

/** What a running launcher records in its data directory (tools/ferretdb/datadir.go). */
interface LauncherOwner {
  pid: number;
  uri: string;
}

function readOwner(dataDir: string): LauncherOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path.join(dataDir, '.launcher.json'), 'utf8')) as Partial<LauncherOwner>;
    return typeof owner.pid === 'number' && typeof owner.uri === 'string' ? { pid: owner.pid, uri: owner.uri } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a launcher answers on uri: the owner file of a killed launcher stays behind. */
function answers(uri: string): Promise<boolean> {
  const { hostname, port } = new URL(uri);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** How long a start waits for another launcher on the same directory to go away before refusing. */
const IN_USE_GRACE_MS = 5000;

class DataDirInUseError extends EmbeddedDatabaseError {}

function inUse(dataDir: string, owner: LauncherOwner | undefined): EmbeddedDatabaseError {
  const who = owner ? `another Fellesskap process (its database runs as pid ${owner.pid})` : 'another Fellesskap process';
  return new DataDirInUseError(
    `The data directory ${dataDir} is already in use by ${who}. Stop that process first, or set DATA_DIR to another directory.`,
  );
}

export class EmbeddedServer {
  private child: ChildProcess | undefined;
  private stopping = false;
  private port = 0;
  private restarts = 0;
  private shared = false;
  private stuckWrite: string | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: EmbeddedServerOptions) {
    this.logger = options.logger.child({ component: 'embedded-db' });
  }

  /** The base URI (no database name) once started. */
  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  get restartCount(): number {
    return this.restarts;
  }

  /** True when this process uses another process's launcher (shareRunning) and must not stop it. */
  get isShared(): boolean {
    return this.shared;
  }

  /**
   * The collection whose write has held its lock too long (the launcher's WRITE-STUCK), or
   * undefined: readiness reports the write path as stuck while it is set.
   */
  get stuckWriteTarget(): string | undefined {
    return this.stuckWrite;
  }

  async start(): Promise<string> {
    const binary = ensureLauncherBuilt(this.logger);
    // A launcher whose app was just killed exits when it sees its standard input close, which takes
    // a moment: a restart right after that waits for it rather than failing.
    const deadline = Date.now() + IN_USE_GRACE_MS;
    for (;;) {
      const running = await this.runningOwner();
      if (running && this.options.shareRunning) {
        this.shared = true;
        this.port = Number(new URL(running.uri).port);
        this.logger.info({ dataDir: this.options.dataDir, pid: running.pid }, 'using the running app\'s embedded database');
        return this.uri;
      }
      if (!running) {
        try {
          return await this.spawnFirst(binary);
        } catch (err) {
          if (!(err instanceof DataDirInUseError) || Date.now() > deadline) throw err;
        }
      } else if (Date.now() > deadline) {
        throw inUse(this.options.dataDir, running);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private async spawnFirst(binary: string): Promise<string> {
    this.port = this.options.port ?? (await findFreePort());
    try {
      mkdirSync(this.options.dataDir, { recursive: true });
    } catch (err) {
      const { code, message } = err as NodeJS.ErrnoException;
      if (code && ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOTDIR', 'EEXIST'].includes(code)) throw unwritableDataDir(this.options.dataDir, message.split(',')[0]!);
      throw err;
    }
    await this.spawnOnce(binary);
    return this.uri;
  }

  private async runningOwner(): Promise<LauncherOwner | undefined> {
    const owner = readOwner(this.options.dataDir);
    return owner && (await answers(owner.uri)) ? owner : undefined;
  }

  private spawnOnce(binary: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        binary,
        ['--listen', `127.0.0.1:${this.port}`, '--data', this.options.dataDir, '--exit-on-stdin-close'],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      this.child = child;
      let ready = false;
      let stderrTail = '';
      const timer = setTimeout(() => {
        if (!ready) {
          child.kill('SIGKILL');
          reject(new EmbeddedDatabaseError(`The embedded database did not start within ${READY_TIMEOUT_MS / 1000} s`));
        }
      }, READY_TIMEOUT_MS);

      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!ready && line.startsWith('READY ')) {
          ready = true;
          clearTimeout(timer);
          this.logger.info({ port: this.port, dataDir: this.options.dataDir }, 'embedded database ready');
          resolve();
        } else if (line.startsWith('WRITE-STUCK ')) {
          this.stuckWrite = line.split(' ')[1] ?? '?';
          this.logger.error({ collection: this.stuckWrite }, 'embedded database: a write has held its lock too long; not ready');
        } else if (line === 'WRITE-OK') {
          this.logger.warn({ collection: this.stuckWrite }, 'embedded database: the stuck write has finished');
          this.stuckWrite = undefined;
        }
      });
      readline.createInterface({ input: child.stderr! }).on('line', (line) => {
        stderrTail = (stderrTail + '\n' + line).slice(-2000);
        // The launcher's own lines (lock waits, repairs, closed connections) matter to an operator;
        // FerretDB's are detail.
        if (line.startsWith('ferretdb-launcher: ')) this.logger.warn({ launcher: line.slice(19) }, 'embedded database launcher');
        else this.logger.debug({ ferretdb: line }, 'ferretdb');
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        if (!ready) reject(new EmbeddedDatabaseError(`Cannot start the embedded database: ${err.message}`));
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child === child) this.child = undefined;
        this.stuckWrite = undefined;
        if (!ready) {
          if (code === EXIT_IN_USE) {
            reject(inUse(this.options.dataDir, readOwner(this.options.dataDir)));
            return;
          }
          const unwritable = LAUNCHER_UNWRITABLE.exec(stderrTail);
          reject(
            unwritable
              ? unwritableDataDir(this.options.dataDir, unwritable[1]!.replace(/^.*: /, ''))
              : new EmbeddedDatabaseError(`The embedded database exited before it was ready (code ${code}): ${stderrTail.trim()}`),
          );
          return;
        }
        if (this.stopping) return;
        // Died under a running app: bring it back on the same port, so the driver reconnects by itself.
        this.logger.error({ code, signal }, 'embedded database exited unexpectedly; restarting');
        setTimeout(() => this.restart(binary), RESTART_DELAY_MS);
      });
    });
  }

  private restart(binary: string): void {
    if (this.stopping) return;
    this.restarts += 1;
    this.spawnOnce(binary).catch((err: Error) => {
      this.logger.error({ err }, 'embedded database restart failed; trying again');
      setTimeout(() => this.restart(binary), RESTART_DELAY_MS * 5);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.shared) return;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
