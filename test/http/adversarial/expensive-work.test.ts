import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { buildTestApp } from '../../helpers/app.js';
import { clearDatabase } from '../../helpers/database.js';
import { createUser, csrfToken, signIn, TEST_PASSWORD } from '../../helpers/auth.js';
import { HASH_LIMITS, hashCounters, hashPassword } from '../../../src/components/accounts/passwords.js';
import { BusyError } from '../../../src/lib/errors.js';
import { issueToken } from '../../../src/components/accounts/tokens.js';
import { LOGIN_LIMITS } from '../../../src/components/accounts/index.js';

/**
 * Expensive work is bounded and limits are atomic (findings 2, 8 and 9). The number of Argon2
 * computations is read from the counters the hashing module keeps, so these tests count real work,
 * not responses. Speed itself is measured by `npm run bench:auth-flood`, not here.
 */

const NEW_PASSWORD = 'Et helt nytt passord 2026';
const bogusToken = (i: number) => `${'b'.repeat(40)}${String(i).padStart(3, '0')}`;
const work = () => hashCounters.hashes + hashCounters.verifications;

describe('adversarial: expensive work is bounded and limits are atomic', function () {
  this.timeout(120_000);
  let app: Express;

  before(async () => {
    app = await buildTestApp();
  });
  beforeEach(async () => {
    await clearDatabase();
  });

  it('finding 2: posts with made-up reset tokens run no Argon2 at all and are answered 404', async () => {
    const agent = request.agent(app);
    const csrf = await csrfToken(agent, '/logg-inn');
    const before = work();
    const statuses = [];
    for (let i = 0; i < 20; i += 1) {
      const res = await agent.post(`/passord/ny/${bogusToken(i)}`).type('form').send({ _csrf: csrf, password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD });
      statuses.push(res.status);
    }
    expect(new Set(statuses)).to.deep.equal(new Set([404]));
    expect(work() - before, 'Argon2 computations for made-up tokens').to.equal(0);
  });

  it('reset and activation posts are rate-limited per IP: past the limit 429 with Retry-After and a Norwegian message', async () => {
    const agent = request.agent(app);
    const csrf = await csrfToken(agent, '/logg-inn');
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 35; i += 1) {
      last = await agent.post(`/passord/ny/${bogusToken(i)}`).type('form').send({ _csrf: csrf, password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 404)).to.equal(true);
    expect(statuses.slice(30).every((s) => s === 429)).to.equal(true);
    expect(Number(last!.headers['retry-after'])).to.be.greaterThan(0);
    // The first refusal comes from the route, later ones from the flood guard in front of sessions.
    expect(last!.text).to.match(/Det har kommet for mange forsøk fra denne adressen\. Vent \d+ minutter og prøv igjen\./);
    expect(last!.headers['content-security-policy']).to.contain("default-src 'none'").and.to.contain("frame-ancestors 'none'");
    expect(last!.headers['x-content-type-options']).to.equal('nosniff');
  });

  it('reset posts are rate-limited per link: the eleventh post with one link is refused even with fresh addresses', async () => {
    const { id } = await createUser();
    const token = await issueToken(id, 'reset');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      const agent = request.agent(app);
      const csrf = await csrfToken(agent, '/logg-inn');
      const res = await agent.post(`/passord/ny/${token}`).type('form').send({ _csrf: csrf, password: 'kort', passwordConfirm: 'kort' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 400)).to.equal(true);
    expect(statuses[10]).to.equal(429);
  });

  it('finding 9: a reset to the current password is refused with a clear message, and the link still works afterwards', async () => {
    const { id, email } = await createUser();
    const token = await issueToken(id, 'reset');
    const agent = request.agent(app);
    const form = await agent.get(`/passord/ny/${token}`).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const same = await agent.post(`/passord/ny/${token}`).type('form').send({ _csrf: csrf, password: TEST_PASSWORD, passwordConfirm: TEST_PASSWORD });
    expect(same.status).to.equal(400);
    expect(same.text).to.contain('Det nye passordet er det samme som det du har nå');
    const changed = await agent.post(`/passord/ny/${token}`).type('form').send({ _csrf: csrf, password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD });
    expect(changed.status).to.equal(303);
    await signIn(app, email, NEW_PASSWORD);
  });

  it('finding 8: 100 parallel wrong passwords for one address run at most 10 password checks', async () => {
    const { email } = await createUser();
    const agent = request.agent(app);
    const csrf = await csrfToken(agent, '/logg-inn');
    const before = hashCounters.verifications;
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => agent.post('/logg-inn').type('form').send({ _csrf: csrf, email, password: 'feil-passord-123' })),
    );
    const checks = hashCounters.verifications - before;
    expect(checks, 'password checks').to.be.at.most(LOGIN_LIMITS.account.failures);
    expect(responses.every((r) => [401, 429, 503].includes(r.status)), responses.map((r) => r.status).join(',')).to.equal(true);
    expect(responses.filter((r) => r.status === 429).length).to.be.at.least(90);
  });

  it('class: at every burst size, simultaneous logins from one address never run more checks than the limits allow', async () => {
    // Fresh addresses each time: only the per-IP limit (50) holds them back.
    for (const burst of [10, 60, 120]) {
      await clearDatabase();
      const agent = request.agent(app);
      const csrf = await csrfToken(agent, '/logg-inn');
      const before = hashCounters.verifications;
      const responses = await Promise.all(
        Array.from({ length: burst }, (_, i) => agent.post('/logg-inn').type('form').send({ _csrf: csrf, email: `ny-${burst}-${i}@flom.example`, password: 'feil-passord-123' })),
      );
      expect(hashCounters.verifications - before, `checks for a burst of ${burst}`).to.be.at.most(Math.min(burst, LOGIN_LIMITS.ip.failures));
      for (const r of responses) {
        expect([401, 429, 503], `status in a burst of ${burst}`).to.include(r.status);
        if (r.status === 503 || r.status === 429) expect(Number(r.headers['retry-after']), 'Retry-After').to.be.greaterThan(0);
      }
    }
  });

  it('the hashing queue: at most one hash per core runs, a short queue waits, and the rest are refused with a Retry-After', async () => {
    const results = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => hashPassword(`passord-nummer-${i}-lang-nok`)));
    const done = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(done).to.equal(HASH_LIMITS.concurrency + HASH_LIMITS.queue);
    expect(refused).to.have.length(60 - done);
    for (const err of refused) {
      expect(err).to.be.instanceOf(BusyError);
      expect((err as BusyError).retryAfterSeconds).to.be.greaterThan(0);
    }
  });
});
