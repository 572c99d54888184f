import path from 'node:path';
import { ConfigError, loadConfig } from '../config/index.js';
import { createLogger } from '../lib/logger.js';
import { openDatabase } from '../db/index.js';
import { MIGRATIONS, migrationStatus, revertMigrations, runMigrations } from '../migrations/index.js';

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

async function main(): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const command = parseArgs(process.argv.slice(2));
  if (!command) {
    process.stderr.write(`${USAGE}\nknown migrations: ${MIGRATIONS.map((m) => m.name).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, undefined, config.logFormat);
  const db = await openDatabase(config, logger);
  try {
    if (command.action === 'status') {
      const status = await migrationStatus();
      for (const name of status.executed) out(`  applied   ${name}${status.unknown.includes(name) ? '   (unknown to this version: the database is newer)' : ''}`);
      for (const name of status.pending) out(`  pending   ${name}`);
      out(`db:migrate: level ${status.level ?? '(none)'}, ${status.executed.length} applied, ${status.pending.length} pending`);
      if (status.unknown.length) process.exitCode = 1;
      return;
    }
    if (command.action === 'down') {
      const reverted = await revertMigrations({ logger, ...(command.to ? { to: command.to } : {}) });
      for (const name of reverted) out(`  reverted  ${name}`);
      out(`db:migrate: ${reverted.length} migration(s) reverted`);
      return;
    }
    const applied = await runMigrations({ logger });
    for (const name of applied) out(`  applied   ${name}`);
    out(applied.length ? `db:migrate: ${applied.length} migration(s) applied` : 'db:migrate: the database is up to date');
  } finally {
    await db.close();
  }
}

// Run only as a program, not when a test imports parseArgs.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((err: unknown) => {
    process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `db:migrate failed: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
