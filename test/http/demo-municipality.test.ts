import { expect } from 'chai';
import mongoose from 'mongoose';
import type { Express } from 'express';
import { buildTestApp, testConfig, testServices } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { signIn } from '../helpers/auth.js';
import { createLogger } from '../../src/lib/logger.js';
import { seedDemoData } from '../../src/seed/index.js';
import { demoMunicipalityPlan, DEMO_STAFF_DOMAIN } from '../../src/seed/municipality.js';
import { DEMO_PASSWORD, DEMO_USERS, UserModel } from '../../src/components/accounts/index.js';
import { DEMO_ORGANISATION, UnitModel } from '../../src/components/organisation/index.js';

/**
 * The demo municipality (issue 17): a first start fills a living municipality through the services,
 * the same on every machine, and a second start adds nothing; the demo logins keep their roles, and
 * the leader's, the municipality's and the staff member's pages show what the product is for.
 */

const db = () => mongoose.connection.db!;
const counts = async () => {
  const names = ['users', 'units', 'districts', 'assignments', 'progress', 'completions', 'certificates', 'learners', 'team_sessions'];
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await db().collection(n).countDocuments()] as const)));
};

describe('seed: the demo municipality (first start and restarts)', function () {
  this.timeout(600_000);
  let app: Express;
  let first: Record<string, number>;

  before(async () => {
    await clearDatabase();
    const logger = createLogger('silent');
    const services = testServices({ logger });
    await seedDemoData({ ...testConfig(), isProduction: false }, logger, services.reports);
    await services.reports.whenIdle();
    first = await counts();
    app = await buildTestApp({ services });
  });

  it('is generated from a fixed seed: the plan is the same every time, about 400 people in 25 units of four types', () => {
    const a = demoMunicipalityPlan();
    const b = demoMunicipalityPlan();
    expect(a).to.deep.equal(b);
    expect(a.people.length).to.be.within(380, 460);
    expect(new Set(a.people.map((p) => p.email)).size, 'e-mails are unique').to.equal(a.people.length);
    expect(a.units).to.have.length(25);
    expect(new Set(DEMO_ORGANISATION.flatMap((d) => d.units.map((u) => u.type)))).to.deep.equal(new Set(['barnehage', 'skole', 'sfo', 'ppt']));
    for (const p of a.people) expect(p.email.endsWith(`@${DEMO_STAFF_DOMAIN}`), p.email).to.equal(true);
  });

  it('the first start stores it all: people, units, assignments, completions with certificates, team sessions', () => {
    expect(first.units).to.equal(25);
    expect(first.districts).to.equal(3);
    expect(first.users).to.be.within(380 + DEMO_USERS.length, 460 + DEMO_USERS.length);
    expect(first.completions).to.be.greaterThan(300);
    expect(first.certificates, 'a certificate per completion').to.equal(first.completions);
    expect(first.team_sessions).to.equal(3);
  });

  it('a second start adds nothing and changes no count', async () => {
    await seedDemoData({ ...testConfig(), isProduction: false }, createLogger('silent'), testServices().reports);
    expect(await counts()).to.deep.equal(first);
  });

  it('completions are spread over the last twelve months, not on one day', async () => {
    const months = new Set((await db().collection('completions').find({}, { projection: { completedAt: 1 } }).toArray()).map((c) => (c.completedAt as Date).toISOString().slice(0, 7)));
    expect(months.size).to.be.at.least(10);
  });

  it('the demo logins keep working with their roles', async () => {
    for (const demo of DEMO_USERS) {
      const user = await UserModel.findOne({ email: demo.email }).lean();
      expect(user, demo.email).to.not.equal(null);
      expect([...user!.roles].sort(), demo.email).to.deep.equal([...(demo.roles ?? [])].sort());
      const units = new Map((await UnitModel.find({}).lean()).map((u) => [String(u._id), u.name]));
      const memberships = user!.memberships.filter((m) => !m.endDate).map((m) => `${units.get(String(m.unitId))}:${m.role}`).sort();
      expect(memberships, demo.email).to.deep.equal((demo.memberships ?? []).map((m) => `${m.unit}:${m.role}`).sort());
      await signIn(app, demo.email, DEMO_PASSWORD);
    }
  });

  it('the styrer lands on figures: a share completed, people past the deadline with names, a held and a planned team session', async () => {
    const styrer = await signIn(app, 'styrer@fellesskap.example', DEMO_PASSWORD);
    const home = (await styrer.get('/leder').expect(200)).text;
    const percent = /data-figure="percent">([^<]*)</.exec(home)![1]!;
    expect(percent).to.not.match(/^(0 %|–)$/);
    expect(Number(/data-figure="overdue-people">(\d+)</.exec(home)![1])).to.be.greaterThan(0);
    expect(home).to.contain('class="overdue-list"');
    expect(home).to.not.contain('Ingen teammøter er planlagt');
    const sessions = (await styrer.get(`/leder/${String((await UnitModel.findOne({ name: 'Solsikken barnehage' }).lean())!._id)}/teammoter`).expect(200)).text;
    expect(sessions).to.contain('Personalrommet');
  });

  it('the municipal admin lands on measure 3 with a target, units behind and a change since last month', async () => {
    const admin = await signIn(app, 'kommune@fellesskap.example', DEMO_PASSWORD);
    const home = (await admin.get('/leder').expect(200)).text;
    expect(/data-figure="municipal-percent">([^<]*)</.exec(home)![1]).to.not.match(/^(0 %|\*|–)$/);
    expect(home).to.contain('targets-caption');
    expect((home.match(/<tr data-behind=/g) ?? []).length).to.be.at.least(3);
    expect(home).to.match(/prosentpoeng siden/);
    const report = (await admin.get('/kommune/rapport').expect(200)).text;
    const dots = (report.match(/<circle class="dot"/g) ?? []).length;
    expect(dots, 'the trend line has points for most months').to.be.at.least(8);
  });

  it('the demo staff member has her own history: a completed module and her reflections in the learning log', async () => {
    const kari = await signIn(app, 'ansatt@fellesskap.example', DEMO_PASSWORD);
    const log = (await kari.get('/mine-kurs/laeringslogg').expect(200)).text;
    expect(log).to.contain('Medvirkning');
    expect(log).to.contain('gi barna bedre tid til å svare');
  });
});
