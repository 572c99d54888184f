import { createRequire } from 'node:module';
import mongoose from 'mongoose';
import { RateLimiterRes, type RateLimiterStoreAbstract as StoreAbstract } from 'rate-limiter-flexible';

// The library's documented base for custom stores, which its entry point does not re-export.
const RateLimiterStoreAbstract = createRequire(import.meta.url)('rate-limiter-flexible/lib/RateLimiterStoreAbstract.js') as typeof StoreAbstract;

/**
 * A database store for rate-limiter-flexible that works on MongoDB and on FerretDB v1 alike.
 *
 * Why not the library's RateLimiterMongo: it creates a TTL index (FerretDB v1 answers
 * "Index option expireAfterSeconds is not implemented yet", and then also skips the unique
 * index on `key` it relies on), and it looks counters up by a `key` field, which FerretDB's
 * SQLite backend can only answer by reading the whole collection.
 *
 * Here one document per key, `_id` = the limiter's key, holds `points` and `expiresAt`; every
 * change is one single-document update, and expired documents are removed by `sweep()`, which the
 * owner of a limiter runs periodically (no TTL index).
 *
 * The `$inc` is atomic on MongoDB and on the embedded FerretDB, whose launcher serialises writes per
 * collection (FerretDB v1 itself applies an update as read, modify, write back).
 */

interface LimitDocument {
  _id: string;
  points: number;
  expiresAt: Date | null;
}

export interface DatabaseRateLimiterOptions {
  /** Collection holding the counters; several limiters may share one (keys carry their prefix). */
  collectionName: string;
  keyPrefix: string;
  points: number;
  /** Seconds a window lasts. */
  duration: number;
  /** Seconds a key stays blocked once it used more than `points`. */
  blockDuration?: number;
  /**
   * Once a key has consumed this many points, this process refuses it from memory until its window
   * (or block) ends, without asking the database: a flood from one source then costs nothing.
   */
  inMemoryBlockOnConsumed?: number;
}

const DUPLICATE_KEY = 11000;
const MAX_ATTEMPTS = 5;

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === DUPLICATE_KEY;
}

export class DatabaseRateLimiter extends RateLimiterStoreAbstract {
  private readonly collectionName: string;

  constructor(options: DatabaseRateLimiterOptions) {
    super({
      storeClient: options.collectionName,
      keyPrefix: options.keyPrefix,
      points: options.points,
      duration: options.duration,
      blockDuration: options.blockDuration ?? 0,
      inMemoryBlockOnConsumed: options.inMemoryBlockOnConsumed ?? 0,
    });
    this.collectionName = options.collectionName;
  }

  private get collection() {
    return mongoose.connection.collection<LimitDocument>(this.collectionName);
  }

  /** How long this process still refuses `key` from memory (0 when it does not); no database access. */
  inMemoryBlockMs(key: string): number {
    const self = this as unknown as { getInMemoryBlockMsBeforeExpire(rlKey: string): number };
    return Math.max(0, self.getInMemoryBlockMsBeforeExpire(this.getKey(key)));
  }

  /** Removes every expired counter of this limiter's collection; returns how many. */
  async sweep(now = new Date()): Promise<number> {
    const { deletedCount } = await this.collection.deleteMany({ expiresAt: { $lte: now } });
    return deletedCount;
  }

  _getRateLimiterRes(_rlKey: string, changedPoints: number, doc: LimitDocument): RateLimiterRes {
    const consumed = doc.points;
    const msBeforeNext = doc.expiresAt ? Math.max(doc.expiresAt.getTime() - Date.now(), 0) : -1;
    return new RateLimiterRes(Math.max(this.points - consumed, 0), msBeforeNext, consumed, consumed === changedPoints);
  }

  async _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false): Promise<LimitDocument> {
    const expiresAt = () => (msDuration > 0 ? new Date(Date.now() + msDuration) : null);
    if (forceExpire) {
      const doc = await this.collection.findOneAndUpdate(
        { _id: { $eq: rlKey } },
        { $set: { points, expiresAt: expiresAt() } },
        { upsert: true, returnDocument: 'after' },
      );
      return doc!;
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const now = new Date();
      try {
        // Count on within the current window, or start a window if there is no counter yet.
        const doc = await this.collection.findOneAndUpdate(
          { _id: { $eq: rlKey }, $or: [{ expiresAt: { $gt: now } }, { expiresAt: null }] },
          { $inc: { points }, $setOnInsert: { expiresAt: expiresAt() } },
          { upsert: true, returnDocument: 'after' },
        );
        if (doc) return doc;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // A counter exists but its window is over: start a new window in its place, unless another
        // request has just done so (then the next attempt counts on in that window).
        const restarted = await this.collection.findOneAndUpdate(
          { _id: { $eq: rlKey }, expiresAt: { $lte: now } },
          { $set: { points, expiresAt: expiresAt() } },
          { returnDocument: 'after' },
        );
        if (restarted) return restarted;
      }
    }
    throw new Error(`rate limiter: could not update ${this.collectionName} after ${MAX_ATTEMPTS} attempts`);
  }

  async _get(rlKey: string): Promise<LimitDocument | null> {
    return this.collection.findOne({ _id: { $eq: rlKey }, $or: [{ expiresAt: { $gt: new Date() } }, { expiresAt: null }] });
  }

  async _delete(rlKey: string): Promise<boolean> {
    const { deletedCount } = await this.collection.deleteOne({ _id: { $eq: rlKey } });
    return deletedCount > 0;
  }
}
