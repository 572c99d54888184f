import { createHash } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, csrfToken, type Agent } from '../helpers/auth.js';
import { LOGIN_LIMITS, sweepExpiredLoginLimits } from '../../src/components/accounts/index.js';

const limits = () => mongoose.connection.db!.collection<{ _id: string; points: number; expiresAt: Date | null }>('login_limits');
const accountKey = (email: string) => `account:${createHash('sha256').update(email.toLowerCase()).digest('hex')}`;
const alertText = (html: string) => /<div class="alert error"[^>]*>\s*<p>([^<]+)<\/p>/.exec(html)?.[1]?.trim();

async function attempt(agent: Agent, email: string, password: string, ip?: string): Promise<request.Response> {
  const token = await csrfToken(agent, '/logg-inn');
  const req = agent.post('/logg-inn').type('form');
  if (ip) req.set('X-Forwarded-For', ip);
  return req.send({ _csrf: token, email, password });
}

describe('http: failed-login limits (per account and per IP, in the database)', function () {
  this.timeout(60_000);
  let app: Express;

  before(async () => {
    app = await buildTestApp();
  });
  beforeEach(clearDatabase);

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
    const run = async (address: string) => {
      const agent = request.agent(app);
      const seen: Array<[number, string | undefined]> = [];
      for (let i = 0; i < LOGIN_LIMITS.account.failures + 1; i += 1) {
        const res = await attempt(agent, address, 'Feil-passord-999');
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
    const proxied = await buildTestApp({ env: { TRUST_PROXY: '1' } });
    const { email, password } = await createUser();
    const agent = request.agent(proxied);
    let last!: request.Response;
    for (let i = 0; i < LOGIN_LIMITS.ip.failures; i += 1) {
      last = await attempt(agent, `gjett${i}@test.example`, 'Feil-passord-999', '203.0.113.7');
    }
    expect(last.status).to.equal(429);
    expect(alertText(last.text)).to.contain('For mange mislykkede forsøk');
    expect((await attempt(agent, email, password, '203.0.113.7')).status).to.equal(429);
    expect((await attempt(agent, email, password, '203.0.113.8')).status).to.equal(302);
    expect((await limits().findOne({ _id: 'ip:203.0.113.7' }))?.points).to.be.at.least(LOGIN_LIMITS.ip.failures);
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
