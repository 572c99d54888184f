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

/** Plain JSON: what a summary is unless it has a compact codec of its own (rosters). */
export function jsonCodec<T>(): Codec<T> {
  return { encode: (value) => JSON.stringify(value), decode: (text): T => JSON.parse(text) };
}

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

export async function readJson<T>(model: JsonModel, id: string, codec: Codec<T> = jsonCodec<T>()): Promise<Versioned<T> | null> {
  const doc = await collectionOf(model).findOne({ _id: id }, { projection: { v: 1, data: 1 } });
  return doc ? { v: doc.v, value: codec.decode(doc.data) } : null;
}

/** Writes `value` if the document is still at version `expected` (null: does not exist yet). */
export async function casJson<T>(model: JsonModel, id: string, expected: number | null, value: T, options: { extra?: Record<string, unknown>; codec?: Codec<T> } = {}): Promise<boolean> {
  const data = (options.codec ?? jsonCodec<T>()).encode(value);
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

type Change<T> = (current: T | null) => T | undefined;

interface Waiter<T> {
  change: Change<T>;
  onInsert?: () => Record<string, unknown>;
  resolve: (written: Versioned<T> | null) => void;
  reject: (err: unknown) => void;
}

interface Queue {
  pending: Array<Waiter<never>>;
  running: boolean;
}

/**
 * Writers of one document in this process are combined. Compare-and-set alone lets every writer
 * read, and all but one lose and retry: with the 30 people of one unit starting a module together,
 * each round cost a write for everyone and the last one waited over 15 s (the fault drill saw
 * learners' first actions hang). Taking turns made it one read and one write each, still 30 in a
 * row. Now the writers that arrive while a write is in progress wait for it and then go as one group:
 * one read, every change applied in arrival order, one write (group commit). The compare-and-set
 * still guards against other processes; when it loses, the whole group reads again and retries.
 */
const queues = new Map<string, Queue>();

/**
 * How long one group may hold up the next. Correctness never rests on the queue (compare-and-set
 * does), so a write stuck on an unresponsive database must not hold up every later writer of the
 * document: after this long the next group goes ahead beside it.
 */
const TURN_LIMIT_MS = 2000;

/** Applies a group's changes in order to one value; a change that throws fails only its own writer. */
function applyGroup<T>(group: Array<Waiter<T>>, stored: T | null, failed: Set<Waiter<T>>): { value: T | null; changed: Set<Waiter<T>> } {
  let value = stored;
  const changed = new Set<Waiter<T>>();
  for (const waiter of group) {
    if (failed.has(waiter)) continue;
    try {
      const next = waiter.change(value);
      if (next !== undefined) {
        value = next;
        changed.add(waiter);
      }
    } catch (err) {
      failed.add(waiter);
      waiter.reject(err);
    }
  }
  return { value, changed };
}

async function writeGroup<T>(model: JsonModel, id: string, codec: Codec<T>, group: Array<Waiter<T>>): Promise<void> {
  const failed = new Set<Waiter<T>>();
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const current = await readJson<T>(model, id, codec);
      const { value, changed } = applyGroup(group, current ? current.value : null, failed);
      if (!changed.size) {
        for (const waiter of group) if (!failed.has(waiter)) waiter.resolve(null);
        return;
      }
      const first = group.find((w) => changed.has(w));
      const extra = current ? {} : (first?.onInsert?.() ?? {});
      if (await casJson(model, id, current ? current.v : null, value as T, { extra, codec })) {
        const written = { v: (current?.v ?? 0) + 1, value: value as T };
        for (const waiter of group) if (!failed.has(waiter)) waiter.resolve(changed.has(waiter) ? written : null);
        return;
      }
      // Another process wrote in between: back off a little so a crowd of writers spreads out.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * (2 + attempt * 2))));
    }
    throw new ConflictError(`${model.collection.collectionName}/${id} kept changing`);
  } catch (err) {
    for (const waiter of group) if (!failed.has(waiter)) waiter.reject(err);
  }
}

async function drain<T>(key: string, queue: Queue, model: JsonModel, id: string, codec: Codec<T>): Promise<void> {
  while (queue.pending.length) {
    const group = queue.pending.splice(0) as unknown as Array<Waiter<T>>;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, TURN_LIMIT_MS);
    });
    await Promise.race([writeGroup(model, id, codec, group), limit]);
    clearTimeout(timer);
  }
  queue.running = false;
  if (queues.get(key) === queue) queues.delete(key);
}

/**
 * Read-change-write with retries. `change` gets the stored value (or null) to change in place or
 * replace, and returns the new value, or undefined for "nothing to change". Returns the version
 * written and the value, or null if this change changed nothing. Changes of one document made at
 * the same time in this process may be written together: the value returned is then the document
 * with all of them, and `change` sees the value as the changes before it in the group left it.
 */
export function updateJson<T>(
  model: JsonModel,
  id: string,
  change: Change<T>,
  options: { onInsert?: () => Record<string, unknown>; codec?: Codec<T> } = {},
): Promise<Versioned<T> | null> {
  const codec = options.codec ?? jsonCodec<T>();
  const key = `${model.collection.collectionName}/${id}`;
  return new Promise<Versioned<T> | null>((resolve, reject) => {
    let queue = queues.get(key);
    if (!queue) {
      queue = { pending: [], running: false };
      queues.set(key, queue);
    }
    queue.pending.push({ change, onInsert: options.onInsert, resolve, reject } as unknown as Waiter<never>);
    if (!queue.running) {
      queue.running = true;
      void drain(key, queue, model, id, codec);
    }
  });
}
