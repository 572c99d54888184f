import { expect } from 'chai';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp, testServices } from '../helpers/app.js';
import type { Mailer } from '../../src/components/mail/index.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, csrfToken, signIn, type Agent } from '../helpers/auth.js';
import { publishFixture, resetLearningCaches } from '../helpers/learning-fixture.js';
import { doActivities } from '../helpers/progress.js';
import { recipientOf, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { createAssignment } from '../../src/components/assignments/index.js';
import { ReminderService } from '../../src/components/reminders/index.js';
import { catalogue, ProgressService } from '../../src/components/learning/index.js';
import type { SessionUser } from '../../src/web/session-user.js';
import { createLogger } from '../../src/lib/logger.js';
import { isoDate, todayDateOnly } from '../../src/lib/dates.js';

const sentLog = () => mongoose.connection.db!.collection<{ _id: string; userId: string; kind: string; ref: string; day: string; unitId: string | null; sentAt: Date | null }>('reminders_sent');
const daysFromToday = (days: number) => new Date(todayDateOnly().getTime() + days * 86_400_000);

/** Mail is sent in the request; the server has received it when the response arrives, but allow the parser a moment. */
async function settle(smtp: TestSmtpServer, count: number): Promise<void> {
  for (let i = 0; i < 40 && smtp.messages.length < count; i += 1) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 100));
}

describe('http: reminders – one click for everyone overdue, never twice a day (real SMTP)', function () {
  this.timeout(60_000);
  let smtp: TestSmtpServer;
  let app: Express;
  let mailer: Mailer;
  let unitA: string;
  let unitB: string;
  let late: { id: string; email: string };
  let done: { id: string; email: string };
  let leaderUser: { id: string; email: string };
  let leader: Agent;
  let overdueId: string;

  before(async () => {
    smtp = await startSmtpServer();
    const env = { SMTP_URL: smtp.url, BASE_URL: 'https://fellesskap.test' };
    const services = testServices({ env });
    mailer = services.mail;
    app = await buildTestApp({ env, services });
  });
  after(async () => {
    await smtp.close();
  });

  beforeEach(async () => {
    await clearDatabase();
    resetLearningCaches();
    smtp.messages.length = 0;
    unitA = await createUnit('Solsikken barnehage', 'barnehage');
    unitB = await createUnit('Nordbyen skole', 'skole');
    late = await createUser({ name: 'Kari Nordmann', email: 'kari@reminders.test', memberships: [{ unitId: unitA, role: 'ansatt' }] });
    done = await createUser({ name: 'Ola Hansen', email: 'ola@reminders.test', memberships: [{ unitId: unitA, role: 'ansatt' }] });
    leaderUser = await createUser({ name: 'Siri Dahl', email: 'siri@reminders.test', memberships: [{ unitId: unitA, role: 'leder' }] });
    await publishFixture();
    await doActivities(done.id, unitA, 'samtaler@1.0');
    await doActivities(leaderUser.id, unitA, 'samtaler@1.0');
    overdueId = await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'unit', unitId: unitA }, deadline: daysFromToday(-3), createdBy: { id: leaderUser.id, name: 'Siri Dahl' } });
    leader = await signIn(app, leaderUser.email);
  });

  async function remind(path: string) {
    const token = await csrfToken(leader, `/leder/${unitA}/paminnelser`);
    return leader.post(path).type('form').send({ _csrf: token });
  }

  it('the reminders page: the people behind on an overdue assignment, not those who are done', async () => {
    const page = await leader.get(`/leder/${unitA}/paminnelser`).expect(200);

    expect(page.text).to.contain('Testmodul samtaler').and.to.contain('Kari Nordmann').and.to.contain('Send påminnelse til alle som er forsinket (1)');
    const table = page.text.slice(page.text.indexOf('<table'), page.text.indexOf('</table>'));
    expect(table).not.to.contain('Ola Hansen').and.not.to.contain('Siri Dahl');
  });

  it('the same reminder twice in one day: one mail; the second click is reported as skipped', async () => {
    const first = await remind(`/leder/${unitA}/paminnelser/${overdueId}`);
    await settle(smtp, 1);

    expect(first.status).to.equal(303);
    expect(smtp.messages).to.have.length(1);
    const mail = smtp.messages[0]!;
    expect(recipientOf(mail)).to.equal('kari@reminders.test');
    expect(mail.subject).to.equal('Påminnelse: Testmodul samtaler');
    expect(mail.text).to.contain('Siri Dahl minner deg om modulen «Testmodul samtaler».').and.to.contain(`Fristen var ${new Intl.DateTimeFormat('nb-NO', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(daysFromToday(-3))}`);
    expect(mail.text).to.contain('https://fellesskap.test/moduler/samtaler/');
    const log = await sentLog().find().toArray();
    expect(log.map((l) => l._id)).to.deep.equal([`${late.id}:overdue:${overdueId}:${isoDate(todayDateOnly())}`]);
    expect(log[0]!.sentAt).to.be.an.instanceOf(Date);
    const after = await leader.get(`/leder/${unitA}/paminnelser`).expect(200);
    expect(after.text).to.contain('Påminnelser sendt: 1. Hoppet over (allerede påminnet i dag): 0.').and.to.contain('Påminnet i dag');

    const second = await remind(`/leder/${unitA}/paminnelser/${overdueId}`);
    const perPerson = await remind(`/leder/${unitA}/paminnelser/${overdueId}/${late.id}`);
    await settle(smtp, 2);

    expect(second.status).to.equal(303);
    expect(perPerson.status).to.equal(303);
    expect(smtp.messages).to.have.length(1);
    expect(await sentLog().countDocuments()).to.equal(1);
    expect((await leader.get(`/leder/${unitA}/paminnelser`)).text).to.contain('Ingen nye påminnelser sendt: alle 1 er allerede påminnet i dag.');
  });

  it('two leaders clicking at the same moment: still one mail per person', async () => {
    const reminders = new ReminderService(new ProgressService(createLogger('silent')), createLogger('silent'), mailer, { catalogue: () => catalogue() });
    const actor = { id: leaderUser.id, name: 'Siri Dahl', email: leaderUser.email, roles: new Set(), memberOf: new Set([unitA]), leaderOf: new Set([unitA]) } as unknown as SessionUser;

    const reports = await Promise.all([reminders.send(actor, unitA, overdueId), reminders.send(actor, unitA, overdueId), reminders.send(actor, unitA, overdueId)]);
    await settle(smtp, 2);

    expect(reports.map((r) => r.sent).reduce((a, b) => a + b)).to.equal(1);
    expect(reports.map((r) => r.skipped).reduce((a, b) => a + b)).to.equal(2);
    expect(smtp.messages).to.have.length(1);
  });

  it('the next day the same reminder may go again (a new day, a new key)', async () => {
    const reminders = new ReminderService(new ProgressService(createLogger('silent')), createLogger('silent'), mailer, { catalogue: () => catalogue() });
    const actor = { id: leaderUser.id, name: 'Siri Dahl', email: leaderUser.email, roles: new Set(), memberOf: new Set([unitA]), leaderOf: new Set([unitA]) } as unknown as SessionUser;
    await reminders.send(actor, unitA, overdueId);

    const tomorrow = await reminders.send(actor, unitA, overdueId, { now: new Date(Date.now() + 86_400_000) });
    await settle(smtp, 2);

    expect(tomorrow).to.deep.equal({ sent: 1, skipped: 0, failed: 0 });
    expect(smtp.messages).to.have.length(2);
    expect(await sentLog().countDocuments({ userId: late.id })).to.equal(2);
  });

  it('per person: only that person; someone who is not behind is refused with a message', async () => {
    const other = await createUser({ name: 'Per Persen', email: 'per@reminders.test', memberships: [{ unitId: unitA, role: 'ansatt' }] });

    await remind(`/leder/${unitA}/paminnelser/${overdueId}/${other.id}`).then((res) => expect(res.status).to.equal(303));
    const refused = await remind(`/leder/${unitA}/paminnelser/${overdueId}/${done.id}`);
    await settle(smtp, 1);

    expect(smtp.messages.map(recipientOf)).to.deep.equal(['per@reminders.test']);
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('Personen er ikke forsinket med denne modulen lenger.');
  });

  it('an assignment whose deadline has not passed: 400, nothing sent; another unit\'s leader: 403', async () => {
    const future = await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'people', userIds: [late.id] }, deadline: daysFromToday(5), createdBy: { id: null, name: 'test' } }, { unitId: unitA });
    const notYet = await remind(`/leder/${unitA}/paminnelser/${future}`);
    expect(notYet.status).to.equal(400);
    expect(notYet.text).to.contain('Fristen for denne tildelingen har ikke gått ut.');

    const otherLeader = await signIn(app, (await createUser({ memberships: [{ unitId: unitB, role: 'leder' }] })).email);
    const token = await csrfToken(otherLeader, '/mine-kurs');
    const denied = await otherLeader.post(`/leder/${unitA}/paminnelser/${overdueId}`).type('form').send({ _csrf: token });
    expect(denied.status).to.equal(403);
    await settle(smtp, 1);
    expect(smtp.messages).to.have.length(0);
    expect(await sentLog().countDocuments()).to.equal(0);
  });

  it('the log on the page: who was reminded of what, by whom', async () => {
    await remind(`/leder/${unitA}/paminnelser/${overdueId}`);

    const page = await leader.get(`/leder/${unitA}/paminnelser`).expect(200);

    const log = page.text.slice(page.text.indexOf('id="log-heading"'));
    expect(log).to.contain('Kari Nordmann').and.to.contain('Testmodul samtaler').and.to.contain('Siri Dahl');
  });
});
