import { expect } from 'chai';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, signIn, type Agent } from '../helpers/auth.js';
import { resetLearningCaches } from '../helpers/learning-fixture.js';
import { lessonMd, moduleMd, sourceOf } from '../helpers/module-source.js';
import { forgetCatalogue, ProgressModel, progressId } from '../../src/components/learning/index.js';
import { parseModule, publishParsed } from '../../src/components/modules/index.js';
import { optionOrder } from '../../src/activities/index.js';

/** Issue 16: the quiz's options come in a per-learner, per-attempt order chosen on the server. */

const OPTIONS = ['Alfa', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot'];
const SECRET = 'Forklaringen som bare vises etter innsending';
const QUIZ = [
  '```quiz',
  'id: rekkefolge',
  'title: Rekkefølge',
  'passMark: 100',
  'questions:',
  '  - id: q1',
  '    text: Hvilket ord er riktig?',
  '    options:',
  ...OPTIONS.flatMap((text, i) => [`      - text: ${text}`, `        correct: ${i === 0}`, `        explanation: "${SECRET} ${i}."`]),
  '```',
].join('\n');
const LESSON = '/moduler/stokking/sporsmal';

async function publish(): Promise<void> {
  const source = sourceOf('stokking', { 'module.md': moduleMd('stokking'), 'lessons/01-sporsmal.md': lessonMd('Spørsmål', `## Prøv\n\n${QUIZ}\n`) });
  const parsed = parseModule(source);
  expect(parsed.problems).to.deep.equal([]);
  await publishParsed(parsed.module!, source, { by: { id: null, name: 'test' }, draft: 'if-not-ahead' });
  forgetCatalogue();
}

/** The option values (author indexes) of q1 in page order, and the form's hidden fields. */
function readPage(html: string) {
  const values = [...html.matchAll(/name="answers\[q1\]" value="(\d+)"/g)].map((m) => Number(m[1]));
  const form = html.slice(html.indexOf('aktiviteter/rekkefolge/submit') - 200);
  return {
    order: values,
    url: /action="([^"]*aktiviteter\/rekkefolge\/submit)"/.exec(html)![1]!,
    csrf: /name="_csrf" value="([^"]+)"/.exec(form)![1]!,
    actionId: /name="actionId" value="([^"]+)"/.exec(form)![1]!,
    attempt: /name="attempt" value="(\d+)"/.exec(form)?.[1],
  };
}

describe('http: quiz options in a server-chosen order per attempt', function () {
  this.timeout(60_000);
  let app: Express;
  let people: Array<{ id: string; agent: Agent }>;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    await clearDatabase();
    resetLearningCaches();
    const unitId = await createUnit('Solsikken barnehage', 'barnehage');
    await publish();
    people = [];
    for (const name of ['Kari Nordmann', 'Ola Nordmann', 'Ingrid Hansen']) {
      const person = await createUser({ name, memberships: [{ unitId, role: 'ansatt' }] });
      people.push({ id: person.id, agent: await signIn(app, person.email) });
    }
  });

  it('each learner sees the order for their attempt, the same on reload, and no answers or explanations before submitting', async () => {
    for (const { id, agent } of people) {
      const first = await agent.get(LESSON).expect(200);
      const page = readPage(first.text);
      expect(page.order).to.deep.equal(optionOrder(id, 'rekkefolge', 'q1', 0, OPTIONS.length));
      expect(page.attempt).to.equal('0');
      expect(readPage((await agent.get(LESSON).expect(200)).text).order).to.deep.equal(page.order);
      // The labels follow their inputs: option n's text sits right after its value.
      page.order.forEach((index) => expect(first.text).to.match(new RegExp(`value="${index}">\\s*<span>${OPTIONS[index]}</span>`)));
      expect(first.text).not.to.contain(SECRET);
      expect(first.text).not.to.match(/correct/i);
    }
  });

  it('submitting records the order shown with the attempt, grades by option, and the next attempt gets its own order', async () => {
    const { id, agent } = people[0]!;
    const page = readPage((await agent.get(LESSON).expect(200)).text);
    const res = await agent.post(page.url).type('form').send({ _csrf: page.csrf, actionId: page.actionId, attempt: page.attempt, 'answers[q1]': '0' });
    expect(res.status).to.equal(303);

    const stored = await ProgressModel.findById(progressId(id, 'stokking', 1)).lean<{ activities: Record<string, Record<string, unknown>> }>();
    expect(stored!.activities.rekkefolge).to.deep.include({ attempts: 1, lastScore: 100, lastOrder: { q1: page.order } });
    const next = await agent.get(LESSON).expect(200);
    expect(readPage(next.text).order).to.deep.equal(optionOrder(id, 'rekkefolge', 'q1', 1, OPTIONS.length));
    expect(readPage(next.text).attempt).to.equal('1');
    expect(next.text).to.contain(`${SECRET} 0.`).and.not.to.contain(`${SECRET} 1.`);
  });

  it('a form without the attempt field (an older page or a script) is still graded; no order is recorded', async () => {
    const { id, agent } = people[1]!;
    const page = readPage((await agent.get(LESSON).expect(200)).text);
    await agent.post(page.url).type('form').send({ _csrf: page.csrf, actionId: page.actionId, 'answers[q1]': '2' }).expect(303);
    const stored = await ProgressModel.findById(progressId(id, 'stokking', 1)).lean<{ activities: Record<string, Record<string, unknown>> }>();
    expect(stored!.activities.rekkefolge).to.deep.include({ attempts: 1, lastScore: 0, lastOrder: null });
  });
});
