import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { learnerSignedIn } from '../helpers/setup.js';
import { activityForm } from '../helpers/lesson-form.js';
import { createUser, type Agent } from '../helpers/auth.js';
import { publishFixture, QUIZ_CORRECT_EXPLANATION, QUIZ_WRONG_EXPLANATION } from '../helpers/learning-fixture.js';
import { createAssignment } from '../../src/components/assignments/index.js';
import { CertificateModel, CompletionModel, LearnerModel, LearningService, ProgressModel, ProgressService, progressId } from '../../src/components/learning/index.js';
import { createLogger } from '../../src/lib/logger.js';
import type { SessionUser } from '../../src/web/session-user.js';

async function post(agent: Agent, lessonPath: string, activityId: string, fields: Record<string, string | string[]> = {}) {
  const page = await agent.get(lessonPath).expect(200);
  const form = activityForm(page.text, activityId);
  const res = await agent.post(form.url).type('form').send({ _csrf: form.csrf, actionId: form.actionId, ...fields });
  return { res, form };
}

/** The stored progress document, as these tests read it. */
interface StoredProgress {
  activities: Record<string, Record<string, unknown>>;
  actions: Record<string, string>;
}

async function storedProgress(userId: string, slug = 'samtaler', major = 1): Promise<StoredProgress> {
  const doc = await ProgressModel.findById(progressId(userId, slug, major)).lean<StoredProgress>();
  expect(doc, `progress of ${userId} in ${slug}@${major}`).to.be.an('object');
  return doc!;
}

const LESSON1 = '/moduler/samtaler/lytte';
const LESSON2 = '/moduler/samtaler/sporre';
const LESSON3 = '/moduler/samtaler/sammen';

describe('http: learning – Mine kurs, lessons, actions, certificates', function () {
  this.timeout(60_000);
  let app: Express;
  let unitId: string;
  let staff: { id: string; email: string };
  let agent: Agent;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    ({ unitId, staff, agent } = await learnerSignedIn(app));
  });

  it('Mine kurs: an assigned module with its deadline and "not started", then the catalogue for my unit type', async () => {
    await publishFixture({ slug: 'skolemodul', title: 'Bare for skolen', audience: ['skole'] });
    await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'unit', unitId }, deadline: new Date('2099-05-01T00:00:00Z'), createdBy: { id: null, name: 'test' } });

    const res = await agent.get('/mine-kurs').expect(200);

    const assigned = res.text.slice(res.text.indexOf('id="assigned-heading"'), res.text.indexOf('id="available-heading"'));
    expect(assigned).to.contain('Testmodul samtaler').and.to.contain('1. mai 2099').and.to.contain('Ikke startet').and.to.contain('Solsikken barnehage');
    expect(res.text).not.to.contain('Bare for skolen');
    expect((await agent.get('/').expect(200)).text).to.contain('id="assigned-heading"');
  });

  it('lesson page: the quiz has its questions but no correct flags and no explanations before submitting', async () => {
    const res = await agent.get(LESSON2).expect(200);

    expect(res.text).to.contain('Hvilket spørsmål er åpent?').and.to.contain('Hva skjedde da?');
    expect(res.text).not.to.contain(QUIZ_CORRECT_EXPLANATION);
    expect(res.text).not.to.contain(QUIZ_WRONG_EXPLANATION);
    expect(res.text).not.to.match(/correct/i);
  });

  it('quiz: graded on the server, explanations for the chosen option after submitting, retries keep the best score', async () => {
    const wrong = await post(agent, LESSON2, 'sjekk', { 'answers[q1]': '1' });
    expect(wrong.res.status).to.equal(303);
    expect(wrong.res.headers.location).to.equal(`${LESSON2}#act-sjekk-title`);
    const after = await agent.get(LESSON2).expect(200);
    expect(after.text).to.contain(QUIZ_WRONG_EXPLANATION).and.not.to.contain(QUIZ_CORRECT_EXPLANATION);

    await post(agent, LESSON2, 'sjekk', { 'answers[q1]': '0' });
    await post(agent, LESSON2, 'sjekk', { 'answers[q1]': '1' });

    const stored = await storedProgress(staff.id);
    expect(stored.activities.sjekk).to.include({ attempts: 3, bestScore: 100, lastScore: 0 });
    expect(stored.activities.sjekk!.passedAt).to.be.a('string');
  });

  it('resubmitting the same form (same action id) changes nothing', async () => {
    const first = await post(agent, LESSON1, 'tanker', { text: 'Første tanke' });
    expect(first.res.status).to.equal(303);
    await post(agent, LESSON1, 'tanker', { text: 'Andre tanke' });

    const replay = await agent.post(first.form.url).type('form').send({ _csrf: first.form.csrf, actionId: first.form.actionId, text: 'Første tanke' });

    expect(replay.status).to.equal(303);
    const stored = await storedProgress(staff.id);
    expect(stored.activities.tanker!.text).to.equal('Andre tanke');
    expect(Object.keys(stored.actions)).to.have.length(2);
    const page = await agent.get(replay.headers.location as string).expect(200);
    expect(page.text).to.contain('Dette var allerede lagret');
  });

  it('reflection too long: 400, the text comes back in the field with a message linked to it, nothing stored', async () => {
    const long = 'x'.repeat(10_001);
    const { res } = await post(agent, LESSON1, 'tanker', { text: long });

    expect(res.status).to.equal(400);
    expect(res.text).to.contain(long);
    expect(res.text).to.contain('href="#act-tanker-text"').and.to.contain('høyst 10 000 tegn');
    expect(await ProgressModel.countDocuments()).to.equal(0);
  });

  it('workplace task: without choosing tried/not tried, a message and the note kept; then a report completes it', async () => {
    const missing = await post(agent, LESSON2, 'prov', { note: 'Barna fortalte mye' });
    expect(missing.res.status).to.equal(400);
    expect(missing.res.text).to.contain('Barna fortalte mye').and.to.contain('Velg om du har prøvd dette i praksis');

    const ok = await post(agent, LESSON2, 'prov', { tried: 'true', note: 'Barna fortalte mye' });
    expect(ok.res.status).to.equal(303);
    const stored = await storedProgress(staff.id);
    expect(stored.activities.prov).to.include({ tried: true, note: 'Barna fortalte mye' });
  });

  it('team session: a learner cannot record their own attendance (403), nothing stored', async () => {
    const page = await agent.get(LESSON3).expect(200);
    expect(page.text).to.contain('Lederen registrerer hvem som var med');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;

    const res = await agent.post(`${LESSON3}/aktiviteter/team/recordAttendance`).type('form').send({ _csrf: csrf, actionId: 'selv-registrert-1', attended: 'true', recordedBy: 'meg' });

    expect(res.status).to.equal(403);
    expect(await ProgressModel.countDocuments()).to.equal(0);
  });

  it('JSON (autosave): saves the reflection with X-CSRF-Token and answers with when it was saved', async () => {
    const page = await agent.get(LESSON1).expect(200);
    const form = activityForm(page.text, 'tanker');

    const res = await agent.post(form.url).set('Accept', 'application/json').set('X-CSRF-Token', form.csrf).send({ text: 'Autolagret', actionId: 'autosave-000001' }).expect(200);

    expect(res.body).to.include({ applied: true, completedNow: false });
    expect(res.body.savedAt).to.be.a('string');
    const stored = await storedProgress(staff.id);
    expect(stored.activities.tanker!.text).to.equal('Autolagret');
  });

  it('the whole module: every kind, the leader records attendance, completion once, certificate PDF and verification', async () => {
    const leader = await createUser({ name: 'Siri Dahl', memberships: [{ unitId, role: 'leder' }] });
    await post(agent, LESSON1, 'film');
    await post(agent, LESSON1, 'tanker', { text: 'Jeg lytter bedre nå.' });
    await post(agent, LESSON1, 'lesson:lytte');
    await post(agent, LESSON2, 'sjekk', { 'answers[q1]': '0' });
    await post(agent, LESSON2, 'prov', { tried: 'true', note: '' });
    await post(agent, LESSON2, 'lesson:sporre');
    const last = await post(agent, LESSON3, 'lesson:sammen');
    expect(last.res.status).to.equal(303);
    expect(await CompletionModel.countDocuments()).to.equal(0);

    const learning = new LearningService(new ProgressService(createLogger('silent')), createLogger('silent'), 'http://bevis.test');
    const leaderUser = { id: leader.id, name: 'Siri Dahl', email: leader.email, roles: new Set(), memberOf: new Set([unitId]), leaderOf: new Set([unitId]) } as unknown as SessionUser;
    const done = await learning.recordTeamAttendance(leaderUser, { personId: staff.id, slug: 'samtaler', activityId: 'team', attended: true });

    expect(done.completedNow).to.equal(true);
    const fact = await CompletionModel.findById(progressId(staff.id, 'samtaler', 1)).lean();
    expect(fact).to.include({ userId: staff.id, versionId: 'samtaler@1.0', minutes: 20 });
    expect(fact!.unitIds).to.deep.equal([unitId]);
    const summary = await LearnerModel.findById(staff.id).lean<{ modules: Record<string, Record<string, { completedAt: string | null }>> }>();
    expect(summary!.modules.samtaler!.m1!.completedAt).to.be.a('string');

    const modulePage = await agent.get('/moduler/samtaler/').expect(200);
    expect(modulePage.text).to.contain(`/mine-kurs/kursbevis/${fact!.certificateCode}.pdf`);
    const pdf = await agent.get(`/mine-kurs/kursbevis/${fact!.certificateCode}.pdf`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(pdf.headers['content-type']).to.equal('application/pdf');
    const bytes = pdf.body as Buffer;
    expect(bytes.subarray(0, 5).toString()).to.equal('%PDF-');
    expect(bytes.toString('latin1')).to.contain(fact!.certificateCode).and.to.contain('/StructTreeRoot').and.to.contain('/Lang');

    const verify = await request(app).get(`/bevis/${fact!.certificateCode.toLowerCase().replace(/-/g, ' ')}`);
    expect(verify.status).to.equal(301);
    const genuine = await request(app).get(`/bevis/${fact!.certificateCode}`).expect(200);
    expect(genuine.text).to.contain('Kursbeviset er ekte').and.to.contain('Kari Nordmann').and.to.contain('Testmodul samtaler').and.to.contain('Solsikken barnehage');
    expect(genuine.text).not.to.contain(staff.email);
    expect(await CertificateModel.countDocuments()).to.equal(1);
  });
});
