import { expect } from 'chai';
import type { Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { buildTestApp } from '../../helpers/app.js';
import { clearDatabase } from '../../helpers/database.js';
import { createUser, sessionCookie, TEST_PASSWORD } from '../../helpers/auth.js';

const PRODUCTION = { NODE_ENV: 'production', SESSION_SECRET: 'a-production-like-session-secret-of-enough-length', TRUST_PROXY: '1' };

interface Visit {
  cookie: string | undefined;
  token: string | undefined;
  setCookies: string[];
}

/**
 * One step of a browser that keeps its cookie by hand: supertest's jar will not send a Secure
 * cookie over the plain-HTTP loopback, and these tests need to choose (and replay) the cookie.
 */
async function visit(app: Express, cookie: string | undefined, headers: Record<string, string> = {}, send?: Record<string, string>): Promise<Visit & { res: request.Response }> {
  const req = send ? request(app).post(send.path!).type('form') : request(app).get('/logg-inn');
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  if (cookie) req.set('Cookie', cookie);
  const { path: _path, ...body } = send ?? {};
  const res = send ? await req.send(body) : await req;
  const setCookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);
  return { res, cookie: sessionCookie(res) ?? cookie, token: /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1], setCookies };
}

function sessionIdOf(cookie: string): string {
  // The cookie is `name=s:<id>.<signature>`, URL-encoded.
  const value = decodeURIComponent(cookie.split('=').slice(1).join('='));
  return /^s:([^.]+)\./.exec(value)![1]!;
}

const storedSession = (id: string) => mongoose.connection.db!.collection<{ _id: string }>('sessions').findOne({ _id: id });

async function isSignedIn(app: Express, cookie: string, headers: Record<string, string> = {}): Promise<boolean> {
  const page = request(app).get('/').set('Cookie', cookie);
  for (const [k, v] of Object.entries(headers)) page.set(k, v);
  return (await page.expect(200)).text.includes('user-name');
}

/** Logs in from the cookie of a login page just read; returns the cookie the login set. */
async function logIn(app: Express, before: Visit, email: string, headers: Record<string, string> = {}): Promise<Visit> {
  const login = await visit(app, before.cookie, headers, { path: '/logg-inn', _csrf: before.token!, email, password: TEST_PASSWORD });
  expect(login.res.status, `login as ${email}`).to.equal(302);
  return login;
}

describe('adversarial: session fixation and the session cookie in production', function () {
  this.timeout(60_000);
  beforeEach(clearDatabase);

  describe('fixation (development cookie name, same rules)', () => {
    let app: Express;
    before(async () => {
      app = await buildTestApp();
    });

    it('login: a session id obtained before login (and planted by an attacker) is replaced; the old id and its CSRF token are worthless', async () => {
      const { email } = await createUser();
      // The attacker reads the login page and keeps its session cookie, then plants it in the victim's browser.
      const planted = await visit(app, undefined);
      expect(planted.cookie, 'a session before login').to.be.a('string');
      const plantedId = sessionIdOf(planted.cookie!);
      expect(await storedSession(plantedId), 'the pre-login session is stored').to.not.equal(null);

      const login = await logIn(app, planted, email);
      expect(login.cookie).to.be.a('string');
      expect(sessionIdOf(login.cookie!)).to.not.equal(plantedId);
      expect(await isSignedIn(app, login.cookie!)).to.equal(true);

      expect(await storedSession(plantedId), 'the planted session is destroyed').to.equal(null);
      expect(await isSignedIn(app, planted.cookie!), 'the attacker, replaying the planted cookie').to.equal(false);
      // The CSRF token the attacker read with the planted session is worthless in the new one.
      const forged = await request(app).post('/logg-ut').set('Cookie', login.cookie!).type('form').send({ _csrf: planted.token! });
      expect(forged.status).to.equal(403);
      expect(await isSignedIn(app, login.cookie!)).to.equal(true);
    });

    it('login: an attacker-chosen session id the server never issued is neither adopted nor kept', async () => {
      const { email } = await createUser();
      const chosen = 'fellesskap.sid=attacker-chosen-session-id';
      const form = await visit(app, chosen);
      expect(form.cookie, 'the server issues its own id').to.not.equal(chosen);
      const login = await logIn(app, form, email);
      expect(login.cookie).to.not.contain('attacker-chosen');
      expect(await storedSession('attacker-chosen-session-id')).to.equal(null);
      expect(await isSignedIn(app, chosen)).to.equal(false);
      expect(await isSignedIn(app, login.cookie!)).to.equal(true);
    });

    it('logout: the session is deleted on the server, so replaying the old cookie is anonymous', async () => {
      const { email } = await createUser();
      const login = await logIn(app, await visit(app, undefined), email);
      const cookie = login.cookie!;
      const page = await request(app).get('/').set('Cookie', cookie).expect(200);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const logout = await visit(app, cookie, {}, { path: '/logg-ut', _csrf: token });
      expect(logout.res.status).to.equal(302);

      expect(await storedSession(sessionIdOf(cookie)), 'stored session after logout').to.equal(null);
      expect(await isSignedIn(app, cookie), 'the old cookie replayed').to.equal(false);
      // Its CSRF token died with it: a replayed form is refused, not run as the person.
      const replay = await request(app).post('/logg-ut').set('Cookie', cookie).type('form').send({ _csrf: token });
      expect(replay.status).to.equal(403);
    });
  });

  describe('cookie attributes with NODE_ENV=production behind a proxy (TRUST_PROXY=1)', () => {
    let app: Express;
    const https = { 'X-Forwarded-Proto': 'https' };
    before(async () => {
      app = await buildTestApp({ env: PRODUCTION });
    });

    function expectHostCookie(setCookie: string, what: string): void {
      const [nameValue, ...attributes] = setCookie.split(';').map((p) => p.trim());
      const names = attributes.map((a) => a.split('=')[0]!.toLowerCase());
      expect(nameValue, what).to.match(/^__Host-fellesskap\.(sid|sv)=/);
      expect(names, `${what}: ${setCookie}`).to.include.members(['secure', 'httponly', 'path', 'samesite']);
      expect(attributes, what).to.include('Path=/');
      expect(attributes.find((a) => /^samesite=/i.test(a))!.toLowerCase(), what).to.equal('samesite=lax');
      expect(names, `${what}: no Domain (host-only)`).to.not.include('domain');
    }

    /** Both session cookies are __Host- cookies with their attributes: the session's, and the version of it the browser last saw. */
    function expectHostCookies(setCookies: string[], what: string): void {
      expect(setCookies.some((c) => c.startsWith('__Host-fellesskap.sid=')), `${what}: the session cookie`).to.equal(true);
      expect(setCookies.some((c) => c.startsWith('__Host-fellesskap.sv=')), `${what}: the session version cookie`).to.equal(true);
      for (const c of setCookies.filter((c) => c.includes('fellesskap.'))) expectHostCookie(c, what);
    }

    it('the login page and the login set __Host- cookies: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
      const { email } = await createUser();
      const form = await visit(app, undefined, https);
      expect(form.res.status).to.equal(200);
      expectHostCookies(form.setCookies, 'login page');
      const login = await logIn(app, form, email, https);
      expectHostCookies(login.setCookies, 'after login');
      expect(sessionIdOf(login.cookie!)).to.not.equal(sessionIdOf(form.cookie!));
      expect(await isSignedIn(app, login.cookie!, https)).to.equal(true);
    });

    it('logout clears the cookie with the same attributes (a browser ignores a __Host- cookie set without Secure)', async () => {
      const { email } = await createUser();
      const login = await logIn(app, await visit(app, undefined, https), email, https);
      const page = await request(app).get('/').set(https).set('Cookie', login.cookie!).expect(200);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const logout = await visit(app, login.cookie, https, { path: '/logg-ut', _csrf: token });
      expect(logout.res.status).to.equal(302);
      const cleared = logout.setCookies.find((c) => c.startsWith('__Host-fellesskap.sid='));
      expect(cleared, 'the logout clears the cookie').to.be.a('string');
      expectHostCookie(cleared!, 'logout');
      expect(cleared).to.match(/Expires=Thu, 01 Jan 1970/);
      expect(await isSignedIn(app, login.cookie!, https)).to.equal(false);
    });

    it('over plain HTTP no session cookie is ever sent', async () => {
      const plain = await visit(app, undefined);
      expect(plain.res.status).to.equal(200);
      expect(plain.setCookies.filter((c) => c.includes('fellesskap.s'))).to.deep.equal([]);
    });

    it('without TRUST_PROXY a forged X-Forwarded-Proto does not count as https (no cookie)', async () => {
      const direct = await buildTestApp({ env: { ...PRODUCTION, TRUST_PROXY: '0' } });
      const forged = await visit(direct, undefined, https);
      expect(forged.res.status).to.equal(200);
      expect(forged.setCookies.filter((c) => c.includes('fellesskap.s'))).to.deep.equal([]);
    });
  });
});
