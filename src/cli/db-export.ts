import path from 'node:path';
import mongoose from 'mongoose';
import { ConfigError, loadConfig } from '../config/index.js';
import { createLogger } from '../lib/logger.js';
import { openDatabase } from '../db/index.js';
import { migrationStatus } from '../migrations/index.js';
import { appVersion, BackupError, exportDatabase } from '../backup/index.js';
import { documentsBar } from './progress-bar.js';

/**
 * `npm run db:export -- --out FILE` — every collection of the database the app uses (the embedded
 * one under DATA_DIR, or MONGODB_URI) as Extended JSON lines in one compressed archive with a
 * manifest. `npm run db:import -- FILE` restores it into an empty database.
 */

const USAGE = 'usage: npm run db:export -- --out FILE.tar.gz';

export function parseArgs(args: string[]): { out: string } | null {
  if (args.length === 2 && args[0] === '--out' && args[1] && !args[1].startsWith('-')) return { out: args[1] };
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
  const bar = documentsBar('export');
  try {
    const { executed } = await migrationStatus();
    const manifest = await exportDatabase(nativeDb(), path.resolve(args.out), { appVersion: appVersion(), migrations: executed }, bar);
    bar.stop();
    const documents = manifest.collections.reduce((a, c) => a + c.count, 0);
    process.stdout.write(
      `db:export: ${documents} documents in ${manifest.collections.length} collections written to ${args.out}\n` +
        `  app version ${manifest.app.version}, migration level ${manifest.migrationLevel ?? '(none)'}\n`,
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
      process.stderr.write(err instanceof ConfigError || err instanceof BackupError ? `db:export: ${err.message}\n` : `db:export failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

function nativeDb(): mongoose.mongo.Db {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected to the database');
  return db;
}
