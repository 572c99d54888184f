import { expect } from 'chai';
import type { TFunction } from 'i18next';
import { paths } from '../../../src/config/index.js';
import {
  activityFeedback,
  buildRegistry,
  countsForCompletion,
  isActivityComplete,
  registry,
  runAction,
  type AnyActivityKind,
} from '../../../src/activities/index.js';
import { ValidationError } from '../../../src/lib/errors.js';
import { activitySamples, bokmaal, renderActivityPartial } from '../../helpers/activity-samples.js';

const samples = activitySamples();
const quizSettings = samples.quiz!;

describe('activities/registry', () => {
  let t: TFunction;
  before(async () => {
    t = await bokmaal();
  });

  function renderPartial(kind: string, extra: Record<string, unknown> = {}): Promise<string> {
    return renderActivityPartial(kind, samples[kind]!, t, extra);
  }

  it('holds the six kinds; only reading is not authored', () => {
    expect([...registry.kinds.keys()].sort()).to.deep.equal(['module-evaluation', 'quiz', 'reading', 'reflection', 'self-assessment', 'team-session', 'video', 'workplace-task']);
    expect([...registry.authoredKinds].sort()).to.deep.equal(['module-evaluation', 'quiz', 'reflection', 'self-assessment', 'team-session', 'video', 'workplace-task']);
  });

  it('start-up: a duplicate kind is refused', () => {
    const quiz = registry.get('quiz')!;
    expect(() => buildRegistry([quiz, quiz], paths.views)).to.throw(/registered twice/);
  });

  it('start-up: a kind without its partial is refused', () => {
    const orphan = { ...registry.get('quiz')!, kind: 'poll', partial: 'activities/poll' } as AnyActivityKind;
    expect(() => buildRegistry([orphan], paths.views)).to.throw(/no partial/);
  });

  it('start-up: a learner action the kind does not have is refused', () => {
    const broken = { ...registry.get('reflection')!, learnerAction: 'publish' } as AnyActivityKind;
    expect(() => buildRegistry([broken], paths.views)).to.throw(/no action "publish" for its learners/);
  });

  it('start-up: two kinds with the same learner action are refused (the lesson route reads a form by its action alone)', () => {
    const copy = { ...registry.get('reflection')!, kind: 'workplace-task', partial: 'activities/workplace-task' } as AnyActivityKind;
    expect(() => buildRegistry([registry.get('reflection')!, copy], paths.views)).to.throw(/both name their learner action "save"/);
  });

  it('runAction: validates input, applies the pure action, and checks the new state', () => {
    const state = runAction('quiz', 'submit', quizSettings, undefined, { answers: { q1: [0] } }, new Date('2026-01-01T00:00:00Z'));
    expect(state).to.include({ attempts: 1, bestScore: 100 });
    expect(isActivityComplete('quiz', quizSettings, state)).to.equal(true);
    expect((activityFeedback('quiz', quizSettings, state) as { passed: boolean }).passed).to.equal(true);
    expect(() => runAction('quiz', 'submit', quizSettings, undefined, { answers: 'all' }, new Date())).to.throw(ValidationError);
    expect(() => runAction('quiz', 'constructor', quizSettings, undefined, {}, new Date())).to.throw(ValidationError);
    expect(() => runAction('nope', 'submit', {}, undefined, {}, new Date())).to.throw(ValidationError);
  });

  it('countsForCompletion: required: false excludes the activity', () => {
    expect(countsForCompletion('reflection', { required: true })).to.equal(true);
    expect(countsForCompletion('reflection', { required: false })).to.equal(false);
  });

  for (const kind of Object.keys(samples)) {
    it(`partial ${kind}: every control has a label, forms carry _csrf and actionId, author text is escaped`, async () => {
      const html = await renderPartial(kind);
      expect(html).not.to.match(/<script/i);
      for (const m of html.matchAll(/<(input|textarea|select)\b([^>]*)>/g)) {
        const attrs = m[2]!;
        if (/type="hidden"/.test(attrs)) continue;
        const id = /id="([^"]+)"/.exec(attrs)?.[1];
        expect(id, `${kind}: control without id: ${m[0]}`).to.be.a('string');
        expect(html, `${kind}: no label for ${id}`).to.contain(`for="${id}"`);
      }
      if (html.includes('<form')) {
        expect(html).to.contain('name="_csrf" value="csrf-token-value"');
        expect(html).to.contain('name="actionId" value="a1b2c3"');
        expect(html).to.contain('action="/laer/x/aktiviteter/y"');
      }
    });
  }

  it('partial quiz: radio buttons in a fieldset with a legend, and no answers or explanations on the page', async () => {
    const html = await renderPartial('quiz');
    expect(html).to.contain('<legend>Spørsmål 1 av 1</legend>');
    expect(html).to.contain('type="radio" name="answers[q1]" value="0"');
    expect(html).not.to.contain('HEMMELIG');
    expect(html).not.to.contain('correct');
    expect(html).to.contain('Hva &lt;b&gt;er&lt;/b&gt; riktig?');
  });

  it('partial quiz after an attempt: shows the explanation of the chosen option only', async () => {
    const definition = registry.get('quiz')!;
    const settings = definition.settingsSchema.parse(quizSettings);
    const state = runAction('quiz', 'submit', quizSettings, undefined, { answers: { q1: [1] } }, new Date());
    const html = await renderPartial('quiz', { state, feedback: definition.feedback!(settings, state) });
    expect(html).to.contain('HEMMELIG-FORKLARING-2');
    expect(html).not.to.contain('HEMMELIG-FORKLARING-1');
    expect(html).to.contain('Ikke bestått ennå');
  });

  it('partial video: <video> with a captions track and an open transcript', async () => {
    const html = await renderPartial('video');
    expect(html).to.match(/<video[^>]+controls/);
    expect(html).to.contain('<track kind="captions" src="/moduler/filer/h/film.vtt" srclang="nb"');
    expect(html).to.match(/<details class="transcript" open>/);
  });

  it('partial video with an embed: an iframe with a title', async () => {
    samples.video = { id: 'film', title: 'Film', embed: 'https://player.vimeo.com/video/1', captions: 'assets/film.vtt', transcript: 'assets/film.md' };
    const html = await renderPartial('video');
    expect(html).to.match(/<iframe src="https:\/\/player.vimeo.com\/video\/1" title="Film: Film"/);
  });

  it('partials in an author preview (no actionUrl): controls are disabled and say so', async () => {
    const html = await renderPartial('reflection', { actionUrl: null });
    expect(html).to.match(/<fieldset class="plain" disabled>/);
    expect(html).to.contain('Forhåndsvisning');
  });
});
