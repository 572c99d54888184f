import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { createApp, createServices, type Services } from '../../src/app.js';
import { testConfig } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, csrfToken, signIn, TEST_PASSWORD, type Agent } from '../helpers/auth.js';
import { linkIn, recipientOf, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { LOGIN_LIMITS, UserModel, ensureUser, sendActivation } from '../../src/components/accounts/index.js';
import { ConflictError } from '../../src/lib/errors.js';

const NEW_PASSWORD = 'Et helt nytt passord 2026';
const BASE_URL = 'https://fellesskap.test.example';

const tokens = () => mongoose.connection.db!.collection<{ _id: string; purpose: string; expiresAt: Date; usedAt: Date | null }>('account_tokens');
const alertText = (html: string) => /<div class="alert (?:error|success)"[^>]*>\s*<p>([^<]+)<\/p>/.exec(html)?.[1]?.trim();
const lead = (html: string) => /<p class="lead">([^<]+)<\/p>/.exec(html)?.[1]?.trim();
const pathOf = (link: string) => new URL(link).pathname;
const tokenOf = (link: string) => pathOf(link).split('/').pop()!;

async function login(app: Express, email: string, password: string): Promise<request.Response> {
  const agent = request.agent(app);
  const token = await csrfToken(agent, '/logg-inn');
  return agent.post('/logg-inn').type('form').send({ _csrf: token, email, password });
}

async function askForReset(app: Express, email: string): Promise<request.Response> {
  const agent = request.agent(app);
  const token = await csrfToken(agent, '/passord/glemt');
  return agent.post('/passord/glemt').type('form').send({ _csrf: token, email });
}

async function submitNewPassword(agent: Agent, link: string, password = NEW_PASSWORD, passwordConfirm = password): Promise<request.Response> {
  const form = await agent.get(pathOf(link));
  const token = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? (await csrfToken(agent, '/passord/glemt'));
  return agent.post(pathOf(link)).type('form').send({ _csrf: token, password, passwordConfirm });
}

describe('http: password reset and activation by mailed single-use link (real SMTP server on loopback)', function () {
  this.timeout(30_000);
  let smtp: TestSmtpServer;
  let app: Express;
  let services: Services;
  let logLines: string[];

  before(async () => {
    smtp = await startSmtpServer();
    logLines = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    // Behind one proxy hop, so a test can post from several addresses (X-Forwarded-For).
    const config = testConfig({ SMTP_URL: smtp.url, BASE_URL, TRUST_PROXY: '1' });
    const logger = pino({ level: 'info' }, sink);
    services = createServices({ config, logger });
    app = await createApp({ config, logger, services });
  });
  after(async () => {
    await smtp.close();
  });
  beforeEach(async () => {
    await clearDatabase();
    smtp.messages.length = 0;
    logLines.length = 0;
  });

  it('known e-mail: the usual confirmation, a mail with a one-hour link, a new password that works and an old one that does not', async () => {
    const { email } = await createUser();
    const res = await askForReset(app, email);
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/passord/glemt/sendt');
    const confirmation = await request(app).get('/passord/glemt/sendt').expect(200);
    expect(confirmation.text).to.contain('Hvis e-postadressen finnes hos oss, har vi sendt en lenke');

    const mail = await smtp.waitForMessage((m) => recipientOf(m) === email);
    expect(mail.subject).to.equal('Nytt passord til Fellesskap');
    expect(mail.text).to.contain('Lenken virker i én time');
    expect(mail.html).to.be.a('string').and.to.contain('Velg nytt passord');
    const link = linkIn(mail);
    expect(link.startsWith(`${BASE_URL}/passord/ny/`)).to.equal(true);

    // Only a hash of the token is stored, as _id, with a one-hour expiry.
    const raw = tokenOf(link);
    const stored = await tokens().findOne({ _id: createHash('sha256').update(raw).digest('hex') });
    expect(stored?.purpose).to.equal('reset');
    expect(stored?.expiresAt.getTime()).to.be.closeTo(Date.now() + 60 * 60_000, 60_000);
    expect(JSON.stringify(await tokens().find({}).toArray())).not.to.contain(raw);

    const agent = request.agent(app);
    const form = await agent.get(pathOf(link)).expect(200);
    expect(form.text).to.contain('Velg nytt passord');
    const done = await submitNewPassword(agent, link);
    expect(done.status).to.equal(303);
    expect(done.headers.location).to.equal('/logg-inn');
    const loginPage = await agent.get('/logg-inn').expect(200);
    expect(alertText(loginPage.text)).to.equal('Passordet er endret. Logg inn med det nye passordet.');

    expect((await login(app, email, NEW_PASSWORD)).status).to.equal(302);
    expect((await login(app, email, TEST_PASSWORD)).status).to.equal(401);
    const user = await UserModel.findOne({ email }).lean();
    expect(user?.passwordChangedAt).to.be.instanceOf(Date);
    expect((await tokens().findOne({ _id: stored!._id }))?.usedAt).to.be.instanceOf(Date);
  });

  it('unknown e-mail: the same redirect and confirmation, and no mail is sent', async () => {
    const { email } = await createUser();
    const unknown = await askForReset(app, 'finnes-ikke@test.example');
    const known = await askForReset(app, email);
    expect([unknown.status, unknown.headers.location]).to.deep.equal([known.status, known.headers.location]);
    await smtp.waitForMessage((m) => recipientOf(m) === email);
    expect(smtp.messages.map(recipientOf)).to.deep.equal([email]);
    expect(await tokens().countDocuments({})).to.equal(1);
  });

  it('a link used once: using it again is refused with "already used", and the password stays the first one', async () => {
    const { email } = await createUser();
    await askForReset(app, email);
    const link = linkIn(await smtp.waitForMessage());
    expect((await submitNewPassword(request.agent(app), link)).status).to.equal(303);

    const again = await request(app).get(pathOf(link));
    expect(again.status).to.equal(410);
    expect(lead(again.text)).to.contain('Lenken er allerede brukt');
    const agent = request.agent(app);
    const token = await csrfToken(agent, '/passord/glemt');
    const reuse = await agent.post(pathOf(link)).type('form').send({ _csrf: token, password: 'Et annet passord 2027', passwordConfirm: 'Et annet passord 2027' });
    expect(reuse.status).to.equal(410);
    expect((await login(app, email, 'Et annet passord 2027')).status).to.equal(401);
    expect((await login(app, email, NEW_PASSWORD)).status).to.equal(302);
  });

  it('the same link sent five times at once: exactly one request sets the password', async () => {
    const { email } = await createUser();
    await askForReset(app, email);
    const link = linkIn(await smtp.waitForMessage());
    // From five addresses (one address may have only a few such posts in progress at once).
    const agents = Array.from({ length: 5 }, () => request.agent(app));
    const csrf = await Promise.all(agents.map((a) => csrfToken(a, '/passord/glemt')));
    const results = await Promise.all(
      agents.map((a, i) =>
        a
          .post(pathOf(link))
          .set('X-Forwarded-For', `198.51.100.${i + 1}`)
          .type('form')
          .send({ _csrf: csrf[i], password: `Samtidig passord nr ${i}`, passwordConfirm: `Samtidig passord nr ${i}` }),
      ),
    );
    expect(results.map((r) => r.status).sort()).to.deep.equal([303, 410, 410, 410, 410]);
  });

  it('an expired link: 410 that says it is too old and how to get a new one; the password is unchanged', async () => {
    const { email } = await createUser();
    await askForReset(app, email);
    const link = linkIn(await smtp.waitForMessage());
    // An hour and a bit later (moved in the database rather than waited for).
    await tokens().updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });

    const page = await request(app).get(pathOf(link));
    expect(page.status).to.equal(410);
    expect(lead(page.text)).to.contain('Lenken er for gammel');
    expect(page.text).to.contain('href="/passord/glemt"');
    expect((await submitNewPassword(request.agent(app), link)).status).to.equal(410);
    expect((await login(app, email, TEST_PASSWORD)).status).to.equal(302);
  });

  it('an unknown or malformed link: 404 with the way to ask for a new one', async () => {
    const page = await request(app).get('/passord/ny/dette-er-ikke-en-lenke');
    expect(page.status).to.equal(404);
    expect(lead(page.text)).to.contain('Lenken er ugyldig');
  });

  it('new-password form with mistakes: 400, Norwegian field messages tied to the fields, and the link still works', async () => {
    const { email } = await createUser();
    await askForReset(app, email);
    const link = linkIn(await smtp.waitForMessage());
    const agent = request.agent(app);

    const short = await submitNewPassword(agent, link, 'for-kort', 'for-kort');
    expect(short.status).to.equal(400);
    expect(short.text).to.contain('Passordet må ha mellom 12 og 128 tegn.');
    expect(short.text).to.match(/id="password"[^>]*aria-describedby="password-hint password-error"[^>]*aria-invalid="true"/);

    const mismatch = await submitNewPassword(agent, link, NEW_PASSWORD, `${NEW_PASSWORD}x`);
    expect(mismatch.status).to.equal(400);
    expect(mismatch.text).to.contain('Passordene er ikke like. Skriv det samme passordet i begge feltene.');
    expect(mismatch.text).to.match(/id="passwordConfirm"[^>]*aria-describedby="passwordConfirm-error" aria-invalid="true"/);

    const tooLong = await submitNewPassword(agent, link, 'x'.repeat(129), 'x'.repeat(129));
    expect(tooLong.status).to.equal(400);
    expect(tooLong.text).to.contain('Passordet må ha mellom 12 og 128 tegn.');

    expect((await submitNewPassword(agent, link)).status).to.equal(303);
  });

  it('a new password ends the sessions that logged in before it', async () => {
    const { email } = await createUser();
    const before = await signIn(app, email);
    expect((await before.get('/').expect(200)).text).to.contain('user-name');

    await askForReset(app, email);
    expect((await submitNewPassword(request.agent(app), linkIn(await smtp.waitForMessage()))).status).to.equal(303);

    expect((await before.get('/').expect(200)).text).not.to.contain('user-name');
    const after = await signIn(app, email, NEW_PASSWORD);
    expect((await after.get('/').expect(200)).text).to.contain('user-name');
  });

  it('a new password lifts a failed-login lock ("… eller be om nytt passord")', async () => {
    const { email } = await createUser();
    for (let i = 0; i < LOGIN_LIMITS.account.failures; i += 1) await login(app, email, 'Feil-passord-999');
    expect((await login(app, email, TEST_PASSWORD)).status).to.equal(429);

    await askForReset(app, email);
    expect((await submitNewPassword(request.agent(app), linkIn(await smtp.waitForMessage()))).status).to.equal(303);
    expect((await login(app, email, NEW_PASSWORD)).status).to.equal(302);
  });

  it('activation: an invited person gets a seven-day link, chooses a password, becomes active and can log in', async () => {
    const { id } = await ensureUser({ email: 'ny.ansatt@test.example', name: 'Nora Ny' });
    await UserModel.updateOne({ _id: id }, { $set: { status: 'invited' } });
    expect((await login(app, 'ny.ansatt@test.example', NEW_PASSWORD)).status).to.equal(401);

    await sendActivation(services.mail, id);
    const mail = await smtp.waitForMessage();
    expect(recipientOf(mail)).to.equal('ny.ansatt@test.example');
    expect(mail.subject).to.equal('Aktiver kontoen din i Fellesskap');
    expect(mail.text).to.contain('Hei Nora Ny,');
    const link = linkIn(mail);
    const stored = await tokens().findOne({});
    expect(stored?.purpose).to.equal('activation');
    expect(stored?.expiresAt.getTime()).to.be.closeTo(Date.now() + 7 * 24 * 3600_000, 60_000);

    const agent = request.agent(app);
    expect((await agent.get(pathOf(link)).expect(200)).text).to.contain('Aktiver kontoen din');
    expect((await submitNewPassword(agent, link)).status).to.equal(303);
    expect(alertText((await agent.get('/logg-inn')).text)).to.contain('Kontoen er aktivert');
    expect((await UserModel.findById(id).lean())?.status).to.equal('active');
    expect((await login(app, 'ny.ansatt@test.example', NEW_PASSWORD)).status).to.equal(302);
  });

  it('activation for someone already active: refused with a ConflictError, no mail', async () => {
    const { id } = await createUser();
    let error: unknown;
    await sendActivation(services.mail, id).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(ConflictError);
    expect(smtp.messages).to.have.length(0);
  });

  it('"forgot password" from an invited person: sends an activation link instead of a reset link', async () => {
    const { id } = await ensureUser({ email: 'invitert@test.example', name: 'Ivar Invitert' });
    await UserModel.updateOne({ _id: id }, { $set: { status: 'invited' } });
    await askForReset(app, 'invitert@test.example');
    const mail = await smtp.waitForMessage();
    expect(mail.subject).to.equal('Aktiver kontoen din i Fellesskap');
    expect((await tokens().findOne({}))?.purpose).to.equal('activation');
  });

  it('every mail is logged with recipient and template, and no token ever reaches the log', async () => {
    const { email } = await createUser();
    await askForReset(app, email);
    const link = linkIn(await smtp.waitForMessage());
    await request(app).get(pathOf(link));
    await submitNewPassword(request.agent(app), link);

    const log = logLines.join('');
    const sent = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'mail sent');
    expect(sent).to.include({ to: email, template: 'accounts.password-reset', transport: 'smtp' });
    expect(sent?.time).to.be.a('number');
    expect(log).not.to.contain(tokenOf(link));
    expect(log).to.contain('/passord/ny/[redacted]');
  });
});
