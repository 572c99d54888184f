import { randomUUID } from 'node:crypto';
import os from 'node:os';
import mongoose from 'mongoose';

/**
 * One instance migrates at a time. The lock is one document, taken with a single atomic upsert:
 * the filter matches only an expired lock, so while someone holds it the upsert collides on `_id`
 * (duplicate key) and the caller waits. The holder renews the expiry while it works; a holder that
 * died leaves a lock that expires by itself (checked by the next taker, no TTL index: FerretDB v1
 * has none).
 */

const LOCK_ID = 'migrations';
const COLLECTION = 'migration_lock';

export class MigrationLockError extends Error {
  override readonly name = 'MigrationLockError';
}

interface LockDocument {
  _id: string;
  owner: string;
  acquiredAt: Date;
  expiresAt: Date;
}

function collection() {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected to the database');
  return db.collection<LockDocument>(COLLECTION);
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}

export interface LockOptions {
  /** How long a lock lasts unless renewed; a crashed holder blocks others at most this long. */
  ttlMs?: number;
  /** How long to wait for another instance's lock before giving up. */
  waitMs?: number;
  pollMs?: number;
  owner?: string;
  /** Told when a renewal fails (the database away for a moment); the next renewal tries again. */
  onRenewError?: (err: unknown) => void;
}

export interface HeldLock {
  owner: string;
  release(): Promise<void>;
}

/** One attempt: true when this owner now holds the lock. */
export async function tryAcquire(owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
  try {
    await collection().updateOne(
      { _id: LOCK_ID, $or: [{ expiresAt: { $lt: now } }, { owner }] },
      { $set: { owner, acquiredAt: now, expiresAt: new Date(now.getTime() + ttlMs) } },
      { upsert: true },
    );
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Who holds the lock now, for the message when waiting is over. */
export async function currentHolder(): Promise<LockDocument | null> {
  return collection().findOne({ _id: LOCK_ID });
}

/** Waits for the lock, then keeps it renewed until released. */
export async function acquireMigrationLock(options: LockOptions = {}): Promise<HeldLock> {
  const ttlMs = options.ttlMs ?? 60_000;
  const waitMs = options.waitMs ?? 10 * 60_000;
  const pollMs = options.pollMs ?? 500;
  const owner = options.owner ?? `${os.hostname()}:${process.pid}:${randomUUID()}`;
  const deadline = Date.now() + waitMs;
  while (!(await tryAcquire(owner, ttlMs))) {
    if (Date.now() >= deadline) {
      const holder = await currentHolder();
      throw new MigrationLockError(
        `Another instance is migrating the database (${holder?.owner ?? 'unknown'}, since ${holder?.acquiredAt.toISOString() ?? '?'}); ` +
          `waited ${Math.round(waitMs / 1000)} s. Start again when it has finished; a lock left by a stopped instance expires by ${holder?.expiresAt.toISOString() ?? '?'}.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const renew = setInterval(() => {
    collection()
      .updateOne({ _id: LOCK_ID, owner }, { $set: { expiresAt: new Date(Date.now() + ttlMs) } })
      .catch((err: unknown) => options.onRenewError?.(err));
  }, Math.max(50, Math.floor(ttlMs / 3)));
  renew.unref();
  return {
    owner,
    async release() {
      clearInterval(renew);
      await collection().deleteOne({ _id: LOCK_ID, owner });
    },
  };
}
