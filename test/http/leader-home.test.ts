import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import mongoose from 'mongoose';
import type { Express } from 'express';
import { buildTestApp, testServices } from '../helpers/app.js';
import type { Services } from '../../src/app.js';
import { clearDatabase } from '../helpers/database.js';
import request from 'supertest';
import { createUnit, createUser, signIn, TEST_PASSWORD } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { doActivities } from '../helpers/progress.js';
import { prng, between } from '../../src/lib/prng.js';
import { todayDateOnly } from '../../src/lib/dates.js';
import { createAssignment } from '../../src/components/assignments/index.js';

/**
 * The leader's and the municipal administrator's landing page (/leder, issue 17): the figures it
 * opens on are the unit dashboard's and the measure-3 report's own, for every unit of a generated
 * municipality (fixed seed), with the report's small-cell suppression.
 */

const figure = (html: string, name: string, unitId?: string): string => {
  const scope = unitId ? html.slice(html.indexOf(`id="unit-${unitId}"`)) : html;
  const match = new RegExp(`data-figure="${name}">([^<]*)<`).exec(scope);
  if (!match) throw new Error(`no figure ${name}${unitId ? ` for ${unitId}` : ''}`);
  return match[1]!.trim();
};
/** The unit dashboard's key figures, in their order on the page: staff, percent, overdue pairs. */
const dashboardFigures = (html: string): string[] => [...html.matchAll(/<span class="figure">([^<]*)<\/span>/g)].map((m) => m[1]!.trim());

describe('http: leader and municipal landing page (/leder)', function () {
  this.timeout(300_000);
  let app: Express;
  let services: Services;
  const units: Array<{ id: string; name: string; staff: string[] }> = [];
  let twoUnitLeader: string;
  let twoUnitLeaderId: string;
  let oneUnitLeader: string;
  let adminEmail: string;
  let smallUnit: string;

  before(async () => {
    await clearDatabase();
    services = testServices();
    app = await buildTestApp({ services });
    const versions = [(await publishFixture({ slug: 'samtaler', small: true })).versionId!, (await publishFixture({ slug: 'medvirkning', title: 'Medvirkning', small: true })).versionId!];
    const random = prng(17);
    units.length = 0;
    // Two units of each type in each district, so the report's own suppression leaves most of them shown.
    for (const [i, name] of ['Lia barnehage', 'Haugen skole', 'Sletta barnehage', 'Bakken skole'].entries()) {
      const id = await createUnit(name, i % 2 ? 'skole' : 'barnehage', i < 2 ? 'Nord' : 'Sør');
      const staff: string[] = [];
      for (let p = 0, n = between(random, 14, 18); p < n; p += 1) staff.push((await createUser({ name: `${name.split(' ')[0]} Ansatt ${p + 1}`, memberships: [{ unitId: id, role: 'ansatt' }] })).id);
      units.push({ id, name, staff });
    }
    smallUnit = await createUnit('Lille PPT', 'ppt', 'Sør');
    await createUser({ name: 'Eneste Ansatt', memberships: [{ unitId: smallUnit, role: 'ansatt' }] });
    const by = { id: null, name: 'Test' };
    const day = 86_400_000;
    // Units 0 and 1: one module overdue, one ahead; units 2 and 3: nothing assigned (percent over all modules).
    for (const unit of units.slice(0, 2)) {
      await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'unit', unitId: unit.id }, deadline: new Date(todayDateOnly().getTime() - 10 * day), createdBy: by });
      await createAssignment({ moduleSlug: 'medvirkning', target: { kind: 'unit', unitId: unit.id }, deadline: new Date(todayDateOnly().getTime() + 30 * day), createdBy: by });
    }
    // Per unit and module, between 5 and all-but-5 complete: no count is small, so only the small
    // unit (and what its suppression drags along) is hidden in the municipal report.
    for (const unit of units)
      for (const version of versions) {
        const done = between(random, 5, unit.staff.length - 5);
        for (const person of unit.staff.slice(0, done)) await doActivities(person, unit.id, version);
      }
    await services.reports.whenIdle();
    const leader = await createUser({ name: 'To Enheter', memberships: [{ unitId: units[0]!.id, role: 'leder' }, { unitId: units[1]!.id, role: 'leder' }] });
    twoUnitLeader = leader.email;
    twoUnitLeaderId = leader.id;
    oneUnitLeader = (await createUser({ name: 'Én Enhet', memberships: [{ unitId: units[2]!.id, role: 'leder' }] })).email;
    adminEmail = (await createUser({ name: 'Kommune Admin', roles: ['municipal-admin'] })).email;
    await services.reports.whenIdle();
  });

  it('a leader of several units: a compact table, then each unit with the dashboard’s own figures', async () => {
    const agent = await signIn(app, twoUnitLeader);
    const home = await agent.get('/leder').expect(200);
    expect(home.text).to.contain('<table class="units-at-a-glance">');
    for (const unit of units.slice(0, 2)) {
      const dashboard = dashboardFigures((await agent.get(`/leder/enheter/${unit.id}`).expect(200)).text);
      expect(figure(home.text, 'staff', unit.id), `${unit.name}: staff`).to.equal(dashboard[0]);
      expect(figure(home.text, 'percent', unit.id), `${unit.name}: percent`).to.equal(dashboard[1]);
      const overduePairs = /data-overdue="(\d+)"/.exec(home.text.slice(home.text.indexOf(`id="unit-${unit.id}"`)))?.[1] ?? '0';
      expect(overduePairs, `${unit.name}: overdue pairs`).to.equal(dashboard[2]);
    }
  });

  it('the overdue names are the people who have not completed the overdue module, and each has the remind action', async () => {
    const agent = await signIn(app, twoUnitLeader);
    const home = (await agent.get('/leder').expect(200)).text;
    const progress = mongoose.connection.db!.collection('progress');
    for (const unit of units.slice(0, 2)) {
      const completed = new Set((await progress.find({ moduleSlug: 'samtaler', completedAt: { $ne: null } }).toArray()).map((p) => String(p.userId)));
      // Everyone in the unit is assigned the module, the leaders too.
      const behind = [...unit.staff, twoUnitLeaderId].filter((id) => !completed.has(id)).length;
      expect(figure(home, 'overdue-people', unit.id), unit.name).to.equal(String(behind));
      if (behind) expect(home).to.contain(`href="/leder/${unit.id}/paminnelser"`);
    }
    for (const other of units.slice(2)) expect(home).to.not.contain(other.name);
  });

  it('a leader of one unit sees its overview straight away, with the percentage over all modules when nothing is assigned', async () => {
    const agent = await signIn(app, oneUnitLeader);
    const home = (await agent.get('/leder').expect(200)).text;
    expect(home).to.not.contain('units-at-a-glance');
    const dashboard = dashboardFigures((await agent.get(`/leder/enheter/${units[2]!.id}`).expect(200)).text);
    expect(figure(home, 'percent', units[2]!.id)).to.equal(dashboard[1]);
    expect(home).to.contain('fullført av alle modulene');
    expect(figure(home, 'overdue-people', units[2]!.id)).to.equal('0');
    for (const other of [units[0]!, units[1]!, units[3]!]) expect(home).to.not.contain(other.name);
  });

  it('the landing page is written to the audit log as a view of each unit it shows', async () => {
    const agent = await signIn(app, twoUnitLeader);
    const before = await mongoose.connection.db!.collection('report_audit').countDocuments({ scope: 'unit' });
    await agent.get('/leder').expect(200);
    const entries = await mongoose.connection.db!.collection('report_audit').find({ scope: 'unit' }).sort({ _id: -1 }).limit(2).toArray();
    expect(await mongoose.connection.db!.collection('report_audit').countDocuments({ scope: 'unit' })).to.equal(before + 2);
    expect(entries.map((e) => String(e.scopeId)).sort()).to.deep.equal(units.slice(0, 2).map((u) => u.id).sort());
  });

  it('a municipal admin sees the measure-3 figure of the report, the units furthest behind (ascending) and no suppressed unit', async () => {
    const agent = await signIn(app, adminEmail);
    const home = (await agent.get('/leder').expect(200)).text;
    const report = dashboardFigures((await agent.get('/kommune/rapport').expect(200)).text);
    expect(figure(home, 'municipal-percent')).to.equal(report[1]);
    const behind = [...home.matchAll(/<tr data-behind="([^"]*)">[\s\S]*?<td class="num">[^<]*<\/td>\s*<td class="num">([^<]*)<\/td>/g)].map((m) => ({ name: m[1]!, percent: m[2]! }));
    // The export's unit rows, suppression applied: the list is exactly the units whose share is shown.
    const csv = (await agent.get('/kommune/rapport/eksport.csv').expect(200)).text.replace(/^\uFEFF/, '');
    const rows = (parse(csv, { delimiter: ';', relax_column_count: true }) as string[][]).filter((r) => r[0] === 'Enhet');
    const shown = rows.filter((r) => r[9] !== '*' && r[9] !== '');
    expect(shown.length, 'the one-person unit is not shown').to.be.lessThan(rows.length);
    expect(behind.map((b) => b.name).sort()).to.deep.equal(shown.map((r) => r[1]!).sort().slice(0, 5));
    const share = (text: string) => Number.parseFloat(text.replace(/\s*%$/, '').replace(',', '.'));
    for (const b of behind) expect(share(b.percent), b.name).to.equal(share(shown.find((r) => r[1] === b.name)![9]!));
    for (let i = 1; i < behind.length; i += 1) expect(share(behind[i]!.percent), 'ascending by share').to.be.at.least(share(behind[i - 1]!.percent));
    const hidden = rows.length - shown.length;
    if (hidden) expect(home).to.contain(`${hidden} ${hidden === 1 ? 'enhet har' : 'enheter har'} så få ansatte`);
    expect(home).to.not.contain('Lille PPT');
    // Not a leader of any unit: no unit overview and no names.
    expect(home).to.not.contain('data-figure="percent"');
  });

  it('a login without a return address lands leaders and municipal admins on /leder, staff on the start page', async () => {
    const staff = await createUser({ name: 'Landet Ansatt', memberships: [{ unitId: units[0]!.id, role: 'ansatt' }] });
    for (const [email, landing] of [[twoUnitLeader, '/leder'], [oneUnitLeader, '/leder'], [adminEmail, '/leder'], [staff.email, '/']] as const) {
      const agent = request.agent(app);
      const form = await agent.get('/logg-inn').expect(200);
      const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
      const res = await agent.post('/logg-inn').type('form').send({ _csrf: token, email, password: TEST_PASSWORD }).expect(302);
      expect(res.headers.location, email).to.equal(landing);
      // An explicit return address still wins.
      const again = request.agent(app);
      const form2 = await again.get('/logg-inn?returnTo=%2Fmine-kurs').expect(200);
      const token2 = /name="_csrf" value="([^"]+)"/.exec(form2.text)![1];
      const back = await again.post('/logg-inn?returnTo=%2Fmine-kurs').type('form').send({ _csrf: token2, email, password: TEST_PASSWORD, returnTo: '/mine-kurs' }).expect(302);
      expect(back.headers.location, email).to.equal('/mine-kurs');
    }
  });

  it('staff who lead nothing are refused', async () => {
    const staff = await createUser({ name: 'Bare Ansatt', memberships: [{ unitId: units[0]!.id, role: 'ansatt' }] });
    const agent = await signIn(app, staff.email);
    await agent.get('/leder').expect(403);
  });
});
