import { Types, type Query, type Schema } from 'mongoose';
import { RevocableCache, revocations } from '../../lib/revocations.js';
import type { Logger } from '../../lib/logger.js';
import type { User } from './models.js';

/**
 * The signed-in person, from memory. Every request reads its person (who they are, their roles and
 * memberships); people change seldom, so a warm request takes them from this cache and leaves the
 * database one round trip fewer. Correct with several instances: every write to a person, by any
 * mongoose path, announces the change (`announcePersonChanges`) to this process's cache at once and
 * to the others through the revocation feed within about a second (src/lib/revocations.ts); and an
 * entry is only trusted while that feed is current. Entries also expire after `ttlMs` whatever
 * happens, and at most `max` people are held.
 */

export const PERSON_TOPIC = 'person';

/** What a session needs of a stored person. */
export type CachedPerson = Pick<User, 'name' | 'email' | 'roles' | 'memberships' | 'status' | 'passwordChangedAt'> & { _id: Types.ObjectId };

export const CACHED_PERSON_FIELDS = { name: 1, email: 1, roles: 1, memberships: 1, status: 1, passwordChangedAt: 1 } as const;

/**
 * One app's cache of signed-in people, built by the composition root (`createServices` in app.ts):
 * two apps in one process keep their own. Each listens to the process's revocation feed, so a change
 * made through any app (or any process on the database) drops the entry in every app's cache.
 */
export class PersonCache {
  private readonly entries: RevocableCache<CachedPerson>;

  /** `max` people at the most (config: PERSON_CACHE_SIZE, 0 turns the cache off), each for `ttlMs`. */
  constructor(options: { max: number; ttlMs?: number; logger?: Logger }) {
    this.entries = new RevocableCache<CachedPerson>(PERSON_TOPIC, { max: options.max, ttlMs: options.ttlMs ?? 60_000, log: options.logger });
  }

  /** The stored person, from memory when the entry may be trusted, else from `load` (then kept). */
  async get(id: string, load: () => Promise<CachedPerson | null>, now = Date.now()): Promise<CachedPerson | null> {
    const hit = this.entries.get(id, now);
    if (hit) return hit;
    const mark = this.entries.mark();
    const person = await load();
    if (person) this.entries.set(id, person, mark);
    return person;
  }
}

/** The person ids a write's filter names, or `*` when it may touch anyone. */
function idsOfFilter(filter: Record<string, unknown> | undefined): string[] {
  const id = filter?._id;
  if (id instanceof Types.ObjectId || typeof id === 'string') return [String(id)];
  if (id && typeof id === 'object') {
    const ops = id as Record<string, unknown>;
    if (ops.$eq !== undefined && Object.keys(ops).length === 1) return [String(ops.$eq)];
    if (Array.isArray(ops.$in) && Object.keys(ops).length === 1) return ops.$in.map(String);
  }
  return ['*'];
}

type QueryWrite = 'updateOne' | 'updateMany' | 'findOneAndUpdate' | 'replaceOne' | 'findOneAndReplace' | 'deleteOne' | 'deleteMany' | 'findOneAndDelete';
const QUERY_WRITES: QueryWrite[] = ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'];

async function announce(ids: readonly string[]): Promise<void> {
  const keys = ids.includes('*') ? ['*'] : [...new Set(ids)];
  for (const key of keys) await revocations.publish(PERSON_TOPIC, key);
}

/**
 * Every mongoose write path of the person model announces the people it changed, after the write
 * succeeded: the query writes by their filter, `save` and document deletes by the document, and
 * `bulkWrite` as "everyone" (it is used for imports, not per request). Inserts need nothing: a
 * person not yet stored is not cached.
 */
export function announcePersonChanges(schema: Schema): void {
  schema.post(QUERY_WRITES, { document: false, query: true }, async function (this: Query<unknown, unknown>) {
    await announce(idsOfFilter(this.getFilter() as Record<string, unknown>));
  });
  // A new person is not cached anywhere: creating one (an import creates thousands) announces nothing.
  schema.pre('save', function () {
    this.$locals.createdNow = this.isNew;
  });
  schema.post('save', async function (doc: { _id: unknown; $locals: Record<string, unknown> }) {
    if (!doc.$locals.createdNow) await announce([String(doc._id)]);
  });
  schema.post('deleteOne', { document: true, query: false }, async function (doc: { _id: unknown }) {
    await announce([String(doc._id)]);
  });
  schema.post('bulkWrite', async function () {
    await announce(['*']);
  });
}
