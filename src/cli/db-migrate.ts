import { MIGRATIONS, MigrationLockError, NewerDatabaseError, migrationStatus, revertMigrations, runMigrations } from '../migrations/index.js';
import { runAsProgram, withDatabase } from './database-command.js';

/**
 * `npm run db:migrate` — applies the pending migrations (as `npm start` does before listening).
 * `-- --status` lists applied and pending ones without changing anything; `-- --down` undoes the
 * newest one (`--to NAME`: down to and including NAME), for going back to an older version.
 */

const USAGE = 'usage: npm run db:migrate [-- --status | -- --down [--to NNNN-name]]';

export type MigrateCommand = { action: 'up' } | { action: 'status' } | { action: 'down'; to?: string };

export function parseArgs(args: string[]): MigrateCommand | null {
  if (args.length === 0) return { action: 'up' };
  if (args.length === 1 && args[0] === '--status') return { action: 'status' };
  if (args[0] === '--down') {
    if (args.length === 1) return { action: 'down' };
    if (args.length === 3 && args[1] === '--to' && MIGRATIONS.some((m) => m.name === args[2])) return { action: 'down', to: args[2]! };
  }
  return null;
}

async function main(): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const command = parseArgs(process.argv.slice(2));
  if (!command) {
    process.stderr.write(`${USAGE}\nknown migrations: ${MIGRATIONS.map((m) => m.name).join(', ')}\n`);
    return 2;
  }
  return withDatabase(async (_db, logger) => {
    if (command.action === 'status') {
      const status = await migrationStatus();
      for (const name of status.executed) out(`  applied   ${name}${status.unknown.includes(name) ? '   (unknown to this version: the database is newer)' : ''}`);
      for (const name of status.pending) out(`  pending   ${name}`);
      out(`db:migrate: level ${status.level ?? '(none)'}, ${status.executed.length} applied, ${status.pending.length} pending`);
      return status.unknown.length ? 1 : 0;
    }
    if (command.action === 'down') {
      const reverted = await revertMigrations({ logger, ...(command.to ? { to: command.to } : {}) });
      for (const name of reverted) out(`  reverted  ${name}`);
      out(`db:migrate: ${reverted.length} migration(s) reverted`);
      return 0;
    }
    const applied = await runMigrations({ logger });
    for (const name of applied) out(`  applied   ${name}`);
    out(applied.length ? `db:migrate: ${applied.length} migration(s) applied` : 'db:migrate: the database is up to date');
    return 0;
  });
}

runAsProgram(import.meta.filename, 'db:migrate', main, [NewerDatabaseError, MigrationLockError]);
