import { expect } from 'chai';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { leaderSignedIn } from '../helpers/setup.js';
import { createUnit, createUser, csrfToken, signIn, type Agent } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { assignmentsFor, ensureUnitLists, rebuildUnitLists, unitAssignmentRecords } from '../../src/components/assignments/index.js';
import { addMembership } from '../../src/components/accounts/index.js';
import { setUnitClosed } from '../../src/components/organisation/index.js';
import { isoDate, todayDateOnly } from '../../src/lib/dates.js';
import mongoose from 'mongoose';

interface StoredAssignment {
  _id: string;
  moduleSlug: string;
  deadline: Date | null;
  scope: string;
  unitId: string | null;
  target: { kind: string; unitId: string | null; userIds: string[] };
  batch: string | null;
}
const assignments = () => mongoose.connection.db!.collection<StoredAssignment>('assignments');

const inDays = (days: number) => isoDate(new Date(todayDateOnly().getTime() + days * 86_400_000));

describe('http: assignments by leaders and the municipality', function () {
  this.timeout(60_000);
  let app: Express;
  let unitA: string;
  let unitB: string;
  let staff: { id: string; email: string };
  let colleague: { id: string; email: string };
  let leader: Agent;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    ({ unitA, unitB, staff, colleague, leader } = await leaderSignedIn(app, { district: 'Nord' }));
    await publishFixture({ slug: 'medvirkning', title: 'Medvirkning', small: true });
  });

  async function assign(agent: Agent, unitId: string, fields: Record<string, string | string[]>) {
    const token = await csrfToken(agent, '/mine-kurs');
    return agent.post(`/leder/${unitId}/tildelinger`).type('form').send({ _csrf: token, ...fields });
  }

  it('leader, own unit, to everyone: stored as a standing unit assignment and shown on the staff\'s Mine kurs', async () => {
    const res = await assign(leader, unitA, { moduleSlug: 'samtaler', target: 'all', deadline: inDays(30) });

    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal(`/leder/${unitA}/tildelinger`);
    const stored = await assignments().find().toArray();
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ moduleSlug: 'samtaler', scope: 'unit', unitId: unitA });
    expect(stored[0]!.target).to.include({ kind: 'unit', unitId: unitA });
    expect(isoDate(stored[0]!.deadline)).to.equal(inDays(30));
    const page = await leader.get(`/leder/${unitA}/tildelinger`).expect(200);
    expect(page.text).to.contain('Modulen er tildelt.').and.to.contain('Testmodul samtaler').and.to.contain('Alle ansatte (også nye)');
    const staffPage = await (await signIn(app, staff.email)).get('/mine-kurs').expect(200);
    expect(staffPage.text).to.contain('Testmodul samtaler');
  });

  it('leader, another unit: 403 and nothing stored', async () => {
    const res = await assign(leader, unitB, { moduleSlug: 'samtaler', target: 'all', deadline: inDays(30) });

    expect(res.status).to.equal(403);
    expect(await assignments().countDocuments()).to.equal(0);
  });

  it('deadline in the past, not a date, or missing: 400 with the Norwegian message by the field, the choices kept, nothing stored', async () => {
    const past = await assign(leader, unitA, { moduleSlug: 'samtaler', target: 'people', userIds: [staff.id], deadline: inDays(-1) });
    expect(past.status).to.equal(400);
    expect(past.text).to.contain('Fristen kan ikke være tilbake i tid. Velg i dag eller en senere dato.');
    expect(past.text).to.match(/<input type="date" id="deadline" name="deadline" value="[\d-]+" required aria-describedby="deadline-hint deadline-error" aria-invalid="true">/);
    expect(past.text).to.match(/<option value="samtaler" selected>/);
    expect(past.text).to.contain(`id="person-${staff.id}" name="userIds" value="${staff.id}" checked`);
    expect(past.text).to.match(/id="target-people" name="target" value="people" checked/);

    const invalid = await assign(leader, unitA, { moduleSlug: 'samtaler', target: 'all', deadline: '31.02.2027' });
    expect(invalid.status).to.equal(400);
    expect(invalid.text).to.contain('Fristen må være en gyldig dato, for eksempel 30.06.2027.');

    const missing = await assign(leader, unitA, { moduleSlug: '', target: 'all', deadline: '' });
    expect(missing.status).to.equal(400);
    expect(missing.text).to.contain('Skriv inn en frist, for eksempel 30.06.2027.').and.to.contain('Velg en publisert modul.');
    expect(missing.text).to.contain('href="#deadline"').and.to.contain('href="#moduleSlug"');
    expect(await assignments().countDocuments()).to.equal(0);
  });

  it('to chosen people: only they get it; someone from another unit cannot be chosen', async () => {
    const outsider = await createUser({ memberships: [{ unitId: unitB, role: 'ansatt' }] });
    const refused = await assign(leader, unitA, { moduleSlug: 'samtaler', target: 'people', userIds: [staff.id, outsider.id], deadline: inDays(10) });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('Du kan bare velge personer som jobber i enheten nå.');
    const none = await assign(leader, unitA, { moduleSlug: 'samtaler', target: 'people', deadline: inDays(10) });
    expect(none.status).to.equal(400);
    expect(none.text).to.contain('Velg minst én person');
    expect(await assignments().countDocuments()).to.equal(0);

    const res = await assign(leader, unitA, { moduleSlug: 'samtaler', target: 'people', userIds: [staff.id], deadline: inDays(10) });

    expect(res.status).to.equal(303);
    expect((await assignmentsFor({ id: staff.id, memberOf: [unitA] })).map((a) => a.moduleSlug)).to.deep.equal(['samtaler']);
    expect(await assignmentsFor({ id: colleague.id, memberOf: [unitA] })).to.deep.equal([]);
    const stored = await assignments().findOne();
    expect(stored).to.include({ unitId: unitA, scope: 'unit' });
    expect(stored!.target.userIds).to.deep.equal([staff.id]);
    const page = await leader.get(`/leder/${unitA}/tildelinger`).expect(200);
    expect(page.text).to.contain('Kari Nordmann');
  });

  it('the same module to the whole unit twice: one assignment, the deadline moved', async () => {
    await assign(leader, unitA, { moduleSlug: 'samtaler', target: 'all', deadline: inDays(30) });

    const again = await assign(leader, unitA, { moduleSlug: 'samtaler', target: 'all', deadline: inDays(60) });

    expect(again.status).to.equal(303);
    const stored = await assignments().find().toArray();
    expect(stored).to.have.length(1);
    expect(isoDate(stored[0]!.deadline)).to.equal(inDays(60));
    expect(isoDate((await assignmentsFor({ id: staff.id, memberOf: [unitA] }))[0]!.deadline)).to.equal(inDays(60));
    expect((await leader.get(`/leder/${unitA}/tildelinger`)).text).to.contain('Enheten hadde allerede denne modulen. Fristen er endret.');
  });

  it('changing the deadline (with validation) and withdrawing: staff see the change at once', async () => {
    await assign(leader, unitA, { moduleSlug: 'samtaler', target: 'all', deadline: inDays(30) });
    const id = (await assignments().findOne())!._id;
    const token = await csrfToken(leader, `/leder/${unitA}/tildelinger`);

    const bad = await leader.post(`/leder/${unitA}/tildelinger/${id}/frist`).type('form').send({ _csrf: token, deadline: inDays(-3) });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain(`id="deadline-${id}-error"`).and.to.contain('Fristen kan ikke være tilbake i tid.');
    expect(isoDate((await assignments().findOne())!.deadline)).to.equal(inDays(30));

    await leader.post(`/leder/${unitA}/tildelinger/${id}/frist`).type('form').send({ _csrf: token, deadline: inDays(5) }).expect(303);
    expect(isoDate((await assignmentsFor({ id: staff.id, memberOf: [unitA] }))[0]!.deadline)).to.equal(inDays(5));

    await leader.post(`/leder/${unitA}/tildelinger/${id}/trekk-tilbake`).type('form').send({ _csrf: token }).expect(303);
    expect(await assignments().countDocuments()).to.equal(0);
    expect(await assignmentsFor({ id: staff.id, memberOf: [unitA] })).to.deep.equal([]);
  });

  it('a standing assignment reaches someone who joins the unit afterwards', async () => {
    await assign(leader, unitA, { moduleSlug: 'samtaler', target: 'all', deadline: inDays(30) });
    const newcomer = await createUser({ name: 'Nina Ny' });
    expect(await assignmentsFor({ id: newcomer.id, memberOf: [] })).to.deep.equal([]);

    await addMembership(newcomer.id, { unitId: unitA, role: 'ansatt', startDate: todayDateOnly() });

    const page = await (await signIn(app, newcomer.email)).get('/mine-kurs').expect(200);
    const assignedSection = page.text.slice(page.text.indexOf('id="assigned-heading"'), page.text.indexOf('id="available-heading"'));
    expect(assignedSection).to.contain('Testmodul samtaler');
  });

  describe('the municipality', () => {
    let admin: Agent;
    let unitC: string;
    let unitSouth: string;

    beforeEach(async () => {
      unitC = await createUnit('Blåklokka barnehage', 'barnehage', 'Nord');
      unitSouth = await createUnit('Sørbyen barnehage', 'barnehage', 'Sør');
      const closed = await createUnit('Gamle barnehage', 'barnehage', 'Nord');
      await setUnitClosed(closed, true);
      const adminUser = await createUser({ roles: ['municipal-admin'] });
      admin = await signIn(app, adminUser.email);
    });

    async function assignMany(fields: Record<string, string | string[]>, expectStatus?: number) {
      const token = await csrfToken(admin, '/kommune/tildelinger');
      const res = await admin.post('/kommune/tildelinger').type('form').send({ _csrf: token, ...fields });
      if (expectStatus) expect(res.status, res.text.slice(res.text.indexOf('error-summary'), res.text.indexOf('error-summary') + 600)).to.equal(expectStatus);
      return res;
    }

    it('all barnehager: one unit assignment per open barnehage and module; again with a new deadline only moves it', async () => {
      await assignMany({ moduleSlugs: ['samtaler', 'medvirkning'], unitTypes: 'barnehage', deadline: inDays(200) }, 303);

      let stored = await assignments().find().sort({ _id: 1 }).toArray();
      expect(stored.map((a) => a._id).sort()).to.deep.equal(
        [unitA, unitC, unitSouth].flatMap((u) => [`municipal:${u}:medvirkning`, `municipal:${u}:samtaler`]).sort(),
      );
      expect(stored.every((a) => a.scope === 'municipal' && a.target.kind === 'unit' && isoDate(a.deadline) === inDays(200))).to.equal(true);
      expect((await admin.get('/kommune/tildelinger')).text).to.contain('Tildelt til 3 enheter: 6 nye, 0 med ny frist.');

      await assignMany({ moduleSlugs: ['samtaler', 'medvirkning'], unitTypes: 'barnehage', deadline: inDays(260) }, 303);

      stored = await assignments().find().toArray();
      expect(stored).to.have.length(6);
      expect(stored.every((a) => isoDate(a.deadline) === inDays(260))).to.equal(true);
      expect((await admin.get('/kommune/tildelinger')).text).to.contain('Tildelt til 3 enheter: 0 nye, 6 med ny frist.');
      const mine = await assignmentsFor({ id: staff.id, memberOf: [unitA] });
      expect(mine.map((a) => [a.moduleSlug, isoDate(a.deadline)])).to.have.deep.members([['samtaler', inDays(260)], ['medvirkning', inDays(260)]]);
    });

    it('a district and a type together: only the barnehager in that district', async () => {
      const page = await admin.get('/kommune/tildelinger').expect(200);
      const south = /id="district-([a-f0-9]{24})" name="districtIds" value="[a-f0-9]{24}"> <span>Sør</.exec(page.text)![1]!;

      await assignMany({ moduleSlugs: 'samtaler', unitTypes: 'barnehage', districtIds: south, deadline: inDays(200) }, 303);

      expect((await assignments().find().toArray()).map((a) => a.target.unitId)).to.deep.equal([unitSouth]);
    });

    it('no module, no unit type or district, or a past deadline: 400 with messages, nothing stored', async () => {
      const res = await assignMany({ deadline: '2001-01-01' });

      expect(res.status).to.equal(400);
      expect(res.text).to.contain('Velg minst én publisert modul.').and.to.contain('Velg minst én enhetstype eller bydel.').and.to.contain('Fristen kan ikke være tilbake i tid.');
      expect(await assignments().countDocuments()).to.equal(0);
    });

    it('leaders see the municipality\'s assignment but cannot withdraw it (403); the municipality withdraws it from every unit', async () => {
      await assignMany({ moduleSlugs: 'samtaler', unitTypes: 'barnehage', deadline: inDays(200) }, 303);
      const leaderPage = await leader.get(`/leder/${unitA}/tildelinger`).expect(200);
      expect(leaderPage.text).to.contain('Bestemt av kommunen').and.not.to.contain('trekk-tilbake');
      const token = await csrfToken(leader, `/leder/${unitA}/tildelinger`);
      const refused = await leader.post(`/leder/${unitA}/tildelinger/${encodeURIComponent(`municipal:${unitA}:samtaler`)}/trekk-tilbake`).type('form').send({ _csrf: token });
      expect(refused.status).to.equal(403);
      expect(await assignments().countDocuments()).to.equal(3);

      const list = await admin.get('/kommune/tildelinger').expect(200);
      const batch = /name="batch" value="([^"]+)"/.exec(list.text)![1]!;
      const adminToken = await csrfToken(admin, '/kommune/tildelinger');
      await admin.post('/kommune/tildelinger/trekk-tilbake').type('form').send({ _csrf: adminToken, batch }).expect(303);

      expect(await assignments().countDocuments()).to.equal(0);
      expect(await assignmentsFor({ id: staff.id, memberOf: [unitA] })).to.deep.equal([]);
      expect((await admin.get('/kommune/tildelinger')).text).to.contain('Trukket tilbake fra 3 enheter.');
    });

    it('the units\' assignment lists: kept equal to the records through assigning, moving, withdrawing and the municipality\'s batches', async () => {
      const lists = () => mongoose.connection.db!.collection<{ _id: string; items: Record<string, unknown> }>('assignment_targets');
      await assign(leader, unitA, { moduleSlug: 'samtaler', target: 'all', deadline: inDays(30) });
      await assign(leader, unitA, { moduleSlug: 'medvirkning', target: 'people', userIds: [colleague.id], deadline: inDays(40) });
      await assignMany({ moduleSlugs: 'medvirkning', unitTypes: 'barnehage', deadline: inDays(200) }, 303);
      const own = (await assignments().findOne({ moduleSlug: 'samtaler' }))!._id;
      const token = await csrfToken(leader, `/leder/${unitA}/tildelinger`);
      await leader.post(`/leder/${unitA}/tildelinger/${own}/frist`).type('form').send({ _csrf: token, deadline: inDays(10) }).expect(303);
      await assign(leader, unitA, { moduleSlug: 'samtaler', target: 'people', userIds: [staff.id], deadline: inDays(20) });
      const spare = (await assignments().findOne({ moduleSlug: 'samtaler', 'target.kind': 'people' }))!._id;
      await leader.post(`/leder/${unitA}/tildelinger/${spare}/trekk-tilbake`).type('form').send({ _csrf: token }).expect(303);

      // What the services maintained is what a scan of the records gives, unit by unit.
      for (const unitId of [unitA, unitB, unitC, unitSouth]) {
        const scanned = await assignments().find({ $or: [{ unitId }, { 'target.unitId': unitId }] }).toArray();
        const listed = await unitAssignmentRecords(unitId);
        expect(listed.map((r) => [r.id, r.deadline && isoDate(r.deadline)]).sort(), unitId).to.deep.equal(scanned.map((r) => [r._id, r.deadline && isoDate(r.deadline)]).sort());
      }
      expect((await unitAssignmentRecords(unitA)).map((r) => r.moduleSlug).sort()).to.deep.equal(['medvirkning', 'medvirkning', 'samtaler']);
      expect(isoDate((await unitAssignmentRecords(unitA)).find((r) => r.id === own)!.deadline!)).to.equal(inDays(10));

      // And a rebuild from the records writes the same lists.
      const maintained = await lists().find({ _id: { $regex: /^list:/ } }).sort({ _id: 1 }).toArray();
      await lists().deleteMany({ _id: { $regex: /^list:/ } });
      await rebuildUnitLists();
      const rebuilt = await lists().find({ _id: { $regex: /^list:/ } }).sort({ _id: 1 }).toArray();
      expect(rebuilt.filter((l) => Object.keys(l.items).length > 0)).to.deep.equal(maintained.filter((l) => Object.keys(l.items).length > 0));
    });

    it('a database from before the lists: the first start builds them from the records, later starts leave them alone', async () => {
      await assignments().insertOne({ _id: 'legacy-1', moduleSlug: 'samtaler', deadline: null, scope: 'unit', unitId: null, target: { kind: 'unit', unitId: unitB, userIds: [] }, batch: null, createdAt: new Date(), createdBy: { id: null, name: 'Eldre' } } as never);
      expect(await unitAssignmentRecords(unitB)).to.deep.equal([]);

      expect(await ensureUnitLists()).to.be.a('number').and.to.be.greaterThan(0);
      expect((await unitAssignmentRecords(unitB)).map((r) => r.id)).to.deep.equal(['legacy-1']);
      expect(await ensureUnitLists()).to.equal(null);
    });

    it('a leader cannot use the municipality\'s form: 403', async () => {
      const token = await csrfToken(leader, '/mine-kurs');
      const res = await leader.post('/kommune/tildelinger').type('form').send({ _csrf: token, moduleSlugs: 'samtaler', unitTypes: 'barnehage', deadline: inDays(200) });
      expect(res.status).to.equal(403);
      expect(await assignments().countDocuments()).to.equal(0);
    });
  });
});
