import { expect } from 'chai';
import mongoose from 'mongoose';
import { z } from 'zod';
import { createApp, createServices, type Services } from '../../src/app.js';
import { createLogger } from '../../src/lib/logger.js';
import { defineMailTemplate } from '../../src/components/mail/index.js';
import type { SessionUser } from '../../src/web/session-user.js';
import { testConfig } from '../helpers/app.js';
import { testClock } from '../helpers/clock.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser } from '../helpers/auth.js';
import { UserModel } from '../../src/components/accounts/index.js';
import { forgetCatalogue } from '../../src/components/learning/index.js';
import { revocations } from '../../src/lib/revocations.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { recipientOf, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

const probeMail = defineMailTemplate({
  name: 'test.composition-root',
  params: z.object({ name: z.string() }),
  compose: (_t, p) => ({ subject: 'Prøve', intro: [p.name], outro: [] }),
});

const outbox = () => mongoose.connection.db!.collection<{ to: string }>('mail_outbox');

/** A services instance whose logger writes to `lines`. */
function servicesWith(lines: string[], options: { env?: Record<string, string>; clock?: () => Date; reportCacheMs?: number; catalogueCacheMs?: number } = {}): Services {
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  return createServices({ config: testConfig(options.env), logger, clock: options.clock, reportCacheMs: options.reportCacheMs, catalogueCacheMs: options.catalogueCacheMs });
}

describe('composition root: two apps built in one process keep their own services', function () {
  this.timeout(60_000);
  let smtp: TestSmtpServer;
  let linesA: string[];
  let linesB: string[];
  let a: Services;
  let b: Services;
  const aTime = new Date('2026-03-02T09:00:00Z');

  before(async () => {
    smtp = await startSmtpServer();
  });
  after(async () => {
    await smtp.close();
  });

  beforeEach(async () => {
    await clearDatabase();
    smtp.messages.length = 0;
    linesA = [];
    linesB = [];
    const clockA = testClock();
    clockA.set(aTime);
    // A: its own clock, SMTP, structure and the catalogue cached for a minute; B: system time, the
    // outbox, no structure cached and the catalogue for the usual 5 s.
    a = servicesWith(linesA, { env: { SMTP_URL: smtp.url }, clock: clockA, reportCacheMs: 60_000, catalogueCacheMs: 60_000 });
    b = servicesWith(linesB);
    await createApp({ config: testConfig({ SMTP_URL: smtp.url }), logger: createLogger('silent'), services: a });
    await createApp({ config: testConfig(), logger: createLogger('silent'), services: b });
  });

  it('two apps, each with its own clock: report figures are dated by their own app’s clock', async () => {
    const admin: SessionUser = { id: '000000000000000000000000', name: 'Testadmin', email: 'admin@test.example', roles: new Set(['municipal-admin']), memberOf: new Set(), leaderOf: new Set() };
    await createUnit('Klokka barnehage', 'barnehage', 'Øst');

    const [homeA, homeB] = await Promise.all([a.reports.municipalHome(admin, (t) => t, 'Kommunen'), b.reports.municipalHome(admin, (t) => t, 'Kommunen')]);

    expect(homeA.generatedAt.toISOString()).to.equal(aTime.toISOString());
    expect(Math.abs(homeB.generatedAt.getTime() - Date.now())).to.be.below(60_000);
  });

  it('two apps, one caching structure for a minute and one not: a unit created after both read is seen only by the one that does not cache', async () => {
    const first = await createUnit('Første barnehage', 'barnehage', 'Øst');
    const leaderOf = new Set([first]);
    const leader = { id: '000000000000000000000001', name: 'Leder', email: 'leder@test.example', roles: new Set<never>(), memberOf: leaderOf, leaderOf } as unknown as SessionUser;
    expect(await a.reports.unitOverviews(leader)).to.have.length(1);
    expect(await b.reports.unitOverviews(leader)).to.have.length(1);

    leaderOf.add(await createUnit('Andre barnehage', 'barnehage', 'Øst'));

    expect(await a.reports.unitOverviews(leader), 'A serves its cached organisation').to.have.length(1);
    expect(await b.reports.unitOverviews(leader), 'B reads the organisation again').to.have.length(2);
    a.reports.forgetStructure();
    expect(await a.reports.unitOverviews(leader)).to.have.length(2);
  });

  it('two apps, each with its own mail: one sends by SMTP, the other to the outbox, and neither reaches the other', async () => {
    await a.mail.send({ to: 'a@test.example', template: probeMail, params: { name: 'A' } });
    await b.mail.send({ to: 'b@test.example', template: probeMail, params: { name: 'B' } });
    await smtp.waitForMessage();

    expect(smtp.messages.map(recipientOf)).to.deep.equal(['a@test.example']);
    expect((await outbox().find({}).toArray()).map((m) => m.to)).to.deep.equal(['b@test.example']);
  });

  it('two apps, each with its own logger: a renewal rule saved through one logs there only', async () => {
    await publishFixture({ slug: 'samtaler', small: true });

    await a.reports.saveRenewalRules({ 'mnd-samtaler': '12' });
    await a.reports.whenIdle();
    await b.reports.whenIdle();

    expect(linesA.join('')).to.include('report summaries recomputed after a renewal rule change');
    expect(linesB.join('')).to.not.include('report summaries recomputed');
  });

  it('two apps, each with its own person cache: a person cached by one is read from the database by the other, and a change made anywhere drops both entries', async () => {
    const person = await createUser();
    await revocations.poll();
    const loads = { a: 0, b: 0 };
    const load = (app: 'a' | 'b') => async () => ((loads[app] += 1), (await UserModel.findById(person.id).lean()) as never);

    await a.people.get(person.id, load('a'));
    await a.people.get(person.id, load('a'));
    await b.people.get(person.id, load('b'));

    expect(loads, 'A reads once and then from its memory; B has nothing of A’s').to.deep.equal({ a: 1, b: 1 });
    await UserModel.updateOne({ _id: person.id }, { $set: { name: 'Nytt Navn' } });
    await a.people.get(person.id, load('a'));
    await b.people.get(person.id, load('b'));
    expect(loads, 'the change dropped the entry in both apps').to.deep.equal({ a: 2, b: 2 });
  });

  it('two apps, each with its own catalogue cache: a module withdrawn behind both caches’ backs is still listed by the one that read it before', async () => {
    await publishFixture({ slug: 'samtaler', small: true });
    expect((await a.learning.catalogue()).items.map((i) => i.slug)).to.deep.equal(['samtaler']);

    // Straight in the database, so no cache is told.
    await mongoose.connection.db!.collection('modules').deleteMany({});

    expect((await b.learning.catalogue()).items, 'B reads the catalogue for the first time').to.deep.equal([]);
    expect((await a.learning.catalogue()).items.map((i) => i.slug), 'A serves its own cached catalogue').to.deep.equal(['samtaler']);
    forgetCatalogue();
    expect((await a.learning.catalogue()).items, 'dropping every catalogue of the process reaches A too').to.deep.equal([]);
  });
});
