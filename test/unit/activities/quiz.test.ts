import { expect } from 'chai';
import { quiz, scoreAnswers, type QuizFeedback } from '../../../src/activities/quiz.js';
import type { ViewContext } from '../../../src/activities/types.js';

const raw = {
  id: 'sjekk',
  title: 'Sjekk forståelsen',
  passMark: 50,
  questions: [
    {
      id: 'q1',
      text: 'Hva er inkludering?',
      options: [
        { text: 'Alle hører til', correct: true, explanation: 'Riktig.' },
        { text: 'Alle er like', correct: false, explanation: 'Nei.' },
      ],
    },
    {
      id: 'q2',
      text: 'Velg to',
      options: [
        { text: 'A', correct: true, explanation: 'A er riktig.' },
        { text: 'B', correct: true, explanation: 'B er riktig.' },
        { text: 'C', correct: false, explanation: 'C er feil.' },
      ],
    },
  ],
};
const settings = quiz.settingsSchema.parse(raw);
const ctx: ViewContext = { assetUrl: () => undefined, readText: () => undefined, markdown: (s) => `<p>${s}</p>`, language: 'nb' };
const submit = (state: ReturnType<typeof quiz.initialState>, answers: Record<string, number[]>, at = '2026-01-01T00:00:00Z') =>
  quiz.actions.submit!.apply(settings, state, { answers } as never, new Date(at));

describe('activities/quiz', () => {
  it('settings: a question without a correct answer is refused at the question', () => {
    const bad = structuredClone(raw);
    bad.questions[0]!.options[0]!.correct = false;
    const result = quiz.settingsSchema.safeParse(bad);
    expect(result.success).to.equal(false);
    expect(result.error!.issues.map((i) => [i.path.join('.'), (i as { params?: { code?: string } }).params?.code])).to.deep.equal([
      ['questions.0', 'quiz.noCorrect'],
    ]);
  });

  it('settings: an option without an explanation is refused at the option', () => {
    const bad = structuredClone(raw) as { questions: Array<{ options: Array<Record<string, unknown>> }> };
    delete bad.questions[1]!.options[2]!.explanation;
    const result = quiz.settingsSchema.safeParse(bad);
    expect(result.error!.issues.map((i) => i.path.join('.'))).to.deep.equal(['questions.1.options.2']);
  });

  it('settings: passMark defaults to 80; a duplicate question id and an unknown key are refused', () => {
    const { passMark: _omit, ...rest } = raw;
    expect(quiz.settingsSchema.parse(rest).passMark).to.equal(80);
    const dup = structuredClone(raw);
    dup.questions[1]!.id = 'q1';
    expect(quiz.settingsSchema.safeParse(dup).success).to.equal(false);
    expect(quiz.settingsSchema.safeParse({ ...raw, pasMark: 3 }).success).to.equal(false);
  });

  it('submit: graded on the server; a multiple-choice question needs exactly the correct options', () => {
    expect(scoreAnswers(settings, { q1: [0], q2: [0, 1] })).to.equal(100);
    expect(scoreAnswers(settings, { q1: [0], q2: [0] })).to.equal(50);
    expect(scoreAnswers(settings, { q1: [0], q2: [0, 1, 2] })).to.equal(50);
    expect(scoreAnswers(settings, { q1: [1], q2: [] })).to.equal(0);
  });

  it('submit: counts attempts, keeps the best score, and a worse later attempt does not undo a pass', () => {
    const first = submit(quiz.initialState(), { q1: [1] });
    expect(first).to.include({ attempts: 1, bestScore: 0, lastScore: 0, passedAt: null });
    expect(quiz.isComplete(settings, first)).to.equal(false);
    const second = submit(first, { q1: [0], q2: [1, 0] }, '2026-01-02T00:00:00Z');
    expect(second).to.include({ attempts: 2, bestScore: 100, lastScore: 100, passedAt: '2026-01-02T00:00:00.000Z' });
    const third = submit(second, { q1: [1] }, '2026-01-03T00:00:00Z');
    expect(third).to.include({ attempts: 3, bestScore: 100, lastScore: 0, passedAt: '2026-01-02T00:00:00.000Z' });
    expect(quiz.isComplete(settings, third)).to.equal(true);
    expect(quiz.stateSchema.safeParse(third).success).to.equal(true);
  });

  it('submit: answers to unknown questions and options out of range are ignored; duplicates collapse', () => {
    const state = submit(quiz.initialState(), { q1: [0, 0, 7], nope: [1], q2: [1, 0, 1] });
    expect(state.lastAnswers).to.deep.equal({ q1: [0], q2: [0, 1] });
    expect(state.lastScore).to.equal(100);
  });

  it('isComplete: on the pass mark exactly is a pass; completion mode is on-score', () => {
    expect(quiz.isComplete(settings, { ...quiz.initialState(), bestScore: 50 })).to.equal(true);
    expect(quiz.isComplete(settings, { ...quiz.initialState(), bestScore: 49 })).to.equal(false);
    expect(quiz.completion).to.equal('on-score');
  });

  it('publicSettings: no correct flags and no explanations reach the page', () => {
    const view = quiz.publicSettings(settings, ctx);
    const json = JSON.stringify(view);
    expect(json).not.to.contain('correct');
    expect(json).not.to.contain('explanation');
    expect(json).not.to.contain('Riktig.');
    expect(view).to.deep.include({ title: 'Sjekk forståelsen', passMark: 50 });
    const questions = view.questions as Array<{ multiple: boolean; options: unknown[] }>;
    expect(questions.map((q) => q.multiple)).to.deep.equal([false, true]);
    expect(questions[0]!.options).to.deep.equal([
      { index: 0, text: 'Alle hører til' },
      { index: 1, text: 'Alle er like' },
    ]);
  });

  it('feedback: only after submitting, and only for the options chosen', () => {
    expect(quiz.feedback!(settings, quiz.initialState())).to.equal(null);
    const state = submit(quiz.initialState(), { q1: [1], q2: [0, 1] });
    const feedback = quiz.feedback!(settings, state) as QuizFeedback;
    expect(feedback).to.deep.include({ score: 50, passed: true, passMark: 50 });
    expect(feedback.questions[0]).to.deep.equal({ id: 'q1', right: false, chosen: [{ index: 1, text: 'Alle er like', correct: false, explanation: 'Nei.' }] });
    expect(feedback.questions[1]!.chosen.map((c) => c.explanation)).to.deep.equal(['A er riktig.', 'B er riktig.']);
  });
});
