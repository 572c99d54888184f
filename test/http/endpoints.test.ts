import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { discoverRoutes } from '../helpers/route-table.js';
import { createUnit, createUser, csrfToken, signIn } from '../helpers/auth.js';
import { ROUTES } from '../helpers/role-matrix.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { ENDPOINT_MANIFEST, type EndpointInfo } from '../../src/web/endpoints.js';
import { PLATFORM_ROLES, UserModel, toSessionUser } from '../../src/components/accounts/index.js';
import { can } from '../../src/web/policy.js';

/**
 * The declared endpoints (src/web/endpoints.ts): what the manifest says is what the app does. Read
 * from the manifest, so an endpoint declared tomorrow is checked tomorrow.
 */
/** Whether a role-matrix row's path (with fixture placeholders or concrete values) is this endpoint's path. */
function sameRoute(endpointPath: string, rowPath: string): boolean {
  const a = endpointPath.split('/');
  const b = rowPath.split('?')[0]!.split('/');
  return a.length === b.length && a.every((segment, i) => segment === b[i] || (segment.startsWith(':') && b[i] !== ''));
}

describe('http: declared endpoints and their manifest', function () {
  this.timeout(120_000);
  let app: Express;
  let manifest: EndpointInfo[];

  before(async () => {
    await clearDatabase();
    // A published module, so the forms whose fields are named after modules (renewal rules) have some.
    await publishFixture();
    app = await buildTestApp();
    manifest = app.get(ENDPOINT_MANIFEST) as EndpointInfo[];
  });

  it('the manifest lists endpoints, each with a summary, and no method and path twice', () => {
    expect(manifest.length).to.be.greaterThan(0);
    const keys = manifest.map((e) => `${e.method} ${e.path}`);
    expect(new Set(keys).size).to.equal(keys.length);
    for (const e of manifest) expect(e.summary, `${e.method} ${e.path}`).to.match(/\w{3,}/);
  });

  it('every declared endpoint is mounted, with its method and path, in the route table Express has', () => {
    const mounted = new Set(discoverRoutes(app).flatMap((r) => r.methods.map((m) => `${m} ${r.path}`)));
    for (const e of manifest) expect(mounted.has(`${e.method} ${e.path}`), `${e.method} ${e.path}`).to.equal(true);
  });

  it('every route Express has is declared: nothing is mounted past the endpoint layer and its manifest', () => {
    const declared = new Set(manifest.map((e) => `${e.method} ${e.path}`));
    const undeclared = discoverRoutes(app)
      .flatMap((r) => r.methods.map((m) => `${m} ${r.path}`))
      .filter((route) => !declared.has(route));
    expect(undeclared).to.deep.equal([]);
  });

  it('a raw endpoint says why it speaks HTTP itself, and declared endpoints are the rule', () => {
    const raw = manifest.filter((e) => e.raw !== undefined);
    for (const e of raw) expect(e.raw, `${e.method} ${e.path}`).to.match(/\w{3,}.{20,}/);
    expect(raw.length, raw.map((e) => e.path).join(', ')).to.be.lessThan(manifest.length / 5);
  });

  it('the role matrix agrees with each declared access: public endpoints open to all, the rest send anonymous visitors to log in', () => {
    for (const e of manifest) {
      for (const row of ROUTES.filter((r) => r.method === e.method && sameRoute(e.path, r.path))) {
        const anonymous = row.expect.anonymous;
        if (e.access.kind === 'public') expect(Object.values(row.expect), `${e.method} ${row.path}`).to.not.include('deny');
        else expect(anonymous, `${e.method} ${row.path} as anonymous`).to.equal('login');
      }
    }
  });

  it('every declared endpoint has its row in the role matrix (who may call it is stated independently)', () => {
    for (const e of manifest) {
      expect(
        ROUTES.some((r) => r.method === e.method && sameRoute(e.path, r.path)),
        `${e.method} ${e.path} has no role-matrix row`,
      ).to.equal(true);
    }
  });

  it('the access an endpoint declares is what anonymous visitors and people without the permission meet', async () => {
    const unit = await createUnit('Manifestenhet');
    const staff = await createUser({ memberships: [{ unitId: unit, role: 'ansatt' }] });
    const agent = await signIn(app, staff.email);
    const token = await csrfToken(agent);
    // Path parameters filled with an id nobody has: access is decided before the id is looked up.
    const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, '000000000000000000000000');
    const fakeParams = (path: string) => Object.fromEntries([...path.matchAll(/:([A-Za-z]+)/g)].map((m) => [m[1]!, '000000000000000000000000']));
    const staffUser = toSessionUser((await UserModel.findById(staff.id).lean())!);
    for (const e of manifest.filter((x) => x.access.kind !== 'public' && x.access.kind !== 'token')) {
      const anonymous = e.method === 'get' ? await request(app).get(concrete(e.path)) : await request(app).post(concrete(e.path)).type('form').send({});
      // Anonymous: a page sends to the login page; a form post has no session (and so no CSRF token).
      if (e.method === 'get') expect([anonymous.status, anonymous.headers.location], `${e.method} ${e.path}`).to.deep.equal([302, `/logg-inn?returnTo=${encodeURIComponent(concrete(e.path))}`]);
      else expect(anonymous.status, `${e.method} ${e.path}`).to.be.oneOf([401, 403]);
      // Signed in is enough for SIGNED_IN and for what the policy grants everyone (one's own session);
      // every other permission (one action or any of several) refuses plain staff.
      if (e.access.kind === 'login') continue;
      if (e.access.kind === 'permission' && can(staffUser, e.access.action, e.access.resource?.(fakeParams(e.path)))) continue;
      const refused = e.method === 'get' ? await agent.get(concrete(e.path)) : await agent.post(concrete(e.path)).type('form').send({ _csrf: token });
      expect(refused.status, `${e.method} ${e.path} for staff`).to.equal(403);
    }
  });

  it('a form endpoint that re-renders answers a failed form with 400 and its page, keeping what was typed, encoded', async () => {
    // Someone who may call every endpoint, so the form itself is what is tested: every platform role,
    // and the leader of a unit (the leaders' pages need unit:lead-any, which no platform role gives).
    const led = await createUnit('Skjemaenhet');
    const everyone = await createUser({ roles: [...PLATFORM_ROLES], memberships: [{ unitId: led, role: 'leder' }] });
    const agent = await signIn(app, everyone.email);
    const forms = manifest.filter((x) => x.rendersForm && x.method === 'post' && !x.path.includes(':') && !x.upload);
    expect(forms.length).to.be.greaterThan(1);
    // The declared pages without path parameters: where these forms are.
    const pages: string[] = [];
    for (const g of manifest.filter((x) => x.method === 'get' && !x.path.includes(':'))) {
      const page = await agent.get(g.path);
      // The login form sends someone already signed in on: a public page may redirect; it then has no form.
      if (g.access.kind === 'public' && page.status === 302) continue;
      expect(page.status, g.path).to.equal(200);
      pages.push(page.text);
    }
    // Markup, then text too long for any field (names: the forms cut at 200, the services allow 120;
    // short fields such as dates are cut at 40 and are then no date), in every field the form reads.
    const typed = `<b>${'x'.repeat(130)}`;
    for (const e of forms) {
      // The page that has this form, for its CSRF token.
      const formHtml = pages.map((html) => new RegExp(`<form(?=[^>]*method="post")[^>]*action="${e.path}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1]).find((f) => f !== undefined);
      expect(formHtml, `the form of ${e.path} on a declared page`).to.be.a('string');
      const token = /name="_csrf" value="([^"]+)"/.exec(formHtml!)![1]!;
      // The fields the body schema lists, or — for a form whose fields are named after stored data
      // (a record body) — the text fields the form shows.
      const fields = e.fields.length ? e.fields : [...formHtml!.matchAll(/<input(?=[^>]*type="text")[^>]*name="([^"]+)"/g)].map((m) => m[1]!);
      expect(fields.length, `${e.path} has fields`).to.be.greaterThan(0);
      const res = await agent.post(e.path).type('form').send({ _csrf: token, ...Object.fromEntries(fields.map((f) => [f, typed])) });
      expect(res.status, e.path).to.equal(400);
      expect(res.text, e.path).to.include(`action="${e.path}"`);
      expect(res.text, e.path).to.include('aria-invalid="true"');
      expect(res.text, e.path).to.not.include('<b>x');
      // At least one text field shows what was typed again, encoded, as far as the form reads it.
      expect(res.text, e.path).to.match(/value="&lt;b&gt;x{37,130}"/);
    }
  });
});
