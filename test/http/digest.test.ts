import { expect } from 'chai';
import type { Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { buildTestApp, testConfig, testServices } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, csrfToken, signIn } from '../helpers/auth.js';
import { publishFixture, resetLearningCaches } from '../helpers/learning-fixture.js';
import { doActivities } from '../helpers/progress.js';
import { runCliOnTestDatabase } from '../helpers/process.js';
import { createAssignment } from '../../src/components/assignments/index.js';
import { runDigest, runDigestIfDue, unsubscribeToken, type DigestDeps } from '../../src/components/reminders/index.js';
import { ProgressService } from '../../src/components/learning/index.js';
import { UserModel } from '../../src/components/accounts/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { todayDateOnly } from '../../src/lib/dates.js';
import { osloWeekStart } from '../../src/lib/oslo-time.js';
import { parseArgs } from '../../src/cli/digest.js';

const outbox = () => mongoose.connection.db!.collection<{ to: string; template: string; subject: string; text: string; html: string }>('mail_outbox');
const daysFromToday = (days: number) => new Date(todayDateOnly().getTime() + days * 86_400_000);
const longNb = (date: Date) => new Intl.DateTimeFormat('nb-NO', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);

const runDigestCommand = (args: string[] = []) => runCliOnTestDatabase('src/cli/digest.ts', args);

describe('digest: the weekly e-mail to staff with deadlines and leaders with overdue staff', function () {
  this.timeout(90_000);
  const logger = createLogger('silent');
  let SECRET: string;
  let deps: DigestDeps;
  let app: Express;
  const people: Record<string, { id: string; email: string }> = {};

  before(async () => {
    SECRET = testConfig().sessionSecret;
    // The app's own services: its mail goes to the development outbox.
    const services = testServices({ logger });
    deps = { progress: new ProgressService(logger), learning: services.learning, logger, mailer: services.mail, secret: SECRET };
    app = await buildTestApp({ services });
  });

  beforeEach(async () => {
    await clearDatabase();
    resetLearningCaches();
    const unitA = await createUnit('Solsikken barnehage', 'barnehage');
    const unitB = await createUnit('Nordbyen skole', 'skole');
    people.kari = await createUser({ name: 'Kari Nordmann', email: 'kari@digest.test', memberships: [{ unitId: unitA, role: 'ansatt' }] });
    people.ola = await createUser({ name: 'Ola Hansen', email: 'ola@digest.test', memberships: [{ unitId: unitA, role: 'ansatt' }] });
    people.siri = await createUser({ name: 'Siri Dahl', email: 'siri@digest.test', memberships: [{ unitId: unitA, role: 'leder' }] });
    people.per = await createUser({ name: 'Per Lie', email: 'per@digest.test', memberships: [{ unitId: unitB, role: 'leder' }] });
    people.pia = await createUser({ name: 'Pia Berg', email: 'pia@digest.test', memberships: [{ unitId: unitB, role: 'ansatt' }] });
    await publishFixture();
    await publishFixture({ slug: 'medvirkning', title: 'Medvirkning', small: true });
    // Unit A: samtaler due in 10 days for everyone (Ola and Siri have done it); Ola is late with medvirkning.
    await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'unit', unitId: unitA }, deadline: daysFromToday(10), createdBy: { id: null, name: 'test' } });
    await createAssignment({ moduleSlug: 'medvirkning', target: { kind: 'people', userIds: [people.ola.id] }, deadline: daysFromToday(-5), createdBy: { id: null, name: 'test' } }, { unitId: unitA });
    // Unit B: Pia is late with medvirkning; nothing due within 14 days.
    await createAssignment({ moduleSlug: 'medvirkning', target: { kind: 'unit', unitId: unitB }, deadline: daysFromToday(-2), createdBy: { id: null, name: 'test' } });
    await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'unit', unitId: unitB }, deadline: daysFromToday(40), createdBy: { id: null, name: 'test' } });
    await doActivities(people.ola.id, unitA, 'samtaler@1.0');
    await doActivities(people.siri.id, unitA, 'samtaler@1.0');
    await doActivities(people.per.id, unitB, 'medvirkning@1.0');
  });

  const mailTo = async (email: string) => outbox().find({ to: email }).toArray();

  it('staff: their modules due in the next 14 days with the dates; leaders: counts and names for their own units only', async () => {
    const report = await runDigest(deps);

    expect(report).to.include({ week: osloWeekStart(new Date()), people: 5, sent: 3, skipped: 0, optedOut: 0, nothingToSay: 2, failed: 0 });
    const [kari] = await mailTo('kari@digest.test');
    expect(kari!.template).to.equal('reminders.digest');
    expect(kari!.subject).to.equal('Ukens oversikt fra Fellesskap');
    expect(kari!.text).to.contain('Disse modulene har frist de neste 14 dagene:').and.to.contain(`• Testmodul samtaler – frist ${longNb(daysFromToday(10))}`);
    expect(kari!.text).not.to.contain('I enhetene du leder');

    const [siri] = await mailTo('siri@digest.test');
    expect(siri!.text).not.to.contain('frist de neste 14 dagene');
    expect(siri!.text).to.contain('I enhetene du leder, er noen forsinket:').and.to.contain('Solsikken barnehage – antall forsinket: 1').and.to.contain('• Medvirkning: Ola Hansen');
    expect(siri!.text).not.to.contain('Pia Berg').and.not.to.contain('Nordbyen skole');

    const [per] = await mailTo('per@digest.test');
    expect(per!.text).to.contain('Nordbyen skole – antall forsinket: 1').and.to.contain('• Medvirkning: Pia Berg');
    expect(per!.text).not.to.contain('Ola Hansen').and.not.to.contain('Solsikken');

    // Ola is late (his leader hears of it) but has nothing due ahead; Pia likewise.
    expect(await mailTo('ola@digest.test')).to.deep.equal([]);
    expect(await mailTo('pia@digest.test')).to.deep.equal([]);
  });

  it('every digest has an unsubscribe link that works without login (after a confirmation), and a link to the settings', async () => {
    await runDigest(deps);
    const [kari] = await mailTo('kari@digest.test');
    const link = /http:\/\/localhost:3000(\/varsler\/avmeld\/[\w.-]+)/.exec(kari!.text)![1]!;
    expect(link).to.equal(`/varsler/avmeld/${unsubscribeToken(SECRET, people.kari!.id)}`);
    expect(kari!.text).to.contain('http://localhost:3000/varsler');
    expect(kari!.html).to.contain(`href="http://localhost:3000${link}"`);
    const anonymous = request.agent(app);

    const confirm = await anonymous.get(link).expect(200);
    expect(confirm.text).to.contain('Ja, slå av ukentlig e-post');
    expect((await UserModel.findById(people.kari!.id).lean())!.digestOptOut).to.equal(false);
    const token = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1]!;
    const done = await anonymous.post(link).type('form').send({ _csrf: token }).expect(200);

    expect(done.text).to.contain('Du får ikke lenger ukentlig e-post.');
    expect((await UserModel.findById(people.kari!.id).lean())!.digestOptOut).to.equal(true);
    const forged = await anonymous.get(`/varsler/avmeld/${people.kari!.id}.ikke-en-signatur`);
    expect(forged.status).to.equal(404);
    expect(forged.text).to.contain('Lenken er ikke gyldig.');
  });

  it('opted out: no digest, counted as opted out; the settings page switches it off and on', async () => {
    const kari = await signIn(app, people.kari!.email);
    const page = await kari.get('/varsler').expect(200);
    expect(page.text).to.match(/<input type="checkbox" id="digest" name="digest" value="on" checked/);
    const token = await csrfToken(kari, '/varsler');
    await kari.post('/varsler').type('form').send({ _csrf: token }).expect(303);
    expect((await UserModel.findById(people.kari!.id).lean())!.digestOptOut).to.equal(true);
    expect((await kari.get('/varsler')).text).to.contain('Du får ikke lenger ukentlig e-post.').and.not.to.match(/value="on" checked/);

    const report = await runDigest(deps);

    expect(report).to.include({ sent: 2, optedOut: 1 });
    expect(await mailTo('kari@digest.test')).to.deep.equal([]);

    await kari.post('/varsler').type('form').send({ _csrf: token, digest: 'on' }).expect(303);
    expect((await UserModel.findById(people.kari!.id).lean())!.digestOptOut).to.equal(false);
  });

  it('idempotent per person and week: a second run the same week sends nothing more; the next week sends again', async () => {
    await runDigest(deps);

    const again = await runDigest(deps);
    expect(again).to.include({ sent: 0, skipped: 3 });
    expect(await outbox().countDocuments()).to.equal(3);

    const nextWeek = await runDigest(deps, new Date(Date.now() + 7 * 86_400_000));
    expect(nextWeek.sent).to.be.greaterThan(0);
    expect(await outbox().countDocuments({ to: 'kari@digest.test' })).to.equal(2);
  });

  it('the schedule: nothing before the configured weekday and hour; once after it, recorded as done for the week', async () => {
    // Monday 2 March 2026 at 06:30 Oslo time, with the digest set for Monday at 07.
    const early = new Date('2026-03-02T05:30:00Z');
    const due = new Date('2026-03-02T06:30:00Z');
    const schedule = { weekday: 1, hour: 7 };

    expect(await runDigestIfDue({ ...deps, schedule }, early)).to.equal(null);
    const report = await runDigestIfDue({ ...deps, schedule }, due);
    expect(report?.week).to.equal('2026-03-02');
    const run = await mongoose.connection.db!.collection<{ _id: string; finishedAt: Date | null }>('digest_runs').findOne({ _id: '2026-03-02' });
    expect(run!.finishedAt).to.be.an.instanceOf(Date);
    expect(await runDigestIfDue({ ...deps, schedule }, new Date('2026-03-04T10:00:00Z'))).to.equal(null);
  });

  it('npm run digest: sends and reports; a second run the same week sends nothing more', async () => {
    const first = await runDigestCommand();
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/^digest \d{4}-\d{2}-\d{2}: 3 sent, 0 skipped \(already sent this week\), 0 opted out, 2 with nothing to send, 0 failed \(5 people\)\n$/);

    const second = await runDigestCommand();
    expect(second.code).to.equal(0);
    expect(second.stdout).to.contain(': 0 sent, 3 skipped');
    expect(await outbox().countDocuments()).to.equal(3);
    expect(parseArgs(['--now', '2027-03-01T07:00:00+01:00'])).to.deep.equal({ now: new Date('2027-03-01T06:00:00Z') });
    expect(parseArgs(['--now', 'i morgen'])).to.equal(null);
    expect(parseArgs(['--force'])).to.equal(null);
  });
});
