import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import express, { type Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { buildTestApp } from '../../helpers/app.js';
import { createUser, signIn, type Agent } from '../../helpers/auth.js';
import { collection, tokenFor, twoUnits, type TwoUnits } from './fixture.js';
import { UserModel } from '../../../src/components/accounts/index.js';
import { UnitModel } from '../../../src/components/organisation/index.js';
import { learningVersion } from '../../../src/components/learning/index.js';
import { paths } from '../../../src/config/index.js';
import { declaredRoutes, discoverRoutes } from '../../helpers/route-table.js';

/**
 * CSRF on every state-changing route, read from the app's endpoint manifest (which
 * test/http/endpoints.test.ts proves holds every route of Express's route table) rather than from a
 * hand-kept list: a route added tomorrow is probed tomorrow, and fails here if it changes state
 * without a valid token.
 *
 * Deliberately exempt (by method, which csrf-sync ignores: GET, HEAD, OPTIONS): every GET route,
 * among them the OIDC callback `GET /logg-inn/sso/callback` — the identity provider redirects the
 * browser there, so it cannot carry our token; it is protected instead by the state, nonce and PKCE
 * verifier kept in the session. GET routes must therefore never change state (house rule).
 */

const STATE_CHANGING = ['post', 'put', 'patch', 'delete'] as const;
type Method = (typeof STATE_CHANGING)[number];

interface DiscoveredRoute {
  method: Method;
  path: string;
}

export function stateChangingRoutes(app: Express): DiscoveredRoute[] {
  const routes: DiscoveredRoute[] = [];
  for (const route of declaredRoutes(app)) {
    // `router.all()` answers every method, so it is probed as a POST.
    const methods = route.methods.includes('_all') ? ['post'] : route.methods;
    for (const m of methods) if ((STATE_CHANGING as readonly string[]).includes(m)) routes.push({ method: m as Method, path: route.path });
  }
  return routes;
}

/** Call sites that register a state-changing route in src/ (each registers at least one route). */
function stateChangingCallSites(): number {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.push(full);
    }
  };
  walk(path.join(paths.root, 'src'));
  // Express registrations, and declared endpoints (src/web/endpoints.ts) with a state-changing method.
  const pattern = /\b(?:router|app)\.(?:post|put|patch|delete|all)\(|\bmethod: '(?:post|put|patch|delete)'/g;
  return files.reduce((sum, f) => sum + (readFileSync(f, 'utf8').match(pattern)?.length ?? 0), 0);
}

/** The stored data, except sessions (a refused request may still renew its own session's expiry). */
async function snapshot(): Promise<string> {
  const names = (await mongoose.connection.db!.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((n) => n !== 'sessions' && !n.startsWith('system.'))
    .sort();
  const parts: string[] = [];
  for (const name of names) {
    const docs = await collection(name).find({}).sort({ _id: 1 }).toArray();
    parts.push(`${name}:${JSON.stringify(docs)}`);
  }
  return parts.join('\n');
}

const CSRF_MESSAGE_NB = 'Skjemaet var utløpt eller ugyldig, så vi lagret ingenting.';

/**
 * Sends the route three forged requests — a form without a token, a JSON call with another
 * session's (valid) token, a multipart upload with a wrong token in the URL — and returns what
 * was wrong with the answers (empty when all three were refused as CSRF failures).
 */
async function forgeryProblems(agent: Agent, route: DiscoveredRoute, foreignToken: string): Promise<string[]> {
  const problems: string[] = [];
  const label = `${route.method.toUpperCase()} ${route.path}`;

  const form = await agent[route.method](route.path).set('Accept', 'text/html').type('form').send({ name: 'CSRF-probe', email: 'csrf@probe.example' });
  if (form.status !== 403) problems.push(`${label} without a token: ${form.status}`);
  else if (!/text\/html/.test(String(form.headers['content-type'])) || !form.text.includes(CSRF_MESSAGE_NB)) problems.push(`${label} without a token: no Norwegian explanation page`);

  const json = await agent[route.method](route.path)
    .set('Accept', 'application/json')
    .set('X-CSRF-Token', foreignToken)
    .send({ name: 'CSRF-probe', _csrf: foreignToken });
  const error = (json.body as { error?: { status?: number; message?: string } }).error;
  if (json.status !== 403) problems.push(`${label} with another session's token: ${json.status}`);
  else if (error?.status !== 403 || !error.message?.includes(CSRF_MESSAGE_NB)) problems.push(`${label} with another session's token: no JSON error`);

  const upload = await agent[route.method](`${route.path}?_csrf=${encodeURIComponent(`${foreignToken}x`)}`)
    .set('Accept', 'text/html')
    .field('kind', 'staff')
    .attach('file', Buffer.from('navn;e-post\nCSRF;csrf@probe.example\n'), 'probe.csv');
  if (upload.status !== 403) problems.push(`${label} multipart with a wrong token: ${upload.status}`);

  return problems;
}

describe('adversarial: CSRF on every state-changing route, generated from the endpoint manifest', function () {
  this.timeout(300_000);
  let fixture: TwoUnits;
  let app: Express;
  let routes: DiscoveredRoute[];
  let params: Record<string, string>;
  let superAgent: Agent;
  let foreignToken: string;

  before(async () => {
    fixture = await twoUnits();
    // SSO configured (with an issuer nobody answers on; it is contacted lazily), so its routes are in the table too.
    app = await buildTestApp({ env: { OIDC_ISSUER: 'http://127.0.0.1:9/', OIDC_CLIENT_ID: 'csrf-test' } });
    routes = stateChangingRoutes(app);

    // One person who passes the policy of every route: all platform roles and leader of unit A, so a
    // missing CSRF check would let each forged request through to the action itself.
    const boss = await createUser({ name: 'Alt-mulig Admin', roles: ['system-admin', 'municipal-admin', 'author'], memberships: [{ unitId: fixture.ids.unitA, role: 'leder' }] });
    superAgent = await signIn(app, boss.email);
    // A real token, but of the attacker's own session.
    foreignToken = await tokenFor(request.agent(app));

    const version = await learningVersion(`${fixture.ids.module}@1.0`);
    const activity = version!.activities[0]!;
    const staff = await UserModel.findById(fixture.ids.staffA).lean();
    const unit = await UnitModel.findById(fixture.ids.unitA).lean();
    params = {
      unitId: fixture.ids.unitA,
      personId: fixture.ids.staffA,
      membershipId: String((staff as unknown as { memberships: Array<{ _id: unknown }> }).memberships[0]!._id),
      assignmentId: fixture.ids.assignmentA,
      sessionId: fixture.ids.sessionA,
      districtId: String(unit!.districtId),
      slug: fixture.ids.module,
      lesson: String((activity as unknown as { lesson: string }).lesson),
      activityId: activity.id,
      action: 'markRead',
      file: '01-intro.md',
      name: 'bilde.png',
      token: 'a'.repeat(43),
    };
  });

  it('route table: finds at least one state-changing route per registering call site in src/, including the known ones', () => {
    const callSites = stateChangingCallSites();
    expect(callSites, 'call sites found in src/').to.be.greaterThan(30);
    expect(routes.length, 'state-changing routes discovered').to.be.at.least(callSites);
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    expect(paths).to.include.members(['post /logg-inn', 'post /logg-ut', 'post /admin/import', 'post /forfatter/moduler/:slug/filer', 'post /varsler/avmeld/:token']);
  });

  it('every state-changing route refuses a missing token, another session\'s token and a wrong multipart token with 403 and stores nothing', async () => {
    let exercised = 0;
    const problems: string[] = [];
    for (const route of routes) {
      // Real ids where the fixture has them, so a missing check would reach the action itself (and
      // show up as changed data); any other parameter gets a fresh, valid-looking ObjectId (CSRF is
      // checked before any lookup, so the refusal must hold for it too).
      const filled = route.path.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? String(new mongoose.Types.ObjectId())));
      const before = await snapshot();
      problems.push(...(await forgeryProblems(superAgent, { method: route.method, path: filled }, foreignToken)));
      if ((await snapshot()) !== before) problems.push(`${route.method.toUpperCase()} ${route.path}: stored data changed`);
      exercised += 1;
    }
    expect(problems).to.deep.equal([]);
    expect(exercised, 'every discovered route was exercised').to.equal(routes.length);
    // The forged logout did not end the session either.
    expect((await superAgent.get('/').expect(200)).text).to.contain('user-name');
  });

  it('the probe itself: a POST route without CSRF protection is reported (the test can fail)', async () => {
    const unprotected = express();
    unprotected.use(express.urlencoded({ extended: false }), express.json());
    let changed = 0;
    unprotected.post('/endre', (_req, res) => {
      changed += 1;
      res.redirect(303, '/');
    });
    const problems = await forgeryProblems(request.agent(unprotected), { method: 'post', path: '/endre' }, 'x');
    expect(problems).to.have.length(3);
    expect(changed).to.equal(3);
  });

  it('the route-table walker (which proves the manifest complete) reads mount paths of nested routers', () => {
    const inner = express.Router();
    inner.post('/b/:id', (_req, res) => res.end());
    const outer = express.Router();
    outer.use('/a', inner);
    const nested = express();
    nested.use('/x', outer);
    nested.use(inner);
    expect(discoverRoutes(nested)).to.deep.equal([
      { methods: ['post'], path: '/x/a/b/:id' },
      { methods: ['post'], path: '/b/:id' },
    ]);
  });
});
