/**
 * What each command's reply must look like, and whether its content belongs to the request. Shared
 * by the driver's workers and the raw OP_MSG workers, so both judge replies the same way.
 * Shape failures are `malformed`; a well-formed reply with another request's content is `mismatched`.
 */
import type { Document } from 'bson';
import type { Tally } from './tally.js';

export const BIG = 'big';
export const BIG_COUNT = 400;
export const SMALL = ['s0', 's1', 's2', 's3', 's4'] as const;

/** A number from a reply field that may be int32, double or a bson Long; undefined for anything else. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value && typeof value === 'object' && (value as { _bsontype?: string })._bsontype === 'Long') return Number(String(value));
  return undefined;
}

export function isZeroCursorId(value: unknown): boolean {
  return num(value) === 0;
}

function short(doc: unknown): string {
  try {
    return JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 200);
  } catch {
    return String(doc);
  }
}

/**
 * ok: 1 as promised, or a clean server error (ok: 0 with a message, counted as an error). Returns
 * true when the caller should go on checking the reply's content.
 */
export function okOrError(tally: Tally, op: string, reply: Document | undefined): boolean {
  // No reply at all: the channel has counted why (a driver error, a closed connection, an unreadable reply).
  if (reply === undefined) return false;
  if (!reply || typeof reply !== 'object') {
    tally.bad('malformed', op, 'no reply document');
    return false;
  }
  const ok = num(reply.ok);
  if (ok === 1) return true;
  if (ok === 0 && typeof reply.errmsg === 'string') {
    tally.bad('errors', op, `server error ${String(reply.code ?? '')} ${reply.errmsg}`);
    return false;
  }
  tally.bad('malformed', op, `reply without ok: 1 or an error message: ${short(reply)}`);
  return false;
}

/** A find/aggregate first reply: cursor.firstBatch array, cursor.id, cursor.ns of the asked collection. */
export function checkCursor(tally: Tally, op: string, reply: Document, ns: string | undefined, batch: 'firstBatch' | 'nextBatch'): Document[] | undefined {
  const cursor = reply.cursor as Document | undefined;
  if (!cursor || typeof cursor !== 'object' || !Array.isArray(cursor[batch]) || num(cursor.id) === undefined) {
    tally.bad('malformed', op, `no cursor.${batch} array and cursor.id: ${short(reply)}`);
    return undefined;
  }
  if (ns !== undefined && typeof cursor.ns === 'string' && cursor.ns !== ns) {
    tally.bad('mismatched', op, `cursor of ${cursor.ns} for a request on ${ns}`);
    return undefined;
  }
  return cursor[batch] as Document[];
}

/** A find by `_id` returns that `_id` or nothing; nothing only when the document may be gone. */
export function checkById(tally: Tally, op: string, docs: Document[], coll: string, id: string, mustExist: boolean): void {
  if (docs.length > 1) {
    tally.bad('mismatched', op, `${docs.length} documents for one _id ${id}`);
    return;
  }
  const doc = docs[0];
  if (!doc) {
    if (mustExist) tally.bad('mismatched', op, `nothing for ${coll} _id ${id}, which exists (an acknowledged insert, never deleted)`);
    return;
  }
  if (doc._id !== id || doc.coll !== coll) tally.bad('mismatched', op, `asked ${coll} _id ${id}, got ${String(doc.coll)} _id ${String(doc._id)}`);
}

/** A write's reply: `n` a count, exactly `expected` when given, at most `max` otherwise. */
export function checkN(tally: Tally, op: string, reply: Document, expected: number | undefined, max: number): void {
  const n = num(reply.n);
  if (n === undefined || !Number.isInteger(n) || n < 0) {
    tally.bad('malformed', op, `no count n: ${short(reply)}`);
    return;
  }
  if (Array.isArray(reply.writeErrors) && reply.writeErrors.length > 0) {
    tally.bad('errors', op, `write errors: ${short(reply.writeErrors)}`);
    return;
  }
  if ((expected !== undefined && n !== expected) || n > max) tally.bad('mismatched', op, `n = ${n}, expected ${expected ?? `at most ${max}`}`);
}

/** listCollections: every entry has a name; the collections known to exist are all there. */
export function checkListCollections(tally: Tally, op: string, reply: Document, mustHave: string[]): void {
  // The namespace of this cursor differs between servers ("db.$cmd.listCollections"), so it is not compared.
  const entries = checkCursor(tally, op, reply, undefined, 'firstBatch');
  if (!entries) return;
  if (entries.some((e) => !e || typeof e.name !== 'string')) {
    tally.bad('malformed', op, `an entry without a name: ${short(entries.find((e) => !e || typeof e.name !== 'string'))}`);
    return;
  }
  const names = new Set(entries.map((e) => e.name as string));
  const missing = mustHave.filter((n) => !names.has(n));
  if (missing.length > 0) tally.bad('mismatched', op, `collections missing from the list: ${missing.join(', ')} (got ${[...names].join(', ')})`);
}

/** A page of the big collection: documents of that collection, `i` counting up by one from `from`. */
export function checkBigRun(tally: Tally, op: string, docs: Document[], from: number): number | undefined {
  let expect = from;
  for (const d of docs) {
    if (d.coll !== BIG || d.i !== expect) {
      tally.bad('mismatched', op, `expected ${BIG} i=${expect}, got ${String(d.coll)} i=${String(d.i)} _id ${String(d._id)}`);
      return undefined;
    }
    expect += 1;
  }
  return expect;
}
