import mongoose from 'mongoose';
import { Umzug, type UmzugStorage } from 'umzug';
import type { Logger } from '../lib/logger.js';
import { acquireMigrationLock, type HeldLock, type LockOptions } from './lock.js';
import { MIGRATIONS } from './list.js';
import type { Migration, MigrationContext } from './types.js';

export { MigrationLockError, acquireMigrationLock, tryAcquire } from './lock.js';
export { MIGRATIONS } from './list.js';
export type { Migration, MigrationContext } from './types.js';

/**
 * Versioned data changes (umzug). Which migrations a database has had is recorded in its
 * `migrations` collection, one document per migration (`_id` = its name), written with the driver's
 * default acknowledged write concern once the migration's `up` has finished.
 */

const COLLECTION = 'migrations';

interface MigrationRecord {
  _id: string;
  appliedAt: Date;
}

function records() {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected to the database');
  return db.collection<MigrationRecord>(COLLECTION);
}

async function executedNames(): Promise<string[]> {
  const docs = await records().find({}, { projection: { _id: 1 } }).toArray();
  return docs.map((d) => d._id).sort();
}

const storage: UmzugStorage<MigrationContext> = {
  async logMigration({ name }) {
    await records().updateOne({ _id: name }, { $set: { appliedAt: new Date() } }, { upsert: true });
  },
  async unlogMigration({ name }) {
    await records().deleteOne({ _id: name });
  },
  executed: executedNames,
};

function migrator(logger: Logger, migrations: readonly Migration[]): Umzug<MigrationContext> {
  const log = logger.child({ component: 'migrations' });
  return new Umzug<MigrationContext>({
    migrations: migrations.map((m) => ({
      name: m.name,
      up: ({ context }) => m.up(context),
      down: async ({ context }) => {
        if (!m.down) throw new Error(`migration ${m.name} cannot be undone (it has no down)`);
        await m.down(context);
      },
    })),
    context: { logger: log },
    storage,
    // umzug's events as our own lines ('name' would read as the logger's name in pino-pretty).
    logger: {
      info: ({ event, name, durationSeconds }) => {
        if (event === 'migrated' || event === 'reverted') log.info({ migration: name, seconds: durationSeconds }, `migration ${String(name)} ${String(event)}`);
        else log.debug({ migration: name, event }, `migration ${String(name)} ${String(event)}`);
      },
      warn: (msg) => log.warn({ umzug: msg }, 'migration warning'),
      error: (msg) => log.error({ umzug: msg }, 'migration error'),
      debug: (msg) => log.debug({ umzug: msg }, 'migration'),
    },
  });
}

/** The database has migrations this version does not know: it was used by a newer version of the app. */
export class NewerDatabaseError extends Error {
  override readonly name = 'NewerDatabaseError';
  constructor(readonly unknown: string[]) {
    super(
      `The database has been migrated by a newer version of Fellesskap (migrations this version does not know: ${unknown.join(', ')}). ` +
        'Run that version (or newer), or restore a backup made before the upgrade.',
    );
  }
}

export interface MigrationStatus {
  /** The name of the last migration applied, or null for a database that has had none. */
  level: string | null;
  executed: string[];
  pending: string[];
  /** Applied migrations this version of the app does not know (the database is from a newer version). */
  unknown: string[];
}

export interface RunOptions {
  logger: Logger;
  migrations?: readonly Migration[];
  lock?: LockOptions;
}

/** Which migrations the connected database has had, and which are pending. */
export async function migrationStatus(options: { migrations?: readonly Migration[] } = {}): Promise<MigrationStatus> {
  const migrations = options.migrations ?? MIGRATIONS;
  const executed = await executedNames();
  const known = new Set(migrations.map((m) => m.name));
  const done = new Set(executed);
  return {
    level: executed.length ? executed[executed.length - 1]! : null,
    executed,
    pending: migrations.map((m) => m.name).filter((n) => !done.has(n)),
    unknown: executed.filter((n) => !known.has(n)),
  };
}

/** The name of this version's newest migration: the level a database has when fully migrated. */
export function latestMigration(migrations: readonly Migration[] = MIGRATIONS): string | null {
  return migrations.length ? migrations[migrations.length - 1]!.name : null;
}

/**
 * Applies the pending migrations under the lock (`npm start` before listening, `npm run db:migrate`).
 * Returns the names applied, in order.
 */
export async function runMigrations(options: RunOptions): Promise<string[]> {
  const migrations = options.migrations ?? MIGRATIONS;
  const lock = await acquireMigrationLock({
    ...options.lock,
    onRenewError: (err) => options.logger.warn({ err }, 'migration lock renewal failed; trying again'),
  });
  return underLock(lock, async () => {
    const status = await migrationStatus({ migrations });
    if (status.unknown.length) throw new NewerDatabaseError(status.unknown);
    const applied = await migrator(options.logger, migrations).up();
    return applied.map((m) => m.name);
  });
}

/**
 * Runs `work` and releases the lock. When `work` failed, a failing release (the disk that stopped the
 * migration stops the release too) must not hide why: the lock then expires by itself.
 */
async function underLock<T>(lock: HeldLock, work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (err) {
    await lock.release().catch(() => undefined);
    throw err;
  }
  await lock.release();
  return result;
}

/** Undoes the newest applied migration, or down to (and including) `to` (`db:migrate -- --down`). */
export async function revertMigrations(options: RunOptions & { to?: string }): Promise<string[]> {
  const migrations = options.migrations ?? MIGRATIONS;
  const lock = await acquireMigrationLock(options.lock);
  return underLock(lock, async () => {
    const reverted = await migrator(options.logger, migrations).down(options.to ? { to: options.to } : undefined);
    return reverted.map((m) => m.name);
  });
}
