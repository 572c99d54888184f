import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, signIn, type Agent } from '../helpers/auth.js';
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS } from '../../src/web/session.js';
import { editStoredSession, sessions, storedSession } from '../helpers/stored-session.js';

async function isSignedIn(agent: Agent): Promise<boolean> {
  return (await agent.get('/').expect(200)).text.includes('user-name');
}

async function logout(agent: Agent): Promise<void> {
  const page = await agent.get('/');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  await agent.post('/logg-ut').type('form').send({ _csrf: token }).expect(302);
}

/**
 * Session lifetimes without waiting: the stored session's expiry (idle limit) and login time
 * (absolute limit) are moved in the database to where the clock would have brought them.
 */
describe('http: session lifetimes (30 min idle, 12 h absolute) and concurrent sessions', () => {
  let app: Express;

  before(async () => {
    app = await buildTestApp();
  });
  beforeEach(clearDatabase);

  it('idle limit: the stored expiry is 30 minutes ahead and the cookie lives 30 minutes', async () => {
    const { id, email, password } = await createUser();
    const agent = request.agent(app);
    const form = await agent.get('/logg-inn');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    const res = await agent.post('/logg-inn').type('form').send({ _csrf: token, email, password }).expect(302);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('fellesskap.sid='))!;
    const expires = new Date(/Expires=([^;]+)/i.exec(cookie)![1]!).getTime();
    expect(expires).to.be.closeTo(Date.now() + IDLE_TIMEOUT_MS, 5_000);
    expect((await storedSession(id)).expires.getTime()).to.be.closeTo(Date.now() + IDLE_TIMEOUT_MS, 5_000);
  });

  it('idle limit: a session left alone past its 30 minutes is gone, and the person is anonymous', async () => {
    const { id, email } = await createUser();
    const agent = await signIn(app, email);
    expect(await isSignedIn(agent)).to.equal(true);
    await editStoredSession((await storedSession(id))._id, { $set: { expires: new Date(Date.now() - 1000) } });
    expect(await isSignedIn(agent)).to.equal(false);
  });

  it('idle limit: activity pushes the stored expiry forward again (rolling)', async () => {
    const { id, email } = await createUser();
    const agent = await signIn(app, email);
    const stored = await storedSession(id);
    // 25 minutes of the 30 have passed since the last refresh.
    const soon = new Date(Date.now() + 5 * 60_000);
    await editStoredSession(stored._id, { $set: { expires: soon, lastModified: new Date(Date.now() - 25 * 60_000) } });
    expect(await isSignedIn(agent)).to.equal(true);
    expect((await storedSession(id)).expires.getTime()).to.be.closeTo(Date.now() + IDLE_TIMEOUT_MS, 5_000);
  });

  it('absolute limit: 12 hours after login the session ends however active it is; just before, it lives', async () => {
    const { id, email } = await createUser();
    const agent = await signIn(app, email);
    const setLoginAge = async (ms: number) => {
      const stored = await storedSession(id);
      const data = JSON.parse(stored.session) as Record<string, unknown>;
      data.authenticatedAt = Date.now() - ms;
      await editStoredSession(stored._id, { $set: { session: JSON.stringify(data) } });
    };
    await setLoginAge(ABSOLUTE_TIMEOUT_MS - 60_000);
    expect(await isSignedIn(agent)).to.equal(true);

    await setLoginAge(ABSOLUTE_TIMEOUT_MS + 1000);
    const page = await agent.get('/').expect(200);
    expect(page.text).not.to.contain('user-name');
    const remaining = await sessions().find({}).toArray();
    expect(remaining.some((s) => (JSON.parse(s.session) as { passport?: { user?: string } }).passport?.user === id)).to.equal(false);
    expect(await isSignedIn(agent)).to.equal(false);
  });

  it('a POST in a session past the absolute limit is anonymous too (the limit runs before passport)', async () => {
    const { id, email } = await createUser();
    const agent = await signIn(app, email);
    const page = await agent.get('/');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const stored = await storedSession(id);
    const data = JSON.parse(stored.session) as Record<string, unknown>;
    data.authenticatedAt = Date.now() - ABSOLUTE_TIMEOUT_MS - 1000;
    await editStoredSession(stored._id, { $set: { session: JSON.stringify(data) } });
    // The old session (and its CSRF token) is gone: the form is refused, not run as the person.
    const res = await agent.post('/logg-ut').type('form').send({ _csrf: token });
    expect(res.status).to.equal(403);
  });

  it('two browsers, one person: both sessions work, and logging out in one leaves the other signed in', async () => {
    const { email } = await createUser();
    const laptop = await signIn(app, email);
    const phone = await signIn(app, email);
    expect(await isSignedIn(laptop)).to.equal(true);
    expect(await isSignedIn(phone)).to.equal(true);
    await logout(laptop);
    expect(await isSignedIn(laptop)).to.equal(false);
    expect(await isSignedIn(phone)).to.equal(true);
  });
});
