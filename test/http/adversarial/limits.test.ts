import net from 'node:net';
import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { buildTestApp, testConfig } from '../../helpers/app.js';
import { clearDatabase, testDatabase } from '../../helpers/database.js';
import { createUser, signIn, type Agent } from '../../helpers/auth.js';
import { startServerProcess, waitFor, type RunningServer } from '../../helpers/process.js';
import { collection, tokenFor } from './fixture.js';
import { IMPORT_MAX_BYTES } from '../../../src/components/imports/index.js';
import { findFreePort } from '../../../src/db/index.js';
import { ConfigError } from '../../../src/config/index.js';

const TOO_LARGE_NB = 'Det du sendte er for stort.';
const BAD_REQUEST_NB = 'Forespørselen kunne ikke behandles.';

/** An error answer must explain itself and give nothing away about the code behind it. */
function expectCleanError(res: request.Response, status: number, message: string): void {
  expect(res.status, res.text.slice(0, 300)).to.equal(status);
  const json = /application\/json/.test(String(res.headers['content-type']));
  if (json) expect((res.body as { error: { status: number; message: string } }).error).to.include({ status }).and.have.property('message').that.contains(message);
  else expect(res.text).to.contain(message);
  expect(res.text).to.not.match(/node_modules|\/work\/|\bat [\w.<>]+ \(|SyntaxError|PayloadTooLargeError/);
}

/** The app still serves an ordinary page (and the signed-in person) after a hostile request. */
async function stillHealthy(agent: Agent): Promise<void> {
  const page = await agent.get('/').expect(200);
  expect(page.text).to.contain('user-name');
}

describe('adversarial: body, field, nesting and upload limits, and slow requests', function () {
  this.timeout(120_000);
  let app: Express;
  let agent: Agent;
  let admin: Agent;
  let token: string;
  let adminToken: string;

  before(async () => {
    await clearDatabase();
    app = await buildTestApp();
    const person = await createUser();
    agent = await signIn(app, person.email);
    token = await tokenFor(agent);
    const boss = await createUser({ roles: ['municipal-admin'] });
    admin = await signIn(app, boss.email);
    adminToken = await tokenFor(admin);
  });

  describe('bodies', () => {
    it('an oversize JSON body (over 100 kB) is a 413 JSON error in Norwegian', async () => {
      const res = await agent.post('/varsler').set('Accept', 'application/json').set('X-CSRF-Token', token).send({ text: 'x'.repeat(150_000) });
      expectCleanError(res, 413, TOO_LARGE_NB);
      await stillHealthy(agent);
    });

    it('an oversize form body is a 413 page in Norwegian', async () => {
      const res = await agent.post('/varsler').type('form').send(`_csrf=${token}&text=${'x'.repeat(150_000)}`);
      expect(String(res.headers['content-type'])).to.match(/text\/html/);
      expectCleanError(res, 413, TOO_LARGE_NB);
      await stillHealthy(agent);
    });

    it('a form with too many fields (over 200) is refused with a message, nothing stored', async () => {
      const before = await collection('users').find({}).sort({ _id: 1 }).toArray();
      const fields = Array.from({ length: 1000 }, (_v, i) => `f${i}=1`).join('&');
      const res = await agent.post('/varsler').type('form').send(`_csrf=${token}&digest=off&${fields}`);
      expect(res.status).to.be.oneOf([400, 413]);
      expectCleanError(res, res.status, res.status === 413 ? TOO_LARGE_NB : BAD_REQUEST_NB);
      expect(await collection('users').find({}).sort({ _id: 1 }).toArray()).to.deep.equal(before);
      await stillHealthy(agent);
    });

    it('malformed JSON is a 400 JSON error with a message', async () => {
      const res = await agent.post('/varsler').set('Accept', 'application/json').set('X-CSRF-Token', token).set('Content-Type', 'application/json').send('{"digest": "off",,}');
      expectCleanError(res, 400, BAD_REQUEST_NB);
      await stillHealthy(agent);
    });

    it('JSON nested 10,000 levels deep (objects and arrays) is answered without a 500, on a route that reads the body', async () => {
      const objects = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
      const arrays = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
      for (const [name, body] of [['objects', `{"digest":${objects},"_csrf":"${token}"}`], ['arrays', `{"digest":${arrays},"_csrf":"${token}"}`]]) {
        const res = await agent.post('/varsler').set('Accept', 'application/json').set('Content-Type', 'application/json').send(body);
        expect(res.status, `${name}: ${res.text.slice(0, 200)}`).to.be.within(200, 499);
        expect(res.text).to.not.match(/node_modules|\/work\/|RangeError/);
      }
      // The same depth as a learner's quiz answers, which the action route parses before anything else.
      for (const deep of [objects, arrays]) {
        const action = await agent
          .post('/moduler/finnes-ikke/leksjon/aktiviteter/quiz/submit')
          .set('Accept', 'application/json')
          .set('Content-Type', 'application/json')
          .send(`{"answers":${deep},"_csrf":"${token}"}`);
        expect(action.status).to.be.within(400, 499);
      }
      await stillHealthy(agent);
    });

    it('a query string nested a[b][c]… 5,000 levels deep, or with 5,000 parameters, is no 500', async () => {
      const nested = `a${'[b]'.repeat(5_000)}=1`;
      const many = Array.from({ length: 5_000 }, (_v, i) => `q[${i}]=x`).join('&');
      for (const path of ['/', '/mine-kurs', '/admin/personer', '/kommune/rapport']) {
        for (const query of [nested, many]) {
          const res = await admin.get(`${path}?${query}`);
          expect(res.status, `${path}: ${res.text.slice(0, 200)}`).to.be.within(200, 499);
        }
      }
      await stillHealthy(admin);
    });
  });

  describe('CSV import upload', () => {
    it(`a file over the import limit (${IMPORT_MAX_BYTES} bytes) is a 413 with the limit named, and no import is stored`, async () => {
      const header = 'fornavn;etternavn;e-post;enhet;rolle\n';
      const row = 'Ola;Nordmann;ola@example.test;Enhet;ansatt\n';
      const csv = Buffer.from(header + row.repeat(Math.ceil((IMPORT_MAX_BYTES + 10_000) / row.length)));
      const res = await admin.post(`/admin/import?_csrf=${encodeURIComponent(adminToken)}`).field('kind', 'staff').attach('file', csv, 'ansatte.csv');
      expect(res.status).to.equal(413);
      expect(res.text).to.contain('Filen er større enn 2 MB');
      expect(await collection('imports').countDocuments({})).to.equal(0);
      await stillHealthy(admin);
    });

    it('an upload with too many parts or files is a 400 with a message, and no import is stored', async () => {
      let req = admin.post(`/admin/import?_csrf=${encodeURIComponent(adminToken)}`).field('kind', 'staff');
      for (let i = 0; i < 20; i++) req = req.field(`extra${i}`, 'x');
      const res = await req.attach('file', Buffer.from('a;b\n'), 'a.csv');
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('Opplastingen kunne ikke leses');
      const two = await admin
        .post(`/admin/import?_csrf=${encodeURIComponent(adminToken)}`)
        .field('kind', 'staff')
        .attach('file', Buffer.from('a;b\n'), 'a.csv')
        .attach('file', Buffer.from('a;b\n'), 'b.csv');
      expect(two.status).to.equal(400);
      expect(await collection('imports').countDocuments({})).to.equal(0);
      await stillHealthy(admin);
    });
  });

  describe('slow requests against the real server process', function () {
    // The server is started with 1 s / 2 s limits. Thirty seconds per test covers a slow machine many
    // times over, while Node's defaults (60 s for headers, 300 s per request, checked every 30 s)
    // would not close the connection in that time: the limits configured must be the ones in force.
    this.timeout(30_000);
    let server: RunningServer;
    let port: number;

    before(async function () {
      this.timeout(120_000);
      port = await findFreePort();
      server = startServerProcess({
        NODE_ENV: 'test',
        PORT: String(port),
        MONGODB_URI: testDatabase().uri,
        SEED_DEMO: 'false',
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
      });
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200, 90_000, 'server start');
    });
    after(async () => {
      server.child.kill('SIGTERM');
      await server.exited;
    });

    /**
     * Opens a connection, sends `start`, then one more chunk every 200 ms for as long as the server
     * keeps the connection open. Resolves with what the server answered once it closes it; a server
     * that never closes the connection lets the test run into mocha's timeout.
     */
    function trickle(start: string, chunk: string): Promise<string> {
      return new Promise((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        let answer = '';
        let timer: NodeJS.Timeout | undefined;
        socket.on('connect', () => {
          socket.write(start);
          timer = setInterval(() => {
            if (!socket.destroyed && socket.writable) socket.write(chunk);
          }, 200);
        });
        socket.on('data', (d: Buffer) => (answer += d.toString()));
        socket.on('error', (err: NodeJS.ErrnoException) => {
          // A reset while we were still writing is the server closing on us too.
          if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
        });
        socket.on('close', () => {
          clearInterval(timer);
          resolve(answer);
        });
      });
    }

    it('config: the slow-client limits default to 20 s / 120 s, and a headers limit longer than the request limit is refused in one line', () => {
      expect(testConfig()).to.include({ httpHeadersTimeoutMs: 20_000, httpRequestTimeoutMs: 120_000 });
      expect(() => testConfig({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '2000' })).to.throw(ConfigError, /^Invalid configuration: HTTP_HEADERS_TIMEOUT_MS /);
      expect(() => testConfig({ HTTP_REQUEST_TIMEOUT_MS: 'slow' })).to.throw(ConfigError, /^Invalid configuration: HTTP_REQUEST_TIMEOUT_MS /);
    });

    it('slowloris: headers trickled forever are cut off by the server (408), and /healthz still answers', async () => {
      const answer = await trickle('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: 1\r\n');
      if (answer) expect(answer).to.match(/^HTTP\/1\.1 408 /);
      expect(server.child.exitCode, 'server process still running').to.equal(null);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).to.equal(200);
    });

    it('a body trickled forever is cut off by the server, and /healthz still answers', async () => {
      const answer = await trickle('POST /logg-inn HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n', 'a');
      if (answer) expect(answer).to.match(/^HTTP\/1\.1 408 /);
      expect(server.child.exitCode, 'server process still running').to.equal(null);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).to.equal(200);
    });
  });
});
