import { expect } from 'chai';
import request from 'supertest';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import type { Express } from 'express';
import { buildTestApp, testConfig } from '../helpers/app.js';
import { createApp, createServices } from '../../src/app.js';
import { effectModelsBuilt } from '../../src/components/reports/effect/effect.service.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, signIn, type Agent } from '../helpers/auth.js';
import { publishFixture, resetLearningCaches, SELF_ASSESSMENT_STATEMENTS } from '../helpers/learning-fixture.js';
import { FollowUpModel, followUpId, learningVersion, ProgressService } from '../../src/components/learning/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { between, prng } from '../helpers/prng.js';

/**
 * Issue 19, the effect figures in the reports: a leader sees their unit's figures, the municipality
 * the «Effekt» section of the measure-3 report (page, CSV, XLSX, print) — every figure only where at
 * least 5 people answered, never a name, every view logged; another unit's leader is refused.
 */

const db = () => mongoose.connection.db!;

function binary(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

const two = new Intl.NumberFormat('nb-NO', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const flat = (html: string) => html.replace(/>\s+</g, '><').replace(/\s+/g, ' ');

describe('http: effect figures in the reports (leaders, municipality, exports)', function () {
  this.timeout(120_000);
  let app: Express;
  let unitA: string;
  let unitB: string;
  let staffA: Array<{ id: string; email: string }>;
  let leaderA: Agent;
  let leaderB: Agent;
  let admin: Agent;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    await clearDatabase();
    resetLearningCaches();
    unitA = await createUnit('Solbakken barnehage', 'barnehage', 'Nordre');
    unitB = await createUnit('Nordre skole', 'skole', 'Nordre');
    await publishFixture({ effect: true });
    staffA = [];
    for (let i = 0; i < 7; i += 1) staffA.push(await createUser({ name: `Ansatt ${i} Hemmeligsen`, memberships: [{ unitId: unitA, role: 'ansatt' }] }));
    for (let i = 0; i < 6; i += 1) await createUser({ name: `Lærer ${i} Skolestue`, memberships: [{ unitId: unitB, role: 'ansatt' }] });
    leaderA = await signIn(app, (await createUser({ name: 'Lise Leder', memberships: [{ unitId: unitA, role: 'leder' }] })).email);
    leaderB = await signIn(app, (await createUser({ name: 'Rolf Rektor', memberships: [{ unitId: unitB, role: 'leder' }] })).email);
    admin = await signIn(app, (await createUser({ name: 'Kommune Admin', roles: ['municipal-admin'] })).email);
  });

  /** `count` of unit A's staff rate before and after and evaluate; returns the mean change per person, averaged. */
  async function answer(count: number, seed: number): Promise<{ meanChange: number; usefulness: number }> {
    const random = prng(seed);
    const version = (await learningVersion('samtaler@1.0'))!;
    const progress = new ProgressService(createLogger('silent'));
    const changes: number[] = [];
    const useful: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const before = SELF_ASSESSMENT_STATEMENTS.map(() => between(random, 1, 2));
      const after = SELF_ASSESSMENT_STATEMENTS.map(() => between(random, 3, 5));
      const usefulness = between(random, 1, 5);
      const act = (activityId: string, action: string, input: unknown, n: number) => progress.act({ userId: staffA[i]!.id, version, activityId, action, input, actionId: `effect-${i}-${n}`, unitIds: [unitA] });
      await act('kartlegging-for', 'assess', { ratings: Object.fromEntries(SELF_ASSESSMENT_STATEMENTS.map((s, k) => [s.id, before[k]])) }, 1);
      await act('kartlegging-etter', 'assess', { ratings: Object.fromEntries(SELF_ASSESSMENT_STATEMENTS.map((s, k) => [s.id, after[k]])) }, 2);
      await act('vurdering', 'evaluate', { usefulness, relevance: 4, recommend: true, suggestion: `Forslag fra ${i}` }, 3);
      changes.push(after.reduce((s, a, k) => s + a - before[k]!, 0) / after.length);
      useful.push(usefulness);
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    return { meanChange: Math.round(100 * mean(changes)) / 100, usefulness: Math.round(100 * mean(useful)) / 100 };
  }

  it('6 of 8 staff (the leader counts) answered: the leader sees the unit’s count, response rate, mean change and evaluation; no name, no suggestion; the view is logged', async () => {
    const expected = await answer(6, 19);

    const res = await leaderA.get(`/leder/enheter/${unitA}/effekt`).expect(200);

    const text = flat(res.text);
    expect(text).to.contain('<dt>Svart før og etter</dt><dd>6</dd>');
    expect(text).to.contain('<dt>Svarandel av ansatte</dt><dd>75 %</dd>');
    expect(text).to.contain(`<dt>Endring før → etter</dt><dd>+${two.format(expected.meanChange)}</dd>`);
    expect(text).to.contain(`<dt>Nytte (1–5)</dt><dd>${two.format(expected.usefulness)}</dd>`);
    expect(text).to.contain('<dt>Vil anbefale</dt><dd>100 %</dd>');
    expect(res.text).to.not.contain('Hemmeligsen').and.to.not.contain('Forslag fra');
    const logged = await db().collection('report_audit').find({ scopeId: unitA }).toArray();
    expect(logged.map((e) => [e.action, e.scope, e.format])).to.deep.equal([['view', 'unit', 'html']]);
  });

  it('4 of 8 answered: the leader sees «<5» and no means, with a message saying why', async () => {
    await answer(4, 7);

    const res = await leaderA.get(`/leder/enheter/${unitA}/effekt`).expect(200);

    const text = flat(res.text);
    expect(text).to.contain('<dt>Svart før og etter</dt><dd>&lt;5</dd>');
    expect(text).to.contain('<dt>Endring før → etter</dt><dd>*</dd>');
    expect(text).to.contain('<dt>Nytte (1–5)</dt><dd>*</dd>');
    expect(text).to.contain('Færre enn 5 har svart');
  });

  it('a leader of another unit is refused (403); a leader’s own unit page links to the effect figures', async () => {
    await leaderB.get(`/leder/enheter/${unitA}/effekt`).expect(403);
    const ledelse = await leaderA.get('/leder').expect(200);
    expect(ledelse.text).to.contain(`/leder/enheter/${unitA}/effekt`);
  });

  it('the measure-3 report has an «Effekt» section with the municipality, district and unit types; CSV, XLSX and print have it too', async () => {
    const expected = await answer(6, 23);

    const page = flat((await admin.get('/kommune/rapport').expect(200)).text);
    const section = page.slice(page.indexOf('id="effect-heading"'));
    expect(section).to.contain('>Effekt</h2>');
    const change = `+${two.format(expected.meanChange)}`;
    // The municipality and district Nordre (15 staff with the leaders, 6 answered), barnehage (6 of 8), skole (0 of 7).
    expect(section).to.contain(`<th scope="row">Hele kommunen</th><td class="num">6</td><td class="num">40 %</td><td class="num">${change}</td>`);
    expect(section).to.contain(`<th scope="row">Bydel Nordre</th><td class="num">6</td><td class="num">40 %</td><td class="num">${change}</td>`);
    expect(section).to.contain(`<th scope="row">Barnehage</th><td class="num">6</td><td class="num">75 %</td><td class="num">${change}</td>`);
    expect(section).to.contain('<th scope="row">Skole</th><td class="num">0</td><td class="num">0 %</td><td class="num">–</td>');
    expect(page).to.not.contain('Hemmeligsen');

    const csv = (await admin.get('/kommune/rapport/eksport.csv').expect(200)).text;
    expect(csv).to.contain('\r\nEffekt\r\n');
    const csvNumber = (n: number) => String(Math.round(n * 10) / 10).replace('.', ',');
    expect(csv).to.contain(`Effekt: enhet;Solbakken barnehage;Nordre;Barnehage;6;75;${csvNumber(expected.meanChange)};6;${csvNumber(expected.usefulness)};4;100`);
    expect(csv).to.contain('Effekt: enhet;Nordre skole;Nordre;Skole;0;0;;0');
    expect(csv).to.not.contain('Hemmeligsen');

    const xlsx = await admin.get('/kommune/rapport/eksport.xlsx').buffer(true).parse(binary).expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body as never);
    const sheet = workbook.getWorksheet('Effekt')!;
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows.find((r) => r[1] === 'Solbakken barnehage')).to.deep.equal(['Enhet', 'Solbakken barnehage', 'Nordre', 'Barnehage', 6, 75, expected.meanChange, 6, expected.usefulness, 4, 100, 0, '']);

    const print = flat((await admin.get('/kommune/rapport/utskrift').expect(200)).text);
    expect(print).to.contain('id="p-effect-heading">Effekt</h2>').and.to.contain(`<th scope="row">Hele kommunen</th><td class="num">6</td>`);
  });

  it('4 answered: every page and export shows «<5» for them and no mean anywhere', async () => {
    const expected = await answer(4, 5);

    const page = flat((await admin.get('/kommune/rapport').expect(200)).text);
    const section = page.slice(page.indexOf('id="effect-heading"'));
    expect(section).to.contain('<th scope="row">Hele kommunen</th><td class="num">&lt;5</td><td class="num">*</td><td class="num">*</td>');
    expect(section).to.contain('<th scope="row">Barnehage</th><td class="num">&lt;5</td>');
    expect(section).to.not.contain(two.format(expected.meanChange));

    const csv = (await admin.get('/kommune/rapport/eksport.csv').expect(200)).text;
    const effect = csv.slice(csv.indexOf('\r\nEffekt\r\n'));
    expect(effect).to.contain('Effekt: enhet;Solbakken barnehage;Nordre;Barnehage;<5;*;*;<5;*;*;*');
    expect(effect).to.not.match(/;[1-4];/);
  });

  /** Unit A's first `scales.length` staff answered the three-month follow-up with these scales. */
  async function followUps(scales: number[]): Promise<void> {
    for (const [i, scale] of scales.entries()) {
      await FollowUpModel.create({ _id: followUpId(staffA[i]!.id, 'samtaler'), userId: staffA[i]!.id, moduleSlug: 'samtaler', versionId: 'samtaler@1.0', scale, text: `Endret hos ${i}`, answeredAt: new Date() });
    }
  }

  it('follow-up, 6 answered and 5 report changed practice (4 or 5), 1 did not: the count everywhere, the share only where it pins nobody', async () => {
    await followUps([5, 4, 4, 5, 4, 2]);

    const leader = flat((await leaderA.get(`/leder/enheter/${unitA}/effekt`).expect(200)).text);
    expect(leader).to.contain('<dt>Svart på oppfølging</dt><dd>6</dd>');
    // 5 of 6 would show that exactly one did not: hidden.
    expect(leader).to.contain('<dt>Andel som har endret praksis</dt><dd>*</dd>');
    expect(leader).to.not.contain('Endret hos');
  });

  it('follow-up, 6 answered and all report changed practice: 100 % for the leader, in the «Effekt» section, CSV, XLSX and print', async () => {
    await followUps([5, 4, 4, 5, 4, 5]);

    const leader = flat((await leaderA.get(`/leder/enheter/${unitA}/effekt`).expect(200)).text);
    expect(leader).to.contain('<dt>Svart på oppfølging</dt><dd>6</dd>');
    expect(leader).to.contain('<dt>Andel som har endret praksis</dt><dd>100 %</dd>');

    const page = flat((await admin.get('/kommune/rapport').expect(200)).text);
    const section = page.slice(page.indexOf('id="effect-heading"'));
    expect(section).to.contain('<th scope="col" class="num">Andel som har endret praksis</th>');
    expect(section).to.match(/<th scope="row">Barnehage<\/th>(<td class="num">[^<]*<\/td>){7}<td class="num">6<\/td><td class="num">100 %<\/td>/);
    expect(section).to.match(/<th scope="row">Skole<\/th>(<td class="num">[^<]*<\/td>){7}<td class="num">0<\/td><td class="num">–<\/td>/);

    const csv = (await admin.get('/kommune/rapport/eksport.csv').expect(200)).text;
    expect(csv).to.contain('Svart på oppfølging;Andel som har endret praksis');
    expect(csv).to.match(/Effekt: enhet;Solbakken barnehage;Nordre;Barnehage;0;0;;0;;;;6;100\r\n/);

    const xlsx = await admin.get('/kommune/rapport/eksport.xlsx').buffer(true).parse(binary).expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body as never);
    const rows: unknown[][] = [];
    workbook.getWorksheet('Effekt')!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows.find((r) => r[1] === 'Solbakken barnehage')!.slice(-2)).to.deep.equal([6, 100]);

    const print = flat((await admin.get('/kommune/rapport/utskrift').expect(200)).text);
    expect(print).to.match(/<th scope="row">Barnehage<\/th>(<td class="num">[^<]*<\/td>){7}<td class="num">6<\/td><td class="num">100 %<\/td>/);
  });

  it('follow-up, 4 answered: «<5» and «*» for the leader and in every view of the municipality', async () => {
    await followUps([5, 5, 4, 4]);

    const leader = flat((await leaderA.get(`/leder/enheter/${unitA}/effekt`).expect(200)).text);
    expect(leader).to.contain('<dt>Svart på oppfølging</dt><dd>&lt;5</dd>');
    expect(leader).to.contain('<dt>Andel som har endret praksis</dt><dd>*</dd>');

    const page = flat((await admin.get('/kommune/rapport').expect(200)).text);
    const section = page.slice(page.indexOf('id="effect-heading"'));
    expect(section).to.match(/<th scope="row">Hele kommunen<\/th>(<td class="num">[^<]*<\/td>){7}<td class="num">&lt;5<\/td><td class="num">\*<\/td>/);
    const csv = (await admin.get('/kommune/rapport/eksport.csv').expect(200)).text;
    expect(csv).to.match(/Effekt: enhet;Solbakken barnehage;Nordre;Barnehage;0;0;;0;;;;<5;\*\r\n/);
    expect(csv).to.not.contain('100');
  });

  it('with the report cache on (as in production): the first dashboard is sent at once saying the effect figures are not ready, then shows them once built', async () => {
    const expected = await answer(6, 31);
    const config = testConfig();
    const logger = createLogger('silent');
    const services = createServices({ config, logger, reportCacheMs: 60_000 });
    const cached = await createApp({ config, logger, services });
    const agent = await signIn(cached, (await createUser({ name: 'Kommune To', roles: ['municipal-admin'] })).email);

    const first = flat((await agent.get('/kommune/rapport').expect(200)).text);
    expect(first).to.contain('Effekttallene er ikke klare ennå.');
    expect(first).to.not.contain('id="effect-table"');

    await effectModelsBuilt(services.reports);
    const next = flat((await agent.get('/kommune/rapport').expect(200)).text);
    expect(next).to.contain(`<th scope="row">Hele kommunen</th><td class="num">6</td><td class="num">40 %</td><td class="num">+${two.format(expected.meanChange)}</td>`);
  });
});
