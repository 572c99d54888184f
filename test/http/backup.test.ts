import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { clearDatabase, testDatabase } from '../helpers/database.js';
import { testConfig } from '../helpers/app.js';
import { createServices } from '../../src/app.js';
import { dumpDatabase, nativeDb } from '../helpers/dump.js';
import { prng } from '../helpers/prng.js';
import { runCommand } from '../helpers/process.js';
import { createLogger } from '../../src/lib/logger.js';
import { seedDemoData } from '../../src/seed/index.js';
import { MIGRATIONS, migrationStatus, runMigrations } from '../../src/migrations/index.js';
import { appVersion, BackupError, exportDatabase, importArchive, NOT_EXPORTED, verifyArchive } from '../../src/backup/index.js';

const { Binary, Double, Int32, Long, ObjectId } = mongoose.mongo;
const logger = createLogger('silent');
const RESTORE_DB = 'fellesskap_test_restore';
const KNOWN = MIGRATIONS.map((m) => m.name);

function restoreDb(): mongoose.mongo.Db {
  return mongoose.connection.getClient().db(RESTORE_DB);
}

const TEXTS = ['', 'Solsikken barnehage', 'æøå ÆØÅ', 'linje 1\nlinje 2\r\n', '"sitat" \\ tab\t', '😀 emoji', '{"$oid":"not-an-id"}', ' '.repeat(3)];

/** A value of a random BSON type the embedded database and MongoDB both store (FerretDB v1: no arrays directly in arrays). */
function randomValue(rand: () => number, depth: number, inArray = false): unknown {
  const pick = Math.floor(rand() * (depth > 2 ? 9 : 11));
  if (pick === 9 && inArray) return randomValue(rand, depth, inArray);
  switch (pick) {
    case 0: return TEXTS[Math.floor(rand() * TEXTS.length)];
    case 1: return new Int32(Math.floor(rand() * 2 ** 31) * (rand() < 0.5 ? -1 : 1));
    case 2: return new Double(rand() < 0.2 ? 3 : rand() * 1e6 - 5e5);
    case 3: return Long.fromNumber(Math.floor(rand() * 2 ** 52) * (rand() < 0.5 ? -1 : 1));
    case 4: return new Date(Math.floor(rand() * 4e12));
    case 5: return new ObjectId(Math.floor(rand() * 2 ** 31).toString(16).padStart(24, '0'));
    case 6: return rand() < 0.5;
    case 7: return null;
    case 8: return new Binary(Buffer.from(Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 256))));
    case 9: return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1, true));
    default: return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, (_, i) => [`k${i}`, randomValue(rand, depth + 1)]));
  }
}

function runCli(script: string, args: string[], dbName: string): ReturnType<typeof runCommand> {
  return runCommand(script, args, { NODE_ENV: 'test', MONGODB_URI: testDatabase().uri.replace(/\/[^/?]+(\?|$)/, `/${dbName}$1`) });
}

async function refusal(promise: Promise<unknown>): Promise<BackupError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'refused').to.be.instanceOf(BackupError);
  return err as BackupError;
}

describe('db:export and db:import', function () {
  // The round trip seeds the demo municipality first (about 440 people and a year of history).
  this.timeout(600_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-backup-test-'));
  });

  after(async () => {
    await restoreDb().dropDatabase();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await clearDatabase();
    await nativeDb().collection('migrations').deleteMany({});
    await restoreDb().dropDatabase();
  });

  it('round trip of the demo municipality: every document equal in a fresh database, manifest counts and level right', async () => {
    await runMigrations({ logger });
    // A production config only so the demo logins are not printed into the test output.
    const config = testConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) });
    await seedDemoData(config, logger, createServices({ config, logger }).reports);
    const file = path.join(dir, 'demo.tar.gz');
    const { executed } = await migrationStatus();
    const manifest = await exportDatabase(nativeDb(), file, { appVersion: appVersion(), migrations: executed });
    const source = await dumpDatabase(nativeDb(), NOT_EXPORTED);
    expect(Object.keys(source)).to.include.members(['users', 'units', 'modules', 'module_versions', 'assignments', 'migrations']);
    expect(manifest).to.deep.include({ migrationLevel: KNOWN[KNOWN.length - 1], migrations: KNOWN });
    expect(manifest.app.version).to.equal(appVersion());
    for (const c of manifest.collections) expect(c.count, c.name).to.equal(source[c.name]?.length ?? 0);

    const restored = await importArchive(restoreDb(), file, { knownMigrations: KNOWN });
    expect(restored.collections).to.deep.equal(manifest.collections);
    const target = await dumpDatabase(restoreDb(), NOT_EXPORTED);
    expect(Object.keys(target).sort()).to.deep.equal(Object.keys(source).sort());
    for (const name of Object.keys(source)) expect(target[name], name).to.deep.equal(source[name]);
  });

  it('seeded random documents of every BSON type (Int32, Double, Long, Date, ObjectId, Binary, nested): come back with the same types', async () => {
    for (const seed of [1, 2, 3, 42, 2026]) {
      const rand = prng(seed);
      await clearDatabase();
      await restoreDb().dropDatabase();
      const docs = Array.from({ length: 60 }, (_, i) => ({ _id: i % 3 === 0 ? new ObjectId() : `doc-${seed}-${i}`, ...Object.fromEntries(Array.from({ length: 6 }, (_, k) => [`f${k}`, randomValue(rand, 0)])) }));
      await nativeDb().collection('property_docs').insertMany(docs as never[]);
      const file = path.join(dir, `random-${seed}.tar.gz`);
      await exportDatabase(nativeDb(), file, { appVersion: '0.0.0', migrations: [] });
      await importArchive(restoreDb(), file, { knownMigrations: KNOWN });
      expect(await dumpDatabase(restoreDb()), `seed ${seed}`).to.deep.equal(await dumpDatabase(nativeDb(), NOT_EXPORTED));
      await nativeDb().collection('property_docs').drop();
    }
  });

  it('a database that holds data: refused, naming what is in it, and nothing written', async () => {
    await nativeDb().collection('units').insertOne({ name: 'Eksportskolen' });
    const file = path.join(dir, 'small.tar.gz');
    await exportDatabase(nativeDb(), file, { appVersion: '0.1.0', migrations: KNOWN });
    await restoreDb().collection('users').insertOne({ email: 'finnes@test.example' });
    const err = await refusal(importArchive(restoreDb(), file, { knownMigrations: KNOWN }));
    expect(err.message).to.contain('The database is not empty: users (1)').and.to.contain('empty database');
    expect(await restoreDb().collection('units').countDocuments({})).to.equal(0);
  });

  it('an archive from a newer version (a migration this version does not know): refused before anything is written', async () => {
    await nativeDb().collection('units').insertOne({ name: 'Framtidsskolen' });
    const file = path.join(dir, 'newer.tar.gz');
    await exportDatabase(nativeDb(), file, { appVersion: '9.0.0', migrations: [...KNOWN, '9999-from-the-future'] });
    const err = await refusal(importArchive(restoreDb(), file, { knownMigrations: KNOWN }));
    expect(err.message).to.contain('newer version of Fellesskap (9.0.0').and.to.contain('9999-from-the-future').and.to.contain('Upgrade Fellesskap');
    expect(await restoreDb().collection('units').countDocuments({})).to.equal(0);
  });

  it('a damaged or altered archive, or a file that is not one: refused with what is wrong, nothing written', async () => {
    for (let i = 0; i < 50; i += 1) await nativeDb().collection('units').insertOne({ name: `Enhet ${i}` });
    const file = path.join(dir, 'good.tar.gz');
    await exportDatabase(nativeDb(), file, { appVersion: '0.1.0', migrations: [] });
    const tarBytes = gunzipSync(readFileSync(file));
    // Altered: one document's text changed, the manifest left as it was.
    const altered = Buffer.from(tarBytes.toString('latin1').replace('Enhet 7"', 'Enhet 8"'), 'latin1');
    writeFileSync(path.join(dir, 'altered.tar.gz'), gzipSync(altered));
    // Truncated: the compressed file cut in half.
    const whole = readFileSync(file);
    writeFileSync(path.join(dir, 'truncated.tar.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
    writeFileSync(path.join(dir, 'not-an-archive.tar.gz'), 'navn;e-post\n');
    const cases: Array<[string, RegExp]> = [
      ['altered.tar.gz', /does not match its checksum in the manifest.*Nothing was imported/],
      ['truncated.tar.gz', /not a Fellesskap backup|incomplete|damaged/],
      ['not-an-archive.tar.gz', /is not a Fellesskap backup/],
      ['missing.tar.gz', /There is no file .*missing\.tar\.gz/],
    ];
    for (const [name, message] of cases) {
      const err = await refusal(importArchive(restoreDb(), path.join(dir, name), { knownMigrations: KNOWN }));
      expect(err.message, name).to.match(message);
      expect(await restoreDb().collection('units').countDocuments({}), name).to.equal(0);
    }
    expect((await verifyArchive(file)).collections.find((c) => c.name === 'units')?.count).to.equal(50);
  });

  it('npm run db:export -- --out FILE and npm run db:import -- FILE: a round trip between two databases; a second import is refused', async () => {
    await runMigrations({ logger });
    for (let i = 0; i < 20; i += 1) await nativeDb().collection('units').insertOne({ name: `Enhet ${i}`, type: 'skole' });
    const file = path.join(dir, 'cli.tar.gz');
    const exported = await runCli('src/cli/db-export.ts', ['--out', file], 'fellesskap_test');
    expect(exported.code, exported.stderr).to.equal(0);
    expect(exported.stdout).to.match(/db:export: \d+ documents in \d+ collections written to/);
    expect(exported.stdout).to.contain(`migration level ${KNOWN[KNOWN.length - 1]}`);
    const imported = await runCli('src/cli/db-import.ts', [file], RESTORE_DB);
    expect(imported.code, imported.stderr).to.equal(0);
    expect(imported.stdout).to.match(/db:import: \d+ documents in \d+ collections restored/);
    expect(await restoreDb().collection('units').countDocuments({})).to.equal(20);
    const again = await runCli('src/cli/db-import.ts', [file], RESTORE_DB);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/db:import: The database is not empty: .*units \(20\)/);
    const usage = await runCli('src/cli/db-import.ts', [], RESTORE_DB);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.contain('usage: npm run db:import -- FILE');
  });
});
