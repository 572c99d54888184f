import { expect } from 'chai';
import request from 'supertest';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import type { Express } from 'express';
import { buildTestApp, testServices } from '../helpers/app.js';
import { testClock, type TestClock } from '../helpers/clock.js';
import type { Services } from '../../src/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, csrfToken, signIn, type Agent } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { doActivities } from '../helpers/progress.js';
import { learningVersion, ProgressService } from '../../src/components/learning/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { endMembership, getPerson } from '../../src/components/accounts/index.js';
import { decodeRoster } from '../../src/components/reports/roster.js';
import { todayDateOnly } from '../../src/lib/dates.js';

/**
 * Reports over HTTP against the real database: the leader's unit dashboard and its exports, the
 * municipal report, who may see what, the audit log, and the settings forms.
 */

const db = () => mongoose.connection.db!;

async function roster(unitId: string) {
  const doc = await db().collection('report_rosters').findOne({ _id: unitId as never });
  return doc ? decodeRoster(doc.data as string) : null;
}

async function auditEntries() {
  return db().collection('report_audit').find({}).sort({ seq: 1 }).toArray();
}

/** Downloads as a Buffer (supertest only buffers text by default). */
function binary(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

async function xlsxText(buffer: Buffer): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as never);
  const values: string[] = [];
  workbook.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => values.push(String(cell.value ?? '')))));
  return values.join('\n');
}

describe('http: reports (unit dashboard, municipal report, audit log)', function () {
  this.timeout(180_000);
  let app: Express;
  let clock: TestClock;
  let services: Services;
  let unitA: string;
  let unitB: string;
  let versionId: string;
  const staffA: Array<{ id: string; email: string; name: string }> = [];
  let staffB: { id: string; email: string; name: string };
  let leaderA: Agent;
  let admin: Agent;

  beforeEach(async () => {
    await clearDatabase();
    clock = testClock();
    services = testServices({ clock });
    app = await buildTestApp({ services });
    unitA = await createUnit('Solbakken barnehage', 'barnehage', 'Nordre');
    unitB = await createUnit('Nordre skole', 'skole', 'Nordre');
    versionId = (await publishFixture({ slug: 'samtaler', small: true })).versionId!;
    staffA.length = 0;
    const names = ['Anne Ås', 'Bjørn Berg', 'Cecilie Dal', 'David Eng', 'Eva Fjell', 'Frida Gran', '=HYPERLINK("http://x.invalid","klikk")'];
    for (const name of names) {
      const u = await createUser({ name, memberships: [{ unitId: unitA, role: 'ansatt' }] });
      staffA.push({ ...u, name });
    }
    const b = await createUser({ name: 'Bente Skolestue', memberships: [{ unitId: unitB, role: 'ansatt' }] });
    staffB = { ...b, name: 'Bente Skolestue' };
    const la = await createUser({ name: 'Lise Leder', memberships: [{ unitId: unitA, role: 'leder' }] });
    const ad = await createUser({ name: 'Kommune Admin', roles: ['municipal-admin'] });
    leaderA = await signIn(app, la.email);
    admin = await signIn(app, ad.email);
  });

  // Learning's events keep going to this app's report service until another app is built: at real time.
  afterEach(() => clock.set(null));

  describe('leader unit dashboard', () => {
    it('unit dashboard, after staff complete and start, shows each person with their status and the unit percentage', async () => {
      await doActivities(staffA[0]!.id, unitA, versionId);
      await doActivities(staffA[1]!.id, unitA, versionId);
      const version = (await learningVersion(versionId))!;
      await new ProgressService(createLogger('silent')).act({ userId: staffA[2]!.id, version, activityId: 'lesson:lytte', action: 'markRead', input: {}, actionId: 'start-cecilie-1', unitIds: [unitA] });

      const res = await leaderA.get(`/leder/enheter/${unitA}`);

      expect(res.status).to.equal(200);
      expect(res.text).to.include('Anne Ås').and.to.include('Bjørn Berg').and.to.include('Cecilie Dal');
      expect(res.text).to.not.include('Bente Skolestue');
      const stored = (await roster(unitA))!;
      expect(stored.members[staffA[0]!.id]!.m.samtaler!.s).to.equal('c');
      expect(stored.members[staffA[2]!.id]!.m.samtaler!.s).to.equal('p');
      expect(stored.members[staffA[2]!.id]!.m.samtaler!.pc).to.be.greaterThan(0);
      expect(stored.members[staffA[3]!.id]!.m.samtaler).to.equal(undefined);
      // 2 of 8 people (7 staff and the leader) completed the only module.
      expect(res.text).to.include('25 %');
    });

    it('unit dashboard, sorted by a module column descending, lists completed people first and marks the header with aria-sort', async () => {
      await doActivities(staffA[4]!.id, unitA, versionId);

      const res = await leaderA.get(`/leder/enheter/${unitA}?sort=samtaler&retning=desc`);

      expect(res.status).to.equal(200);
      expect(res.text).to.match(/aria-sort="descending">\s*<a href="\?sort=samtaler&amp;retning=asc"/);
      const firstRow = res.text.indexOf('<tbody>');
      expect(res.text.indexOf('Eva Fjell', firstRow)).to.be.lessThan(res.text.indexOf('Anne Ås', firstRow));
    });

    it('leader of unit A, asking for unit B, its exports or a unit-B person via unit A, gets 403', async () => {
      for (const path of [`/leder/enheter/${unitB}`, `/leder/enheter/${unitB}/eksport.csv`, `/leder/enheter/${unitB}/eksport.xlsx`, `/leder/enheter/${unitB}/utskrift`, `/leder/enheter/${unitB}/personer/${staffB.id}`, `/leder/enheter/${unitA}/personer/${staffB.id}`]) {
        const res = await leaderA.get(path);
        expect(res.status, path).to.equal(403);
      }
    });

    it('CSV export, with a name that starts with =, writes it with a leading apostrophe so a spreadsheet shows text', async () => {
      const res = await leaderA.get(`/leder/enheter/${unitA}/eksport.csv`);

      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^text\/csv/);
      expect(res.headers['content-disposition']).to.match(/attachment; filename="fullforing-solbakken-barnehage\.csv"/);
      expect(res.text).to.include(`"'=HYPERLINK(""http://x.invalid"",""klikk"")"`);
      expect(res.text).to.not.match(/(^|;)=HYPERLINK/m);
      expect(res.text).to.include('Anne Ås');
    });

    it('XLSX export of the matrix holds every person of the unit as text', async () => {
      const res = await leaderA.get(`/leder/enheter/${unitA}/eksport.xlsx`).buffer(true).parse(binary);

      expect(res.status).to.equal(200);
      const text = await xlsxText(res.body as Buffer);
      expect(text).to.include('Anne Ås').and.to.include('=HYPERLINK');
    });

    it('person drill-down shows which activities are done, never the reflection text', async () => {
      await doActivities(staffA[0]!.id, unitA, versionId);

      const res = await leaderA.get(`/leder/enheter/${unitA}/personer/${staffA[0]!.id}`);

      expect(res.status).to.equal(200);
      expect(res.text).to.include('Refleksjon').and.to.include('Gjort');
      // The helper saves the reflection "Tanke"; the page must not carry it.
      expect(res.text).to.not.match(/>\s*Tanke\s*</);
      const progress = await db().collection('progress').findOne({ userId: staffA[0]!.id });
      expect(JSON.stringify(progress)).to.include('Tanke');
    });

    it('a person whose membership ends disappears from the roster and the counts', async () => {
      await doActivities(staffA[0]!.id, unitA, versionId);
      const person = await getPerson(staffA[0]!.id);

      // Ends today: a membership's dates are calendar days, and today's end means it no longer holds.
      await endMembership(staffA[0]!.id, person.memberships[0]!.id, todayDateOnly());

      const stored = (await roster(unitA))!;
      expect(stored.members[staffA[0]!.id]!.gone).to.equal(true);
      const res = await leaderA.get(`/leder/enheter/${unitA}`);
      expect(res.text).to.not.include('Anne Ås');
    });
  });

  describe('municipal report', () => {
    it('municipal pages and exports never contain a staff name', async () => {
      for (const s of staffA.slice(0, 6)) await doActivities(s.id, unitA, versionId);
      const districtId = String((await db().collection('districts').findOne({ name: 'Nordre' }))!._id);
      const pages = ['/kommune/rapport', `/kommune/rapport/bydel/${districtId}`, `/kommune/rapport/enhet/${unitA}`, '/kommune/rapport/utskrift', '/kommune/rapport/eksport.csv'];
      const bodies: string[] = [];
      for (const path of pages) {
        const res = await admin.get(path);
        expect(res.status, path).to.equal(200);
        bodies.push(res.text);
      }
      const xlsx = await admin.get('/kommune/rapport/eksport.xlsx').buffer(true).parse(binary);
      bodies.push(await xlsxText(xlsx.body as Buffer));

      for (const body of bodies) {
        for (const name of [...staffA.map((s) => s.name), staffB.name, 'Lise Leder']) expect(body).to.not.include(name);
      }
      expect(bodies[0]).to.include('Nordre');
      expect(bodies[2]).to.include('Solbakken barnehage');
    });

    it('municipal report: unit B with one person shows <5; unit A with 6 of 8 completed hides Fullført, which covers its 2 not started; the district staff total is hidden', async () => {
      // A third unit in the district, a school like B, with 6 people who have all started: it gives B's
      // hidden counts complements with real uncertainty (a column of zeros cannot hide a zero).
      const unitC = await createUnit('Kvisten skole', 'skole', 'Nordre');
      const version = (await learningVersion(versionId))!;
      const progress = new ProgressService(createLogger('silent'));
      for (let i = 0; i < 6; i += 1) {
        const person = await createUser({ memberships: [{ unitId: unitC, role: 'ansatt' }] });
        await progress.act({ userId: person.id, version, activityId: 'lesson:lytte', action: 'markRead', input: {}, actionId: `start-kvisten-${i}`, unitIds: [unitC] });
      }
      for (const s of staffA.slice(0, 6)) await doActivities(s.id, unitA, versionId);
      const districtId = String((await db().collection('districts').findOne({ name: 'Nordre' }))!._id);

      const res = await admin.get(`/kommune/rapport/bydel/${districtId}`);

      expect(res.status).to.equal(200);
      const rowA = res.text.slice(res.text.indexOf('Solbakken barnehage'), res.text.indexOf('</tr>', res.text.indexOf('Solbakken barnehage')));
      const rowB = res.text.slice(res.text.indexOf('Nordre skole'), res.text.indexOf('</tr>', res.text.indexOf('Nordre skole')));
      const total = res.text.slice(res.text.indexOf('<tfoot'), res.text.indexOf('</tfoot>'));
      // A: 8 = 6 completed + 2 not started (+ 0 + 0). Hiding the 2 with a 0 would give it away
      // (2 + 0 = 8 − 6), so Fullført is its complement, and the percentage goes with it. A's and C's
      // staff counts (8 and 6) are public, so the district's 15 would give B's one person away by
      // subtraction: the district's staff count is hidden instead.
      expect(rowA).to.include('&lt;5');
      expect(rowA).to.include('>8<');
      expect(rowA).to.not.include('>6<').and.to.not.include('75 %');
      expect(total).to.not.include('>15<');
      expect(total).to.include('&lt;5');
      expect(rowB).to.include('&lt;5');
      expect(rowB).to.not.match(/>1</);
      expect(res.text).to.include('Antall under 5 personer vises som');
    });

    it('municipal CSV applies suppression: the district total cannot reveal the single small unit', async () => {
      for (const s of staffA.slice(0, 6)) await doActivities(s.id, unitA, versionId);

      const res = await admin.get('/kommune/rapport/eksport.csv');

      expect(res.status).to.equal(200);
      const lines = res.text.split('\r\n');
      const district = lines.find((l) => l.startsWith('Bydel;Nordre'))!;
      const unitRowB = lines.find((l) => l.includes('Nordre skole'))!;
      const unitRowA = lines.find((l) => l.includes('Solbakken barnehage'))!;
      // Staff: A 8 (shown), B 1 (hidden). The district's 9 would reveal B by subtraction, so one of
      // the two (A or the district) is hidden too.
      const staffOf = (line: string) => line.split(';')[4];
      expect(staffOf(unitRowB)).to.equal('<5');
      expect([staffOf(unitRowA), staffOf(district)]).to.include('<5');
    });

    it('setting a target shows the gap on the dashboard; a wrong value gives a Norwegian message and keeps the input', async () => {
      const token = await csrfToken(admin, '/kommune/rapport/innstillinger');
      const bad = await admin.post('/kommune/rapport/innstillinger').type('form').send({ _csrf: token, kjerne: 'auto', 'mal-all-prosent': '180', 'mal-all-frist': '2027-06-30' });
      expect(bad.status).to.equal(400);
      expect(bad.text).to.include('Skriv andelen som et tall mellom 1 og 100').and.to.include('value="180"').and.to.include('aria-invalid="true"');

      const good = await admin.post('/kommune/rapport/innstillinger').type('form').send({ _csrf: token, kjerne: 'auto', 'mal-all-prosent': '80', 'mal-all-frist': '2027-06-30' });
      expect(good.status).to.equal(303);
      const stored = JSON.parse(((await db().collection('report_state').findOne({ _id: 'settings' as never }))!.data as string)) as { targets: unknown[] };
      expect(stored.targets).to.deep.equal([{ scope: 'all', percent: 80, deadline: '2027-06-30' }]);

      const page = await admin.get('/kommune/rapport');
      expect(page.text).to.include('er målet innen').and.to.include('Mål 80 %');
      expect(page.text).to.match(/<svg class="trend-chart"[^>]*role="img"[^>]*aria-labelledby="trend-all-title trend-all-desc"/);
    });

    it('a bad query (no such module, period reversed) answers 400 with the messages and the default report', async () => {
      const res = await admin.get('/kommune/rapport?moduler=finnes-ikke&fra=2000-01&til=1999-01');

      expect(res.status).to.equal(400);
      expect(res.text).to.include('Velg minst én modul som finnes i katalogen');
      expect(res.text).to.include('Velg en måned fra listen');
    });

    it('a renewal rule of 1 month, two months later, makes the completion expired', async () => {
      await doActivities(staffA[0]!.id, unitA, versionId);
      const token = await csrfToken(admin, '/kommune/rapport/fornying');

      const res = await admin.post('/kommune/rapport/fornying').type('form').send({ _csrf: token, 'mnd-samtaler': '1' });
      await services.reports.whenIdle();

      expect(res.status).to.equal(303);
      expect((await roster(unitA))!.members[staffA[0]!.id]!.m.samtaler!.x).to.be.a('string');
      const later = new Date(Date.now() + 62 * 86_400_000);
      clock.set(later);
      await services.reports.sweep(later);
      expect((await roster(unitA))!.members[staffA[0]!.id]!.m.samtaler!.s).to.equal('e');
    });

    it('renewal form: a grace period without the new-major rule is refused with a message', async () => {
      const token = await csrfToken(admin, '/kommune/rapport/fornying');

      const res = await admin.post('/kommune/rapport/fornying').type('form').send({ _csrf: token, 'overgang-samtaler': '3' });

      expect(res.status).to.equal(400);
      expect(res.text).to.include('Overgangstid gjelder bare når');
    });
  });

  describe('rebuild', () => {
    it('counts left behind by a crash between a roster write and its counts: the rebuild reports the drift and repairs it', async () => {
      await doActivities(staffA[0]!.id, unitA, versionId);
      await doActivities(staffA[1]!.id, unitA, versionId);
      // What a crash after the roster write would leave: the unit's counts from before.
      const shards = db().collection('report_totals');
      const shard = (await shards.find({ _id: { $ne: 'head' as never } }).toArray()).find((doc) => (doc.data as string).includes(unitA))!;
      const data = JSON.parse(shard.data as string) as { units: Record<string, { rv: number; t: { m: Record<string, number[]> } }> };
      data.units[unitA]!.t.m.samtaler![0] = 1;
      await shards.updateOne({ _id: shard._id }, { $set: { data: JSON.stringify(data) } });

      const report = await services.reports.rebuild();

      expect(report.unitsDrifted).to.equal(1);
      expect(report.drift).to.deep.include({ unitId: unitA, what: 'samtaler completed', stored: 1, actual: 2 });
      const repaired = JSON.parse(((await shards.findOne({ _id: shard._id }))!.data as string)) as typeof data;
      expect(repaired.units[unitA]!.t.m.samtaler![0]).to.equal(2);
      expect((await services.reports.rebuild()).unitsDrifted).to.equal(0);
    });
  });

  describe('audit log', () => {
    it('every view and export is logged with who, what scope and format; admins page through it', async () => {
      await leaderA.get(`/leder/enheter/${unitA}`);
      await leaderA.get(`/leder/enheter/${unitA}/eksport.csv`);
      await leaderA.get(`/leder/enheter/${unitA}/eksport.xlsx`);
      await leaderA.get(`/leder/enheter/${unitA}/utskrift`);
      await leaderA.get(`/leder/enheter/${unitA}/personer/${staffA[0]!.id}`);
      await admin.get('/kommune/rapport');
      await admin.get('/kommune/rapport/eksport.csv');
      await admin.get('/kommune/rapport/eksport.xlsx');
      await admin.get('/kommune/rapport/utskrift');
      await admin.get(`/kommune/rapport/enhet/${unitA}`);

      const entries = await auditEntries();

      expect(entries.map((e) => `${e.actorName}|${e.action}|${e.scope}|${e.format}`)).to.deep.equal([
        'Lise Leder|view|unit|html',
        'Lise Leder|export|unit|csv',
        'Lise Leder|export|unit|xlsx',
        'Lise Leder|export|unit|print',
        'Lise Leder|view|person|html',
        'Kommune Admin|view|municipality|html',
        'Kommune Admin|export|municipality|csv',
        'Kommune Admin|export|municipality|xlsx',
        'Kommune Admin|export|municipality|print',
        'Kommune Admin|view|unit-aggregate|html',
      ]);
      expect(entries[0]!.scopeId).to.equal(unitA);
      expect(entries.every((e) => e.at instanceof Date)).to.equal(true);
      const log = await admin.get('/kommune/rapport/logg');
      expect(log.status).to.equal(200);
      expect(log.text).to.include('Lise Leder').and.to.include('Lastet ned').and.to.include('Side 1 av 1');
      expect((await leaderA.get('/kommune/rapport/logg')).status).to.equal(403);
    });

    it('a failed request (403) is not logged as a view', async () => {
      await leaderA.get(`/leder/enheter/${unitB}`);

      expect(await auditEntries()).to.deep.equal([]);
    });
  });

  it('anonymous visitors are sent to the login page', async () => {
    const res = await request(app).get('/kommune/rapport');

    expect(res.status).to.equal(302);
    expect(res.headers.location).to.match(/^\/logg-inn/);
  });
});
