import path from 'node:path';
import { migrationStatus } from '../migrations/index.js';
import { appVersion, BackupError, documentCount, exportDatabase } from '../backup/index.js';
import { documentsBar } from './progress-bar.js';
import { argsOrUsage, runAsProgram, withDatabase } from './database-command.js';

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
  const args = argsOrUsage(parseArgs, USAGE);
  if (!args) return 2;
  const manifest = await withDatabase(async (db) => {
    const bar = documentsBar('export');
    try {
      const { executed } = await migrationStatus();
      return await exportDatabase(db, path.resolve(args.out), { appVersion: appVersion(), migrations: executed }, bar);
    } finally {
      bar.stop();
    }
  });
  const documents = documentCount(manifest);
  process.stdout.write(
    `db:export: ${documents} documents in ${manifest.collections.length} collections written to ${args.out}\n` +
      `  app version ${manifest.app.version}, migration level ${manifest.migrationLevel ?? '(none)'}\n`,
  );
  return 0;
}

runAsProgram(import.meta.filename, 'db:export', main, [BackupError]);
