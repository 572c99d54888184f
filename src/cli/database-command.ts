import path from 'node:path';
import mongoose from 'mongoose';
import { ConfigError, loadConfig } from '../config/index.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { openDatabase } from '../db/index.js';

/**
 * What the database commands (db:migrate, db:export, db:import) share: the app's configuration and
 * database (embedded under DATA_DIR, or MONGODB_URI), quiet logs unless LOG_LEVEL asks for more, and
 * one line on stderr for an error an operator can act on.
 */

/** Opens the configured database, runs `work` on it, and closes it again whatever happens. */
export async function withDatabase<T>(work: (db: mongoose.mongo.Db, logger: Logger) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // As the other commands: only errors unless LOG_LEVEL asks for more (a normal close logs a warning).
  const logger = createLogger(config.logLevel === 'info' ? 'error' : config.logLevel, undefined, config.logFormat);
  const handle = await openDatabase(config, logger);
  try {
    const db = mongoose.connection.db;
    if (!db) throw new Error('not connected to the database');
    return await work(db, logger);
  } finally {
    await handle.close();
  }
}

/** The command's arguments as `parse` reads them, or null after writing `usage` to stderr (then exit with 2). */
export function argsOrUsage<A>(parse: (args: string[]) => A | null, usage: string): A | null {
  const args = parse(process.argv.slice(2));
  if (!args) process.stderr.write(`${usage}\n`);
  return args;
}

/**
 * Runs `main` when `file` is the program being run (not when a test imports its parseArgs); its
 * result is the exit code. Errors of the `expected` classes are the operator's to fix: their message
 * alone; anything else is said to have failed.
 */
export function runAsProgram(file: string, name: string, main: () => Promise<number>, expected: ReadonlyArray<new (...args: never[]) => Error> = []): void {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== path.resolve(file)) return;
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const known = err instanceof ConfigError || expected.some((cls) => err instanceof cls);
      process.stderr.write(known ? `${name}: ${(err as Error).message}\n` : `${name} failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
