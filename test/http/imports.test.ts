import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, csrfToken, signIn, type Agent } from '../helpers/auth.js';
import { UserModel, toSessionUser } from '../../src/components/accounts/index.js';
import type { SessionUser } from '../../src/web/session-user.js';
import { DistrictModel, UnitModel, seedDemoOrganisation } from '../../src/components/organisation/index.js';
import { ImportModel, confirmImport, previewImport, getImport, IMPORT_MAX_BYTES } from '../../src/components/imports/index.js';
import { anonymisePerson } from '../../src/components/people/index.js';
import { paths } from '../../src/config/index.js';

const fixture = (name: string) => readFileSync(path.join(paths.root, 'test', 'fixtures', 'import', name));
const sample = (name: string) => readFileSync(path.join(paths.root, 'docs', 'samples', name));

/** The text of the preview table's detail cells, whitespace collapsed. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');

describe('http: CSV import (upload → preview → confirm)', function () {
  this.timeout(60_000);
  let app: Express;
  let admin: Agent;
  let adminUser: SessionUser;
  let solsikken: string;
  let nordbyenSkole: string;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    await clearDatabase();
    const nordbyen = await DistrictModel.create({ name: 'Nordbyen' });
    await DistrictModel.create({ name: 'Gamlebyen', closedAt: new Date() });
    solsikken = String((await UnitModel.create({ name: 'Solsikken barnehage', type: 'barnehage', districtId: nordbyen._id, orgNumber: '974760673' }))._id);
    nordbyenSkole = String((await UnitModel.create({ name: 'Nordbyen skole', type: 'skole', districtId: nordbyen._id, orgNumber: '910014927' }))._id);
    await UnitModel.create({ name: 'Lukket barnehage', type: 'barnehage', districtId: nordbyen._id, orgNumber: '910024426', closedAt: new Date() });
    const a = await createUser({ roles: ['municipal-admin'] });
    adminUser = toSessionUser((await UserModel.findById(a.id).lean())!);
    admin = await signIn(app, a.email);
  });

  async function upload(kind: 'staff' | 'units', file: Buffer, filename = 'fil.csv') {
    const token = await csrfToken(admin, '/admin/personer');
    return admin.post(`/admin/import?_csrf=${encodeURIComponent(token)}`).field('kind', kind).attach('file', file, { filename, contentType: 'text/csv' });
  }

  async function preview(kind: 'staff' | 'units', file: Buffer) {
    const res = await upload(kind, file);
    expect(res.status, text(res.text).slice(0, 300)).to.equal(303);
    const id = String(res.headers.location).split('/').pop()!;
    const page = await admin.get(String(res.headers.location)).expect(200);
    return { id, page, doc: (await ImportModel.findById(id).lean())! };
  }

  async function confirm(id: string, body: Record<string, string> = {}) {
    const doc = (await ImportModel.findById(id).lean())!;
    return admin.post(`/admin/import/${id}/bekreft`).type('form').send({ _csrf: await csrfToken(admin, '/admin/personer'), planHash: doc.planHash, ...body });
  }

  const people = () => UserModel.find({ email: /@test\.example$/ }).sort({ email: 1 }).lean();
  const staffCount = async () => (await people()).filter((p) => !p.roles.length).length;

  it('valid staff file (UTF-8 with BOM, semicolons): preview shows each row as new with its line; nothing stored until confirmed', async () => {
    const { id, page, doc } = await preview('staff', fixture('staff-valid.csv'));
    expect(id).to.match(/^[A-Za-z0-9_-]{24}$/);
    expect(doc).to.include({ kind: 'staff', status: 'previewed' });
    expect(doc.counts).to.deep.equal({ create: 3, update: 0, unchanged: 0, rejected: 0 });
    expect(doc.rows.map((r: { line: number }) => r.line)).to.deep.equal([2, 3, 4]);
    expect(text(page.text)).to.contain('Nye: 3').and.to.contain('Nora Olsen').and.to.contain('Solsikken barnehage').and.to.contain('Importer radene (3)');
    expect(await staffCount()).to.equal(0);
  });

  it('confirm: creates the people with their memberships (invited, waiting for activation) and shows the result', async () => {
    const { id } = await preview('staff', fixture('staff-valid.csv'));
    const res = await confirm(id);
    expect(res.status).to.equal(303);
    const result = await admin.get(`/admin/import/${id}`).expect(200);
    expect(text(result.text)).to.contain('Importen av ansatte er fullført').and.to.contain('Opprettet: 3');

    const stored = await people();
    const byEmail = new Map(stored.map((p) => [p.email, p]));
    expect(byEmail.get('emil.johansen@test.example')).to.include({ name: 'Emil Johansen', status: 'invited', passwordHash: null });
    const sara = byEmail.get('sara.larsen@test.example')!;
    expect(sara).to.include({ externalId: 'ext-sara' });
    expect(sara.memberships.map((m) => [String(m.unitId), m.role, m.endDate])).to.deep.equal([[nordbyenSkole, 'leder', null]]);
    expect(String(byEmail.get('nora.olsen@test.example')!.memberships[0]!.unitId)).to.equal(solsikken);
    const doc = (await ImportModel.findById(id).lean())!;
    expect(doc).to.include({ status: 'applied', applied: 3, mode: 'all' });
    expect(doc.results.map((r: { result: string }) => r.result)).to.deep.equal(['created', 'created', 'created']);
  });

  it('re-importing the same file: every row previewed as unchanged, and confirming changes nothing', async () => {
    await confirm((await preview('staff', fixture('staff-valid.csv'))).id);
    const before = await people();

    const again = await preview('staff', fixture('staff-valid.csv'));
    expect(again.doc.counts).to.deep.equal({ create: 0, update: 0, unchanged: 3, rejected: 0 });
    expect(text(again.page.text)).to.contain('Uendret: 3');
    expect((await confirm(again.id)).status).to.equal(303);
    const doc = (await ImportModel.findById(again.id).lean())!;
    expect(doc.results.map((r: { result: string }) => r.result)).to.deep.equal(['unchanged', 'unchanged', 'unchanged']);
    const after = await people();
    expect(after.map((p) => [p.email, p.__v, p.updatedAt?.getTime(), p.memberships.length])).to.deep.equal(
      before.map((p) => [p.email, p.__v, p.updatedAt?.getTime(), p.memberships.length]),
    );
  });

  it('an existing person in the file: previewed as a change (new name, new membership); confirming keeps the old membership', async () => {
    const nora = await createUser({ name: 'Nora Olsen-Berg', email: 'nora.olsen@test.example', memberships: [{ unitId: nordbyenSkole, role: 'ansatt' }] });
    const { id, page, doc } = await preview('staff', fixture('staff-valid.csv'));
    expect(doc.counts).to.deep.equal({ create: 2, update: 1, unchanged: 0, rejected: 0 });
    expect(text(page.text)).to.contain('Navn: Nora Olsen-Berg → Nora Olsen').and.to.contain('Nytt medlemskap: Solsikken barnehage (ansatt)');
    await confirm(id);
    const stored = (await UserModel.findById(nora.id).lean())!;
    expect(stored.name).to.equal('Nora Olsen');
    expect(stored.status).to.equal('active');
    expect(stored.memberships.map((m) => String(m.unitId)).sort()).to.deep.equal([solsikken, nordbyenSkole].sort());
  });

  it('a file with one bad row: preview names the line and the reason; confirming imports nothing unless "only the valid rows" is chosen', async () => {
    const { id, page, doc } = await preview('staff', fixture('staff-one-bad-row.csv'));
    expect(doc.counts).to.deep.equal({ create: 2, update: 0, unchanged: 0, rejected: 1 });
    expect(text(page.text)).to.contain('Linje 3: Rollen «sjef» finnes ikke. Bruk ansatt, leder.');
    expect(text(page.text)).to.contain('Noen rader er avvist (se «Avvist» i tabellen). Ingenting blir importert');

    const refused = await confirm(id);
    expect(refused.status).to.equal(400);
    expect(text(refused.text)).to.contain('Filen har avviste rader. Kryss av for å importere bare de gyldige radene');
    expect(await staffCount()).to.equal(0);
    expect((await ImportModel.findById(id).lean())?.status).to.equal('previewed');

    expect((await confirm(id, { validOnly: 'yes' })).status).to.equal(303);
    expect((await people()).map((p) => p.email).filter((e) => !e.startsWith('person'))).to.deep.equal(['nora.olsen@test.example', 'sara.larsen@test.example']);
    const done = (await ImportModel.findById(id).lean())!;
    expect(done).to.include({ status: 'applied', mode: 'valid-only' });
    expect(done.results.map((r: { result: string }) => r.result)).to.deep.equal(['created', 'skipped', 'created']);
  });

  it('a stale page (plan hash does not match): 409, nothing imported', async () => {
    const { id } = await preview('staff', fixture('staff-valid.csv'));
    const res = await confirm(id, { planHash: 'f'.repeat(64) });
    expect(res.status).to.equal(409);
    expect(text(res.text)).to.contain('Forhåndsvisningen er endret');
    expect(await staffCount()).to.equal(0);
  });

  describe('rejections, one file each (line and reason)', () => {
    async function fileProblem(file: Buffer, status = 400) {
      const res = await upload('staff', file);
      expect(res.status).to.equal(status);
      expect(await ImportModel.countDocuments()).to.equal(0);
      return text(res.text);
    }
    async function reasons(name: string) {
      const { doc, page } = await preview('staff', fixture(name));
      return { rows: doc.rows.map((r: { line: number; action: string; reasons: Array<{ key: string; params?: Record<string, unknown> }> }) => [r.line, r.action, r.reasons.map((x) => x.key)]), page: text(page.text), doc };
    }

    it('wrong encoding (Windows-1252 with æøå): refused, saying so, the line, and "lagre filen som UTF-8"', async () => {
      const page = await fileProblem(fixture('staff-latin1.csv'));
      expect(page).to.contain('Filen er ikke lagret som UTF-8 (første feil på linje 3)').and.to.contain('Lagre filen som UTF-8');
      expect(page).to.match(/aria-invalid="true"|Dette må rettes/);
    });

    it('commas instead of semicolons (with a quoted comma and CRLF): accepted', async () => {
      const { rows, page } = await reasons('staff-comma.csv');
      expect(rows).to.deep.equal([[2, 'create', []], [3, 'create', []]]);
      expect(page).to.contain('Hansen, Ola').and.to.contain('Åse Ødegård');
    });

    it('missing columns: refused, naming them', async () => {
      const page = await fileProblem(fixture('staff-missing-columns.csv'));
      expect(page).to.contain('Filen mangler kolonnene: epost, enhet.').and.to.contain('Vi fant: navn, e-mail adresse, orgnummer.');
    });

    it('duplicate e-mails in the file: both lines rejected, naming the lines; the other row is fine', async () => {
      const { rows, page } = await reasons('staff-duplicate-email.csv');
      expect(rows).to.deep.equal([
        [2, 'rejected', ['imports:reason.duplicateEmail']],
        [3, 'create', []],
        [4, 'rejected', ['imports:reason.duplicateEmail']],
      ]);
      expect(page).to.contain('Linje 4: E-postadressen nora.olsen@test.example står flere ganger i filen (linje 2, 4).');
    });

    it('unknown units (org number not registered, id that does not exist): rejected', async () => {
      const { rows, page } = await reasons('staff-unknown-unit.csv');
      expect(rows).to.deep.equal([[2, 'rejected', ['imports:reason.unknownUnit']], [3, 'rejected', ['imports:reason.unknownUnit']]]);
      expect(page).to.contain('Linje 2: Fant ingen enhet med organisasjonsnummer eller id «910025783»');
      expect(page).to.contain('Alle radene er avvist');
      expect(page).not.to.contain('Importer radene');
    });

    it('a closed unit: rejected', async () => {
      const { rows, page } = await reasons('staff-closed-unit.csv');
      expect(rows).to.deep.equal([[2, 'rejected', ['imports:reason.closedUnit']], [3, 'create', []]]);
      expect(page).to.contain('Linje 2: Enheten Lukket barnehage er stengt.');
    });

    it('invalid e-mail: rejected', async () => {
      const { rows, page } = await reasons('staff-invalid-email.csv');
      expect(rows).to.deep.equal([[2, 'rejected', ['imports:reason.invalidEmail']], [3, 'create', []]]);
      expect(page).to.contain('Linje 2: «nora.olsen(at)test.example» er ikke en gyldig e-postadresse.');
    });

    it('invalid org number (wrong check digit): rejected', async () => {
      const { rows, page } = await reasons('staff-invalid-orgnr.csv');
      expect(rows).to.deep.equal([[2, 'rejected', ['imports:reason.invalidOrgNumber']], [3, 'create', []]]);
      expect(page).to.contain('Linje 2: «974760674» er ikke et gyldig organisasjonsnummer');
    });

    it('file too large: 413, with the limit', async () => {
      const big = Buffer.concat([Buffer.from('navn;epost;enhet\n'), Buffer.alloc(IMPORT_MAX_BYTES, 0x41)]);
      const page = await fileProblem(big, 413);
      expect(page).to.contain('Filen er større enn 2 MB.');
    });

    it('empty file, and a file with only the header: refused', async () => {
      expect(await fileProblem(fixture('staff-empty.csv'))).to.contain('Filen er tom.');
      expect(await fileProblem(fixture('staff-header-only.csv'))).to.contain('Filen har bare kolonnenavn og ingen rader.');
    });

    it('no file chosen, or no kind: refused with a message per field', async () => {
      const token = await csrfToken(admin, '/admin/personer');
      const res = await admin.post(`/admin/import?_csrf=${encodeURIComponent(token)}`).field('kind', 'noe annet');
      expect(res.status).to.equal(400);
      expect(text(res.text)).to.contain('Velg en CSV-fil å laste opp.').and.to.contain('Velg om filen inneholder ansatte eller enheter.');
    });

    it('a multipart upload without the CSRF token in the URL: 403, nothing stored', async () => {
      const res = await admin.post('/admin/import').field('kind', 'staff').attach('file', fixture('staff-valid.csv'), 'fil.csv');
      expect(res.status).to.equal(403);
      expect(await ImportModel.countDocuments()).to.equal(0);
    });
  });

  it('an apply that fails half-way records its progress; confirming again finishes, without duplicates', async () => {
    const preview = await previewImport({ actor: adminUser, kind: 'staff', fileName: 'x.csv', bytes: fixture('staff-valid.csv') });
    if (!preview.ok) throw new Error(preview.problem.key);
    const { planHash } = await getImport(adminUser, preview.id);
    let failure: unknown;
    await confirmImport(adminUser, preview.id, {
      planHash,
      validOnly: false,
      onProgress: (done) => {
        if (done === 2) throw new Error('lights out');
      },
    }).catch((err) => (failure = err));
    expect((failure as Error).message).to.equal('lights out');
    const halfway = (await ImportModel.findById(preview.id).lean())!;
    expect(halfway).to.include({ status: 'applying', applied: 2, leaseUntil: null });
    expect(await staffCount()).to.equal(2);
    expect((await admin.get(`/admin/import/${preview.id}`).expect(200)).text).to.contain('Importen stoppet etter 2 av 3 rader');

    const view = await confirmImport(adminUser, preview.id, { planHash, validOnly: false });
    expect(view.status).to.equal('applied');
    expect(view.outcomeCounts).to.include({ created: 3 });
    expect(await staffCount()).to.equal(3);
  });

  it('a crash before progress was written (lease expired): confirming again re-applies those rows as unchanged', async () => {
    const preview = await previewImport({ actor: 'cli', kind: 'staff', fileName: 'x.csv', bytes: fixture('staff-valid.csv') });
    if (!preview.ok) throw new Error(preview.problem.key);
    const { planHash } = await getImport('cli', preview.id);
    await confirmImport('cli', preview.id, { planHash, validOnly: false, onProgress: (done) => { if (done === 2) throw new Error('crash'); } }).catch(() => undefined);
    // As if the process died before its checkpoint: no progress recorded, lease still held but expired.
    await ImportModel.updateOne({ _id: preview.id }, { $set: { applied: 0, results: [], leaseUntil: new Date(Date.now() - 1000) } });

    const view = await confirmImport('cli', preview.id, { planHash, validOnly: false });
    expect(view.rows.map((r) => r.outcome?.result)).to.deep.equal(['unchanged', 'unchanged', 'created']);
    expect(await staffCount()).to.equal(3);
    expect((await people()).filter((p) => !p.roles.length).map((p) => p.memberships.length)).to.deep.equal([1, 1, 1]);
  });

  it('a running apply (lease held): a second confirm is refused with 409', async () => {
    const { id, doc } = await preview('staff', fixture('staff-valid.csv'));
    await ImportModel.updateOne({ _id: id }, { $set: { status: 'applying', leaseUntil: new Date(Date.now() + 60_000) } });
    const res = await confirm(id, { planHash: doc.planHash });
    expect(res.status).to.equal(409);
    expect(text(res.text)).to.contain('Importen er allerede i gang');
  });

  it('anonymising a person blanks them in stored imports, and an old preview can no longer re-create them', async () => {
    const applied = await preview('staff', fixture('staff-valid.csv'));
    await confirm(applied.id);
    const pending = await preview('staff', fixture('staff-valid.csv'));
    const nora = (await UserModel.findOne({ email: 'nora.olsen@test.example' }).lean())!;
    await UserModel.updateOne({ _id: nora._id }, { $set: { status: 'deactivated' } });
    const sys = await createUser({ roles: ['system-admin'] });
    await anonymisePerson(toSessionUser((await UserModel.findById(sys.id).lean())!), String(nora._id));

    const docs = await ImportModel.find({}).lean();
    for (const doc of docs) expect(JSON.stringify(doc.rows)).not.to.contain('nora.olsen@test.example').and.not.to.contain('Nora Olsen');
    const stale = (await ImportModel.findById(pending.id).lean())!;
    expect(stale.rows[0]).to.deep.include({ action: 'rejected', reasons: [{ key: 'imports:reason.personAnonymised' }] });
    expect(stale.counts).to.deep.equal({ create: 0, update: 0, unchanged: 2, rejected: 1 });
    expect((await confirm(pending.id, { validOnly: 'yes' })).status).to.equal(303);
    expect(await UserModel.countDocuments({ email: 'nora.olsen@test.example' })).to.equal(0);
    expect((await UserModel.findById(nora._id).lean())?.status).to.equal('anonymised');
  });

  describe('units', () => {
    it('valid unit file: creates new units, updates by org number, matches types and districts in any case; re-import is unchanged', async () => {
      const { id, doc, page } = await preview('units', fixture('units-valid.csv'));
      expect(doc.rows.map((r: { line: number; action: string }) => [r.line, r.action])).to.deep.equal([[2, 'update'], [3, 'create'], [4, 'create']]);
      expect(text(page.text)).to.contain('Nasjonal id: – → 1001');
      await confirm(id);
      expect(await UnitModel.findById(solsikken).lean()).to.include({ nationalId: '1001' });
      expect(await UnitModel.findOne({ name: 'Voksenopplæringa' }).lean()).to.include({ type: 'voksenopplaering' });
      expect(await UnitModel.findOne({ orgNumber: '910035282' }).lean()).to.include({ name: 'Ny skole', type: 'skole' });

      const again = await preview('units', fixture('units-valid.csv'));
      expect(again.doc.counts).to.deep.equal({ create: 0, update: 0, unchanged: 3, rejected: 0 });
      const count = await UnitModel.countDocuments();
      await confirm(again.id);
      expect(await UnitModel.countDocuments()).to.equal(count);
    });

    it('unit rejections: invalid type, unknown district, invalid and duplicate org numbers, closed district — each with its line', async () => {
      const { doc, page } = await preview('units', fixture('units-errors.csv'));
      expect(doc.rows.map((r: { line: number; reasons: Array<{ key: string }> }) => [r.line, r.reasons.map((x) => x.key)])).to.deep.equal([
        [2, ['imports:reason.invalidType']],
        [3, ['imports:reason.unknownDistrict']],
        [4, ['imports:reason.invalidOrgNumber']],
        [5, ['imports:reason.duplicateOrgNumber']],
        [6, ['imports:reason.duplicateOrgNumber']],
        [7, ['imports:reason.closedDistrict']],
      ]);
      const t = text(page.text);
      expect(t).to.contain('Linje 2: Typen «barnhage» finnes ikke.');
      expect(t).to.contain('Linje 3: Fant ingen bydel som heter «Fjellet».');
      expect(t).to.contain('Linje 6: Organisasjonsnummeret 910067850 står flere ganger i filen (linje 5, 6).');
      expect(t).to.contain('Linje 7: Bydelen Gamlebyen er stengt.');
    });
  });

  it('the sample files in docs/samples: import cleanly into the demo municipality (units first, then staff)', async () => {
    await clearDatabase();
    await seedDemoOrganisation();
    const a = await createUser({ roles: ['municipal-admin'] });
    admin = await signIn(app, a.email);
    const units = await preview('units', sample('enheter.csv'));
    // Solsikken already has its number in the demo data; the others get theirs, Solbakken is new.
    expect(units.doc.counts).to.deep.equal({ create: 1, update: 7, unchanged: 1, rejected: 0 });
    await confirm(units.id);
    const staff = await preview('staff', sample('ansatte.csv'));
    expect(staff.doc.counts).to.deep.equal({ create: 6, update: 0, unchanged: 0, rejected: 0 });
  });

  it('the sample downloads: a CSV attachment with the file from docs/samples for each kind; an unknown kind is refused with 403', async () => {
    for (const [kind, name] of [['staff', 'ansatte.csv'], ['units', 'enheter.csv']] as const) {
      const res = await admin.get(`/admin/import/eksempel/${kind}`).buffer(true).expect(200);
      expect(res.headers['content-type']).to.match(/^text\/csv; charset=utf-8$/i);
      expect(res.headers['content-disposition']).to.equal(`attachment; filename="${name}"`);
      expect(Buffer.compare(Buffer.from(res.text, 'utf8'), sample(name))).to.equal(0);
    }
    expect((await admin.get('/admin/import/eksempel/people')).status).to.equal(403);
  });
});
