import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import { createLogger } from '../../src/lib/logger.js';
import { EmbeddedServer, EmbeddedDatabaseError } from '../../src/db/index.js';
import { installReadRetry, isUnacknowledgedWrite, unacknowledgedWriteCount } from '../../src/db/connection.js';
import { sweepExpiredSessions, readStoredSession } from '../../src/web/session.js';
import { createApp } from '../../src/app.js';
import { clearDatabase, testDatabase, TEST_DB_NAME } from '../helpers/database.js';
import { buildTestApp, testConfig } from '../helpers/app.js';
import { createUnit, createUser, signIn } from '../helpers/auth.js';
import { editStoredSession, sessions, storedSession } from '../helpers/stored-session.js';
import { WireFaultProxy } from '../helpers/wire-fault-proxy.js';

/** A logger whose lines the test can read. */
function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('debug', stream), lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function launcherUri(): string {
  const { embedded } = testDatabase();
  if (!embedded) throw new Error('these tests need the embedded database (MONGODB_URI is set)');
  return embedded.uri + TEST_DB_NAME;
}

describe('Embedded database: every reply belongs to its request (issue 14)', function () {
  this.timeout(60_000);
  beforeEach(clearDatabase);

  it('the launcher, an unacknowledged write on a one-connection pool: later reads get their own documents', async () => {
    const client = new mongoose.mongo.MongoClient(launcherUri(), { maxPoolSize: 1, minPoolSize: 1 });
    try {
      const db = client.db();
      await db.collection('a').insertOne({ _id: 'doc-a', secret: 'A' } as never);
      await db.collection('b').insertOne({ _id: 'doc-b', secret: 'B' } as never);
      await db.collection('a').deleteMany({ _id: 'nothing' } as never, { writeConcern: { w: 0 } });
      for (let round = 0; round < 3; round++) {
        expect(await db.collection('b').findOne({ _id: 'doc-b' } as never)).to.deep.equal({ _id: 'doc-b', secret: 'B' });
        expect(await db.collection('a').findOne({ _id: 'doc-a' } as never)).to.deep.equal({ _id: 'doc-a', secret: 'A' });
      }
      // and the unacknowledged delete itself was carried out
      await db.collection('a').insertOne({ _id: 'gone' } as never);
      await db.collection('a').deleteOne({ _id: 'gone' } as never, { writeConcern: { w: 0 } });
      expect(await db.collection('a').countDocuments({ _id: 'gone' } as never)).to.equal(0);
    } finally {
      await client.close();
    }
  });

  it('the launcher, many unacknowledged writes among reads on several connections: no reply is another request\'s', async () => {
    const client = new mongoose.mongo.MongoClient(launcherUri(), { maxPoolSize: 4 });
    try {
      const db = client.db();
      const names = ['x1', 'x2', 'x3'];
      for (const name of names) await db.collection(name).insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: `${name}-${i}`, from: name })) as never);
      const work = Array.from({ length: 300 }, async (_, i) => {
        const name = names[i % names.length]!;
        if (i % 5 === 0) {
          await db.collection(name).updateOne({ _id: `${name}-${i % 20}` } as never, { $inc: { n: 1 } }, { writeConcern: { w: 0 } });
          return;
        }
        const id = `${name}-${i % 20}`;
        const doc = await db.collection(name).findOne({ _id: id } as never);
        expect(doc?._id, `find ${id}`).to.equal(id);
        expect(doc?.from).to.equal(name);
      });
      await Promise.all(work);
    } finally {
      await client.close();
    }
  });

  it('the guard: a w: 0 write is recognised from the driver\'s own command event, and the app has sent none', async () => {
    const client = new mongoose.mongo.MongoClient(launcherUri(), { maxPoolSize: 1, monitorCommands: true });
    const seen: boolean[] = [];
    client.on('commandStarted', (event) => {
      if (event.commandName === 'delete') seen.push(isUnacknowledgedWrite(event.command));
    });
    try {
      await client.db().collection('c').deleteMany({}, { writeConcern: { w: 0 } });
      await client.db().collection('c').deleteMany({});
    } finally {
      await client.close();
    }
    expect(seen).to.deep.equal([true, false]);
    // The app's own connection (every test of this run so far, and the periodic sweep below).
    await sweepExpiredSessions();
    expect(unacknowledgedWriteCount()).to.equal(0);
  });

  it('the app after the session sweep: each of two signed-in people keeps getting their own pages', async () => {
    const app = await buildTestApp();
    const unitId = await createUnit('Krysstale barnehage');
    const ada = await createUser({ name: 'Ada Krysstale', memberships: [{ unitId, role: 'ansatt' }] });
    const bo = await createUser({ name: 'Bo Krysstale', memberships: [{ unitId, role: 'ansatt' }] });
    const adaAgent = await signIn(app, ada.email);
    const boAgent = await signIn(app, bo.email);
    await sessions().insertMany(Array.from({ length: 5 }, (_, i) => ({ _id: `expired-${i}`, expires: new Date(Date.now() - 1000), session: '{"cookie":{}}' })));

    expect(await sweepExpiredSessions()).to.equal(5);
    const pages = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? boAgent : adaAgent).get('/mine-data').then((res) => ({ i, res }))),
    );
    for (const { i, res } of pages) {
      expect(res.status).to.equal(200);
      expect(res.text).to.contain(i % 2 ? 'Bo Krysstale' : 'Ada Krysstale');
      expect(res.text).not.to.contain(i % 2 ? 'Ada Krysstale' : 'Bo Krysstale');
    }
    expect(await sessions().countDocuments({})).to.equal(2);
  });

  for (const [what, damage] of [
    ['has no session field', { $unset: { session: '' } }],
    ['holds text that is not JSON', { $set: { session: 'not json {' } }],
    ['holds JSON that is not a session', { $set: { session: '[1,2,3]' } }],
    ['holds a number', { $set: { session: 42 } }],
  ] as const) {
    it(`an unreadable stored session (${what}) is no session: the person signs in again, no 500, and it is logged`, async () => {
      const { logger, lines } = capturingLogger();
      const app = await createApp({ config: testConfig(), logger });
      const unitId = await createUnit('Uleselig barnehage');
      const person = await createUser({ memberships: [{ unitId, role: 'ansatt' }] });
      const agent = await signIn(app, person.email);
      const stored = await storedSession(person.id);
      await editStoredSession(stored._id, damage as never);

      const res = await agent.get('/mine-data');
      expect(res.status).to.equal(302);
      expect(res.headers.location).to.match(/^\/logg-inn/);
      expect(lines().some((l) => l.msg === 'unreadable session document; treated as no session')).to.equal(true);
      expect(JSON.stringify(lines())).not.to.contain(stored._id);
      // and signing in again works
      const again = await signIn(app, person.email);
      expect((await again.get('/mine-data')).status).to.equal(200);
    });
  }

  it('a stored session is read only when it is this session\'s own document', () => {
    const session = JSON.stringify({ cookie: { originalMaxAge: 1 }, passport: { user: 'u1' } });
    expect(readStoredSession('sid-1', { _id: 'sid-1', session })).to.have.nested.property('passport.user', 'u1');
    expect(readStoredSession('sid-1', { _id: 'sid-2', session })).to.equal(undefined);
    expect(readStoredSession('sid-1', { _id: 'sid-1', session: JSON.stringify({ passport: {} }) })).to.equal(undefined);
  });

  it('a malformed reply to a read is retried once and logged; a second one in a row is an error', async () => {
    const { embedded } = testDatabase();
    if (!embedded) throw new Error('needs the embedded database');
    const port = Number(new URL(embedded.uri).port);
    const proxy = new WireFaultProxy({ host: '127.0.0.1', port });
    const proxyPort = await proxy.start();
    const { logger, lines } = capturingLogger();
    // A second mongoose connection through the proxy; the retry is installed on mongoose itself.
    const previousLogger = installReadRetry(logger);
    const conn = await mongoose.createConnection(`mongodb://127.0.0.1:${proxyPort}/${TEST_DB_NAME}`, { maxPoolSize: 1 }).asPromise();
    try {
      const Thing = conn.model('CrosstalkThing', new mongoose.Schema({ _id: String, name: String }), 'crosstalk_things');
      await Thing.create({ _id: 't1', name: 'first' });

      proxy.corruptNext('find');
      const found = await Thing.findOne({ _id: 't1' }).lean();
      expect(found?.name).to.equal('first');
      expect(proxy.corrupted.get('find')).to.equal(1);
      const logged = lines().find((l) => l.msg === 'malformed database reply to a read; retrying once');
      expect(logged).to.include({ op: 'findOne', collection: 'crosstalk_things' });

      proxy.corruptNext('find', 2);
      let failure: unknown;
      await Thing.findOne({ _id: 't1' }).lean().catch((err: unknown) => (failure = err));
      expect(failure).to.be.instanceOf(mongoose.mongo.MongoUnexpectedServerResponseError);
    } finally {
      if (previousLogger) installReadRetry(previousLogger);
      await conn.close();
      await proxy.stop();
    }
  });
});

describe('Embedded database: one launcher per data directory (issue 14)', function () {
  this.timeout(120_000);
  let dir: string;
  let owner: EmbeddedServer | undefined;
  const silent = createLogger('silent');

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-owner-'));
  });
  afterEach(async () => {
    await owner?.stop();
    owner = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second app on the same directory is refused with a clear message; a command-line tool uses the running launcher', async () => {
    owner = new EmbeddedServer({ dataDir: dir, logger: silent });
    const uri = await owner.start();

    let refused: unknown;
    await new EmbeddedServer({ dataDir: dir, logger: silent }).start().catch((err: unknown) => (refused = err));
    expect(refused).to.be.instanceOf(EmbeddedDatabaseError);
    expect((refused as Error).message).to.contain(`The data directory ${dir} is already in use by another Fellesskap process`);

    const tool = new EmbeddedServer({ dataDir: dir, logger: silent, shareRunning: true });
    expect(await tool.start()).to.equal(uri);
    expect(tool.isShared).to.equal(true);
    await tool.stop();
    // the tool's stop left the app's database running
    const client = new mongoose.mongo.MongoClient(uri + 'x', { serverSelectionTimeoutMS: 2000 });
    try {
      expect((await client.db().admin().command({ ping: 1 })).ok).to.equal(1);
    } finally {
      await client.close();
    }
  });

  it('a launcher started on a directory another launcher holds (its record removed) exits, and the app says why', async () => {
    owner = new EmbeddedServer({ dataDir: dir, logger: silent });
    await owner.start();
    rmSync(path.join(dir, '.launcher.json'));
    let refused: unknown;
    await new EmbeddedServer({ dataDir: dir, logger: silent, shareRunning: true }).start().catch((err: unknown) => (refused = err));
    expect((refused as Error | undefined)?.message).to.contain('is already in use by another Fellesskap process');
  });

  it('readiness says 503 while the launcher reports a stuck write', async () => {
    const launcher: { problem?: string } = {};
    const app = await createApp({ config: testConfig(), logger: silent, writePathProblem: () => launcher.problem });
    expect((await request(app).get('/readyz')).status).to.equal(200);
    launcher.problem = 'a write on app.x is stuck';
    const res = await request(app).get('/readyz');
    expect(res.status).to.equal(503);
    expect(res.body).to.deep.equal({ status: 'unavailable', reason: 'write path stuck' });
  });
});
