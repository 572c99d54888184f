import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { z } from 'zod';
import { buildTestApp, testConfig } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, csrfToken, TEST_PASSWORD } from '../helpers/auth.js';
import { completeModule, publishFixture } from '../helpers/learning-fixture.js';
import { defineMailTemplate, Mailer } from '../../src/components/mail/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { DigestRunModel } from '../../src/components/reminders/models.js';

const TOKEN = 'metrics-test-token-0123456789abcdefghijklmnop';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format's sample lines (`name{a="b"} 1`), comments left out. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

function sum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

interface StackLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: StackLayer[] };
}

/** Every GET route pattern of the built app, from its router stack (the same walk as the CSRF test). */
function getRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: StackLayer[]) => {
    for (const layer of stack) {
      if (layer.route && layer.route.methods.get) found.push(layer.route.path);
      else if (layer.handle && Array.isArray(layer.handle.stack)) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: StackLayer[] } }).router.stack);
  return found;
}

const testMail = defineMailTemplate({
  name: 'test.metrics',
  params: z.object({ name: z.string() }),
  compose: (_t, p) => ({ subject: 'Test', intro: [p.name], outro: [] }),
});

describe('http: /metrics', () => {
  let app: Express;

  before(async () => {
    app = await buildTestApp({ env: { METRICS_TOKEN: TOKEN } });
  });

  beforeEach(clearDatabase);

  async function scrape(): Promise<Sample[]> {
    const res = await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
    return parseMetrics(res.text);
  }

  it('metrics without METRICS_TOKEN: /metrics does not exist (404)', async () => {
    const off = await buildTestApp();
    const res = await request(off).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).to.equal(404);
    expect(res.text).not.to.contain('fellesskap_http_requests_total');
  });

  it('metrics with METRICS_TOKEN: no token, a wrong one or another scheme answers 401 and no metrics', async () => {
    for (const header of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, `Bearer`, `bearer ${TOKEN}`]) {
      const req = request(app).get('/metrics');
      const res = await (header ? req.set('Authorization', header) : req);
      expect(res.status, String(header)).to.equal(401);
      expect(res.headers['www-authenticate']).to.equal('Bearer realm="metrics"');
      expect(res.text).not.to.contain('fellesskap_');
    }
  });

  it('metrics token: config refuses a short token with a line naming the variable', () => {
    expect(() => testConfig({ METRICS_TOKEN: 'short' })).to.throw(/METRICS_TOKEN must be at least 32 characters/);
    expect(() => testConfig({ METRICS_TOKEN: `${TOKEN} with spaces` })).to.throw(/METRICS_TOKEN must be printable ASCII without spaces/);
  });

  it('metrics: request counts by route pattern and status, database commands by command, event-loop lag', async () => {
    await request(app).get('/').expect(200);
    await request(app).get('/finnes-ikke-123').expect(404);
    const samples = await scrape();
    expect(sum(samples, 'fellesskap_http_requests_total', { method: 'GET', route: '/', status: '200' })).to.be.at.least(1);
    expect(sum(samples, 'fellesskap_http_requests_total', { method: 'GET', route: '(none)', status: '404' })).to.be.at.least(1);
    expect(sum(samples, 'fellesskap_http_request_duration_seconds_count', { route: '/', status: '200' })).to.be.at.least(1);
    expect(sum(samples, 'fellesskap_db_command_duration_seconds_count', { outcome: 'ok' })).to.be.greaterThan(0);
    const commands = new Set(samples.filter((s) => s.name === 'fellesskap_db_command_duration_seconds_count').map((s) => s.labels.command));
    expect([...commands].some((c) => ['find', 'delete', 'insert', 'update'].includes(c!)), [...commands].join(',')).to.equal(true);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).to.equal(true);
  });

  it('metrics: every route with ids in its path is one series per pattern, never per URL (all GET routes)', async () => {
    const patterns = getRoutes(app);
    const withParams = patterns.filter((p) => p.includes(':'));
    expect(withParams.length, 'GET routes with parameters').to.be.greaterThan(5);
    const ids = ['65a1b2c3d4e5f60718293a4b', 'abc-DEF_123', 'x'.repeat(40)];
    for (const pattern of withParams) {
      for (const id of ids) await request(app).get(pattern.replace(/:[A-Za-z]+/g, id));
    }
    const samples = await scrape();
    const routes = new Set(samples.filter((s) => s.name === 'fellesskap_http_requests_total').map((s) => s.labels.route!));
    const allowed = new Set([...patterns, '(none)', '/static/*', '/metrics']);
    for (const route of routes) {
      expect(allowed.has(route), `route label ${route}`).to.equal(true);
      for (const id of ids) expect(route, 'no id in a label').not.to.contain(id);
    }
  });

  it('metrics: logins counted as ok and failed', async () => {
    const unitId = await createUnit('Metrikkbarnehagen');
    const user = await createUser({ memberships: [{ unitId, role: 'ansatt' }] });
    const before = await scrape();
    const agent = request.agent(app);
    const token = await csrfToken(agent, '/logg-inn');
    await agent.post('/logg-inn').type('form').send({ _csrf: token, email: user.email, password: 'feil-passord-123' }).expect(401);
    const token2 = await csrfToken(agent, '/logg-inn');
    await agent.post('/logg-inn').type('form').send({ _csrf: token2, email: user.email, password: TEST_PASSWORD }).expect(302);
    const after = await scrape();
    const delta = (result: string) => sum(after, 'fellesskap_logins_total', { method: 'password', result }) - sum(before, 'fellesskap_logins_total', { method: 'password', result });
    expect(delta('ok')).to.equal(1);
    expect(delta('failed')).to.equal(1);
  });

  it('metrics: e-mails counted as sent (outbox) and failed (an SMTP server that does not answer)', async () => {
    const logger = createLogger('silent');
    const before = await scrape();
    await new Mailer(testConfig(), logger).send({ to: 'a@test.example', template: testMail, params: { name: 'A' } });
    let failed = false;
    await new Mailer(testConfig({ SMTP_URL: 'smtp://127.0.0.1:9' }), logger).send({ to: 'b@test.example', template: testMail, params: { name: 'B' } }).catch(() => (failed = true));
    expect(failed, 'delivery to a closed port fails').to.equal(true);
    const after = await scrape();
    const delta = (result: string) => sum(after, 'fellesskap_emails_total', { template: 'test.metrics', result }) - sum(before, 'fellesskap_emails_total', { template: 'test.metrics', result });
    expect(delta('sent')).to.equal(1);
    expect(delta('failed')).to.equal(1);
  });

  it('metrics: progress actions counted, a repeated action as repeated', async () => {
    const unitId = await createUnit('Progresjonsskolen', 'skole');
    const user = await createUser({ memberships: [{ unitId, role: 'ansatt' }] });
    const outcome = await publishFixture();
    const versionId = outcome.versionId!;
    const before = await scrape();
    await completeModule(user.id, unitId, versionId, 'metrics');
    await completeModule(user.id, unitId, versionId, 'metrics');
    const after = await scrape();
    const applied = sum(after, 'fellesskap_progress_actions_total', { outcome: 'applied' }) - sum(before, 'fellesskap_progress_actions_total', { outcome: 'applied' });
    const repeated = sum(after, 'fellesskap_progress_actions_total', { outcome: 'repeated' }) - sum(before, 'fellesskap_progress_actions_total', { outcome: 'repeated' });
    expect(applied).to.be.greaterThan(0);
    expect(repeated).to.equal(applied);
  });

  it("metrics: the digest's last run is read from the database (0 before any run)", async () => {
    expect(sum(await scrape(), 'fellesskap_digest_last_finished_timestamp_seconds')).to.equal(0);
    const finishedAt = new Date('2026-11-30T06:05:00Z');
    await DigestRunModel.create({ _id: '2026-11-30', startedAt: new Date('2026-11-30T06:00:00Z'), finishedAt, report: null });
    await DigestRunModel.create({ _id: '2026-11-23', startedAt: new Date('2026-11-23T06:00:00Z'), finishedAt: new Date('2026-11-23T06:01:00Z'), report: null });
    expect(sum(await scrape(), 'fellesskap_digest_last_finished_timestamp_seconds')).to.equal(finishedAt.getTime() / 1000);
  });
});
