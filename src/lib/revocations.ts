import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import mongoose from 'mongoose';
import type { Logger } from './logger.js';

/**
 * "This cached thing changed": how an in-process cache learns that another app instance changed
 * what it holds. A change is announced at once to the caches of this process (an event) and written
 * to the `revocations` collection, which one poller per process reads every `POLL_MS`; so every
 * instance on the same database drops the entry within about a second. A cache may only trust its
 * entries while the poller is current (`isCurrent`): if the database cannot be read, or the process
 * is too busy to poll, the cache reads the database instead of trusting what it holds, so the bound
 * holds however the poll fails.
 */

export const REVOCATIONS = 'revocations';
export const POLL_MS = 1_000;
/** A cache entry is trusted only while the last successful poll began at most this long ago. */
export const TRUST_MS = 2_000;
/** Revocations are read again for this long after they were written, so a clock a little behind on the writer cannot hide one. */
const OVERLAP_MS = 10_000;
/** Old revocations are deleted after this; an instance that could not poll that long trusts nothing anyway. */
const KEEP_MS = 60 * 60_000;

/** `key` is an id, or `*` for "everything of this topic". */
export type RevocationListener = (key: string) => void;

interface StoredRevocation {
  _id: mongoose.Types.ObjectId;
  topic: string;
  key: string;
  at: Date;
}

class RevocationFeed {
  private readonly local = new EventEmitter().setMaxListeners(0);
  private timer: NodeJS.Timeout | null = null;
  private lastPollStartedAt = 0;
  private readonly seen = new Map<string, number>();
  private polls = 0;
  private log: Logger | null = null;

  /** Announces a change: this process's caches drop it now, the others at their next poll. */
  async publish(topic: string, key: string): Promise<void> {
    this.local.emit(topic, key);
    const db = mongoose.connection.db;
    if (!db) return;
    const doc = { _id: new mongoose.Types.ObjectId(), topic, key, at: new Date() };
    this.seen.set(String(doc._id), doc.at.getTime());
    await db.collection<StoredRevocation>(REVOCATIONS).insertOne(doc);
  }

  /** Listens for changes of a topic (and starts the poller); returns the way to stop listening. */
  listen(topic: string, listener: RevocationListener, log?: Logger): () => void {
    this.local.on(topic, listener);
    if (log) this.log = log;
    this.start();
    return () => this.local.off(topic, listener);
  }

  /** Whether entries may be trusted now: the last poll that began within TRUST_MS succeeded. */
  isCurrent(now = Date.now()): boolean {
    return this.timer !== null && now - this.lastPollStartedAt <= TRUST_MS;
  }

  /** Reads new revocations once (the timer does this every POLL_MS; tests may call it). */
  async poll(): Promise<void> {
    const db = mongoose.connection.db;
    const startedAt = Date.now();
    if (!db) return;
    try {
      const since = new Date(Math.min(startedAt, this.lastPollStartedAt || startedAt) - OVERLAP_MS);
      const docs = await db.collection<StoredRevocation>(REVOCATIONS).find({ at: { $gte: since } }, { projection: { topic: 1, key: 1, at: 1 } }).toArray();
      for (const doc of docs) {
        const id = String(doc._id);
        if (this.seen.has(id)) continue;
        this.seen.set(id, doc.at.getTime());
        // Only a first poll's backlog is old news: those changes happened before anything was cached.
        if (this.lastPollStartedAt) this.local.emit(doc.topic, doc.key);
      }
      for (const [id, at] of this.seen) if (at < since.getTime() - OVERLAP_MS) this.seen.delete(id);
      this.lastPollStartedAt = startedAt;
      this.polls += 1;
      if (this.polls % 300 === 0) await db.collection(REVOCATIONS).deleteMany({ at: { $lt: new Date(startedAt - KEEP_MS) } });
    } catch (err) {
      // Cannot read the feed: nothing cached may be trusted (isCurrent turns false by itself).
      this.log?.warn({ err }, 'revocation feed could not be read; caches read the database until it can');
    }
  }

  private start(): void {
    if (this.timer) return;
    const tick = () => {
      void this.poll().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, POLL_MS).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }
}

/** One feed per process: the caches of every app built in it listen to it. */
export const revocations = new RevocationFeed();

/**
 * A bounded in-process cache whose entries the revocation feed drops: `max` entries at most (0: the
 * cache keeps nothing), each for `ttlMs` whatever happens, trusted only while the feed is current.
 * The feed is process-wide and lives as long as the process; it holds each cache only weakly, so an
 * app that is dropped (a test builds hundreds) takes its caches with it.
 */
export class RevocableCache<V extends object> {
  private readonly entries: LRUCache<string, V> | null;
  /** Bumped by every revocation: a read that began before one must not store what it read. */
  private generation = 0;

  constructor(topic: string, options: { max: number; ttlMs: number; log?: Logger | undefined }) {
    this.entries = options.max > 0 ? new LRUCache<string, V>({ max: options.max, ttl: options.ttlMs }) : null;
    if (!this.entries) return;
    const self = new WeakRef(this);
    const stop = revocations.listen(
      topic,
      (key) => {
        const cache = self.deref();
        if (cache) cache.drop(key);
        else stop();
      },
      options.log,
    );
  }

  /** The entry, only while the feed is current (else undefined: read the database). */
  get(key: string, now = Date.now()): V | undefined {
    return this.entries && revocations.isCurrent(now) ? this.entries.get(key) : undefined;
  }

  /** Where the revocations stand: take it before a read, and give it to `set` with what was read. */
  mark(): number {
    return this.generation;
  }

  /** Keeps `value`, unless a revocation came since `mark` was taken (what was read may be stale). */
  set(key: string, value: V, mark: number): void {
    if (this.entries && mark === this.generation) this.entries.set(key, value);
  }

  /** Drops one entry here (or all of them, `*`); the feed calls this for every revocation of the topic. */
  drop(key: string): void {
    this.generation += 1;
    if (key === '*') this.entries?.clear();
    else this.entries?.delete(key);
  }
}
