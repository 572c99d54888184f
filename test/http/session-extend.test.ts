import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, csrfToken, signIn } from '../helpers/auth.js';
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS } from '../../src/web/session.js';
import { editStoredSession, sessions, storedSession } from '../helpers/stored-session.js';

/** Moves the stored idle expiry to `msLeft` from now, as if the person had been idle since. */
async function ageIdle(userId: string, msLeft: number): Promise<void> {
  const stored = await storedSession(userId);
  const lastModified = new Date(Date.now() - (IDLE_TIMEOUT_MS - msLeft));
  await editStoredSession(stored._id, { $set: { expires: new Date(Date.now() + msLeft), lastModified } });
}

describe('http: POST /okt/forleng (the time-out warning renews the idle limit)', () => {
  let app: Express;

  before(async () => {
    app = await buildTestApp();
  });
  beforeEach(clearDatabase);

  it('signed in, two minutes left: the stored expiry moves 30 minutes ahead and the answer says when', async () => {
    const { id, email } = await createUser();
    const agent = await signIn(app, email);
    const token = await csrfToken(agent, '/mine-kurs');
    await ageIdle(id, 2 * 60_000);

    const res = await agent.post('/okt/forleng').set('Accept', 'application/json').set('X-CSRF-Token', token).expect(200);

    const stored = await storedSession(id);
    expect(stored.expires.getTime()).to.be.closeTo(Date.now() + IDLE_TIMEOUT_MS, 5_000);
    const body = res.body as { idleExpiresAt: string; absoluteExpiresAt: string };
    expect(new Date(body.idleExpiresAt).getTime()).to.be.closeTo(Date.now() + IDLE_TIMEOUT_MS, 5_000);
    expect(new Date(body.absoluteExpiresAt).getTime()).to.be.closeTo(Date.now() + ABSOLUTE_TIMEOUT_MS, 60_000);
    expect(res.headers['cache-control']).to.equal('no-store');
  });

  it('signed in, renewed seconds ago: the stored expiry is still written again (not left to the once-a-minute touch)', async () => {
    const { id, email } = await createUser();
    const agent = await signIn(app, email);
    const token = await csrfToken(agent, '/mine-kurs');
    // The last write was just now, but the expiry (as stored) is close: only an explicit save renews it.
    const stored = await storedSession(id);
    await editStoredSession(stored._id, { $set: { expires: new Date(Date.now() + 60_000), lastModified: new Date() } });

    await agent.post('/okt/forleng').set('Accept', 'application/json').set('X-CSRF-Token', token).expect(200);

    expect((await storedSession(id)).expires.getTime()).to.be.closeTo(Date.now() + IDLE_TIMEOUT_MS, 5_000);
  });

  it('does nothing else: the session keeps its person, login time and CSRF token', async () => {
    const { id, email } = await createUser();
    const agent = await signIn(app, email);
    const token = await csrfToken(agent, '/mine-kurs');
    const before = JSON.parse((await storedSession(id)).session) as Record<string, unknown>;

    await agent.post('/okt/forleng').set('Accept', 'application/json').set('X-CSRF-Token', token).expect(200);

    const after = JSON.parse((await storedSession(id)).session) as Record<string, unknown>;
    expect(after.passport).to.deep.equal(before.passport);
    expect(after.authenticatedAt).to.equal(before.authenticatedAt);
    expect(await csrfToken(agent, '/mine-kurs')).to.equal(token);
  });

  it('without a CSRF token, or with another session’s: 403 and the stored expiry is not moved', async () => {
    const { id, email } = await createUser();
    const agent = await signIn(app, email);
    const other = await signIn(app, (await createUser()).email);
    const foreign = await csrfToken(other, '/mine-kurs');
    // Any request renews a session whose last write is a minute old (rolling), refused or not; with
    // the last write just now, only the endpoint's own save could move the expiry.
    const stored = await storedSession(id);
    const expiresBefore = Date.now() + 60_000;
    await editStoredSession(stored._id, { $set: { expires: new Date(expiresBefore), lastModified: new Date() } });

    const none = await agent.post('/okt/forleng').set('Accept', 'application/json');
    const wrong = await agent.post('/okt/forleng').set('Accept', 'application/json').set('X-CSRF-Token', foreign);

    expect(none.status).to.equal(403);
    expect(wrong.status).to.equal(403);
    expect((none.body as { error?: { status?: number } }).error?.status).to.equal(403);
    expect((await storedSession(id)).expires.getTime()).to.be.closeTo(expiresBefore, 1_000);
  });

  it('not signed in: 401 as JSON, and no session is stored for it', async () => {
    const agent = request.agent(app);
    const token = await csrfToken(agent, '/logg-inn');

    const res = await agent.post('/okt/forleng').set('Accept', 'application/json').set('X-CSRF-Token', token);

    expect(res.status).to.equal(401);
    expect(res.headers['content-type']).to.match(/application\/json/);
    expect((res.body as { error?: { status?: number } }).error?.status).to.equal(401);
    const stored = await sessions().find({}).toArray();
    expect(stored.some((s) => 'passport' in (JSON.parse(s.session) as object))).to.equal(false);
  });

  it('the session already ended (idle limit passed): 401 as JSON, even with the token it had', async () => {
    const { id, email } = await createUser();
    const agent = await signIn(app, email);
    const token = await csrfToken(agent, '/mine-kurs');
    const stored = await storedSession(id);
    await editStoredSession(stored._id, { $set: { expires: new Date(Date.now() - 1000) } });

    const res = await agent.post('/okt/forleng').set('Accept', 'application/json').set('X-CSRF-Token', token);

    expect(res.status).to.equal(401);
    expect((res.body as { error?: { status?: number } }).error?.status).to.equal(401);
  });

  it('never passes the absolute limit: a minute before 12 hours the idle expiry answered is the absolute end, and after it 401', async () => {
    const { id, email } = await createUser();
    const agent = await signIn(app, email);
    const token = await csrfToken(agent, '/mine-kurs');
    const setLoginAge = async (ms: number) => {
      const current = await storedSession(id);
      const data = JSON.parse(current.session) as Record<string, unknown>;
      data.authenticatedAt = Date.now() - ms;
      await editStoredSession(current._id, { $set: { session: JSON.stringify(data) } });
    };
    await setLoginAge(ABSOLUTE_TIMEOUT_MS - 60_000);

    const res = await agent.post('/okt/forleng').set('Accept', 'application/json').set('X-CSRF-Token', token).expect(200);
    const body = res.body as { idleExpiresAt: string; absoluteExpiresAt: string };
    expect(new Date(body.idleExpiresAt).getTime()).to.be.closeTo(Date.now() + 60_000, 5_000);
    expect(body.idleExpiresAt).to.equal(body.absoluteExpiresAt);

    await setLoginAge(ABSOLUTE_TIMEOUT_MS + 1000);
    const after = await agent.post('/okt/forleng').set('Accept', 'application/json').set('X-CSRF-Token', token);
    expect(after.status).to.equal(401);
    const remaining = await sessions().find({}).toArray();
    expect(remaining.some((s) => (JSON.parse(s.session) as { passport?: { user?: string } }).passport?.user === id)).to.equal(false);
  });

  it('pages for signed-in people carry the limits for the warning; anonymous pages have neither the dialog nor the script', async () => {
    const { email } = await createUser();
    const agent = await signIn(app, email);
    const page = (await agent.get('/mine-kurs').expect(200)).text;
    expect(page).to.match(/<dialog id="session-timeout"/);
    expect(page).to.match(/data-idle-seconds="1740"/);
    const absolute = Number(/data-absolute-seconds="(\d+)"/.exec(page)?.[1]);
    expect(absolute).to.be.within(ABSOLUTE_TIMEOUT_MS / 1000 - 60, ABSOLUTE_TIMEOUT_MS / 1000);
    expect(page).to.match(/src="\/static\/js\/session-timeout\.js\?v=/);
    expect(page).to.contain('Fortsett å være innlogget');

    const anonymous = (await request(app).get('/tilgjengelighet').expect(200)).text;
    expect(anonymous).not.to.contain('session-timeout');
  });
});
