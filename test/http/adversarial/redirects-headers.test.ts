import { expect } from 'chai';
import request from 'supertest';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp, testConfig } from '../../helpers/app.js';
import { clearDatabase } from '../../helpers/database.js';
import { createUnit, createUser, signIn, TEST_PASSWORD } from '../../helpers/auth.js';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.js';
import { createApp } from '../../../src/app.js';
import { createLogger } from '../../../src/lib/logger.js';
import { publishFromFolder } from '../../../src/components/modules/index.js';
import { paths } from '../../../src/config/index.js';
import { tokenFor } from './fixture.js';
import { completeModule } from '../../helpers/learning-fixture.js';

/** Every redirect target taken from input, tried with what browsers treat as another site. */
const EVIL_TARGETS = [
  '//evil.example',
  '//evil.example/%2F..',
  'https://evil.example',
  'http:evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/%2F%2Fevil.example',
  '%2F%2Fevil.example',
  '/%5Cevil.example',
  'javascript:alert(1)',
  '/\tevil.example',
  '/\r\nLocation: https://evil.example',
  '/%0D%0ALocation:%20https://evil.example',
  ' //evil.example',
  '/.//evil.example',
];

/** The Location must stay on this site, whatever a browser makes of it. */
function assertOnSite(location: unknown, label: string): void {
  expect(location, label).to.be.a('string');
  const value = String(location);
  expect([...value].some((ch) => ch.charCodeAt(0) < 0x20), `${label}: no control characters`).to.equal(false);
  expect(value, `${label}: a local path`).to.match(/^\/(?![/\\])/);
  const resolved = new URL(value.replace(/\\/g, '/'), 'http://app.test');
  expect(resolved.host, `${label}: ${value}`).to.equal('app.test');
  expect(resolved.protocol).to.equal('http:');
}

describe('http adversarial: open redirects, header and log injection', function () {
  this.timeout(120_000);
  let app: Express;
  let email: string;
  let unit: string;

  before(async () => {
    await clearDatabase();
    app = await buildTestApp();
    unit = await createUnit('Enhet\r\nX-Evil: 1 "sitat"', 'barnehage');
    email = (await createUser({ name: 'Navn\r\nX-Evil: 1', memberships: [{ unitId: unit, role: 'leder' }] })).email;
  });

  it('login form, returnTo from the query: the hidden field never carries another site', async () => {
    for (const target of EVIL_TARGETS) {
      const res = await request(app).get(`/logg-inn?returnTo=${encodeURIComponent(target)}`);
      expect(res.status).to.equal(200);
      const kept = /name="returnTo" value="([^"]*)"/.exec(res.text)?.[1] ?? '';
      // Only a local path survives (percent-encoded slashes are part of a path, not a host).
      if (kept) assertOnSite(kept.replace(/&amp;/g, '&'), `GET /logg-inn returnTo=${JSON.stringify(target)}`);
    }
  });

  it('login POST, returnTo in the body: redirected on-site after a successful login', async () => {
    for (const target of EVIL_TARGETS) {
      const agent = request.agent(app);
      const csrf = await tokenFor(agent);
      const res = await agent.post('/logg-inn').type('form').send({ _csrf: csrf, email, password: TEST_PASSWORD, returnTo: target });
      expect(res.status, target).to.be.oneOf([302, 303]);
      assertOnSite(res.headers.location, `POST returnTo=${JSON.stringify(target)}`);
    }
  });

  it('login page when already signed in, returnTo in the query: redirected on-site', async () => {
    const agent = await signIn(app, email);
    for (const target of EVIL_TARGETS) {
      const res = await agent.get(`/logg-inn?returnTo=${encodeURIComponent(target)}`);
      expect(res.status).to.equal(302);
      assertOnSite(res.headers.location, `GET returnTo=${JSON.stringify(target)}`);
    }
  });

  it('protected page with a hostile query string: login redirect and the return after login stay on-site', async () => {
    const agent = request.agent(app);
    const first = await agent.get('/mine-kurs?x=%2F%2Fevil.example&y=%0D%0A');
    expect(first.status).to.equal(302);
    assertOnSite(first.headers.location, 'requireLogin');
    const returnTo = new URL(String(first.headers.location), 'http://app.test').searchParams.get('returnTo');
    const csrf = await tokenFor(agent);
    const login = await agent.post('/logg-inn').type('form').send({ _csrf: csrf, email, password: TEST_PASSWORD, returnTo });
    assertOnSite(login.headers.location, 'after login');
  });

  it('certificate check, hostile codes in ?kode=: redirected only to /bevis/<code> or refused', async () => {
    for (const target of EVIL_TARGETS) {
      const res = await request(app).get(`/bevis?kode=${encodeURIComponent(target)}`);
      expect(res.status, target).to.be.oneOf([303, 400]);
      if (res.status === 303) {
        assertOnSite(res.headers.location, target);
        expect(String(res.headers.location)).to.match(/^\/bevis\/[A-Z0-9-]+$/);
      }
    }
  });

  it('language switch, hostile ?lang=: no redirect off-site and no header splitting', async () => {
    for (const lang of ['//evil.example', 'nb%0D%0ASet-Cookie:%20x=1', 'en\r\nX-Evil: 1']) {
      const res = await request(app).get(`/?lang=${encodeURIComponent(lang)}`);
      expect(res.status).to.equal(200);
      expect(res.headers['x-evil']).to.equal(undefined);
      expect(String(res.headers['content-language'])).to.match(/^(nb|nn|en)$/);
      for (const cookie of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) expect(cookie).not.to.match(/evil|x=1/);
    }
  });

  it('export file names from a unit name with CR/LF and quotes: one clean Content-Disposition', async () => {
    const agent = await signIn(app, email);
    for (const path of [`/leder/enheter/${unit}/eksport.csv`, `/leder/enheter/${unit}/eksport.xlsx`]) {
      const res = await agent.get(path).buffer(true).parse((r, done) => {
        r.on('data', () => undefined);
        r.on('end', () => done(null, null));
      });
      expect(res.status, path).to.equal(200);
      expect(res.headers['x-evil']).to.equal(undefined);
      expect(String(res.headers['content-disposition'])).to.match(/^attachment; filename="[A-Za-z0-9._-]+"$/);
    }
  });

  it('certificate PDF and learning log of a person named with CR/LF: clean file names', async () => {
    const [published] = await publishFromFolder(`${paths.root}/test/fixtures/modules-valid`, { by: { id: null, name: 'headers' } });
    const person = await createUser({ name: 'Kari\r\nX-Evil: 1', memberships: [{ unitId: unit, role: 'ansatt' }] });
    const code = await completeModule(person.id, unit, `${published!.slug}@1.0`);
    const agent = await signIn(app, person.email);
    for (const path of [`/mine-kurs/kursbevis/${code}.pdf`, '/mine-kurs/laeringslogg/markdown', '/mine-kurs/laeringslogg/pdf', '/mine-data/last-ned']) {
      const res = await agent.get(path).buffer(true).parse((r, done) => {
        r.on('data', () => undefined);
        r.on('end', () => done(null, null));
      });
      expect(res.status, path).to.equal(200);
      expect(res.headers['x-evil']).to.equal(undefined);
      expect(String(res.headers['content-disposition']), path).to.match(/^attachment; filename="?[A-Za-z0-9._-]+"?$/);
    }
  });

  describe('mail headers', () => {
    let smtp: TestSmtpServer;
    before(async () => {
      smtp = await startSmtpServer();
    });
    after(async () => {
      await smtp.close();
    });

    it('password reset for a person named with CR/LF and a Bcc line: one recipient, no injected header', async () => {
      const mailApp = await buildTestApp({ env: { SMTP_URL: smtp.url } });
      const victim = await createUser({ name: 'Ola\r\nBcc: evil@evil.example\r\nX-Evil: 1' });
      const agent = request.agent(mailApp);
      const csrf = await tokenFor(agent);
      const res = await agent.post('/passord/glemt').type('form').send({ _csrf: csrf, email: victim.email });
      expect(res.status).to.be.oneOf([302, 303]);
      const mail = await smtp.waitForMessage((m) => JSON.stringify(m.to ?? '').includes(victim.email));
      expect(mail.headers.has('x-evil')).to.equal(false);
      expect(mail.bcc).to.equal(undefined);
      expect(JSON.stringify(mail.to)).not.to.include('evil.example');
      expect(JSON.stringify(mail.cc ?? '')).not.to.include('evil.example');
    });
  });

  it('log lines, a request with newlines and forged JSON in the URL and login e-mail: every line stays one JSON object', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
        done();
      },
    });
    const logged = await createApp({ config: testConfig(), logger: createLogger('info', sink) });
    const forged = '{"level":60,"msg":"forged","service":"fellesskap"}';
    const agent = request.agent(logged);
    await agent.get(`/finnes-ikke%0A${encodeURIComponent(forged)}`);
    const csrf = await tokenFor(agent);
    await agent.post('/logg-inn').type('form').send({ _csrf: csrf, email: `x@y.example\n${forged}`, password: 'feil\npassord' });
    await agent.get('/bevis').query({ kode: `ABC\r\n${forged}` });
    expect(lines.length).to.be.greaterThan(2);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry.msg, line).not.to.equal('forged');
    }
    expect(lines.join('\n')).not.to.include('feil\\npassord');
    // The stored attempts did not keep a raw operator or a newline-split e-mail as a key either.
    expect(await mongoose.connection.db!.collection('users').countDocuments({ email: { $regex: 'forged' } })).to.equal(0);
  });
});
