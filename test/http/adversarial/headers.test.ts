import { expect } from 'chai';
import { Router, type Express } from 'express';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { buildTestApp } from '../../helpers/app.js';
import { clearDatabase } from '../../helpers/database.js';
import { createUser, signIn, type Agent } from '../../helpers/auth.js';
import { tokenFor } from './fixture.js';
import { assetUrl } from '../../../src/web/assets.js';

const PRODUCTION = { NODE_ENV: 'production', SESSION_SECRET: 'a-production-like-session-secret-of-enough-length', TRUST_PROXY: '1' };

/**
 * Probes that fail the way real code fails: an unexpected exception whose message and stack name
 * files and a library, and a database outage. Mounted after the app's own routes (extraRoutes).
 */
function failingRoutes(): Router {
  const router = Router();
  router.get('/test-probe/boom', () => {
    const err = new TypeError(`Cannot read properties of undefined (reading 'x') in /work/main/node_modules/mongoose/lib/model.js v8.24.10`);
    throw err;
  });
  router.get('/test-probe/db-down', () => {
    const err = new Error('connect ECONNREFUSED 127.0.0.1:27017 (mongodb driver 6.20.0)');
    err.name = 'MongoServerSelectionError';
    throw err;
  });
  return router;
}

/** What an answer must never contain: stack frames, file paths, or library names and versions. */
const LEAKS = [
  /\bat [\w.<>$]+ \(/, // a stack frame "at fn (file:line)"
  /\bat (?:file:\/\/|\/|node:)/,
  /\/work\//,
  /node_modules/,
  /\.(?:ts|js):\d+/,
  /\b(?:express|mongoose|mongodb|ferretdb|body-parser|raw-body|csrf-sync|multer|helmet|ejs)\b/i,
  /\bv?\d+\.\d+\.\d+\b/, // a version number
  /ECONNREFUSED|TypeError|SyntaxError|PayloadTooLargeError|CastError|MongoServerSelectionError/,
];

function leaksIn(text: string): string[] {
  return LEAKS.filter((re) => re.test(text)).map((re) => `${re.source}: ${re.exec(text)![0]}`);
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

/** The headers every answer carries, whatever produced it. */
function expectSecurityHeaders(res: request.Response, what: string, production: boolean): void {
  const csp = String(res.headers['content-security-policy'] ?? '');
  expect(csp, `${what}: Content-Security-Policy`).to.not.equal('');
  const d = directives(csp);
  const scriptSrc = d.get('script-src') ?? d.get('default-src');
  expect(scriptSrc?.length ?? 0, `${what}: script-src`).to.be.greaterThan(0);
  expect(scriptSrc, `${what}: script-src`).to.not.include("'unsafe-inline'");
  expect(scriptSrc, `${what}: script-src`).to.not.include("'unsafe-eval'");
  expect(scriptSrc!.filter((s) => s === '*' || s === 'data:' || s === 'http:' || s === 'https:'), `${what}: script-src wildcard`).to.deep.equal([]);
  expect(d.get('frame-ancestors'), `${what}: frame-ancestors`).to.satisfy((v: string[] | undefined) => !!v && (v.join(' ') === "'none'" || v.join(' ') === "'self'"));
  expect(d.get('object-src'), `${what}: object-src`).to.deep.equal(["'none'"]);
  expect(res.headers['x-content-type-options'], `${what}: nosniff`).to.equal('nosniff');
  expect(res.headers['referrer-policy'], `${what}: Referrer-Policy`).to.be.oneOf(['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin']);
  expect(res.headers['x-powered-by'], `${what}: X-Powered-By`).to.equal(undefined);
  expect(res.headers.server, `${what}: Server`).to.equal(undefined);
  const hsts = res.headers['strict-transport-security'] as string | undefined;
  if (production) {
    expect(hsts, `${what}: HSTS in production`).to.be.a('string');
    expect(Number(/max-age=(\d+)/.exec(hsts!)?.[1]), `${what}: HSTS max-age`).to.be.at.least(15_552_000);
  } else {
    expect(hsts, `${what}: no HSTS outside production (it would pin localhost to https)`).to.equal(undefined);
  }
}

interface Probe {
  what: string;
  status: number;
  send: (agents: { anonymous: Agent; staff: Agent; admin: Agent }, tokens: { staff: string; admin: string }) => request.Test;
  json?: boolean;
}

const PROBES: Probe[] = [
  { what: 'HTML page (front page)', status: 200, send: ({ anonymous }) => anonymous.get('/') },
  { what: 'HTML page (signed in)', status: 200, send: ({ staff }) => staff.get('/mine-kurs') },
  { what: 'login form', status: 200, send: ({ anonymous }) => anonymous.get('/logg-inn') },
  { what: 'JSON health', status: 200, json: true, send: ({ anonymous }) => anonymous.get('/healthz') },
  { what: 'JSON readiness', status: 200, json: true, send: ({ anonymous }) => anonymous.get('/readyz') },
  { what: 'static stylesheet', status: 200, send: ({ anonymous }) => anonymous.get(assetUrl('css/main.css')) },
  { what: 'static script', status: 200, send: ({ anonymous }) => anonymous.get(assetUrl('js/enhance.js')) },
  { what: '404 unknown page', status: 404, send: ({ anonymous }) => anonymous.get('/finnes/ikke') },
  { what: '404 unknown page (JSON)', status: 404, json: true, send: ({ anonymous }) => anonymous.get('/api/finnes-ikke').set('Accept', 'application/json') },
  { what: '404 unknown static file', status: 404, send: ({ anonymous }) => anonymous.get('/static/css/finnes-ikke.css') },
  { what: 'malformed path encoding of a static file', status: 404, send: ({ anonymous }) => anonymous.get('/static/css/%E0%A4%A') },
  { what: '400 malformed route parameter', status: 400, send: ({ admin }) => admin.get('/admin/personer/%E0%A4%A') },
  { what: '403 staff on an admin page', status: 403, send: ({ staff }) => staff.get('/admin/personer') },
  { what: '403 staff on an admin page (JSON)', status: 403, json: true, send: ({ staff }) => staff.get('/admin/personer').set('Accept', 'application/json') },
  { what: 'bad ObjectId in a path', status: 404, send: ({ admin }) => admin.get('/admin/personer/ikke-en-id') },
  { what: 'bad ObjectId in a path (JSON)', status: 404, json: true, send: ({ admin }) => admin.get('/admin/enheter/123').set('Accept', 'application/json') },
  { what: '403 CSRF failure', status: 403, send: ({ staff }) => staff.post('/varsler').type('form').send({ digest: 'on' }) },
  { what: '403 CSRF failure (JSON)', status: 403, json: true, send: ({ staff }) => staff.post('/varsler').set('Accept', 'application/json').send({ digest: 'on' }) },
  { what: '400 malformed JSON', status: 400, json: true, send: ({ staff }, { staff: t }) => staff.post('/varsler').set('Accept', 'application/json').set('X-CSRF-Token', t).set('Content-Type', 'application/json').send('{"digest":') },
  { what: '400 malformed JSON (HTML)', status: 400, send: ({ staff }, { staff: t }) => staff.post('/varsler').set('X-CSRF-Token', t).set('Content-Type', 'application/json').send('{"digest":') },
  { what: '413 oversize form', status: 413, send: ({ staff }, { staff: t }) => staff.post('/varsler').type('form').send(`_csrf=${t}&x=${'a'.repeat(120_000)}`) },
  { what: '413 oversize JSON', status: 413, json: true, send: ({ staff }, { staff: t }) => staff.post('/varsler').set('Accept', 'application/json').set('X-CSRF-Token', t).send({ x: 'a'.repeat(120_000) }) },
  {
    what: '413 compressed JSON that inflates past the limit',
    status: 413,
    json: true,
    send: ({ staff }, { staff: t }) => staff.post('/varsler').set('Accept', 'application/json').set('X-CSRF-Token', t).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip')
        // superagent would JSON-encode a Buffer given with a JSON content type; send the gzip bytes as they are.
        .serialize((bytes: Buffer) => bytes as unknown as string)
        .send(gzipSync(`{"x":"${'a'.repeat(2_000_000)}"}`)),
  },
  { what: '400 upload with an unexpected field', status: 400, send: ({ admin }, { admin: t }) => admin.post(`/forfatter/moduler/importer?_csrf=${encodeURIComponent(t)}`).attach('annet', Buffer.from('PK'), 'modul.zip') },
  { what: '400 upload of two files', status: 400, json: true, send: ({ admin }, { admin: t }) => admin.post(`/forfatter/moduler/importer?_csrf=${encodeURIComponent(t)}`).set('Accept', 'application/json').attach('zip', Buffer.from('PK'), 'a.zip').attach('zip', Buffer.from('PK'), 'b.zip') },
  {
    what: '400 multipart body cut off',
    status: 400,
    send: ({ admin }, { admin: t }) => admin.post(`/forfatter/moduler/importer?_csrf=${encodeURIComponent(t)}`).set('Content-Type', 'multipart/form-data; boundary=XYZ').send('--XYZ\r\nContent-Disposition: form-data; name="zip"; filename="a.zip"\r\n\r\nPK'),
  },
  { what: '400 multipart without a boundary (CSV import)', status: 400, send: ({ admin }, { admin: t }) => admin.post(`/admin/import?_csrf=${encodeURIComponent(t)}`).set('Content-Type', 'multipart/form-data').send('kind=staff') },
  { what: '400 multipart without a boundary (module file)', status: 400, send: ({ admin }, { admin: t }) => admin.post(`/forfatter/moduler/finnes-ikke/filer?_csrf=${encodeURIComponent(t)}`).set('Content-Type', 'multipart/form-data').send('x') },
  { what: '415 unsupported body encoding', status: 415, send: ({ staff }, { staff: t }) => staff.post('/varsler').set('X-CSRF-Token', t).set('Content-Type', 'application/json').set('Content-Encoding', 'bogus').send('{}') },
  { what: '500 unexpected exception', status: 500, send: ({ anonymous }) => anonymous.get('/test-probe/boom') },
  { what: '500 unexpected exception (JSON)', status: 500, json: true, send: ({ anonymous }) => anonymous.get('/test-probe/boom').set('Accept', 'application/json') },
  { what: '503 database unavailable', status: 503, send: ({ anonymous }) => anonymous.get('/test-probe/db-down') },
];

for (const mode of ['development', 'production'] as const) {
  describe(`adversarial: security headers and clean errors (${mode})`, function () {
    this.timeout(60_000);
    let app: Express;
    let agents: { anonymous: Agent; staff: Agent; admin: Agent };
    let tokens: { staff: string; admin: string };
    const production = mode === 'production';
    // Production cookies are Secure: the proxy in front says the request came over https.
    const https = production ? { 'X-Forwarded-Proto': 'https' } : {};

    before(async () => {
      await clearDatabase();
      app = await buildTestApp({ env: production ? PRODUCTION : {}, extraRoutes: failingRoutes() });
      const staff = await createUser({ name: 'Sikker Ansatt' });
      const admin = await createUser({ name: 'Sikker Admin', roles: ['municipal-admin', 'author'] });
      if (production) {
        // supertest's cookie jar keeps Secure cookies away from plain-HTTP loopback; carry them by hand.
        const withHeaders = (agent: Agent) => {
          for (const method of ['get', 'post'] as const) {
            const original = agent[method].bind(agent);
            (agent as unknown as Record<string, unknown>)[method] = (url: string) => original(url).set(https);
          }
          return agent;
        };
        agents = { anonymous: withHeaders(request.agent(app)), staff: withHeaders(await signInSecure(app, staff.email)), admin: withHeaders(await signInSecure(app, admin.email)) };
      } else {
        agents = { anonymous: request.agent(app), staff: await signIn(app, staff.email), admin: await signIn(app, admin.email) };
      }
      tokens = { staff: await tokenFor(agents.staff), admin: await tokenFor(agents.admin) };
      expect(tokens.staff, 'the staff agent has a session token').to.not.equal('');
      expect(tokens.admin, 'the admin agent has a session token').to.not.equal('');
    });

    for (const probe of PROBES) {
      it(`${probe.what}: status ${probe.status}, the security headers, nothing leaked${probe.status >= 400 ? ', a Norwegian message' : ''}`, async () => {
        const res = await probe.send(agents, tokens);
        expect(res.status, `${probe.what}: ${res.text?.slice(0, 300)}`).to.equal(probe.status);
        expectSecurityHeaders(res, probe.what, production);
        if (probe.status < 400) return;
        const body = res.text ?? '';
        expect(leaksIn(body), `${probe.what} leaks`).to.deep.equal([]);
        if (probe.json) {
          expect(String(res.headers['content-type'])).to.match(/application\/json/);
          const error = (res.body as { error?: { status?: number; message?: string; stack?: unknown } }).error;
          expect(error?.status).to.equal(probe.status);
          expect(error).to.not.have.property('stack');
          expect(error?.message, 'a Norwegian explanation').to.match(/[æøåÆØÅ]|Prøv|prøv|Siden|siden/);
        } else {
          expect(String(res.headers['content-type'])).to.match(/text\/html/);
          expect(body).to.match(/<html lang="nb"/);
          // The error page explains in Norwegian (never a raw translation key such as "errors:badRequest").
          expect(body).to.not.match(/errors:[a-zA-Z]+/);
          expect(body).to.match(/[æøå]/);
        }
      });
    }
  });
}

/** A production-mode login: the __Host- cookie is carried by hand, with the proxy's https header. */
async function signInSecure(app: Express, email: string): Promise<Agent> {
  const https = { 'X-Forwarded-Proto': 'https' };
  const form = await request(app).get('/logg-inn').set(https);
  const cookieOf = (res: request.Response) => ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('__Host-fellesskap.sid='))?.split(';')[0];
  const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
  const login = await request(app).post('/logg-inn').set(https).set('Cookie', cookieOf(form)!).type('form').send({ _csrf: token, email, password: 'Test-passord-123' });
  expect(login.status, `login as ${email}`).to.equal(302);
  const cookie = cookieOf(login)!;
  const agent = request.agent(app);
  for (const method of ['get', 'post'] as const) {
    const original = agent[method].bind(agent);
    (agent as unknown as Record<string, unknown>)[method] = (url: string) => original(url).set('Cookie', cookie);
  }
  return agent;
}
