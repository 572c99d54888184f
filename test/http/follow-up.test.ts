import { expect } from 'chai';
import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp, testConfig, testServices } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, csrfToken, signIn, type Agent } from '../helpers/auth.js';
import { publishFixture, resetLearningCaches } from '../helpers/learning-fixture.js';
import { doActivities } from '../helpers/progress.js';
import { FollowUpModel, followUpId, ProgressService } from '../../src/components/learning/index.js';
import { runDigest, type DigestDeps } from '../../src/components/reminders/index.js';
import { createLogger } from '../../src/lib/logger.js';

/**
 * Issue 19, the three-month follow-up: «Har du endret noe i praksis?» (1–5, an optional text only the
 * person sees) from three months after completing a module — its page, the link in «Mine kurs», the
 * weekly digest's line while it is three to six months, «Mine data».
 */

const DAY = 86_400_000;
const PATH = '/moduler/samtaler/oppfolging';
const outbox = () => mongoose.connection.db!.collection<{ to: string; text: string }>('mail_outbox');
const stored = () => FollowUpModel.find({}).lean<Array<{ _id: string; userId: string | null; moduleSlug: string; versionId: string; scale: number; text: string; answeredAt: Date }>>();

describe('http: the three-month follow-up of a module (page, «Mine kurs», digest, my data)', function () {
  this.timeout(120_000);
  const logger = createLogger('silent');
  /** Apps whose clocks stand 100 days (due) and 30 days (not yet) after the completion. */
  let due: Express;
  let early: Express;
  let unit: string;
  let kari: { id: string; email: string };
  let completedAt: Date;

  before(async () => {
    const later = (days: number) => () => new Date(Date.now() + days * DAY);
    due = await buildTestApp({ services: testServices({ logger, clock: later(100) }) });
    early = await buildTestApp({ services: testServices({ logger, clock: later(30) }) });
  });

  beforeEach(async () => {
    await clearDatabase();
    resetLearningCaches();
    unit = await createUnit('Solsikken barnehage', 'barnehage');
    await publishFixture();
    kari = await createUser({ name: 'Kari Nordmann', email: 'kari@oppfolging.test', memberships: [{ unitId: unit, role: 'ansatt' }] });
    completedAt = new Date();
    await doActivities(kari.id, unit, 'samtaler@1.0');
  });

  async function post(agent: Agent, body: Record<string, string>, withToken = true) {
    const token = withToken ? await csrfToken(agent, '/mine-kurs') : undefined;
    return agent.post(PATH).type('form').send({ ...(token ? { _csrf: token } : {}), ...body });
  }

  describe('the page', () => {
    it('due (completed 100 days ago): the two questions; saving stores one answer with the version and shows a confirmation', async () => {
      const agent = await signIn(due, kari.email);
      const page = await agent.get(PATH).expect(200);
      expect(page.text).to.contain('I hvilken grad har du endret noe i praksis etter modulen?').and.to.contain('1 – Ikke i det hele tatt').and.to.contain('5 – I stor grad');
      expect(page.text).to.contain(`action="${PATH}"`);

      const res = await post(agent, { scale: '4', text: 'Jeg stiller flere åpne spørsmål.' });

      expect(res.status).to.equal(303);
      expect(res.headers.location).to.equal(PATH);
      const after = await agent.get(PATH).expect(200);
      expect(after.text).to.contain('Takk! Svaret ditt er lagret.').and.to.contain('Jeg stiller flere åpne spørsmål.');
      expect(after.text).to.match(/value="4" checked/);
      const docs = await stored();
      expect(docs).to.have.length(1);
      expect(docs[0]).to.include({ _id: followUpId(kari.id, 'samtaler'), userId: kari.id, moduleSlug: 'samtaler', versionId: 'samtaler@1.0', scale: 4, text: 'Jeg stiller flere åpne spørsmål.' });
      expect(docs[0]!.answeredAt.getTime()).to.be.greaterThan(completedAt.getTime() + 99 * DAY);
    });

    it('answering again replaces the answer (still one per person and module)', async () => {
      const agent = await signIn(due, kari.email);
      await post(agent, { scale: '2', text: 'Lite tid.' }).then((r) => expect(r.status).to.equal(303));

      const res = await post(agent, { scale: '5', text: '' });

      expect(res.status).to.equal(303);
      const docs = await stored();
      expect(docs.map((d) => [d._id, d.scale, d.text])).to.deep.equal([[followUpId(kari.id, 'samtaler'), 5, '']]);
    });

    it('no scale and a text over 2000 characters: 400 with a message by each field and the text kept', async () => {
      const agent = await signIn(due, kari.email);
      const long = `<i>${'a'.repeat(2001)}`;

      const res = await post(agent, { scale: '', text: long });

      expect(res.status).to.equal(400);
      expect(res.text).to.contain('Velg et tall fra 1 til 5.').and.to.contain('Teksten er for lang.');
      expect(res.text).to.contain('&lt;i&gt;aaaa').and.to.not.contain('<i>aaaa');
      expect(res.text).to.contain('aria-invalid="true"');
      expect(await stored()).to.deep.equal([]);
      const bad = await post(agent, { scale: '9', text: '' });
      expect(bad.status).to.equal(400);
      expect(await stored()).to.deep.equal([]);
    });

    it('without the CSRF token: refused (403), nothing stored', async () => {
      const agent = await signIn(due, kari.email);
      const res = await post(agent, { scale: '4', text: 'x' }, false);
      expect(res.status).to.equal(403);
      expect(await stored()).to.deep.equal([]);
    });

    it('not yet due (30 days after): a message with the date it opens, no form; an answer is refused (403), nothing stored', async () => {
      const agent = await signIn(early, kari.email);
      const page = await agent.get(PATH).expect(200);
      expect(page.text).to.contain('Dette spørsmålet kommer tre måneder etter at du fullførte modulen');
      expect(page.text).to.not.contain(`action="${PATH}"`);

      const res = await post(agent, { scale: '4', text: '' });

      expect(res.status).to.equal(403);
      expect(res.text).to.contain('Dette spørsmålet kommer tre måneder etter at du fullførte modulen');
      expect(await stored()).to.deep.equal([]);
    });

    it('not completed: a message saying it comes after completing; an answer is refused; an unknown module is 404', async () => {
      const ola = await createUser({ name: 'Ola Hansen', email: 'ola@oppfolging.test', memberships: [{ unitId: unit, role: 'ansatt' }] });
      const agent = await signIn(due, ola.email);
      const page = await agent.get(PATH).expect(200);
      expect(page.text).to.contain('Dette spørsmålet kommer når du har fullført modulen');

      expect((await post(agent, { scale: '3', text: '' })).status).to.equal(403);
      expect(await stored()).to.deep.equal([]);
      await agent.get('/moduler/finnes-ikke/oppfolging').expect(404);
    });

    it('«Mine kurs» links to the follow-up once it is due, not before; once answered, to see or change the answer', async () => {
      const dueCourses = await (await signIn(due, kari.email)).get('/mine-kurs').expect(200);
      expect(dueCourses.text).to.contain(`href="${PATH}"`).and.to.contain('Har du endret noe i praksis? Svar på to spørsmål');
      const earlyCourses = await (await signIn(early, kari.email)).get('/mine-kurs').expect(200);
      expect(earlyCourses.text).to.not.contain(PATH);
      const agent = await signIn(due, kari.email);
      await post(agent, { scale: '4', text: '' });
      const answered = await agent.get('/mine-kurs').expect(200);
      expect(answered.text).to.contain(`href="${PATH}"`).and.to.contain('Se eller endre svaret ditt').and.to.not.contain('Svar på to spørsmål');
    });

    it('«Mine data» has the answer with its text; nobody else’s', async () => {
      const agent = await signIn(due, kari.email);
      await post(agent, { scale: '3', text: 'Bare for meg.' });
      await FollowUpModel.create({ _id: followUpId('someone-else', 'samtaler'), userId: 'someone-else', moduleSlug: 'samtaler', versionId: 'samtaler@1.0', scale: 1, text: 'Ikke ditt', answeredAt: new Date() });

      const data = JSON.parse((await agent.get('/mine-data/last-ned').expect(200)).text);

      expect(data.learning.followUps).to.have.length(1);
      expect(data.learning.followUps[0]).to.include({ module: 'samtaler', version: 'samtaler@1.0', scale: 3, text: 'Bare for meg.' });
      expect(JSON.stringify(data)).to.not.contain('Ikke ditt');
    });
  });

  describe('the weekly digest', () => {
    let deps: DigestDeps;

    beforeEach(() => {
      const services = testServices({ logger });
      deps = { progress: new ProgressService(logger), learning: services.learning, logger, mailer: services.mail, secret: testConfig().sessionSecret };
    });

    const mailText = async () => (await outbox().find({ to: kari.email }).toArray()).map((m) => m.text).join('\n');

    it('between three and six months after completing, unanswered: one line with the link', async () => {
      const report = await runDigest(deps, new Date(completedAt.getTime() + 100 * DAY));
      expect(report.sent).to.equal(1);
      const text = await mailText();
      expect(text).to.contain('Har du endret noe i praksis? Svar på to spørsmål om Testmodul samtaler');
      expect(text).to.contain(`${testConfig().baseUrl}${PATH}`);
    });

    it('answered, before three months or after six: no line (and no mail when nothing else is due)', async () => {
      const one = await runDigest(deps, new Date(completedAt.getTime() + 30 * DAY));
      const two = await runDigest(deps, new Date(completedAt.getTime() + 200 * DAY));
      expect([one.sent, two.sent]).to.deep.equal([0, 0]);
      await FollowUpModel.create({ _id: followUpId(kari.id, 'samtaler'), userId: kari.id, moduleSlug: 'samtaler', versionId: 'samtaler@1.0', scale: 4, text: '', answeredAt: new Date() });
      const three = await runDigest(deps, new Date(completedAt.getTime() + 100 * DAY));
      expect(three.sent).to.equal(0);
      expect(await mailText()).to.equal('');
    });
  });
});
