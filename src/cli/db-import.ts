import path from 'node:path';
import { MIGRATIONS } from '../migrations/index.js';
import { BackupError, documentCount, importArchive } from '../backup/index.js';
import { documentsBar } from './progress-bar.js';
import { argsOrUsage, runAsProgram, withDatabase } from './database-command.js';

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
  const args = argsOrUsage(parseArgs, USAGE);
  if (!args) return 2;
  const manifest = await withDatabase(async (db) => {
    // Two bars: the checksums of the whole archive first (nothing is written before they match), then the import.
    const check = documentsBar('check ');
    const bar = documentsBar('import');
    const verifyProgress = { start: check.start, advance: check.advance };
    try {
      return await importArchive(db, path.resolve(args.file), {
        knownMigrations: MIGRATIONS.map((m) => m.name),
        verifyProgress,
        progress: {
          start: (total) => {
            check.stop();
            bar.start?.(total);
          },
          advance: bar.advance,
        },
      });
    } finally {
      check.stop();
      bar.stop();
    }
  });
  const documents = documentCount(manifest);
  const pending = MIGRATIONS.length - manifest.migrations.length;
  process.stdout.write(
    `db:import: ${documents} documents in ${manifest.collections.length} collections restored from ${args.file}\n` +
      `  written by version ${manifest.app.version} on ${manifest.createdAt}, migration level ${manifest.migrationLevel ?? '(none)'}\n` +
      (pending > 0 ? `  ${pending} migration(s) of this version are pending: npm start (or npm run db:migrate) applies them\n` : ''),
  );
  return 0;
}

runAsProgram(import.meta.filename, 'db:import', main, [BackupError]);
