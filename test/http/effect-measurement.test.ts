import { expect } from 'chai';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { activityForm } from '../helpers/lesson-form.js';
import { createUnit, createUser, csrfToken, signIn, type Agent } from '../helpers/auth.js';
import { completeModule, publishFixture, resetLearningCaches, SELF_ASSESSMENT_STATEMENTS } from '../helpers/learning-fixture.js';
import { UserModel } from '../../src/components/accounts/index.js';
import { learningVersion, ProgressModel, ProgressService, progressId } from '../../src/components/learning/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { between, prng } from '../helpers/prng.js';
import { vnuErrors } from '../helpers/vnu.js';

/**
 * Issue 19, "from completion to effect": a learner rates the statements before the first lesson,
 * completes the module, rates them again and evaluates the module; sees it all in «Mine data»;
 * anonymisation removes the answers and keeps that they were given; a leader never sees them.
 */

const LESSON1 = '/moduler/samtaler/lytte';
const LESSON3 = '/moduler/samtaler/sammen';

type Stored = Record<string, Record<string, unknown>>;
async function storedActivities(userId: string): Promise<Stored> {
  const doc = await ProgressModel.findById(progressId(userId, 'samtaler', 1)).lean<{ activities: Stored }>();
  return doc?.activities ?? {};
}

async function post(agent: Agent, lessonPath: string, activityId: string, fields: Record<string, string>) {
  const page = await agent.get(lessonPath).expect(200);
  const form = activityForm(page.text, activityId);
  return agent.post(form.url).type('form').send({ _csrf: form.csrf, actionId: form.actionId, ...fields });
}

const ratingsForm = (values: number[]) => Object.fromEntries(SELF_ASSESSMENT_STATEMENTS.map((s, i) => [`ratings[${s.id}]`, String(values[i])]));

describe('http: effect measurement (self-assessment and module evaluation)', function () {
  this.timeout(60_000);
  let app: Express;
  let unitId: string;
  let staff: { id: string; email: string };
  let leaderAgent: Agent;
  let agent: Agent;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    await clearDatabase();
    resetLearningCaches();
    unitId = await createUnit('Solsikken barnehage', 'barnehage');
    staff = await createUser({ name: 'Kari Nordmann', memberships: [{ unitId, role: 'ansatt' }] });
    const leader = await createUser({ name: 'Siri Dahl', memberships: [{ unitId, role: 'leder' }] });
    await publishFixture({ effect: true });
    agent = await signIn(app, staff.email);
    leaderAgent = await signIn(app, leader.email);
  });

  it('the lesson page: each statement is a fieldset with its text as legend and five labelled radios; the form has a CSRF token', async () => {
    const page = await agent.get(LESSON1).expect(200);
    const section = page.text.slice(page.text.indexOf('activity-self-assessment'), page.text.indexOf('</section>', page.text.indexOf('activity-self-assessment')));
    for (const statement of SELF_ASSESSMENT_STATEMENTS) {
      expect(section).to.contain(`${statement.text}</legend>`);
      for (let v = 1; v <= 5; v += 1) expect(section).to.contain(`<label class="choice" for="act-kartlegging-for-${statement.id}-${v}">`);
    }
    expect(section).to.contain('Helt uenig').and.to.contain('Helt enig').and.to.contain('name="_csrf"');
    expect(section).to.contain('frivillig');
  });

  it('skipping the self-assessment: the module still completes (never a gate)', async () => {
    const page = await agent.get(LESSON1).expect(200);
    expect(page.text).to.not.match(/href="#act-kartlegging-for"/);
    await completeModule(staff.id, unitId, 'samtaler@1.0', 'skip');
    const doc = await ProgressModel.findById(progressId(staff.id, 'samtaler', 1)).lean<{ completedAt: Date | null }>();
    expect(doc!.completedAt).to.be.instanceOf(Date);
    expect((await storedActivities(staff.id))['kartlegging-for']).to.equal(undefined);
  });

  it('a statement left out: 400, a Norwegian message, the given answers still checked, nothing stored', async () => {
    const fields = ratingsForm([2, 3, 4, 5]);
    delete fields['ratings[u3]'];
    const res = await post(agent, LESSON1, 'kartlegging-for', fields);
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Svar på alle utsagnene i kartleggingen');
    expect(res.text).to.match(/id="act-kartlegging-for-u1-2"[^>]*checked/);
    expect(res.text).to.contain('id="act-kartlegging-for-u3-error"');
    expect(res.text).to.not.match(/id="act-kartlegging-for-u3-\d"[^>]*checked/);
    expect((await storedActivities(staff.id))['kartlegging-for']).to.equal(undefined);
  });

  it('a rating outside 1–5: 400 with a message, nothing stored', async () => {
    const res = await post(agent, LESSON1, 'kartlegging-for', { ...ratingsForm([2, 3, 4, 5]), 'ratings[u2]': '9' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('må være tall fra 1 til 5');
    expect(await storedActivities(staff.id)).to.deep.equal({});
  });

  it('before, complete, after and the evaluation: stored, shown in Mine data, never on the leader’s person page; anonymisation removes the answers', async () => {
    // Before the first lesson.
    const before = await post(agent, LESSON1, 'kartlegging-for', ratingsForm([2, 1, 3, 2]));
    expect(before.status).to.equal(303);
    await completeModule(staff.id, unitId, 'samtaler@1.0', 'effect');
    // At the end.
    expect((await post(agent, LESSON3, 'kartlegging-etter', ratingsForm([4, 4, 5, 3]))).status).to.equal(303);
    const missing = await post(agent, LESSON3, 'vurdering', { suggestion: 'Flere eksempler fra SFO' });
    expect(missing.status).to.equal(400);
    expect(missing.text).to.contain('Velg hvor nyttig modulen var').and.to.contain('Flere eksempler fra SFO');
    const evaluation = await post(agent, LESSON3, 'vurdering', { usefulness: '5', relevance: '4', recommend: 'true', suggestion: 'Flere eksempler fra SFO' });
    expect(evaluation.status).to.equal(303);

    const stored = await storedActivities(staff.id);
    expect(stored['kartlegging-for']).to.deep.include({ ratings: { u1: 2, u2: 1, u3: 3, u4: 2 } });
    expect(stored['kartlegging-etter']).to.deep.include({ ratings: { u1: 4, u2: 4, u3: 5, u4: 3 } });
    expect(stored.vurdering).to.deep.include({ usefulness: 5, relevance: 4, recommend: true, suggestion: 'Flere eksempler fra SFO' });
    const page = await agent.get(LESSON3).expect(200);
    expect(page.text).to.contain('Svarene dine er lagret').and.to.contain('Takk! Vurderingen din er lagret');

    // Mine data: the person's own answers.
    const mine = JSON.parse((await agent.get('/mine-data/last-ned').expect(200)).text) as { learning: { progress: Array<{ activities: Stored }> } };
    const activities = mine.learning.progress[0]!.activities;
    expect(activities['kartlegging-for']!.ratings).to.deep.equal({ u1: 2, u2: 1, u3: 3, u4: 2 });
    expect(activities.vurdering).to.deep.include({ usefulness: 5, suggestion: 'Flere eksempler fra SFO' });

    // The leader's page about the person lists what is done, but not the self-assessments or the evaluation.
    const person = await leaderAgent.get(`/leder/enheter/${unitId}/personer/${staff.id}`).expect(200);
    expect(person.text).to.contain('Refleksjon');
    expect(person.text).to.not.contain('Kartlegging').and.to.not.contain('Vurdering av modulen').and.to.not.contain('Flere eksempler fra SFO');

    // Anonymisation: the answers go, that they were given stays.
    await UserModel.updateOne({ _id: staff.id }, { $set: { status: 'deactivated' } });
    const sys = await createUser({ roles: ['system-admin'] });
    const system = await signIn(app, sys.email);
    const res = await system.post(`/admin/personer/${staff.id}/anonymiser`).type('form').send({ _csrf: await csrfToken(system, '/mine-data'), confirm: 'yes' });
    expect(res.status).to.equal(303);
    const after = await storedActivities(staff.id);
    expect(after['kartlegging-for']).to.deep.equal({ ratings: {}, answeredAt: stored['kartlegging-for']!.answeredAt });
    expect(after['kartlegging-etter']!.ratings).to.deep.equal({});
    expect(after.vurdering).to.deep.equal({ usefulness: null, relevance: null, recommend: null, suggestion: '', evaluatedAt: stored.vurdering!.evaluatedAt });
    expect(JSON.stringify(after)).to.not.contain('Flere eksempler');
  });
});

describe('http: author statistics per module version (issue 19)', function () {
  this.timeout(120_000);
  let app: Express;
  let unitId: string;
  let author: Agent;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    await clearDatabase();
    resetLearningCaches();
    unitId = await createUnit('Solsikken barnehage', 'barnehage');
    await publishFixture({ effect: true });
    const writer = await createUser({ name: 'Forfatter Frida', roles: ['author'] });
    author = await signIn(app, writer.email);
  });

  /** Learners made from a seeded generator; each answers the quiz, both self-assessments and the evaluation through the progress service. */
  async function learners(count: number, seed: number) {
    const random = prng(seed);
    const version = (await learningVersion('samtaler@1.0'))!;
    const progress = new ProgressService(createLogger('silent'));
    const made: Array<{ name: string; firstRight: boolean; before: number[]; after: number[]; usefulness: number; suggestion: string }> = [];
    for (let i = 0; i < count; i += 1) {
      const name = `Deltaker ${i} Hemmeligsen`;
      const person = await createUser({ name, memberships: [{ unitId, role: 'ansatt' }] });
      const act = (activityId: string, action: string, input: unknown, n: number) =>
        progress.act({ userId: person.id, version, activityId, action, input, actionId: `stat-${i}-${n}`, unitIds: [unitId], now: new Date(Date.UTC(2026, 2, 1, 10, i, n)) });
      const firstRight = random() < 0.6;
      const before = SELF_ASSESSMENT_STATEMENTS.map(() => between(random, 1, 3));
      const after = SELF_ASSESSMENT_STATEMENTS.map(() => between(random, 3, 5));
      const usefulness = between(random, 1, 5);
      const suggestion = random() < 0.5 ? `Forslag nummer ${i}` : '';
      await act('kartlegging-for', 'assess', { ratings: Object.fromEntries(SELF_ASSESSMENT_STATEMENTS.map((s, k) => [s.id, before[k]])) }, 1);
      await act('sjekk', 'submit', { answers: { q1: [firstRight ? 0 : 1] } }, 2);
      // A second, right attempt must not change "right at the first attempt".
      if (!firstRight) await act('sjekk', 'submit', { answers: { q1: [0] } }, 3);
      await act('kartlegging-etter', 'assess', { ratings: Object.fromEntries(SELF_ASSESSMENT_STATEMENTS.map((s, k) => [s.id, after[k]])) }, 4);
      await act('vurdering', 'evaluate', { usefulness, relevance: 4, recommend: random() < 0.5, suggestion }, 5);
      made.push({ name, firstRight, before, after, usefulness, suggestion });
    }
    return made;
  }

  const mean = (values: number[]) => new Intl.NumberFormat('nb-NO', { maximumFractionDigits: 2 }).format(Math.round((100 * values.reduce((a, b) => a + b, 0)) / values.length) / 100);

  it('with 12 learners: the funnel, the quiz facility at the first attempt, the self-assessment means before and after, the evaluation and the suggestions, never a name', async () => {
    const made = await learners(12, 1919);
    const page = await author.get('/forfatter/moduler/samtaler').expect(200);
    expect(page.text).to.contain('href="/forfatter/moduler/samtaler/statistikk"');

    const res = await author.get('/forfatter/moduler/samtaler/statistikk?versjon=1.0').expect(200);
    const text = res.text.replace(/>\s+</g, '><').replace(/\s+/g, ' ');
    expect(text).to.contain('12 deltakere har begynt');
    const facility = Math.round((100 * made.filter((m) => m.firstRight).length) / made.length);
    expect(text).to.contain(`Hvilket spørsmål er åpent?</th><td>${facility} %</td>`);
    const chosenRight = made.filter((m) => m.firstRight).length;
    expect(text).to.contain(`${chosenRight} (${facility} %)`);
    for (const [k, statement] of SELF_ASSESSMENT_STATEMENTS.entries()) {
      const before = text.slice(text.indexOf('Kartlegging før modulen'), text.indexOf('Sjekk forståelsen:'));
      const after = text.slice(text.indexOf('Kartlegging etter modulen'));
      expect(before).to.contain(`<th scope="row">${statement.text}</th><td>12</td><td>${mean(made.map((m) => m.before[k]!))}</td>`);
      expect(after).to.contain(`<th scope="row">${statement.text}</th><td>12</td><td>${mean(made.map((m) => m.after[k]!))}</td>`);
    }
    const paired = text.slice(text.indexOf('Gjennomsnitt per utsagn før og etter modulen'));
    expect(text).to.contain('12 deltakere har svart både før og etter');
    for (const [k, statement] of SELF_ASSESSMENT_STATEMENTS.entries()) {
      const row = `<th scope="row">${statement.text}</th><td>${mean(made.map((m) => m.before[k]!))}</td><td>${mean(made.map((m) => m.after[k]!))}</td><td>${mean(made.map((m) => m.after[k]! - m.before[k]!))}</td>`;
      expect(paired).to.contain(row);
    }
    expect(text).to.contain(`Hvor nyttig (gjennomsnitt 1–5)</th><td>12</td><td>${mean(made.map((m) => m.usefulness))}</td>`);
    expect(text).to.contain('<th scope="row">1. Å lytte</th><td>12</td>');
    const suggestions = made.map((m) => m.suggestion).filter((s) => s !== '').sort((a, b) => a.localeCompare(b, 'nb'));
    expect(suggestions.length).to.be.at.least(1);
    const listed = [...res.text.matchAll(/<li>(Forslag nummer \d+)<\/li>/g)].map((m) => m[1]);
    expect(listed).to.deep.equal(suggestions);
    expect(res.text).to.not.contain('Hemmeligsen').and.to.not.contain('Solsikken');
  });

  it('median time to complete: from 5 completers the median days from the first action to completion; with 4, only how many', async () => {
    const days = [2, 9, 4, 30, 7];
    const completerIds: string[] = [];
    for (const [i, d] of days.entries()) {
      const person = await createUser({ name: `Fullfører ${i}`, memberships: [{ unitId, role: 'ansatt' }] });
      await completeModule(person.id, unitId, 'samtaler@1.0', `median-${i}`);
      // The completion moment stays; the start is moved back by the person's number of days.
      const doc = (await ProgressModel.findById(progressId(person.id, 'samtaler', 1)).lean<{ completedAt: Date }>())!;
      await ProgressModel.updateOne({ _id: { $eq: progressId(person.id, 'samtaler', 1) } }, { $set: { startedAt: new Date(doc.completedAt.getTime() - d * 86_400_000) } });
      completerIds.push(person.id);
    }

    const five = (await author.get('/forfatter/moduler/samtaler/statistikk').expect(200)).text.replace(/\s+/g, ' ');
    expect(five).to.contain('Median tid fra første aktivitet til fullført: 7 dager (5 har fullført).');

    await ProgressModel.updateOne({ _id: { $eq: progressId(completerIds[0]!, 'samtaler', 1) } }, { $set: { completedAt: null } });
    const four = (await author.get('/forfatter/moduler/samtaler/statistikk').expect(200)).text.replace(/\s+/g, ' ');
    expect(four).to.contain('4 har fullført; tiden vises fra 5.').and.to.not.contain('Median tid');
  });

  it('with 4 learners: a clear message and no figures at all', async () => {
    await learners(4, 7);
    const res = await author.get('/forfatter/moduler/samtaler/statistikk').expect(200);
    expect(res.text).to.contain('Færre enn 5 deltakere har begynt på versjon 1.0');
    expect(res.text).to.not.contain('Forslag nummer').and.to.not.contain('Riktig ved første forsøk').and.to.not.contain('Påbegynt');
  });

  it('the lesson pages with the new activities, a refused answer, and the statistics page are valid HTML (Nu checker)', async () => {
    await learners(6, 3);
    const staff = await createUser({ memberships: [{ unitId, role: 'ansatt' }] });
    const learner = await signIn(app, staff.email);
    const refused = await post(learner, LESSON1, 'kartlegging-for', { 'ratings[u1]': '2' });
    expect(refused.status).to.equal(400);
    const pages = [
      { name: 'lesson 1', html: (await learner.get(LESSON1).expect(200)).text },
      { name: 'lesson 3', html: (await learner.get(LESSON3).expect(200)).text },
      { name: 'refused self-assessment', html: refused.text },
      { name: 'statistics', html: (await author.get('/forfatter/moduler/samtaler/statistikk').expect(200)).text },
    ];
    expect(await vnuErrors(pages)).to.deep.equal([]);
  });

  it('a learner (not an author) is refused; an unknown version is a 404', async () => {
    const staff = await createUser({ memberships: [{ unitId, role: 'ansatt' }] });
    const learner = await signIn(app, staff.email);
    expect((await learner.get('/forfatter/moduler/samtaler/statistikk')).status).to.equal(403);
    expect((await author.get('/forfatter/moduler/samtaler/statistikk?versjon=9.9')).status).to.equal(404);
  });
});
