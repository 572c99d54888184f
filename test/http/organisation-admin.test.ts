import { expect } from 'chai';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, csrfToken, signIn, type Agent } from '../helpers/auth.js';
import { DistrictModel, UnitModel } from '../../src/components/organisation/index.js';

describe('http: organisation administration (units and districts)', () => {
  let app: Express;
  let admin: Agent;
  let districtId: string;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    await clearDatabase();
    districtId = String((await DistrictModel.create({ name: 'Nordbyen' }))._id);
    const { email } = await createUser({ roles: ['municipal-admin'] });
    admin = await signIn(app, email);
  });

  async function post(path: string, body: Record<string, string>) {
    return admin.post(path).type('form').send({ _csrf: await csrfToken(admin, '/admin/enheter'), ...body });
  }

  it('create unit with valid input: stored with the normalised org number, redirect to its page with a message', async () => {
    const res = await post('/admin/enheter', { name: 'Solsikken barnehage', type: 'barnehage', districtId, orgNumber: '974 760 673', nationalId: '12345' });
    expect(res.status).to.equal(303);
    const unit = await UnitModel.findOne({ name: 'Solsikken barnehage' }).lean();
    expect(unit).to.include({ type: 'barnehage', orgNumber: '974760673', nationalId: '12345', closedAt: null });
    expect(res.headers.location).to.equal(`/admin/enheter/${String(unit!._id)}`);
    const page = await admin.get(String(res.headers.location)).expect(200);
    expect(page.text).to.contain('Enheten «Solsikken barnehage» er opprettet.');
  });

  it('create unit with every field wrong: 400, a Norwegian message per field linked to it, values kept, nothing stored', async () => {
    const res = await post('/admin/enheter', { name: '', type: 'slott', districtId: 'nope', orgNumber: '974760674', nationalId: 'ikke gyldig!' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Skriv navnet på enheten.');
    expect(res.text).to.contain('Velg hva slags enhet dette er.');
    expect(res.text).to.contain('Velg hvilken bydel enheten hører til.');
    expect(res.text).to.contain('Organisasjonsnummeret er ikke gyldig');
    expect(res.text).to.contain('Den nasjonale id-en kan bare ha bokstaver');
    expect(res.text).to.match(/id="orgNumber" name="orgNumber" value="974760674"[^>]*aria-describedby="orgNumber-hint orgNumber-error"[^>]*aria-invalid="true"/);
    expect(res.text).to.contain('href="#orgNumber"');
    expect(await UnitModel.countDocuments()).to.equal(0);
  });

  it('org number already used by another unit, or a name already taken: 400 with the reason, nothing stored', async () => {
    await UnitModel.create({ name: 'Solsikken barnehage', type: 'barnehage', districtId, orgNumber: '974760673' });
    const taken = await post('/admin/enheter', { name: 'Annen barnehage', type: 'barnehage', districtId, orgNumber: '974760673' });
    expect(taken.status).to.equal(400);
    expect(taken.text).to.contain('En annen enhet har allerede dette organisasjonsnummeret');
    const sameName = await post('/admin/enheter', { name: 'solsikken BARNEHAGE', type: 'barnehage', districtId });
    expect(sameName.status).to.equal(400);
    expect(sameName.text).to.contain('Det finnes allerede en enhet med dette navnet');
    expect(await UnitModel.countDocuments()).to.equal(1);
  });

  it('edit unit: saves the changes; keeping its own org number is not a clash', async () => {
    const id = String((await UnitModel.create({ name: 'Solsikken', type: 'barnehage', districtId, orgNumber: '974760673' }))._id);
    const res = await post(`/admin/enheter/${id}`, { name: 'Solsikken barnehage', type: 'barnehage', districtId, orgNumber: '974760673', nationalId: '' });
    expect(res.status).to.equal(303);
    expect(await UnitModel.findById(id).lean()).to.include({ name: 'Solsikken barnehage', orgNumber: '974760673' });
  });

  it('close and reopen a unit: closed units are kept, hidden from the default list and from choices, shown under "closed"', async () => {
    const id = await createUnit('Lukkes barnehage', 'barnehage', 'Nordbyen');
    const closed = await post(`/admin/enheter/${id}/steng`, {});
    expect(closed.status).to.equal(303);
    expect((await admin.get(String(closed.headers.location)).expect(200)).text).to.contain('Enheten «Lukkes barnehage» er stengt.');
    expect((await UnitModel.findById(id).lean())?.closedAt).to.be.instanceOf(Date);
    expect((await admin.get('/admin/enheter').expect(200)).text).not.to.contain('Lukkes barnehage');
    expect((await admin.get('/admin/enheter?status=closed').expect(200)).text).to.contain('Lukkes barnehage');
    expect((await post(`/admin/enheter/${id}/gjenapne`, {})).status).to.equal(303);
    expect((await UnitModel.findById(id).lean())?.closedAt).to.equal(null);
  });

  it('unit list filters: by district and by type', async () => {
    await createUnit('Skolen i nord', 'skole', 'Nordbyen');
    await createUnit('Barnehagen i nord', 'barnehage', 'Nordbyen');
    await createUnit('Skolen i sør', 'skole', 'Sørlia');
    const byType = await admin.get('/admin/enheter?type=skole').expect(200);
    expect(byType.text).to.contain('Skolen i nord').and.to.contain('Skolen i sør').and.not.to.contain('Barnehagen i nord');
    const byDistrict = await admin.get(`/admin/enheter?district=${districtId}`).expect(200);
    expect(byDistrict.text).to.contain('Skolen i nord').and.not.to.contain('Skolen i sør');
    // Nonsense filters are ignored rather than failing.
    await admin.get('/admin/enheter?type=slott&status=x&district=%24ne').expect(200);
  });

  it('unknown unit id: 404', async () => {
    await admin.get('/admin/enheter/0123456789abcdef01234567').expect(404);
    await admin.get('/admin/enheter/not-an-id').expect(404);
  });

  it('districts: create, refuse a duplicate name (any case), rename', async () => {
    expect((await post('/admin/bydeler', { name: 'Sentrum' })).status).to.equal(303);
    const dup = await post('/admin/bydeler', { name: 'sentrum' });
    expect(dup.status).to.equal(400);
    expect(dup.text).to.contain('Det finnes allerede en bydel med dette navnet');
    const empty = await post('/admin/bydeler', { name: '  ' });
    expect(empty.status).to.equal(400);
    expect(empty.text).to.contain('Skriv navnet på bydelen.');
    const sentrum = await DistrictModel.findOne({ name: 'Sentrum' }).lean();
    expect((await post(`/admin/bydeler/${String(sentrum!._id)}`, { name: 'Sentrum øst' })).status).to.equal(303);
    expect(await DistrictModel.countDocuments({ name: 'Sentrum øst' })).to.equal(1);
  });

  it('close a district: refused while a unit in it is open; allowed once they are closed; closed districts are not offered for new units', async () => {
    const unitId = await createUnit('Eneste skole', 'skole', 'Nordbyen');
    const refused = await post(`/admin/bydeler/${districtId}/steng`, {});
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('Bydelen har åpne enheter');
    expect((await DistrictModel.findById(districtId).lean())?.closedAt).to.equal(null);

    await post(`/admin/enheter/${unitId}/steng`, {});
    expect((await post(`/admin/bydeler/${districtId}/steng`, {})).status).to.equal(303);
    expect((await DistrictModel.findById(districtId).lean())?.closedAt).to.be.instanceOf(Date);
    const form = await admin.get('/admin/enheter/ny').expect(200);
    expect(form.text).not.to.contain(`value="${districtId}"`);
    const create = await post('/admin/enheter', { name: 'Ny skole', type: 'skole', districtId });
    expect(create.status).to.equal(400);
    expect(create.text).to.contain('Bydelen er stengt');
    // A unit in a closed district cannot be reopened until the district is.
    const reopen = await post(`/admin/enheter/${unitId}/gjenapne`, {});
    expect(reopen.status).to.equal(400);
    expect(reopen.text).to.contain('Enheten ligger i en stengt bydel');
  });
});
