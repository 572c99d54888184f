import path from 'node:path';
import mongoose from 'mongoose';
import { ConfigError, loadConfig } from '../config/index.js';
import { createLogger } from '../lib/logger.js';
import { openDatabase } from '../db/index.js';
import { MIGRATIONS } from '../migrations/index.js';
import { BackupError, importArchive } from '../backup/index.js';
import { documentsBar } from './progress-bar.js';

/**
 * `npm run db:import -- FILE` — restores an archive from `npm run db:export` into the database the
 * app is configured for (the embedded one under DATA_DIR, or MONGODB_URI). Refuses a database that
 * holds data and an archive from a newer version; checks every checksum before writing anything.
 */

const USAGE = 'usage: npm run db:import -- FILE.tar.gz';

export function parseArgs(args: string[]): { file: string } | null {
  if (args.length === 1 && args[0] && !args[0].startsWith('-')) return { file: args[0] };
  return null;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, undefined, config.logFormat);
  const db = await openDatabase(config, logger);
  const bar = documentsBar('import');
  try {
    const manifest = await importArchive(nativeDb(), path.resolve(args.file), { knownMigrations: MIGRATIONS.map((m) => m.name), progress: bar });
    bar.stop();
    const documents = manifest.collections.reduce((a, c) => a + c.count, 0);
    const pending = MIGRATIONS.length - manifest.migrations.length;
    process.stdout.write(
      `db:import: ${documents} documents in ${manifest.collections.length} collections restored from ${args.file}\n` +
        `  written by version ${manifest.app.version} on ${manifest.createdAt}, migration level ${manifest.migrationLevel ?? '(none)'}\n` +
        (pending > 0 ? `  ${pending} migration(s) of this version are pending: npm start (or npm run db:migrate) applies them\n` : ''),
    );
    return 0;
  } finally {
    bar.stop();
    await db.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(err instanceof ConfigError || err instanceof BackupError ? `db:import: ${err.message}\n` : `db:import failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

function nativeDb(): mongoose.mongo.Db {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected to the database');
  return db;
}
