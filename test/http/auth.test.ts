import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, csrfToken, sessionCookie, signIn } from '../helpers/auth.js';
import { UserModel } from '../../src/components/accounts/index.js';

describe('http: login, logout, sessions and CSRF', () => {
  let app: Express;

  before(async () => {
    app = await buildTestApp();
  });
  beforeEach(clearDatabase);

  it('login with the right password: redirects, and the session id changes (no fixation)', async () => {
    const { email, password } = await createUser();
    const agent = request.agent(app);
    const form = await agent.get('/logg-inn').expect(200);
    const before = sessionCookie(form);
    expect(before, 'a session exists before login (for the CSRF token)').to.be.a('string');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];

    const res = await agent.post('/logg-inn').type('form').send({ _csrf: token, email, password }).expect(302);
    const after = sessionCookie(res);
    expect(after).to.be.a('string');
    expect(after).not.to.equal(before);
    expect(res.headers.location).to.equal('/');

    // The old session id is worthless: it does not carry the login.
    const stale = await request(app).get('/').set('Cookie', before!).expect(200);
    expect(stale.text).not.to.contain('user-name');
    const home = await agent.get('/').expect(200);
    expect(home.text).to.contain('user-name');
    expect(await UserModel.findOne({ email }).lean()).to.have.property('lastLoginAt').that.is.instanceOf(Date);
  });

  it('login with a wrong password or unknown e-mail: the same message, 401, e-mail kept in the form', async () => {
    const { email } = await createUser();
    const agent = request.agent(app);
    const token = await csrfToken(agent, '/logg-inn');
    const wrong = await agent.post('/logg-inn').type('form').send({ _csrf: token, email, password: 'Feil-passord-999' });
    const unknown = await agent.post('/logg-inn').type('form').send({ _csrf: token, email: 'ingen@test.example', password: 'Feil-passord-999' });
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    const message = (html: string) => /<div class="alert error"[^>]*>\s*<p>([^<]+)<\/p>/.exec(html)?.[1];
    expect(message(wrong.text)).to.contain('E-postadressen eller passordet er feil');
    expect(message(wrong.text)).to.equal(message(unknown.text));
    expect(wrong.text).to.contain(`value="${email}"`);
  });

  it('a deactivated account cannot log in', async () => {
    const { email, password } = await createUser();
    await UserModel.updateOne({ email }, { $set: { status: 'deactivated' } });
    const agent = request.agent(app);
    const token = await csrfToken(agent, '/logg-inn');
    const res = await agent.post('/logg-inn').type('form').send({ _csrf: token, email, password });
    expect(res.status).to.equal(401);
  });

  it('a login form without a CSRF token: 403 with a page that explains what to do, nothing changed', async () => {
    const { email, password } = await createUser();
    const res = await request(app).post('/logg-inn').type('form').send({ email, password }).expect(403);
    expect(res.text).to.contain('Skjemaet var utløpt eller ugyldig');
    expect(res.text).to.contain('last inn siden på nytt');
    expect((await UserModel.findOne({ email }).lean())?.lastLoginAt).to.equal(null);
  });

  it('a wrong CSRF token: 403', async () => {
    const agent = request.agent(app);
    await csrfToken(agent, '/logg-inn');
    await agent.post('/logg-inn').type('form').send({ _csrf: 'forged', email: 'a@b.c', password: 'x' }).expect(403);
  });

  it('logout: kills the session on the server, so the old cookie no longer works', async () => {
    const { email } = await createUser();
    const agent = await signIn(app, email);
    const page = await agent.get('/').expect(200);
    const cookie = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const sessionsBefore = await mongoose.connection.db!.collection('sessions').countDocuments();
    const res = await agent.post('/logg-ut').type('form').send({ _csrf: cookie }).expect(302);
    expect(res.headers.location).to.equal('/');
    const sessionsAfter = await mongoose.connection.db!.collection('sessions').countDocuments();
    expect(sessionsAfter).to.equal(sessionsBefore - 1);
    const home = await agent.get('/').expect(200);
    expect(home.text).not.to.contain('user-name');
  });

  it('returnTo: a local path is followed after login; another host is not', async () => {
    const { email, password } = await createUser();
    const agent = request.agent(app);
    const token = await csrfToken(agent, '/logg-inn?returnTo=%2Ftilgjengelighet');
    const ok = await agent.post('/logg-inn').type('form').send({ _csrf: token, email, password, returnTo: '/tilgjengelighet' }).expect(302);
    expect(ok.headers.location).to.equal('/tilgjengelighet');

    const other = request.agent(app);
    const token2 = await csrfToken(other, '/logg-inn');
    const evil = await other.post('/logg-inn').type('form').send({ _csrf: token2, email, password, returnTo: '//evil.example/' }).expect(302);
    expect(evil.headers.location).to.equal('/');
  });

  it('session cookie: HttpOnly and SameSite=Lax; in production __Host- prefixed and Secure', async () => {
    const res = await request(app).get('/logg-inn').expect(200);
    const raw = String(res.headers['set-cookie']);
    expect(raw).to.match(/fellesskap\.sid=.*HttpOnly/i);
    expect(raw).to.match(/SameSite=Lax/i);

    const prodApp = await buildTestApp({ env: { NODE_ENV: 'production', SESSION_SECRET: 'p'.repeat(40) } });
    const prod = await request(prodApp).get('/logg-inn').set('X-Forwarded-Proto', 'https').expect(200);
    const cookies = ([] as string[]).concat(prod.headers['set-cookie'] ?? []);
    // Over plain HTTP express-session refuses to send a Secure cookie; behind TLS it is:
    const secureApp = await buildTestApp({ env: { NODE_ENV: 'production', SESSION_SECRET: 'p'.repeat(40), TRUST_PROXY: '1' } });
    const viaTls = await request(secureApp).get('/logg-inn').set('X-Forwarded-Proto', 'https').expect(200);
    const tlsCookie = ([] as string[]).concat(viaTls.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-fellesskap.sid='));
    expect(cookies.some((c) => c.startsWith('fellesskap.sid='))).to.equal(false);
    expect(tlsCookie).to.match(/; Secure/i);
    expect(tlsCookie).to.match(/; HttpOnly/i);
    expect(tlsCookie).to.match(/; Path=\//i);
    expect(tlsCookie).not.to.match(/Domain=/i);
    expect(viaTls.headers['strict-transport-security']).to.contain('max-age=31536000');
  });
});
