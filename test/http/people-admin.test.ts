import { expect } from 'chai';
import request from 'supertest';
import mongoose from 'mongoose';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, csrfToken, signIn, TEST_PASSWORD, type Agent } from '../helpers/auth.js';
import { UserModel, toSessionUser, setPlatformRoles } from '../../src/components/accounts/index.js';
import { UnitModel } from '../../src/components/organisation/index.js';
import { ForbiddenError } from '../../src/lib/errors.js';
import { isoDate, todayDateOnly } from '../../src/lib/dates.js';

describe('http: people administration (find, memberships, roles, deactivation)', () => {
  let app: Express;
  let admin: Agent;
  let adminId: string;
  let unitA: string;
  let unitB: string;
  let kari: { id: string; email: string };

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    await clearDatabase();
    unitA = await createUnit('Solsikken barnehage', 'barnehage');
    unitB = await createUnit('Nordbyen skole', 'skole');
    kari = await createUser({ name: 'Kari Nordmann', email: 'kari@test.example', memberships: [{ unitId: unitA, role: 'ansatt' }] });
    await createUser({ name: 'Ola Hansen', email: 'ola@test.example', memberships: [{ unitId: unitB, role: 'leder' }] });
    const a = await createUser({ name: 'Jonas Moe', roles: ['municipal-admin'] });
    adminId = a.id;
    admin = await signIn(app, a.email);
  });

  async function post(agent: Agent, path: string, body: Record<string, string | string[]> = {}) {
    return agent.post(path).type('form').send({ _csrf: await csrfToken(agent, '/admin/personer'), ...body });
  }
  const kariDoc = async () => (await UserModel.findById(kari.id).lean())!;

  it('find: by part of the name, part of the e-mail, and by unit; special characters are searched literally', async () => {
    const byName = await admin.get('/admin/personer?q=nordm').expect(200);
    expect(byName.text).to.contain('Kari Nordmann').and.not.to.contain('Ola Hansen');
    const byEmail = await admin.get('/admin/personer?q=OLA%40test').expect(200);
    expect(byEmail.text).to.contain('Ola Hansen').and.not.to.contain('Kari Nordmann');
    const byUnit = await admin.get(`/admin/personer?unit=${unitB}`).expect(200);
    expect(byUnit.text).to.contain('Ola Hansen').and.not.to.contain('Kari Nordmann');
    const regexy = await admin.get('/admin/personer?q=(.*').expect(200);
    expect(regexy.text).to.contain('Ingen personer passer med søket');
  });

  it('view a person: memberships with unit names, roles and status', async () => {
    const page = await admin.get(`/admin/personer/${kari.id}`).expect(200);
    expect(page.text).to.contain('Kari Nordmann').and.to.contain('kari@test.example').and.to.contain('Solsikken barnehage').and.to.contain('Nåværende');
    await admin.get('/admin/personer/0123456789abcdef01234567').expect(404);
  });

  it('move to another unit: the old membership gets an end date and stays in the history, the new one is current', async () => {
    const membershipId = String((await kariDoc()).memberships[0]!._id);
    const today = isoDate(todayDateOnly());
    const ended = await post(admin, `/admin/personer/${kari.id}/medlemskap/${membershipId}/avslutt`, { endDate: today });
    expect(ended.status).to.equal(303);
    const added = await post(admin, `/admin/personer/${kari.id}/medlemskap`, { unitId: unitB, role: 'leder', startDate: today });
    expect(added.status).to.equal(303);

    const doc = await kariDoc();
    expect(String(doc._id)).to.equal(kari.id, 'the same person, so everything completed stays theirs');
    expect(doc.memberships).to.have.length(2);
    const [old, fresh] = doc.memberships;
    expect(String(old!.unitId)).to.equal(unitA);
    expect(isoDate(old!.endDate)).to.equal(today);
    expect(String(fresh!.unitId)).to.equal(unitB);
    expect(fresh).to.include({ role: 'leder', endDate: null });
    const session = toSessionUser(doc);
    expect([...session.memberOf]).to.deep.equal([unitB]);
    expect([...session.leaderOf]).to.deep.equal([unitB]);

    const page = await admin.get(`/admin/personer/${kari.id}`).expect(200);
    expect(page.text).to.contain('Avsluttet').and.to.contain('Nordbyen skole');
  });

  it('add membership with missing or wrong input: 400 with a message per field, nothing stored', async () => {
    const res = await post(admin, `/admin/personer/${kari.id}/medlemskap`, { unitId: '', startDate: '2026-02-30' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Velg en enhet.').and.to.contain('Velg om personen er ansatt eller leder').and.to.contain('Skriv en gyldig dato');
    expect(res.text).to.contain('href="#unitId"').and.to.contain('href="#startDate"');
    expect((await kariDoc()).memberships).to.have.length(1);
  });

  it('add membership in a unit the person is already in, or in a closed unit: 400 with the reason', async () => {
    const dup = await post(admin, `/admin/personer/${kari.id}/medlemskap`, { unitId: unitA, role: 'leder', startDate: '2026-01-01' });
    expect(dup.status).to.equal(400);
    expect(dup.text).to.contain('Personen er allerede med i denne enheten');
    await UnitModel.updateOne({ _id: unitB }, { $set: { closedAt: new Date() } });
    const closed = await post(admin, `/admin/personer/${kari.id}/medlemskap`, { unitId: unitB, role: 'ansatt', startDate: '2026-01-01' });
    expect(closed.status).to.equal(400);
    expect(closed.text).to.contain('Enheten er stengt');
    expect((await kariDoc()).memberships).to.have.length(1);
  });

  it('end membership before it started: 400, not stored', async () => {
    const membershipId = String((await kariDoc()).memberships[0]!._id);
    const res = await post(admin, `/admin/personer/${kari.id}/medlemskap/${membershipId}/avslutt`, { endDate: '2000-01-01' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Sluttdatoen kan ikke være før startdatoen.');
    expect((await kariDoc()).memberships[0]!.endDate).to.equal(null);
  });

  it('roles: a municipal admin grants author and municipal admin; a forged system-admin box is ignored', async () => {
    const res = await post(admin, `/admin/personer/${kari.id}/roller`, { roles: ['author', 'municipal-admin', 'system-admin', 'emperor'] });
    expect(res.status).to.equal(303);
    expect((await kariDoc()).roles).to.deep.equal(['author', 'municipal-admin']);
  });

  it('roles: only a system admin may grant or remove system admin (the service refuses others)', async () => {
    const actor = toSessionUser((await UserModel.findById(adminId).lean())!);
    let refused: unknown;
    await setPlatformRoles(actor, kari.id, ['system-admin']).catch((err) => (refused = err));
    expect(refused).to.be.instanceOf(ForbiddenError);

    const sys = await createUser({ roles: ['system-admin'] });
    const sysAgent = await signIn(app, sys.email);
    expect((await post(sysAgent, `/admin/personer/${kari.id}/roller`, { roles: 'system-admin' })).status).to.equal(303);
    expect((await kariDoc()).roles).to.deep.equal(['system-admin']);
    // A municipal admin never changes a system admin (issue 12): refused with the reason, nothing stored.
    const refusedSave = await post(admin, `/admin/personer/${kari.id}/roller`, { roles: 'author' });
    expect(refusedSave.status).to.equal(400);
    expect(refusedSave.text).to.contain('Bare en systemadministrator kan endre');
    expect((await kariDoc()).roles).to.deep.equal(['system-admin']);
  });

  it('roles: an admin cannot change their own roles (another admin must)', async () => {
    const res = await post(admin, `/admin/personer/${adminId}/roller`, { roles: 'author' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Du kan ikke endre dine egne roller');
    expect((await UserModel.findById(adminId).lean())?.roles).to.deep.equal(['municipal-admin']);
  });

  it('deactivate: the person cannot log in and their open session ends, but every record stays; reactivate restores login', async () => {
    const kariAgent = await signIn(app, kari.email);
    const before = await kariDoc();
    expect((await post(admin, `/admin/personer/${kari.id}/deaktiver`)).status).to.equal(303);

    const after = await kariDoc();
    expect(after.status).to.equal('deactivated');
    expect(after).to.include({ name: 'Kari Nordmann', email: 'kari@test.example' });
    expect(after.memberships.map((m) => String(m._id))).to.deep.equal(before.memberships.map((m) => String(m._id)));
    const login = request.agent(app);
    const token = await csrfToken(login, '/logg-inn');
    expect((await login.post('/logg-inn').type('form').send({ _csrf: token, email: kari.email, password: TEST_PASSWORD })).status).to.equal(401);
    const stale = await kariAgent.get('/mine-data');
    expect(stale.status).to.equal(302);
    expect(stale.headers.location).to.match(/^\/logg-inn/);

    expect((await post(admin, `/admin/personer/${kari.id}/aktiver`)).status).to.equal(303);
    expect((await kariDoc()).status).to.equal('active');
    await signIn(app, kari.email);
  });

  it('deactivate yourself, or (as a municipal admin) a system admin: refused', async () => {
    const self = await post(admin, `/admin/personer/${adminId}/deaktiver`);
    expect(self.status).to.equal(400);
    expect(self.text).to.contain('Du kan ikke deaktivere din egen konto.');
    const sys = await createUser({ roles: ['system-admin'] });
    expect((await post(admin, `/admin/personer/${sys.id}/deaktiver`)).status).to.equal(403);
    expect((await UserModel.findById(sys.id).lean())?.status).to.equal('active');
  });

  it('invited person (imported, no password yet): the page offers an activation link, which is mailed', async () => {
    const invited = await UserModel.create({ email: 'ny@test.example', name: 'Ny Person', status: 'invited', memberships: [] });
    const page = await admin.get(`/admin/personer/${String(invited._id)}`).expect(200);
    expect(page.text).to.contain('Send aktiveringslenke på e-post');
    const res = await post(admin, `/admin/personer/${String(invited._id)}/aktiveringslenke`);
    expect(res.status).to.equal(303);
    expect(await mongoose.connection.db!.collection('mail_outbox').countDocuments({ to: 'ny@test.example' })).to.equal(1);
    const active = await post(admin, `/admin/personer/${kari.id}/aktiveringslenke`);
    expect(active.status).to.equal(400);
    expect(active.text).to.contain('Kontoen er allerede aktivert');
  });
});
