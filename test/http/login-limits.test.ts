import { createHash } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, csrfToken, type Agent } from '../helpers/auth.js';
import { forgetLoginLimitMemory, LOGIN_LIMITS, sweepExpiredLoginLimits } from '../../src/components/accounts/index.js';

const limits = () => mongoose.connection.db!.collection<{ _id: string; points: number; expiresAt: Date | null }>('login_limits');
const accountKey = (email: string) => `account:${createHash('sha256').update(email.toLowerCase()).digest('hex')}`;
const alertText = (html: string) => /<div class="alert error"[^>]*>\s*<p>([^<]+)<\/p>/.exec(html)?.[1]?.trim();

// Each test (and each run within one) posts from its own address, so the per-address limits of one
// do not spill into the next; the app trusts one proxy hop, so X-Forwarded-For is the address.
let addressCounter = 0;
const freshAddress = () => {
  addressCounter += 1;
  return `198.51.${100 + Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
};
let address = freshAddress();

async function attempt(agent: Agent, email: string, password: string, ip = address): Promise<request.Response> {
  const token = await csrfToken(agent, '/logg-inn');
  return agent.post('/logg-inn').type('form').set('X-Forwarded-For', ip).send({ _csrf: token, email, password });
}

describe('http: failed-login limits (per account and per IP, in the database)', function () {
  this.timeout(60_000);
  let app: Express;

  before(async () => {
    app = await buildTestApp({ env: { TRUST_PROXY: '1' } });
  });
  beforeEach(async () => {
    address = freshAddress();
    await clearDatabase();
  });

  it('ten wrong passwords for one account: the tenth locks it with the wait message, and even the right password is refused', async () => {
    const { email, password } = await createUser();
    const agent = request.agent(app);
    const statuses: number[] = [];
    let last!: request.Response;
    for (let i = 0; i < LOGIN_LIMITS.account.failures; i += 1) {
      last = await attempt(agent, email, 'Feil-passord-999');
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 9)).to.deep.equal(Array(9).fill(401));
    expect(last.status).to.equal(429);
    expect(alertText(last.text)).to.equal('For mange mislykkede forsøk. Vent 15 minutter, eller be om nytt passord.');
    expect(Number(last.headers['retry-after'])).to.be.within(14 * 60, 15 * 60);

    const right = await attempt(agent, email, password);
    expect(right.status).to.equal(429);
    expect(alertText(right.text)).to.contain('For mange mislykkede forsøk');
    const stored = await limits().findOne({ _id: accountKey(email) });
    expect(stored?.points).to.be.at.least(LOGIN_LIMITS.account.failures);
    expect(stored?.expiresAt?.getTime()).to.be.closeTo(Date.now() + 15 * 60_000, 60_000);
  });

  it('an unknown e-mail: exactly the same statuses and messages as a known one, so nothing tells them apart', async () => {
    const { email } = await createUser();
    const run = async (email: string) => {
      const agent = request.agent(app);
      const from = freshAddress();
      const seen: Array<[number, string | undefined]> = [];
      for (let i = 0; i < LOGIN_LIMITS.account.failures + 1; i += 1) {
        const res = await attempt(agent, email, 'Feil-passord-999', from);
        seen.push([res.status, alertText(res.text)]);
      }
      return seen;
    };
    const known = await run(email);
    const unknown = await run('finnes-ikke@test.example');
    expect(unknown).to.deep.equal(known);
    expect(known.at(-1)?.[0]).to.equal(429);
    expect(await limits().countDocuments({ _id: accountKey('finnes-ikke@test.example') })).to.equal(1);
  });

  it('a successful login: resets the account counter, so the next failures start from zero', async () => {
    const { email, password } = await createUser();
    const agent = request.agent(app);
    for (let i = 0; i < LOGIN_LIMITS.account.failures - 1; i += 1) await attempt(agent, email, 'Feil-passord-999');
    expect((await limits().findOne({ _id: accountKey(email) }))?.points).to.equal(LOGIN_LIMITS.account.failures - 1);

    const ok = await attempt(agent, email, password);
    expect(ok.status).to.equal(302);
    expect(await limits().findOne({ _id: accountKey(email) })).to.equal(null);

    const other = request.agent(app);
    for (let i = 0; i < LOGIN_LIMITS.account.failures - 1; i += 1) {
      expect((await attempt(other, email, 'Feil-passord-999')).status).to.equal(401);
    }
  });

  it('two app instances on the same database: failures on both count together, and the lock holds on both', async () => {
    const { email, password } = await createUser();
    const second = await buildTestApp();
    const one = request.agent(app);
    const two = request.agent(second);
    for (let i = 0; i < 5; i += 1) expect((await attempt(one, email, 'Feil-passord-999')).status).to.equal(401);
    for (let i = 0; i < 4; i += 1) expect((await attempt(two, email, 'Feil-passord-999')).status).to.equal(401);
    expect((await attempt(two, email, 'Feil-passord-999')).status).to.equal(429);
    expect((await attempt(one, email, password)).status).to.equal(429);
    expect((await attempt(two, email, password)).status).to.equal(429);
  });

  it('per IP: fifty failures from one address lock that address for every e-mail, not other addresses', async () => {
    const { email, password } = await createUser();
    const agent = request.agent(app);
    let last!: request.Response;
    for (let i = 0; i < LOGIN_LIMITS.ip.failures; i += 1) {
      // Each minute's burst limit moved on (in the database and this process's memory) rather than waited for.
      if (i % LOGIN_LIMITS.ipBurst.failures === 0) await limits().deleteOne({ _id: `ip-burst:${address}` });
      forgetLoginLimitMemory();
      last = await attempt(agent, `gjett${i}@test.example`, 'Feil-passord-999');
    }
    expect(last.status).to.equal(429);
    expect(alertText(last.text)).to.contain('For mange mislykkede forsøk');
    await limits().deleteOne({ _id: `ip-burst:${address}` });
    forgetLoginLimitMemory();
    expect((await attempt(agent, email, password)).status).to.equal(429);
    expect((await attempt(agent, email, password, freshAddress())).status).to.equal(302);
    expect((await limits().findOne({ _id: `ip:${address}` }))?.points).to.be.at.least(LOGIN_LIMITS.ip.failures);
  });

  it('per IP in a minute: twenty failures from one address refuse it for the rest of the minute, from memory, and a success gives its point back', async () => {
    const { email, password } = await createUser();
    // A success in between: its attempt is given back, so only failures count.
    expect((await attempt(request.agent(app), email, password)).status).to.equal(302);
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMITS.ipBurst.failures + 1; i += 1) statuses.push((await attempt(request.agent(app), `gjett${i}@test.example`, 'Feil-passord-999')).status);
    expect(statuses.slice(0, LOGIN_LIMITS.ipBurst.failures)).to.deep.equal(Array(LOGIN_LIMITS.ipBurst.failures).fill(401));
    expect(statuses.at(-1)).to.equal(429);
    const stored = await limits().findOne({ _id: `ip-burst:${address}` });
    expect(stored?.expiresAt?.getTime()).to.be.closeTo(Date.now() + LOGIN_LIMITS.ipBurst.windowSeconds * 1000, 5_000);

    // Now refused before the request reaches the database or the form: the flood guard answers.
    const refused = await attempt(request.agent(app), email, password);
    expect(refused.status).to.equal(429);
    expect(Number(refused.headers['retry-after'])).to.be.within(1, LOGIN_LIMITS.ipBurst.windowSeconds);
    expect(refused.text).to.contain('for mange forsøk fra denne adressen');
    // Other addresses are not affected.
    expect((await attempt(request.agent(app), email, password, freshAddress())).status).to.equal(302);
  });

  it('a lock whose time is over: login works again, and the sweep removes the expired counter', async () => {
    const { email, password } = await createUser();
    const agent = request.agent(app);
    for (let i = 0; i < LOGIN_LIMITS.account.failures; i += 1) await attempt(agent, email, 'Feil-passord-999');
    expect((await attempt(agent, email, password)).status).to.equal(429);

    // Fifteen minutes later (moved in the database rather than waited for).
    await limits().updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await sweepExpiredLoginLimits()).to.be.at.least(1);
    expect(await limits().countDocuments({})).to.equal(0);
    expect((await attempt(agent, email, password)).status).to.equal(302);
  });
});
