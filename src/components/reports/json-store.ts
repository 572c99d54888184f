import type { Model } from 'mongoose';
import { ConflictError } from '../../lib/errors.js';

/**
 * Documents that hold one encoded value with a version `v`, changed only by compare-and-set: read,
 * change in memory, write back only if `v` is still what was read. A single-document atomic update on
 * MongoDB and (through the launcher's per-collection write lock) on the embedded FerretDB alike.
 */

export interface Versioned<T> {
  v: number;
  value: T;
}

export interface Codec<T> {
  encode(value: T): string;
  decode(text: string): T;
}

export const JSON_CODEC: Codec<never> = { encode: (v) => JSON.stringify(v), decode: (t) => JSON.parse(t) as never };

// Any model whose documents have a string _id; the value lives in `data`.
type JsonModel = Pick<Model<unknown>, 'db' | 'collection'>;

interface JsonDocument {
  _id: string;
  v: number;
  data: string;
}

/** The model's own collection (the same object), typed with its string `_id`. */
function collectionOf(model: JsonModel) {
  return model.db.collection<JsonDocument>(model.collection.collectionName);
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}

export async function readJson<T>(model: JsonModel, id: string, codec: Codec<T> = JSON_CODEC): Promise<Versioned<T> | null> {
  const doc = await collectionOf(model).findOne({ _id: id }, { projection: { v: 1, data: 1 } });
  return doc ? { v: doc.v, value: codec.decode(doc.data) } : null;
}

/** Writes `value` if the document is still at version `expected` (null: does not exist yet). */
export async function casJson<T>(model: JsonModel, id: string, expected: number | null, value: T, options: { extra?: Record<string, unknown>; codec?: Codec<T> } = {}): Promise<boolean> {
  const data = (options.codec ?? JSON_CODEC).encode(value as never);
  if (expected === null) {
    try {
      await collectionOf(model).insertOne({ _id: id, v: 1, data, ...(options.extra ?? {}) });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }
  const result = await collectionOf(model).updateOne({ _id: id, v: expected }, { $set: { data }, $inc: { v: 1 } });
  return result.matchedCount === 1;
}

const MAX_ATTEMPTS = 50;

/**
 * Writers of one document in this process take turns. Compare-and-set alone lets every writer read,
 * and all but one lose and retry: with the 30 people of one unit starting a module together, each
 * round costs a write for everyone and the last one waited over 15 s (the fault drill saw learners'
 * first actions hang). Taking turns makes it one read and one write each; the compare-and-set still
 * guards against other processes.
 */
const turns = new Map<string, Promise<void>>();

/**
 * How long one writer may hold its turn. Correctness never rests on the turn (compare-and-set does),
 * so a write stuck on an unresponsive database must not hold up every later writer of the document.
 */
const TURN_LIMIT_MS = 2000;

function inTurn<R>(key: string, run: () => Promise<R>): Promise<R> {
  const previous = turns.get(key) ?? Promise.resolve();
  const mine = previous.then(run);
  const done = previous.then(
    () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, TURN_LIMIT_MS);
        const finish = () => {
          clearTimeout(timer);
          resolve();
        };
        mine.then(finish, finish);
      }),
  );
  turns.set(key, done);
  void done.then(() => {
    if (turns.get(key) === done) turns.delete(key);
  });
  return mine;
}

/**
 * Read-change-write with retries. `change` gets the stored value (or null) to change in place or
 * replace, and returns the new value, or undefined for "nothing to change". Returns the version
 * written and the value, or null if nothing changed.
 */
export async function updateJson<T>(
  model: JsonModel,
  id: string,
  change: (current: T | null) => T | undefined,
  options: { onInsert?: () => Record<string, unknown>; codec?: Codec<T> } = {},
): Promise<Versioned<T> | null> {
  const codec = options.codec ?? (JSON_CODEC as Codec<T>);
  return inTurn(`${model.collection.collectionName}/${id}`, async () => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const current = await readJson<T>(model, id, codec);
      const next = change(current ? current.value : null);
      if (next === undefined) return null;
      const extra = current ? {} : (options.onInsert?.() ?? {});
      if (await casJson(model, id, current ? current.v : null, next, { extra, codec })) return { v: (current?.v ?? 0) + 1, value: next };
      // Another process wrote in between: back off a little so a crowd of writers spreads out.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * (2 + attempt * 2))));
    }
    throw new ConflictError(`${model.collection.collectionName}/${id} kept changing`);
  });
}
