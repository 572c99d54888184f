import { expect } from 'chai';
import mongoose from 'mongoose';
import type { Express } from 'express';
import { createApp, createServices, type Services } from '../../src/app.js';
import { createLogger } from '../../src/lib/logger.js';
import { testConfig, testServices } from '../helpers/app.js';
import { testClock, type TestClock } from '../helpers/clock.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, signIn, type Agent } from '../helpers/auth.js';
import { completeModule, publishFixture } from '../helpers/learning-fixture.js';
import { shardOf } from '../../src/components/reports/models.js';
import { monthKey } from '../../src/components/reports/time.js';

/**
 * The proven-model cache of the municipal report (`load()` in municipal.service.ts): outside tests
 * (cache TTL above 0) the last model whose suppression is proven is served while a new one is being
 * proven. Served figures may be a little older, never unproven, never from an earlier month, and a
 * model that cannot be built leaves the last proven one in service.
 *
 * One unit of 12 staff in one district, so every row of the export (municipality, district, type,
 * unit) carries the same counts and none is small enough to be hidden: 5 completed, 7 not started;
 * then 7 completed, 5 not started.
 */

const db = () => mongoose.connection.db!;

interface Counts {
  staff: string;
  completed: string;
  notStarted: string;
}

/** Counts of every row of the municipal CSV export's completion table (the effect section after it has rows of its own), by its level and name. */
function csvCounts(text: string): Map<string, Counts> {
  const rows = new Map<string, Counts>();
  const effect = text.indexOf('\r\nEffekt\r\n');
  for (const line of (effect < 0 ? text : text.slice(0, effect)).split('\r\n')) {
    const f = line.split(';');
    if (!['Kommunen', 'Bydel', 'Enhetstype', 'Enhet'].includes(f[0]!)) continue;
    rows.set(`${f[0]}|${f[1]}`, { staff: f[4]!, completed: f[5]!, notStarted: f[8]! });
  }
  return rows;
}

/** The export's counts when every row agrees (one model); fails the test when its rows disagree. */
function oneModelCounts(text: string): Counts {
  const rows = [...csvCounts(text).entries()];
  expect(rows.map(([level]) => level.split('|')[0]), text).to.include.members(['Kommunen', 'Bydel', 'Enhet']);
  for (const [level, counts] of rows) expect(counts, `${level} against Kommunen in\n${text}`).to.deep.equal(rows[0]![1]);
  return rows[0]![1];
}

const BEFORE: Counts = { staff: '12', completed: '5', notStarted: '7' };
const AFTER: Counts = { staff: '12', completed: '7', notStarted: '5' };

/** The month the export's period ends in (its file name), i.e. the last month of the model's window. */
function exportMonth(res: { headers: Record<string, string> }): string {
  const match = /tiltak-3-status-(\d{4}-\d{2})\.csv/.exec(res.headers['content-disposition'] ?? '');
  expect(match, res.headers['content-disposition']).to.not.equal(null);
  return match![1]!;
}

describe('http: the municipal report serves the last proven model while a new one is proven (report cache TTL above 0)', function () {
  this.timeout(180_000);
  let app: Express;
  let admin: Agent;
  let unit: string;
  let versionId: string;
  let staff: Array<{ id: string }>;
  let logLines: string[];
  let clock: TestClock;
  let services: Services;

  async function exportCsv() {
    const res = await admin.get('/kommune/rapport/eksport.csv');
    expect(res.status, res.text).to.equal(200);
    return res;
  }

  /** Exports until the figures are `expected` (the new proof has finished), for at most 30 s. */
  async function exportUntil(expected: Counts) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await exportCsv();
      const counts = oneModelCounts(res.text);
      if (JSON.stringify(counts) === JSON.stringify(expected) || Date.now() > deadline) return { res, counts };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeEach(async () => {
    await clearDatabase();
    logLines = [];
    // The app's own logger, written to memory, so the test can see what the report logs; and, as in
    // production, structure cached and the last proven model served while a new one is proven.
    const config = testConfig();
    const logger = createLogger('info', { write: (line: string) => void logLines.push(line) });
    clock = testClock();
    services = createServices({ config, logger, clock, reportCacheMs: 60_000 });
    app = await createApp({ config, logger, services });
    unit = await createUnit('Elvebakken barnehage', 'barnehage', 'Elvebyen');
    versionId = (await publishFixture({ slug: 'samtaler', small: true })).versionId!;
    staff = [];
    for (let i = 0; i < 12; i += 1) staff.push(await createUser({ name: `Ansatt ${i}`, memberships: [{ unitId: unit, role: 'ansatt' }] }));
    for (const person of staff.slice(0, 5)) await completeModule(person.id, unit, versionId, 'stale-before');
    admin = await signIn(app, (await createUser({ name: 'Kommune Admin', roles: ['municipal-admin'] })).email);
    // What the arrangement cached is forgotten: the test starts from nothing cached.
    services.reports.forgetStructure();
    services.reports.forgetMunicipalCaches();
  });

  // Learning's events would keep going to this app's report service, with its cache, until another
  // app is built: a service with the test defaults (real time, nothing cached) takes over.
  afterEach(() => testServices().reports.listen());

  it('municipal CSV, right after more completions, answers with the last proven figures, and with the new ones once they are proven', async () => {
    const first = await exportCsv();
    expect(oneModelCounts(first.text)).to.deep.equal(BEFORE);

    for (const person of staff.slice(5, 7)) await completeModule(person.id, unit, versionId, 'stale-after');
    const next = await exportCsv();

    // The new counts are stored; the export still shows the proven model of the old ones, whole.
    expect(oneModelCounts(next.text)).to.deep.equal(BEFORE);
    expect(await db().collection('completions').countDocuments({})).to.equal(7);
    const { counts } = await exportUntil(AFTER);
    expect(counts).to.deep.equal(AFTER);
    expect(oneModelCounts((await admin.get('/kommune/rapport/eksport.csv')).text)).to.deep.equal(AFTER);
  });

  it('municipal CSV, after the month turns, never serves the proven model of the earlier month', async () => {
    // Real time until the month turns: a fixed clock would put the new completions in its future.
    const thisMonth = exportMonth(await exportCsv());
    expect(thisMonth).to.equal(monthKey(new Date()));
    // Within the month the stale path is live: a change is first answered from the proven model.
    for (const person of staff.slice(5, 7)) await completeModule(person.id, unit, versionId, 'stale-after');
    expect(oneModelCounts((await exportCsv()).text)).to.deep.equal(BEFORE);
    const proven = await exportUntil(AFTER);
    expect(proven.counts).to.deep.equal(AFTER);
    expect(exportMonth(proven.res)).to.equal(thisMonth);

    const [year, month] = thisMonth.split('-').map(Number);
    const nextMonth = new Date(Date.UTC(year!, month!, 15, 12));
    clock.set(nextMonth);
    const res = await exportCsv();

    expect(exportMonth(res)).to.equal(monthKey(nextMonth));
    expect(exportMonth(res)).to.not.equal(thisMonth);
    expect(oneModelCounts(res.text)).to.deep.equal(AFTER);
  });

  it('municipal CSV, when the new model cannot be built, keeps serving the last proven one and logs the error', async () => {
    expect(oneModelCounts((await exportCsv()).text)).to.deep.equal(BEFORE);
    // Counts the model cannot be built from: the unit's trend history is no object. Written as a new
    // version of its shard, as a roster change would, so the report reads it as new data.
    const shard = shardOf(unit);
    const doc = (await db().collection('report_totals').findOne({ _id: shard as never }))!;
    const data = JSON.parse(doc.data as string) as { units: Record<string, { rv: number; t: { h: unknown } }> };
    data.units[unit]!.t.h = null;
    await db().collection('report_totals').updateOne({ _id: shard as never }, { $set: { data: JSON.stringify(data) }, $inc: { v: 1 } });
    await db().collection('report_totals').updateOne({ _id: 'head' as never }, { $max: { [`shards.${shard}`]: (doc.v as number) + 1 } });

    const responses = [];
    for (let i = 0; i < 3; i += 1) {
      responses.push(await exportCsv());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    for (const res of responses) expect(oneModelCounts(res.text)).to.deep.equal(BEFORE);
    const errors = logLines.map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } }).filter((l) => l.msg === 'report model could not be built; the last proven one is served');
    expect(errors.length, logLines.join('')).to.be.at.least(1);
    expect(errors[0]!.level).to.equal(50);
    expect(errors[0]!.err?.message).to.match(/null/);
  });
});
