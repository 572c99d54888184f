/**
 * Part (a) of the stress script: many connections against the database server alone — several
 * MongoClients with different pool sizes and raw OP_MSG connections that check `responseTo`
 * themselves — mixing finds by `_id`, inserts, updates, findAndModify, deletes (acknowledged and
 * `w: 0`, which the app never sends but which is exactly what broke the embedded server), getMore
 * on a large result in small batches, listCollections and count across several collections. Every
 * reply is checked against its request (see checks.ts). Bounded by time and by a request count.
 */
import mongoose from 'mongoose';
import { Long, type Document } from 'bson';
import { BIG, BIG_COUNT, SMALL, checkBigRun, checkById, checkCursor, checkListCollections, checkN, isZeroCursorId, num, okOrError } from './checks.js';
import { RawClient, WireTimeoutError } from './wire.js';
import { prng as seededRandom } from '../../test/helpers/prng.js';
import { Tally, assertLoopback } from './tally.js';

type MongoClient = mongoose.mongo.MongoClient;
type Db = mongoose.mongo.Db;

export interface LauncherStressOptions {
  /** mongodb://127.0.0.1:port/ of the server under test (loopback only). */
  uri: string;
  durationMs: number;
  /** Stop after this many operations in total, whatever the time (a find with all its getMores is one). */
  maxRequests: number;
  seed: number;
  dbName?: string;
  /** Pool sizes of the driver clients; one worker group per client. */
  pools?: number[];
  workersPerClient?: number;
  rawConnections?: number;
  /** Send unacknowledged writes too (default). Off: for servers that cannot take them at all. */
  unacknowledged?: boolean;
}

export interface LauncherStressResult {
  tally: Tally;
  durationMs: number;
  requests: number;
}

const REPLY_TIMEOUT_MS = 15_000;
const PAD = 'x'.repeat(200);

/** One way of sending commands: the driver's pool, or one raw connection. */
interface Channel {
  readonly name: string;
  readonly raw: boolean;
  command(op: string, doc: Document): Promise<Document | undefined>;
  /** Sends a write that asks for no reply (OP_MSG moreToCome; the driver's w: 0). */
  unacknowledged(op: string, doc: Document): Promise<void>;
  /** An int64 of the BSON library this channel serialises with (the driver's bson 6, the raw client's own). */
  int64(value: number): unknown;
}

/** A closed or reset connection, however the driver wraps it (a bulk write error carries the network error's text). */
const CONNECTION_TROUBLE = /connection \d+ to \S+ closed|EPIPE|ECONNRESET|ECONNREFUSED/;

function errorName(err: unknown): string {
  return (err as Error | null)?.name ?? typeof err;
}

/**
 * A driver exception: a reply the driver could not read as the command's reply is malformed; a
 * server's ok: 0 and connection trouble are clean errors.
 */
function driverFailure(tally: Tally, op: string, err: unknown): void {
  const name = errorName(err);
  const message = `${name}: ${(err as Error | null)?.message ?? String(err)}`;
  if (name === 'MongoServerError') {
    tally.reply(op);
    tally.bad('errors', op, message);
  } else if (/^Mongo(Network|ServerSelection|PoolCleared|Timeout|NetworkTimeout|WaitQueueTimeout|OperationTimeout)/.test(name) || CONNECTION_TROUBLE.test(message)) {
    tally.bad('errors', op, message);
  } else {
    tally.reply(op);
    tally.bad('malformed', op, message);
  }
}

class DriverChannel implements Channel {
  readonly raw = false;
  int64(value: number): unknown {
    return mongoose.mongo.Long.fromNumber(value);
  }
  constructor(
    readonly name: string,
    readonly db: Db,
    private readonly tally: Tally,
  ) {}

  async command(op: string, doc: Document): Promise<Document | undefined> {
    try {
      // Longs stay Longs: a cursor id above 2^53 must reach getMore unchanged.
      const reply = await this.db.command(doc, { promoteLongs: false });
      this.tally.reply(op);
      return reply;
    } catch (err) {
      driverFailure(this.tally, op, err);
      return undefined;
    }
  }

  async unacknowledged(op: string, doc: Document): Promise<void> {
    try {
      // The driver sets moreToCome for a command whose writeConcern is { w: 0 } and reads no reply.
      await this.db.command({ ...doc, writeConcern: { w: 0 } });
      this.tally.unacknowledged += 1;
    } catch (err) {
      driverFailure(this.tally, op, err);
    }
  }
}

class RawChannel implements Channel {
  readonly raw = true;
  int64(value: number): unknown {
    return Long.fromNumber(value);
  }
  private client: RawClient;
  private connected = false;
  /** What each request id asked, to say whose reply turned up where it did not belong. */
  private readonly asked = new Map<number, string>();

  constructor(
    readonly name: string,
    private readonly host: string,
    private readonly port: number,
    private readonly dbName: string,
    private readonly tally: Tally,
    firstId: number,
  ) {
    this.client = new RawClient(host, port, firstId);
  }

  private async ensure(): Promise<void> {
    if (this.connected) return;
    await this.client.connect();
    this.connected = true;
  }

  private reset(): void {
    this.client.close();
    this.connected = false;
  }

  async command(op: string, doc: Document): Promise<Document | undefined> {
    try {
      await this.ensure();
      const id = this.client.send({ ...doc, $db: this.dbName });
      this.remember(id, op);
      for (;;) {
        const frame = await this.client.nextFrame(REPLY_TIMEOUT_MS);
        if (frame.responseTo === id) {
          this.tally.reply(op);
          if (!frame.body) this.tally.bad('malformed', op, `reply with opCode ${frame.opCode} and no readable document`);
          return frame.body;
        }
        // Someone else's reply: count it and keep reading for ours.
        this.tally.reply(op);
        this.tally.bad('mismatched', op, `${this.name}: reply to request ${frame.responseTo} (${this.asked.get(frame.responseTo) ?? 'unknown'}) arrived while waiting for request ${id} (${op})`);
      }
    } catch (err) {
      this.tally.bad('errors', op, `${this.name}: ${err instanceof WireTimeoutError ? err.message : `${errorName(err)}: ${(err as Error).message}`}`);
      this.reset();
      return undefined;
    }
  }

  async unacknowledged(op: string, doc: Document): Promise<void> {
    try {
      await this.ensure();
      const id = this.client.send({ ...doc, $db: this.dbName, writeConcern: { w: 0 } }, true);
      this.remember(id, `${op} (moreToCome)`);
      this.tally.unacknowledged += 1;
    } catch (err) {
      this.tally.bad('errors', op, `${this.name}: ${errorName(err)}: ${(err as Error).message}`);
      this.reset();
    }
  }

  private remember(id: number, op: string): void {
    this.asked.set(id, op);
    if (this.asked.size > 1000) this.asked.delete(this.asked.keys().next().value!);
  }

  /** At the end: any reply still unread answered nothing that was waiting (a reply to a moreToCome request). */
  async finish(): Promise<void> {
    if (!this.connected) return;
    // One last acknowledged request flushes out a stray reply sent after the last moreToCome.
    await this.command('ping', { ping: 1 });
    this.reset();
  }
}

interface Budget {
  deadline: number;
  left: number;
}

function take(budget: Budget): boolean {
  if (Date.now() >= budget.deadline || budget.left <= 0) return false;
  budget.left -= 1;
  return true;
}

/** One worker: a random mix of commands on one channel, with the ids it inserted itself. */
async function worker(channel: Channel, db: Db | undefined, workerId: number, rng: () => number, budget: Budget, tally: Tally, dbName: string, unacknowledged: boolean): Promise<void> {
  /** Documents this worker inserted with an acknowledged write and never asked to delete: they must be found. */
  const known = new Map<string, string>();
  /** Documents that may or may not exist (unacknowledged insert, a delete asked for). */
  const maybe: Array<[string, string]> = [];
  let seq = 0;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const newDoc = (coll: string) => ({ _id: `${coll}:w${workerId}:${seq++}`, coll, n: 0, pad: PAD });
  const someKnown = (): [string, string] | undefined => {
    if (known.size === 0) return undefined;
    const at = Math.floor(rng() * known.size);
    let i = 0;
    for (const entry of known) if (i++ === at) return entry;
    return undefined;
  };
  const forget = (id: string, coll: string) => {
    known.delete(id);
    maybe.push([id, coll]);
    if (maybe.length > 300) maybe.shift();
  };

  const ops: Array<[number, string, () => Promise<void>]> = [
    [20, 'find-by-id', async () => {
      const target = rng() < 0.7 ? someKnown() : maybe.length > 0 ? pick(maybe) : undefined;
      const [id, coll] = target ?? [`${pick(SMALL)}:marker`, ''];
      const c = coll || id.split(':')[0]!;
      const reply = await channel.command('find-by-id', { find: c, filter: { _id: id }, limit: 1, singleBatch: true });
      if (!okOrError(tally, 'find-by-id', reply)) return;
      const docs = checkCursor(tally, 'find-by-id', reply!, `${dbName}.${c}`, 'firstBatch');
      if (docs) checkById(tally, 'find-by-id', docs, c, id, known.has(id) || id.endsWith(':marker'));
    }],
    [6, 'find-by-coll', async () => {
      const c = pick(SMALL);
      const reply = await channel.command('find-by-coll', { find: c, filter: { coll: c }, limit: 5, singleBatch: true });
      if (!okOrError(tally, 'find-by-coll', reply)) return;
      const docs = checkCursor(tally, 'find-by-coll', reply!, `${dbName}.${c}`, 'firstBatch');
      if (!docs) return;
      const stranger = docs.find((d) => d.coll !== c);
      if (stranger) tally.bad('mismatched', 'find-by-coll', `asked ${c}, got a document of ${String(stranger.coll)} (_id ${String(stranger._id)})`);
      else if (docs.length === 0) tally.bad('mismatched', 'find-by-coll', `nothing in ${c}, which always holds its marker`);
    }],
    [15, 'insert', async () => {
      const c = pick(SMALL);
      const docs = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => newDoc(c));
      const reply = await channel.command('insert', { insert: c, documents: docs });
      if (!okOrError(tally, 'insert', reply)) return;
      checkN(tally, 'insert', reply!, docs.length, docs.length);
      for (const d of docs) known.set(d._id, c);
    }],
    [10, 'update', async () => {
      const target = someKnown();
      if (!target) return;
      const [id, c] = target;
      const reply = await channel.command('update', { update: c, updates: [{ q: { _id: id }, u: { $inc: { n: 1 } } }] });
      if (!okOrError(tally, 'update', reply)) return;
      checkN(tally, 'update', reply!, 1, 1);
      const modified = num(reply!.nModified);
      if (modified !== 1) tally.bad(modified === undefined ? 'malformed' : 'mismatched', 'update', `nModified ${String(reply!.nModified)} for an $inc of an existing document`);
    }],
    [8, 'findAndModify', async () => {
      const target = rng() < 0.8 ? someKnown() : maybe.length > 0 ? pick(maybe) : undefined;
      if (!target) return;
      const [id, c] = target;
      const reply = await channel.command('findAndModify', { findAndModify: c, query: { _id: id }, update: { $inc: { n: 1 } }, new: true });
      if (!okOrError(tally, 'findAndModify', reply)) return;
      if (!('value' in reply!)) {
        tally.bad('malformed', 'findAndModify', `no value: ${JSON.stringify(reply).slice(0, 200)}`);
        return;
      }
      const value = reply!.value as Document | null;
      checkById(tally, 'findAndModify', value ? [value] : [], c, id, known.has(id));
    }],
    [6, 'delete', async () => {
      const first = someKnown();
      if (!first) return;
      const c = first[1];
      const ids = [first[0]];
      const second = someKnown();
      if (second && second[1] === c && second[0] !== first[0]) ids.push(second[0]);
      for (const id of ids) forget(id, c);
      const reply = await channel.command('delete', { delete: c, deletes: [{ q: { _id: { $in: ids } }, limit: 0 }] });
      if (!okOrError(tally, 'delete', reply)) return;
      checkN(tally, 'delete', reply!, ids.length, ids.length);
    }],
    [10, 'unacknowledged write', async () => {
      const c = pick(SMALL);
      const r = rng();
      if (r < 0.4) {
        // The session sweep's shape: a deleteMany that matches little or nothing.
        const ids = [`${c}:nothing:${seq++}`];
        const own = someKnown();
        if (own && own[1] === c && rng() < 0.5) {
          ids.push(own[0]);
          forget(own[0], c);
        }
        await channel.unacknowledged('delete w:0', { delete: c, deletes: [{ q: { _id: { $in: ids } }, limit: 0 }] });
      } else if (r < 0.7) {
        const d = newDoc(c);
        maybe.push([d._id, c]);
        await channel.unacknowledged('insert w:0', { insert: c, documents: [d] });
      } else {
        const own = someKnown();
        const id = own && own[1] === c ? own[0] : `${c}:nothing`;
        await channel.unacknowledged('update w:0', { update: c, updates: [{ q: { _id: id }, u: { $inc: { n: 1 } } }] });
      }
    }],
    [5, 'getMore', async () => {
      const from = Math.floor(rng() * BIG_COUNT);
      const reply = await channel.command('find (big, batchSize 7)', { find: BIG, filter: { i: { $gte: from } }, sort: { i: 1 }, batchSize: 7 });
      if (!okOrError(tally, 'find (big, batchSize 7)', reply)) return;
      const first = checkCursor(tally, 'find (big, batchSize 7)', reply!, `${dbName}.${BIG}`, 'firstBatch');
      if (!first) return;
      let next = checkBigRun(tally, 'find (big, batchSize 7)', first, from);
      let id: unknown = (reply!.cursor as Document).id;
      for (let rounds = 0; next !== undefined && !isZeroCursorId(id); rounds += 1) {
        if (rounds > BIG_COUNT) {
          tally.bad('malformed', 'getMore', 'the cursor never ended');
          break;
        }
        const more = await channel.command('getMore', { getMore: typeof id === 'number' ? channel.int64(id) : id, collection: BIG, batchSize: 7 });
        if (!okOrError(tally, 'getMore', more)) return;
        const batch = checkCursor(tally, 'getMore', more!, `${dbName}.${BIG}`, 'nextBatch');
        if (!batch) return;
        next = checkBigRun(tally, 'getMore', batch, next);
        id = (more!.cursor as Document).id;
      }
      if (next !== undefined && next !== BIG_COUNT) tally.bad('mismatched', 'getMore', `the cursor from i=${from} ended at i=${next}, expected ${BIG_COUNT}`);
      if (!isZeroCursorId(id)) await channel.command('killCursors', { killCursors: BIG, cursors: [id] });
    }],
    [8, 'count', async () => {
      const c = rng() < 0.5 ? BIG : pick(SMALL);
      const reply = await channel.command('count', { count: c, query: {} });
      if (!okOrError(tally, 'count', reply)) return;
      const n = num(reply!.n);
      if (n === undefined || !Number.isInteger(n)) tally.bad('malformed', 'count', `no count n: ${JSON.stringify(reply).slice(0, 200)}`);
      else if (c === BIG ? n !== BIG_COUNT : n < 1) tally.bad('mismatched', 'count', `count of ${c} = ${n}, expected ${c === BIG ? BIG_COUNT : 'at least 1 (its marker)'}`);
    }],
    [5, 'listCollections', async () => {
      const reply = await channel.command('listCollections', { listCollections: 1 });
      if (!okOrError(tally, 'listCollections', reply)) return;
      checkListCollections(tally, 'listCollections', reply!, [BIG, ...SMALL]);
    }],
  ];
  if (db) {
    // The driver's own helpers too: they read replies as the app's code does.
    ops.push(
      [8, 'findOne', async () => {
        const target = someKnown();
        if (!target) return;
        const [id, c] = target;
        try {
          const doc = await db.collection<{ _id: string }>(c).findOne({ _id: id });
          tally.reply('findOne');
          checkById(tally, 'findOne', doc ? [doc] : [], c, id, known.has(id));
        } catch (err) {
          driverFailure(tally, 'findOne', err);
        }
      }],
      [3, 'find batchSize 5', async () => {
        const from = Math.floor(rng() * BIG_COUNT);
        try {
          const docs = await db.collection(BIG).find({ i: { $gte: from } }).sort({ i: 1 }).batchSize(5).toArray();
          tally.reply('find batchSize 5');
          const end = checkBigRun(tally, 'find batchSize 5', docs, from);
          if (end !== undefined && end !== BIG_COUNT) tally.bad('mismatched', 'find batchSize 5', `from i=${from} the documents ended at i=${end}`);
        } catch (err) {
          driverFailure(tally, 'find batchSize 5', err);
        }
      }],
      [4, 'deleteMany w:0', async () => {
        const c = pick(SMALL);
        try {
          // Exactly what connect-mongo's interval sweep sent: deleteMany with { w: 0 }.
          await db.collection<{ _id: string }>(c).deleteMany({ _id: { $in: [`${c}:nothing:${seq++}`] } }, { writeConcern: { w: 0 } });
          tally.unacknowledged += 1;
        } catch (err) {
          driverFailure(tally, 'deleteMany w:0', err);
        }
      }],
      [3, 'insertMany', async () => {
        const c = pick(SMALL);
        const docs = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => newDoc(c));
        try {
          const result = await db.collection<{ _id: string }>(c).insertMany(docs);
          tally.reply('insertMany');
          if (result.insertedCount !== docs.length) tally.bad('mismatched', 'insertMany', `insertedCount ${result.insertedCount} for ${docs.length} documents`);
          else for (const d of docs) known.set(d._id, c);
        } catch (err) {
          driverFailure(tally, 'insertMany', err);
        }
      }],
    );
  }
  if (!unacknowledged) for (let i = ops.length - 1; i >= 0; i -= 1) if (/w:0|unacknowledged/.test(ops[i]![1])) ops.splice(i, 1);
  const total = ops.reduce((s, [w]) => s + w, 0);
  while (take(budget)) {
    // Keep each worker's own set of documents small, so finds stay cheap on a full-scan backend.
    let r = rng() * total;
    let op = ops[0]!;
    for (const candidate of ops) {
      r -= candidate[0];
      if (r < 0) {
        op = candidate;
        break;
      }
    }
    if (known.size > 60 && op[1] === 'insert') op = ops.find((o) => o[1] === 'delete')!;
    await op[2]();
  }
}

/** Empties the stress database and fills the large collection and the markers every small collection keeps. */
async function prepare(client: MongoClient, dbName: string): Promise<void> {
  const db = client.db(dbName);
  await db.dropDatabase();
  const docs = Array.from({ length: BIG_COUNT }, (_, i) => ({ _id: `${BIG}:${i}`, coll: BIG, i, pad: PAD }));
  for (let at = 0; at < docs.length; at += 100) await db.collection<{ _id: string }>(BIG).insertMany(docs.slice(at, at + 100));
  for (const c of SMALL) await db.collection<{ _id: string; coll: string; n: number }>(c).insertOne({ _id: `${c}:marker`, coll: c, n: 0 });
}

export async function runLauncherStress(options: LauncherStressOptions): Promise<LauncherStressResult> {
  assertLoopback(options.uri);
  const dbName = options.dbName ?? 'stress';
  const pools = options.pools ?? [1, 2, 4, 8];
  const workersPerClient = options.workersPerClient ?? 3;
  const rawConnections = options.rawConnections ?? 4;
  const url = new URL(options.uri);
  const clientOptions = { serverSelectionTimeoutMS: 10_000, socketTimeoutMS: 30_000, directConnection: true };

  const setup = new mongoose.mongo.MongoClient(options.uri, clientOptions);
  await setup.connect();
  await prepare(setup, dbName);
  await setup.close();

  const tally = new Tally();
  const budget: Budget = { deadline: Date.now() + options.durationMs, left: options.maxRequests };
  const clients = pools.map((size) => new mongoose.mongo.MongoClient(options.uri, { ...clientOptions, maxPoolSize: size, minPoolSize: 0 }));
  await Promise.all(clients.map((c) => c.connect()));
  const raws: RawChannel[] = [];
  const runs: Array<Promise<void>> = [];
  const started = Date.now();
  let workerId = 0;
  try {
    clients.forEach((client, k) => {
      const db = client.db(dbName);
      const channel = new DriverChannel(`driver pool ${pools[k]}`, db, tally);
      for (let w = 0; w < workersPerClient; w += 1) {
        const id = workerId++;
        runs.push(worker(channel, db, id, seededRandom(options.seed * 1000 + id), budget, tally, dbName, options.unacknowledged ?? true));
      }
    });
    for (let r = 0; r < rawConnections; r += 1) {
      const id = workerId++;
      const raw = new RawChannel(`raw connection ${r + 1}`, url.hostname, Number(url.port), dbName, tally, (r + 1) * 10_000_000);
      raws.push(raw);
      runs.push(worker(raw, undefined, id, seededRandom(options.seed * 1000 + id), budget, tally, dbName, options.unacknowledged ?? true));
    }
    await Promise.all(runs);
    await Promise.all(raws.map((r) => r.finish()));
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }
  return { tally, durationMs: Date.now() - started, requests: options.maxRequests - budget.left };
}
