import { expect } from 'chai';
import { activityStatistics, combinedStatistics, runAction } from '../../../src/activities/index.js';
import { firstAnswers, quiz, quizStatistics, type QuizState } from '../../../src/activities/quiz.js';

const quizSettings = {
  id: 'sjekk',
  title: 'Sjekk',
  passMark: 100,
  questions: [
    { id: 'a', text: 'A?', options: [{ text: 'rett', correct: true, explanation: 'e' }, { text: 'feil', correct: false, explanation: 'e' }] },
    { id: 'b', text: 'B?', options: [{ text: 'feil', correct: false, explanation: 'e' }, { text: 'rett', correct: true, explanation: 'e' }] },
  ],
};
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute));
const submit = (state: unknown, answers: Record<string, number[]>, minute: number) => runAction('quiz', 'submit', quizSettings, state, { answers }, at(minute)) as QuizState;

describe('activities/statistics', () => {
  it('quiz first attempt: kept through later attempts, in apply and as the atomic $min of a string', () => {
    const first = submit(undefined, { a: [1], b: [0] }, 1);
    const second = submit(first, { a: [0], b: [1] }, 2);
    expect(firstAnswers(second)).to.deep.equal({ a: [1], b: [0] });
    const settings = quiz.settingsSchema.parse(quizSettings);
    const update = quiz.actions.submit!.atomic(settings, { answers: { a: [0], b: [1] } }, at(2));
    expect(update.min!.firstAttempt).to.be.a('string');
    expect((update.min!.firstAttempt as string) > second.firstAttempt!, 'a later attempt never wins $min').to.equal(true);
  });

  it('quiz item analysis: facility at the first attempt, options chosen, and the upper-minus-lower 27 % discrimination index', () => {
    // Totals at the first attempt: 2, 1, 1, 1. 27 % of 4 rounds to one learner per group: the first and the last.
    const states = [
      submit(undefined, { a: [0], b: [1] }, 1),
      submit(submit(undefined, { a: [0], b: [0] }, 2), { a: [0], b: [1] }, 3),
      submit(undefined, { a: [1], b: [1] }, 4),
      submit(undefined, { a: [0], b: [0] }, 5),
    ];
    const stats = quizStatistics(quiz.settingsSchema.parse(quizSettings), states);
    expect(stats.answered).to.equal(4);
    expect(stats.tables[0]!.rows).to.deep.equal([
      ['1. A?', '75 %', 0],
      ['2. B?', '50 %', 1],
    ]);
    expect(stats.tables[2]!.rows).to.deep.equal([
      ['feil', { key: 'authoring:statistics.no' }, '2 (50 %)'],
      ['rett', { key: 'authoring:statistics.yes' }, '2 (50 %)'],
    ]);
  });

  it('quiz: a stored state without the fields no write has set yet (never passed: no passedAt) still counts', () => {
    const stored = { attempts: 1, bestScore: 0, lastScore: 0, lastAnswers: { a: [1], b: [0] }, lastSubmittedAt: at(1).toISOString(), lastOrder: null, firstAttempt: `${at(1).toISOString()}|{"a":[1],"b":[0]}` };
    const stats = activityStatistics('quiz', quizSettings, [stored])!;
    expect(stats.answered).to.equal(1);
    expect(stats.tables[0]!.rows[0]![1]).to.equal('0 %');
  });

  it('quiz: learners without a recorded first attempt (before this was stored) are not counted', () => {
    const old = { ...quiz.initialState(), attempts: 1, lastScore: 100, bestScore: 100, lastAnswers: { a: [0], b: [1] } };
    expect(quizStatistics(quiz.settingsSchema.parse(quizSettings), [old]).answered).to.equal(0);
  });

  it('self-assessment: mean per statement over those who answered, two decimals', () => {
    const settings = { id: 'k', phase: 'after', statements: ['u1', 'u2', 'u3', 'u4'].map((id) => ({ id, text: `Utsagn ${id}` })) };
    const states = [[1, 2, 3, 4], [2, 2, 3, 5], [2, 3, 3, 5]].map((r, i) =>
      runAction('self-assessment', 'assess', settings, undefined, { ratings: { u1: r[0], u2: r[1], u3: r[2], u4: r[3] } }, at(i)),
    );
    const stats = activityStatistics('self-assessment', settings, [...states, undefined, { ratings: {}, answeredAt: null }])!;
    expect(stats.answered).to.equal(3);
    expect(stats.tables[0]!.rows).to.deep.equal([
      ['Utsagn u1', 3, 1.67],
      ['Utsagn u2', 3, 2.33],
      ['Utsagn u3', 3, 3],
      ['Utsagn u4', 3, 4.67],
    ]);
  });

  it('self-assessment before and after together: each mean, and the mean change of those who answered both times', () => {
    const statements = ['u1', 'u2', 'u3', 'u4'].map((id) => ({ id, text: `Utsagn ${id}` }));
    const before = { id: 'for', phase: 'before', statements };
    const after = { id: 'etter', phase: 'after', statements };
    const rate = (settings: unknown, r: number[], minute: number) => runAction('self-assessment', 'assess', settings, undefined, { ratings: { u1: r[0], u2: r[1], u3: r[2], u4: r[3] } }, at(minute));
    // Learner 0 and 1 answer both times, learner 2 only before, learner 3 only after.
    const stats = combinedStatistics('self-assessment', [
      { settings: before, stored: [rate(before, [1, 1, 1, 1], 1), rate(before, [2, 2, 2, 2], 2), rate(before, [5, 5, 5, 5], 3), undefined] },
      { settings: after, stored: [rate(after, [3, 3, 3, 3], 4), rate(after, [3, 3, 3, 3], 5), undefined, rate(after, [1, 1, 1, 1], 6)] },
    ])!;
    expect(stats.answered).to.equal(2);
    expect(stats.tables[0]!.rows[0]).to.deep.equal(['Utsagn u1', 2.67, 2.33, 1.5]);
    expect(combinedStatistics('self-assessment', [{ settings: before, stored: [] }])).to.equal(null);
  });

  it('evaluation: means, the share who would recommend, and the non-empty suggestions sorted (not in the order given)', () => {
    const answers = [
      { usefulness: 5, relevance: 4, recommend: true, suggestion: 'Øvelser med film' },
      { usefulness: 2, relevance: 2, recommend: false, suggestion: '' },
      { usefulness: 4, relevance: 3, recommend: true, suggestion: 'Andre eksempler fra SFO' },
    ];
    const states = answers.map((a, i) => runAction('module-evaluation', 'evaluate', { id: 'v' }, undefined, a, at(i)));
    const stats = activityStatistics('module-evaluation', { id: 'v' }, states)!;
    expect(stats.tables[0]!.rows.map((r) => r[2])).to.deep.equal([3.67, 3, '67 %']);
    expect(stats.texts!.items).to.deep.equal(['Andre eksempler fra SFO', 'Øvelser med film']);
  });

  it('kinds without statistics answer null', () => {
    expect(activityStatistics('reflection', { id: 'r', prompt: 'P' }, [{ text: 'x', savedAt: null }])).to.equal(null);
  });
});
