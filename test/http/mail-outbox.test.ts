import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, csrfToken, signIn } from '../helpers/auth.js';

const outbox = () => mongoose.connection.db!.collection<{ _id: mongoose.Types.ObjectId; to: string; template: string; subject: string; text: string; html: string }>('mail_outbox');

describe('http: mail without SMTP_URL goes to the development outbox', () => {
  let app: Express;

  before(async () => {
    app = await buildTestApp();
  });
  beforeEach(clearDatabase);

  async function requestReset(email: string): Promise<void> {
    const agent = request.agent(app);
    const token = await csrfToken(agent, '/passord/glemt');
    await agent.post('/passord/glemt').type('form').send({ _csrf: token, email }).expect(303);
    for (let i = 0; i < 100 && (await outbox().countDocuments({ to: email })) === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
  }

  it('a reset mail: stored with recipient, template, subject, text and HTML', async () => {
    const { email } = await createUser();
    await requestReset(email);
    const stored = await outbox().findOne({ to: email });
    expect(stored).to.include({ template: 'accounts.password-reset', subject: 'Nytt passord til Fellesskap' });
    expect(stored?.text).to.match(/http:\/\/localhost:3000\/passord\/ny\/[\w-]{43}/);
    expect(stored?.html).to.contain('<html lang="nb">');
  });

  it('a system admin: sees the outbox list, a message with its link clickable, and its HTML part sandboxed', async () => {
    const { email } = await createUser();
    const admin = await createUser({ roles: ['system-admin'] });
    await requestReset(email);
    const agent = await signIn(app, admin.email);

    const list = await agent.get('/utvikling/e-post').expect(200);
    expect(list.text).to.contain('Nytt passord til Fellesskap');
    expect(list.text).to.contain(email);
    expect(list.text).to.contain('href="/utvikling/e-post"');
    const id = String((await outbox().findOne({ to: email }))!._id);

    const message = await agent.get(`/utvikling/e-post/${id}`).expect(200);
    expect(message.text).to.match(/<a href="http:\/\/localhost:3000\/passord\/ny\/[\w-]{43}">/);

    const html = await agent.get(`/utvikling/e-post/${id}/html`).expect(200);
    expect(html.headers['content-security-policy']).to.match(/^sandbox;/);
    await agent.get('/utvikling/e-post/000000000000000000000000').expect(404);
  });

  it('anyone else: staff and municipal admins are refused (403), anonymous visitors sent to login', async () => {
    const staff = await signIn(app, (await createUser()).email);
    const municipal = await signIn(app, (await createUser({ roles: ['municipal-admin'] })).email);
    await staff.get('/utvikling/e-post').expect(403);
    await municipal.get('/utvikling/e-post').expect(403);
    const anonymous = await request(app).get('/utvikling/e-post').expect(302);
    expect(anonymous.headers.location).to.match(/^\/logg-inn\?returnTo=/);
  });

  it('in production: the outbox route does not exist (404 before any permission check)', async () => {
    const prod = await buildTestApp({ env: { NODE_ENV: 'production', SESSION_SECRET: 'p'.repeat(40) } });
    await request(prod).get('/utvikling/e-post').expect(404);
  });
});
