import { expect } from 'chai';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { clearDatabase } from '../../helpers/database.js';
import { createUnit, createUser, csrfToken, signIn, type Agent } from '../../helpers/auth.js';
import { findFreePort } from '../../../src/db/index.js';
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, TestBrowser, ssoLogin, startOidcProvider, startSsoApp, type TestOidcProvider } from '../../helpers/oidc.js';
import { IdentityChangeModel, UserModel, setIdentityGuardMode } from '../../../src/components/accounts/index.js';
import { ImportModel } from '../../../src/components/imports/index.js';
import { buildTestApp } from '../../helpers/app.js';

/**
 * Findings 1 and 3 of issue 12, reproduced the way the attacker did them: the staff import moving
 * SSO identities (then a real SSO login against a local OpenID provider), and a municipal admin making
 * themselves leader of a unit to read its named staff matrix.
 */

type SsoApp = Awaited<ReturnType<typeof startSsoApp>>;

function csv(rows: string[][]): Buffer {
  return Buffer.from(['navn;epost;enhet;rolle;ekstern_id', ...rows.map((r) => r.join(';'))].join('\n'), 'utf8');
}

async function importFile(agent: Agent, file: Buffer): Promise<{ previewStatus: number; confirmStatus: number; reasons: string[] }> {
  const token = await csrfToken(agent, '/admin/personer');
  const up = await agent.post(`/admin/import?_csrf=${encodeURIComponent(token)}`).field('kind', 'staff').attach('file', file, { filename: 'ansatte.csv', contentType: 'text/csv' });
  const id = String(up.headers.location).split('/').pop()!;
  const doc = (await ImportModel.findById(id).lean())!;
  const confirm = await agent.post(`/admin/import/${id}/bekreft`).type('form').send({ _csrf: await csrfToken(agent, '/admin/personer'), planHash: doc.planHash, validOnly: 'yes' });
  return { previewStatus: up.status, confirmStatus: confirm.status, reasons: doc.rows.flatMap((r) => r.reasons.map((x: { key: string }) => x.key)) };
}

describe('adversarial: identity changes (findings 1 and 3)', function () {
  this.timeout(120_000);
  let provider: TestOidcProvider;
  let sso: SsoApp;
  let previousMode: 'enforce' | 'observe';

  before(async () => {
    const port = await findFreePort();
    provider = await startOidcProvider([`http://127.0.0.1:${port}/logg-inn/sso/callback`]);
    sso = await startSsoApp(() => ({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET }), String(port));
    previousMode = setIdentityGuardMode('enforce');
  });
  after(async () => {
    setIdentityGuardMode(previousMode);
    await sso?.close();
    await provider?.close();
  });
  beforeEach(async () => {
    await clearDatabase();
    provider.accounts.clear();
  });

  // The app's own writes under the guard as in production; fixtures switch to `observe` for their direct writes.
  const arrange = async <T>(work: () => Promise<T>): Promise<T> => {
    setIdentityGuardMode('observe');
    try {
      return await work();
    } finally {
      setIdentityGuardMode('enforce');
    }
  };

  async function ssoRoles(sub: string, email: string): Promise<unknown> {
    provider.accounts.set(sub, { email, email_verified: true, name: 'Hvem som helst' });
    const browser = new TestBrowser();
    await ssoLogin(browser, `${sso.baseUrl}/logg-inn/sso`, sub);
    const res = await browser.request(`${sso.baseUrl}/mine-data/last-ned`);
    if (res.status !== 200) return null;
    return ((await res.json()) as { profile: { email: string; platformRoles: string[] } }).profile;
  }

  it('finding 1: a municipal admin\'s staff import cannot move SSO identities to reach a system admin or a staff member', async () => {
    const unit = await createUnit('Solsikken barnehage');
    const orgUnit = unit; // the import accepts the unit's id
    const attacker = await createUser({ name: 'Kommune Angriper', email: 'angriper@test.example', roles: ['municipal-admin'] });
    const sys = await createUser({ name: 'System Sjef', email: 'sjef@test.example', roles: ['system-admin'] });
    const staff = await createUser({ name: 'Sara Ansatt', email: 'sara@test.example', memberships: [{ unitId: unit, role: 'ansatt' }] });
    await arrange(() => UserModel.updateOne({ _id: attacker.id }, { $set: { externalId: 'idp-angriper' } }));
    await arrange(() => UserModel.updateOne({ _id: staff.id }, { $set: { externalId: 'idp-sara' } }));
    const agent = await signIn(sso.baseUrl as unknown as Express, attacker.email);

    // Row 1 parks the attacker's own subject; row 2 gives it to the system admin.
    const first = await importFile(agent, csv([
      ['Kommune Angriper', attacker.email, orgUnit, 'ansatt', 'parkert-1'],
      ['System Sjef', sys.email, orgUnit, 'ansatt', 'idp-angriper'],
    ]));
    expect(first.reasons).to.include('imports:reason.platformRole');
    // The same for a staff member already linked to SSO: their subject is never replaced.
    const second = await importFile(agent, csv([['Sara Ansatt', staff.email, orgUnit, 'ansatt', 'idp-angriper-2']]));
    expect(second.reasons).to.deep.equal(['imports:reason.externalIdLocked']);

    const stored = await UserModel.find({}, { email: 1, externalId: 1, roles: 1, memberships: 1 }).sort({ email: 1 }).lean();
    expect(stored.map((u) => [u.email, u.externalId])).to.deep.equal([
      ['angriper@test.example', 'idp-angriper'],
      ['sara@test.example', 'idp-sara'],
      ['sjef@test.example', null],
    ]);
    expect(stored.find((u) => u.email === sys.email)!.memberships).to.have.length(0);

    // Signing in through SSO with the attacker's subject is still the attacker, never the system admin.
    const profile = (await ssoRoles('idp-angriper', attacker.email)) as { email: string; platformRoles: string[] };
    expect(profile.email).to.equal(attacker.email);
    expect(profile.platformRoles).to.deep.equal(['municipal-admin']);
    const other = (await ssoRoles('idp-angriper-2', 'noen@annet.example'));
    expect(other).to.equal(null);
  });

  it('SSO never links an account holding a platform role by e-mail (another admin must)', async () => {
    const sys = await createUser({ name: 'System Sjef', email: 'sjef@test.example', roles: ['system-admin'] });
    expect(await ssoRoles('idp-fremmed', sys.email)).to.equal(null);
    expect((await UserModel.findById(sys.id).lean())!.externalId).to.equal(null);
  });

  it('a privileged account is linked to SSO by another admin on the person page (never by itself, never by a municipal admin for a system admin)', async () => {
    const sys = await createUser({ name: 'System Sjef', email: 'sjef@test.example', roles: ['system-admin'] });
    const other = await createUser({ name: 'Annen Sjef', email: 'annen@test.example', roles: ['system-admin'] });
    const municipal = await createUser({ name: 'Kommune Admin', email: 'kommune@test.example', roles: ['municipal-admin'] });
    const post = async (agent: Agent, personId: string, externalId: string) =>
      agent.post(`/admin/personer/${personId}/ekstern-id`).type('form').send({ _csrf: await csrfToken(agent, '/admin/personer'), externalId });
    const sysAgent = await signIn(sso.baseUrl as unknown as Express, sys.email);
    const municipalAgent = await signIn(sso.baseUrl as unknown as Express, municipal.email);

    const own = await post(sysAgent, sys.id, 'idp-sjef');
    expect(own.status).to.equal(400);
    expect(own.text).to.contain('Du kan ikke endre dine egne roller, medlemskap, e-post eller eksterne ID');
    const byMunicipal = await post(municipalAgent, sys.id, 'idp-sjef');
    expect(byMunicipal.status).to.equal(400);
    expect(byMunicipal.text).to.contain('Bare en systemadministrator kan endre');
    const bad = await post(sysAgent, other.id, 'linje\nskift');
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('Skriv en ekstern ID på høyst 256 tegn');
    expect((await UserModel.findById(sys.id).lean())!.externalId).to.equal(null);

    expect((await post(sysAgent, other.id, 'idp-annen')).status).to.equal(303);
    const taken = await post(sysAgent, municipal.id, 'idp-annen');
    expect(taken.status).to.equal(400);
    expect(taken.text).to.contain('Denne eksterne ID-en tilhører en annen person');
    const profile = (await ssoRoles('idp-annen', other.email)) as { email: string; platformRoles: string[] };
    expect(profile).to.include({ email: other.email });
    expect(profile.platformRoles).to.deep.equal(['system-admin']);
    const trail = await IdentityChangeModel.find({ personId: new mongoose.Types.ObjectId(other.id), actorId: new mongoose.Types.ObjectId(sys.id) }).lean();
    expect(trail.map((e) => e.changes)).to.deep.equal([[{ field: 'externalId', from: '', to: 'idp-annen', unitId: null }]]);
  });

  it('finding 3: a municipal admin cannot make themselves leader of a unit, so the named matrix stays closed', async () => {
    const app = await buildTestApp();
    const unit = await createUnit('Enhet Alfa');
    await createUser({ name: 'Navngitt Ansatt', memberships: [{ unitId: unit, role: 'ansatt' }] });
    const admin = await createUser({ name: 'Kommune Admin', roles: ['municipal-admin'] });
    const agent = await signIn(app, admin.email);
    const token = await csrfToken(agent, '/admin/personer');
    const res = await agent.post(`/admin/personer/${admin.id}/medlemskap`).type('form').send({ _csrf: token, unitId: unit, role: 'leder', startDate: new Date().toISOString().slice(0, 10) });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Du kan ikke endre dine egne roller, medlemskap');
    expect((await UserModel.findById(admin.id).lean())!.memberships).to.have.length(0);
    expect((await agent.get(`/leder/enheter/${unit}`)).status).to.equal(403);
    expect((await agent.get(`/leder/enheter/${unit}/eksport.csv`)).status).to.equal(403);
  });

  it('the trail: an allowed change is recorded with who made it and shown on the person\'s page', async () => {
    const app = await buildTestApp();
    const unit = await createUnit('Enhet Alfa');
    const admin = await createUser({ name: 'Kommune Admin', roles: ['municipal-admin'] });
    const kari = await createUser({ name: 'Kari Nordmann' });
    const agent = await signIn(app, admin.email);
    const token = await csrfToken(agent, '/admin/personer');
    const res = await agent.post(`/admin/personer/${kari.id}/medlemskap`).type('form').send({ _csrf: token, unitId: unit, role: 'leder', startDate: '2026-01-05' });
    expect(res.status).to.equal(303);
    const entries = await IdentityChangeModel.find({ personId: new mongoose.Types.ObjectId(kari.id) }).lean();
    const byAdmin = entries.find((e) => String(e.actorId) === admin.id)!;
    expect(byAdmin.actorKind).to.equal('admin');
    expect(byAdmin.changes).to.deep.equal([{ field: 'membership', from: '', to: 'leder 2026-01-05–', unitId: unit }]);
    const page = await agent.get(`/admin/personer/${kari.id}`).expect(200);
    expect(page.text).to.contain('Endringslogg for identitet og tilgang');
    expect(page.text).to.match(/Kommune Admin<\/td>\s*<td>Medlemskap: Enhet Alfa<\/td>/);
  });

  it('class: who may change whom, for every admin kind, target kind and identity action, through the real routes', async () => {
    const app = await buildTestApp();
    const unit = await createUnit('Enhet Alfa');
    const other = await createUnit('Enhet Bravo');
    const actors = {
      municipal: await createUser({ name: 'Kommune Admin', roles: ['municipal-admin'] }),
      system: await createUser({ name: 'System Admin', roles: ['system-admin'] }),
    };
    const agents = { municipal: await signIn(app, actors.municipal.email), system: await signIn(app, actors.system.email) };
    const problems: string[] = [];
    for (const actorKind of ['municipal', 'system'] as const) {
      const targets = {
        self: actors[actorKind],
        staff: await createUser({ name: 'Vanlig Ansatt', memberships: [{ unitId: unit, role: 'ansatt' }] }),
        otherMunicipal: await createUser({ name: 'Annen Kommuneadmin', roles: ['municipal-admin'], memberships: [{ unitId: unit, role: 'ansatt' }] }),
        systemAdmin: await createUser({ name: 'Annen Systemadmin', roles: ['system-admin'], memberships: [{ unitId: unit, role: 'ansatt' }] }),
        author: await createUser({ name: 'Forfatter', roles: ['author'], memberships: [{ unitId: unit, role: 'ansatt' }] }),
      };
      for (const [targetKind, target] of Object.entries(targets)) {
        const allowed = targetKind !== 'self' && (actorKind === 'system' || (targetKind !== 'otherMunicipal' && targetKind !== 'systemAdmin'));
        const agent = agents[actorKind];
        const doc = async () => (await UserModel.findById(target.id).lean())!;
        const membershipId = String((await doc()).memberships[0]?._id ?? new mongoose.Types.ObjectId());
        const actions: Array<[string, Record<string, string | string[]>]> = [
          [`/admin/personer/${target.id}/medlemskap`, { unitId: other, role: 'leder', startDate: '2030-01-01' }],
          [`/admin/personer/${target.id}/roller`, { roles: ['author', ...(actorKind === 'system' && targetKind === 'systemAdmin' ? ['system-admin'] : [])] }],
          [`/admin/personer/${target.id}/medlemskap/${membershipId}/avslutt`, { endDate: '2029-12-31' }],
        ];
        for (const [path, body] of actions) {
          const before = JSON.stringify(await doc());
          const res = await agent.post(path).type('form').send({ _csrf: await csrfToken(agent, '/admin/personer'), ...body });
          const changed = JSON.stringify(await doc()) !== before;
          const label = `${actorKind} → ${targetKind}: ${path.split('/').slice(4).join('/')}`;
          if (res.status >= 500) problems.push(`${label}: ${res.status}`);
          if (!allowed && (res.status < 400 || changed)) problems.push(`${label}: not refused (${res.status}, changed ${changed})`);
          if (!allowed && res.status === 400 && !/Du kan ikke endre dine egne|Bare en systemadministrator/.test(res.text)) problems.push(`${label}: no clear message`);
          // Ending a membership the target does not have is a 404 for those allowed; the others must change something.
          if (allowed && res.status !== 303 && !(res.status === 404 && path.endsWith('avslutt'))) problems.push(`${label}: refused (${res.status})`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
