import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { clearDatabase, testDatabase } from '../helpers/database.js';
import { dumpDatabase, loadJsonLines, nativeDb } from '../helpers/dump.js';
import { runCliOnTestDatabase, startServerProcess, waitFor } from '../helpers/process.js';
import { findFreePort } from '../../src/db/index.js';
import { paths } from '../../src/config/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { assignmentsFor, unitAssignmentRecords } from '../../src/components/assignments/index.js';
import { UserModel } from '../../src/components/accounts/index.js';
import {
  MIGRATIONS,
  MigrationLockError,
  NewerDatabaseError,
  acquireMigrationLock,
  latestMigration,
  migrationStatus,
  revertMigrations,
  runMigrations,
  tryAcquire,
  type Migration,
} from '../../src/migrations/index.js';
import { parseArgs } from '../../src/cli/db-migrate.js';

const OLD_FIXTURE = path.join(paths.root, 'test', 'fixtures', 'old-database');
const logger = createLogger('silent');
/** Bookkeeping of the migration machinery itself, not data a migration changes. */
// Not data: the migrations' own records, and the cache revocations a write to people announces (src/lib/revocations.ts).
const BOOKKEEPING = new Set(['migrations', 'migration_lock', 'revocations']);

const runMigrateCli = (args: string[]) => runCliOnTestDatabase('src/cli/db-migrate.ts', args);

async function dropBookkeeping(): Promise<void> {
  for (const name of BOOKKEEPING) await nativeDb().collection(name).deleteMany({});
}

describe('migrations', function () {
  this.timeout(60_000);

  beforeEach(async () => {
    await clearDatabase();
    await dropBookkeeping();
  });

  it('migration files: every numbered file under src/migrations is in the list, in order, named as its file', () => {
    const files = readdirSync(path.join(paths.root, 'src', 'migrations'))
      .filter((f) => /^\d{4}-.*\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(MIGRATIONS.map((m) => m.name)).to.deep.equal(files);
    for (const file of files) {
      const source = readFileSync(path.join(paths.root, 'src', 'migrations', `${file}.ts`), 'utf8');
      expect(source, file).to.contain(`name: '${file}',`);
    }
  });

  it('old database (0.1 fixture): npm start\'s migrations bring it to today\'s shape and record it', async () => {
    await loadJsonLines(nativeDb(), OLD_FIXTURE);
    expect((await migrationStatus()).level).to.equal(null);
    expect(await unitAssignmentRecords('64f000000000000000000101'), 'no unit lists before').to.deep.equal([]);

    const applied = await runMigrations({ logger });

    expect(applied).to.deep.equal(MIGRATIONS.map((m) => m.name));
    const status = await migrationStatus();
    expect(status).to.deep.include({ level: latestMigration(), pending: [], unknown: [] });
    // 0001: each unit's list holds its assignments, as the leader's dashboard reads them.
    const solsikken = await unitAssignmentRecords('64f000000000000000000101');
    expect(solsikken.map((a) => a.id).sort()).to.deep.equal(['a-old-people-1', 'a-old-unit-1']);
    expect((await unitAssignmentRecords('64f000000000000000000102')).map((a) => a.id)).to.deep.equal(['a-old-unit-2']);
    // What staff see is unchanged by the migration.
    const mine = await assignmentsFor({ id: '64f000000000000000000202', memberOf: ['64f000000000000000000101'] });
    expect(mine.map((a) => a.moduleSlug).sort()).to.deep.equal(['inkludering-grunnkurs', 'relasjoner']);
    // 0002: everyone has a status; a stored one is kept.
    const statuses = Object.fromEntries((await UserModel.find({}, { email: 1, status: 1 }).lean()).map((u) => [u.email, u.status]));
    expect(statuses).to.deep.equal({ 'leder@old.example': 'active', 'ansatt@old.example': 'active', 'laerer@old.example': 'deactivated' });
    expect(await UserModel.countDocuments({ status: 'active' })).to.equal(2);
    // A second start finds nothing to do.
    expect(await runMigrations({ logger })).to.deep.equal([]);
  });

  it('npm start on the old database: migrates it before it listens', async () => {
    await loadJsonLines(nativeDb(), OLD_FIXTURE);
    const port = await findFreePort();
    const server = startServerProcess({ NODE_ENV: 'test', MONGODB_URI: testDatabase().uri, PORT: String(port), SEED_DEMO: 'false' });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 60_000, 'start');
      // The log lines come through a pipe of their own: wait until they are all in.
      await waitFor(async () => server.output().includes('Fellesskap is listening'), 10_000, 'the listening line');
      const messages = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => (JSON.parse(l) as { msg: string }).msg);
      const migrated = messages.indexOf('database migrated');
      expect(migrated, messages.join(' | ')).to.be.greaterThan(-1);
      expect(migrated).to.be.lessThan(messages.indexOf('Fellesskap is listening'));
      expect((await migrationStatus()).pending).to.deep.equal([]);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('every migration: up twice leaves the same data as up once (a crash before it was recorded is safe)', async () => {
    for (const migration of MIGRATIONS) {
      await clearDatabase();
      await loadJsonLines(nativeDb(), OLD_FIXTURE);
      await migration.up({ logger });
      const once = await dumpDatabase(nativeDb(), BOOKKEEPING);
      await migration.up({ logger });
      expect(await dumpDatabase(nativeDb(), BOOKKEEPING), migration.name).to.deep.equal(once);
    }
  });

  it('every migration with a down: up then down gives back the data it started from', async () => {
    const reversible = MIGRATIONS.filter((m) => m.down);
    expect(reversible.length).to.be.greaterThan(0);
    for (const migration of reversible) {
      await clearDatabase();
      await loadJsonLines(nativeDb(), OLD_FIXTURE);
      const before = await dumpDatabase(nativeDb(), BOOKKEEPING);
      await migration.up({ logger });
      await migration.down!({ logger });
      expect(await dumpDatabase(nativeDb(), BOOKKEEPING), migration.name).to.deep.equal(before);
    }
  });

  it('revert: --down undoes the newest migration and records it as pending again; one without down is refused', async () => {
    const undone: string[] = [];
    const reversible = (name: string): Migration => ({ name, up: async () => {}, down: async () => void undone.push(name) });
    const migrations = [reversible('0001-a'), reversible('0002-b'), { name: '0003-c', up: async () => {} }];
    await runMigrations({ logger, migrations });
    let error: unknown;
    await revertMigrations({ logger, migrations }).catch((err: unknown) => (error = err));
    expect((error as Error).message).to.contain('0003-c cannot be undone');
    expect((await migrationStatus({ migrations })).executed).to.deep.equal(['0001-a', '0002-b', '0003-c']);

    await nativeDb().collection('migrations').deleteOne({ _id: '0003-c' as never });
    expect(await revertMigrations({ logger, migrations })).to.deep.equal(['0002-b']);
    expect(await migrationStatus({ migrations })).to.deep.include({ level: '0001-a', pending: ['0002-b', '0003-c'] });
    expect(await revertMigrations({ logger, migrations, to: '0001-a' })).to.deep.equal(['0001-a']);
    expect(undone).to.deep.equal(['0002-b', '0001-a']);
  });

  it('a database migrated by a newer version: start refuses with a line saying what to do, nothing applied', async () => {
    await nativeDb().collection<{ _id: string; appliedAt: Date }>('migrations').insertOne({ _id: '9999-from-the-future', appliedAt: new Date() });
    let error: unknown;
    await runMigrations({ logger }).catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(NewerDatabaseError);
    expect((error as Error).message).to.contain('9999-from-the-future').and.to.contain('newer version of Fellesskap');
    expect((await migrationStatus()).pending).to.deep.equal(MIGRATIONS.map((m) => m.name));
    expect(await nativeDb().collection('migration_lock').countDocuments({}), 'lock released').to.equal(0);
  });

  it('a migration that fails: the start stops with its reason, earlier ones stay recorded, the lock is released', async () => {
    const migrations: Migration[] = [
      { name: '0001-fine', up: async () => {} },
      { name: '0002-breaks', up: async () => { throw new Error('disk I/O error (10)'); } },
      { name: '0003-after', up: async () => {} },
    ];
    let error: unknown;
    await runMigrations({ logger, migrations }).catch((err: unknown) => (error = err));
    expect((error as Error).message).to.contain('0002-breaks').and.to.contain('disk I/O error (10)');
    expect(await migrationStatus({ migrations })).to.deep.include({ executed: ['0001-fine'], pending: ['0002-breaks', '0003-after'] });
    expect(await nativeDb().collection('migration_lock').countDocuments({})).to.equal(0);
  });

  it('lock: of eight instances trying at once exactly one gets it; an expired lock can be taken over', async () => {
    const owners = Array.from({ length: 8 }, (_, i) => `instance-${i}`);
    const results = await Promise.all(owners.map((o) => tryAcquire(o, 60_000)));
    expect(results.filter(Boolean)).to.have.length(1);
    const winner = owners[results.indexOf(true)]!;
    expect(await tryAcquire('late-comer', 60_000)).to.equal(false);
    expect(await tryAcquire(winner, 60_000), 'the holder may renew').to.equal(true);
    // The holder died: one minute later its lock has expired and another may take it.
    expect(await tryAcquire('late-comer', 60_000, new Date(Date.now() + 61_000))).to.equal(true);
  });

  it('lock: waiting ends with a message naming the holder', async () => {
    const held = await acquireMigrationLock({ owner: 'other-instance', ttlMs: 60_000 });
    try {
      let error: unknown;
      await acquireMigrationLock({ owner: 'me', waitMs: 300, pollMs: 50 }).catch((err: unknown) => (error = err));
      expect(error).to.be.instanceOf(MigrationLockError);
      expect((error as Error).message).to.contain('Another instance is migrating').and.to.contain('other-instance');
    } finally {
      await held.release();
    }
    const mine = await acquireMigrationLock({ owner: 'me', waitMs: 300, pollMs: 50 });
    await mine.release();
  });

  it('parallel starts: four instances migrating at once run every migration exactly once', async () => {
    const runs: string[] = [];
    const slow = (name: string): Migration => ({
      name,
      async up() {
        runs.push(name);
        await new Promise((resolve) => setTimeout(resolve, 100));
      },
    });
    const migrations = [slow('0001-a'), slow('0002-b'), slow('0003-c')];
    const results = await Promise.all(Array.from({ length: 4 }, () => runMigrations({ logger, migrations, lock: { pollMs: 25, waitMs: 30_000 } })));
    expect(runs).to.deep.equal(['0001-a', '0002-b', '0003-c']);
    expect(results.flat().sort()).to.deep.equal(['0001-a', '0002-b', '0003-c']);
    expect((await migrationStatus({ migrations })).executed).to.deep.equal(['0001-a', '0002-b', '0003-c']);
  });

  it('db:migrate arguments: none, --status, --down, --down --to NAME; anything else is refused', () => {
    expect(parseArgs([])).to.deep.equal({ action: 'up' });
    expect(parseArgs(['--status'])).to.deep.equal({ action: 'status' });
    expect(parseArgs(['--down'])).to.deep.equal({ action: 'down' });
    expect(parseArgs(['--down', '--to', MIGRATIONS[0]!.name])).to.deep.equal({ action: 'down', to: MIGRATIONS[0]!.name });
    for (const bad of [['--force'], ['--status', '--down'], ['--down', '--to'], ['--down', '--to', '0000-nope'], ['up']]) expect(parseArgs(bad), bad.join(' ')).to.equal(null);
  });

  it('npm run db:migrate -- --status, then db:migrate: lists pending, applies, then reports up to date', async () => {
    await loadJsonLines(nativeDb(), OLD_FIXTURE);
    const before = await runMigrateCli(['--status']);
    expect(before.code, before.stderr).to.equal(0);
    for (const m of MIGRATIONS) expect(before.stdout).to.match(new RegExp(`pending\\s+${m.name}`));
    expect(before.stdout).to.contain(`level (none), 0 applied, ${MIGRATIONS.length} pending`);
    expect((await migrationStatus()).executed, '--status changes nothing').to.deep.equal([]);

    const run = await runMigrateCli([]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain(`db:migrate: ${MIGRATIONS.length} migration(s) applied`);
    const after = await runMigrateCli(['--status']);
    expect(after.stdout).to.contain(`level ${latestMigration()}, ${MIGRATIONS.length} applied, 0 pending`);
    const bad = await runMigrateCli(['--force']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('usage: npm run db:migrate');
  });
});
