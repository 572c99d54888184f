import { expect } from 'chai';
import { optionOrder, quiz, scoreAnswers, type QuizState } from '../../../src/activities/quiz.js';
import type { ViewContext } from '../../../src/activities/types.js';

/**
 * Issue 16: quiz options are shuffled on the server per attempt. These are properties over many
 * generated learners and attempts; the inputs are derived from loop counters, so every run checks
 * exactly the same cases.
 */

const ctx: ViewContext = { assetUrl: () => undefined, readText: () => undefined, markdown: (s) => `<p>${s}</p>`, language: 'nb' };
const settings = quiz.settingsSchema.parse({
  id: 'sjekk',
  title: 'Sjekk',
  passMark: 100,
  questions: [
    {
      id: 'q1',
      text: 'Hva er riktig?',
      options: [
        { text: 'Riktig og lengst av alle alternativene', correct: true, explanation: 'Ja.' },
        { text: 'Feil B', explanation: 'Nei.' },
        { text: 'Feil C', explanation: 'Nei.' },
        { text: 'Feil D', explanation: 'Nei.' },
      ],
    },
    {
      id: 'q2',
      text: 'Hvilke er riktige?',
      options: ['A', 'B', 'C', 'D', 'E', 'F'].map((text, i) => ({ text, correct: i < 2, explanation: `${text}.` })),
    },
  ],
});
const view = quiz.publicSettings(settings, ctx);
type ViewQuestion = { id: string; options: Array<{ index: number; text: string }> };
const shown = (state: QuizState, learnerKey: string) => quiz.learnerView!(settings, view, state, { learnerKey }) as { attempt: number; questions: ViewQuestion[] };
const learners = Array.from({ length: 2000 }, (_, i) => `learner-${i}`);

describe('activities/quiz: options shuffled per attempt', () => {
  it('optionOrder: a permutation of 0..n-1 for every size, the same for the same inputs', () => {
    for (let count = 1; count <= 10; count += 1) {
      for (const key of learners.slice(0, 200)) {
        const order = optionOrder(key, 'sjekk', 'q1', 3, count);
        expect([...order].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: count }, (_, i) => i));
        expect(optionOrder(key, 'sjekk', 'q1', 3, count)).to.deep.equal(order);
      }
    }
  });

  it('optionOrder: every option lands in every position about equally often (the correct one is not usually first or longest-last)', () => {
    const counts = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (const key of learners) for (let attempt = 0; attempt < 2; attempt += 1) optionOrder(key, 'sjekk', 'q1', attempt, 4).forEach((option, position) => (counts[option]![position]! += 1));
    // 4000 draws: expected 1000 per cell; ±15 % is over 5 standard deviations.
    for (const row of counts) for (const cell of row) expect(cell).to.be.within(850, 1150);
  });

  it('optionOrder: a new attempt gets a new order, independent of the learner before it', () => {
    let changed = 0;
    for (const key of learners.slice(0, 500)) if (optionOrder(key, 'sjekk', 'q2', 0, 6).join() !== optionOrder(key, 'sjekk', 'q2', 1, 6).join()) changed += 1;
    // 1/720 of pairs coincide by chance.
    expect(changed).to.be.at.least(495);
    const distinct = new Set(learners.slice(0, 500).map((key) => optionOrder(key, 'sjekk', 'q2', 0, 6).join()));
    expect(distinct.size).to.be.at.least(250);
  });

  it('learnerView: the same options with their author indexes, in this attempt\'s order; stable on reload; no answers', () => {
    for (const key of learners.slice(0, 300)) {
      const state = { ...quiz.initialState(), attempts: key.length % 3 };
      const page = shown(state, key);
      expect(page.attempt).to.equal(state.attempts);
      expect(shown(state, key)).to.deep.equal(page);
      for (const question of page.questions) {
        const original = (view.questions as ViewQuestion[]).find((q) => q.id === question.id)!;
        expect(question.options.map((o) => o.index)).to.deep.equal(optionOrder(key, 'sjekk', question.id, state.attempts, original.options.length));
        expect([...question.options].sort((a, b) => a.index - b.index)).to.deep.equal(original.options);
      }
      const json = JSON.stringify(page);
      expect(json).not.to.contain('correct');
      expect(json).not.to.contain('explanation');
    }
  });

  it('submit: grading ignores the order; the order the learner saw is recorded with the attempt; atomic agrees with apply', () => {
    const now = new Date('2026-12-05T10:00:00Z');
    for (const key of learners.slice(0, 300)) {
      let state: QuizState = quiz.initialState();
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const page = shown(state, key);
        // Choose by position on the page: the options whose author entry is correct.
        const answers = Object.fromEntries(page.questions.map((q) => {
          const question = settings.questions.find((s) => s.id === q.id)!;
          return [q.id, q.options.filter((o) => question.options[o.index]!.correct).map((o) => o.index)];
        }));
        expect(scoreAnswers(settings, answers)).to.equal(100);
        const input = { answers, attempt: page.attempt };
        const next = quiz.actions.submit!.apply(settings, state, input as never, now, { learnerKey: key });
        expect(next.lastScore).to.equal(100);
        expect(next.lastOrder).to.deep.equal(Object.fromEntries(page.questions.map((q) => [q.id, q.options.map((o) => o.index)])));
        const atomic = quiz.actions.submit!.atomic(settings, input as never, now, { learnerKey: key });
        expect(atomic.set?.lastOrder).to.deep.equal(next.lastOrder);
        expect(quiz.stateSchema.safeParse(next).success).to.equal(true);
        state = next;
      }
    }
  });

  it('state stored before shuffling existed (no lastOrder) still parses: no learner loses a quiz result', () => {
    const old = { attempts: 2, bestScore: 100, lastScore: 50, lastAnswers: { q1: [0] }, lastSubmittedAt: '2026-01-01T00:00:00.000Z', passedAt: '2026-01-01T00:00:00.000Z' };
    expect(quiz.stateSchema.parse(old)).to.deep.include({ attempts: 2, bestScore: 100, lastOrder: null });
  });
});
