import { createHash } from 'node:crypto';
import { z } from 'zod';
import { action, activityIdSchema, type ActivityStatistics, baseSettingsSchema, defineActivity, isoDate, text, timeOf, type LearnerContext, type ParsedForm } from './types.js';

/**
 * Questions with one or more correct options, graded on the server. A question with several
 * correct options is answered right only when exactly those are chosen.
 */
const optionSchema = z
  .object({
    text: text(500),
    correct: z.boolean().default(false),
    // Optional in the schema so a missing explanation gets its own, clearer message below.
    explanation: z.string().trim().max(1000).optional(),
  })
  .strict();

const questionSchema = z
  .object({
    id: activityIdSchema,
    text: text(2000),
    options: z.array(optionSchema).min(2).max(10),
  })
  .strict();

export const settingsSchema = baseSettingsSchema
  .extend({
    title: text(200),
    passMark: z.number().int().min(0).max(100).default(80),
    questions: z.array(questionSchema).min(1).max(50),
  })
  .strict()
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.questions.forEach((question, q) => {
      if (seen.has(question.id)) {
        ctx.addIssue({ code: 'custom', path: ['questions', q, 'id'], message: `question id "${question.id}" is used twice`, params: { code: 'quiz.duplicateQuestion', id: question.id } });
      }
      seen.add(question.id);
      if (!question.options.some((option) => option.correct)) {
        ctx.addIssue({ code: 'custom', path: ['questions', q], message: `question "${question.id}" has no correct answer`, params: { code: 'quiz.noCorrect', id: question.id } });
      }
      question.options.forEach((option, o) => {
        if (!option.explanation) {
          ctx.addIssue({
            code: 'custom',
            path: ['questions', q, 'options', o],
            message: `option ${o + 1} of question "${question.id}" has no explanation`,
            params: { code: 'quiz.noExplanation', id: question.id, option: o + 1 },
          });
        }
      });
    });
  });
export type QuizSettings = z.infer<typeof settingsSchema>;

export const stateSchema = z
  .object({
    attempts: z.number().int().min(0),
    bestScore: z.number().min(0).max(100).nullable(),
    lastScore: z.number().min(0).max(100).nullable(),
    lastAnswers: z.record(z.string(), z.array(z.number().int().min(0))).nullable(),
    lastSubmittedAt: isoDate.nullable(),
    passedAt: isoDate.nullable(),
    /** The option order each question had in the last submitted attempt (indexes into the author's options). */
    lastOrder: z.record(z.string(), z.array(z.number().int().min(0))).nullable().default(null),
    /**
     * The first attempt, for the authors' statistics: `<ISO time>|<answers as JSON>`. A string so
     * that `$min` keeps the earliest atomically on MongoDB and FerretDB alike (ISO times sort as text).
     */
    firstAttempt: z.string().max(20_000).nullable().default(null),
  })
  .strict();
export type QuizState = z.infer<typeof stateSchema>;

export const submitInputSchema = z
  .object({
    answers: z.record(z.string().max(60), z.array(z.number().int().min(0).max(9)).max(10)),
    /** Which attempt the page showed (state.attempts when it was rendered), so its option order can be recorded. */
    attempt: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict();
export type QuizAnswers = z.infer<typeof submitInputSchema>['answers'];

function correctIndexes(question: QuizSettings['questions'][number]): number[] {
  return question.options.flatMap((option, i) => (option.correct ? [i] : []));
}

/** The chosen options of a question, de-duplicated, sorted, and limited to options that exist. */
function chosen(question: QuizSettings['questions'][number], answers: QuizAnswers): number[] {
  return [...new Set(answers[question.id] ?? [])].filter((i) => i < question.options.length).sort((a, b) => a - b);
}

function isRight(question: QuizSettings['questions'][number], answers: QuizAnswers): boolean {
  const right = correctIndexes(question);
  const picked = chosen(question, answers);
  return picked.length === right.length && picked.every((i, n) => i === right[n]);
}

/** Only the quiz's own questions, each with its chosen options de-duplicated and sorted. */
function normalisedAnswers(settings: QuizSettings, given: QuizAnswers): QuizAnswers {
  const answers: QuizAnswers = {};
  for (const question of settings.questions) answers[question.id] = chosen(question, given);
  return answers;
}

function encodeAttempt(now: Date, answers: QuizAnswers): string {
  return `${now.toISOString()}|${JSON.stringify(answers)}`;
}

/** The answers of a stored first attempt; null when there is none or it cannot be read. */
export function firstAnswers(state: QuizState): QuizAnswers | null {
  if (!state.firstAttempt) return null;
  const json = state.firstAttempt.slice(state.firstAttempt.indexOf('|') + 1);
  try {
    const parsed = submitInputSchema.shape.answers.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The upper and lower groups of the discrimination index: 27 % of the learners each, at least one. */
export const DISCRIMINATION_SHARE = 0.27;

/**
 * Item analysis of the first attempts: for each question its facility (the share right at the first
 * attempt), how often each option was chosen, and its discrimination index (the share right in the
 * upper 27 % by total first-attempt score minus the share right in the lower 27 %).
 */
export function quizStatistics(settings: QuizSettings, states: readonly QuizState[]): ActivityStatistics {
  const firsts = states.flatMap((s) => {
    const answers = firstAnswers(s);
    return answers ? [answers] : [];
  });
  const n = firsts.length;
  const totals = firsts.map((answers) => settings.questions.filter((q) => isRight(q, answers)).length);
  const ranked = firsts.map((_, i) => i).sort((a, b) => totals[b]! - totals[a]! || a - b);
  const group = Math.max(1, Math.round(DISCRIMINATION_SHARE * n));
  const upper = ranked.slice(0, group).map((i) => firsts[i]!);
  const lower = ranked.slice(-group).map((i) => firsts[i]!);
  const shareRight = (question: QuizSettings['questions'][number], of: readonly QuizAnswers[]) => (of.length === 0 ? 0 : of.filter((a) => isRight(question, a)).length / of.length);
  const percent = (share: number) => `${Math.round(100 * share)} %`;
  return {
    answered: n,
    tables: [
      {
        caption: 'authoring:statistics.quiz.caption',
        captionParams: { title: settings.title },
        head: ['authoring:statistics.quiz.question', 'authoring:statistics.quiz.facility', 'authoring:statistics.quiz.discrimination'],
        rows: settings.questions.map((q, i) => [`${i + 1}. ${q.text.trim()}`, n ? percent(shareRight(q, firsts)) : null, n ? Math.round(100 * (shareRight(q, upper) - shareRight(q, lower))) / 100 : null]),
      },
      ...settings.questions.map((q, i) => ({
        caption: 'authoring:statistics.quiz.optionsCaption',
        captionParams: { n: i + 1 },
        head: ['authoring:statistics.quiz.option', 'authoring:statistics.quiz.correct', 'authoring:statistics.quiz.chosen'],
        rows: q.options.map((option, o) => {
          const chosenBy = firsts.filter((a) => chosen(q, a).includes(o)).length;
          return [option.text, { key: option.correct ? 'authoring:statistics.yes' : 'authoring:statistics.no' }, n ? `${chosenBy} (${percent(chosenBy / n)})` : null];
        }),
      })),
    ],
  };
}

/** Per cent of questions answered fully right, rounded down so 79.9 never passes an 80 mark. */
export function scoreAnswers(settings: QuizSettings, answers: QuizAnswers): number {
  const right = settings.questions.filter((question) => isRight(question, answers)).length;
  return Math.floor((100 * right) / settings.questions.length);
}

/**
 * The order a learner sees a question's options in, for one attempt: a Fisher–Yates shuffle driven
 * by a hash of learner, activity, question and attempt number. The same inputs give the same order
 * (a reload keeps it), the next attempt gets a new one, and nothing about it depends on which option
 * is correct. Options keep their author index, so grading never sees the order.
 */
export function optionOrder(learnerKey: string, activityId: string, questionId: string, attempt: number, count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  // 64 bytes: one 32-bit draw for each of up to 16 swaps (questions have at most 10 options).
  const bytes = createHash('sha512').update(`quiz-order\0${learnerKey}\0${activityId}\0${questionId}\0${attempt}`).digest();
  for (let i = count - 1; i > 0; i -= 1) {
    const j = bytes.readUInt32BE(4 * (count - 1 - i)) % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function attemptOrder(settings: QuizSettings, attempt: number, learner: LearnerContext): Record<string, number[]> {
  return Object.fromEntries(settings.questions.map((q) => [q.id, optionOrder(learner.learnerKey, settings.id, q.id, attempt, q.options.length)]));
}

/**
 * The quiz form: `answers[<question>]` fields (one value or several), or `{ answers: { q: [0] } }` as
 * JSON, and the attempt the page showed (so the server can record that attempt's option order).
 */
function parseQuizForm(body: Record<string, unknown>): ParsedForm {
  const answers: Record<string, number[]> = {};
  let ok = true;
  const add = (question: string, raw: unknown) => {
    const values = ([] as unknown[]).concat(raw ?? []);
    answers[question] = values.flatMap((v) => {
      const s = String(v);
      if (!/^\d$/.test(s)) {
        ok = false;
        return [];
      }
      return [Number(s)];
    });
  };
  const nested = body.answers;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
    for (const [question, raw] of Object.entries(nested as Record<string, unknown>)) add(question, raw);
  }
  for (const [key, raw] of Object.entries(body)) {
    const m = /^answers\[([a-z0-9-]{1,60})\]$/.exec(key);
    if (m) add(m[1]!, raw);
  }
  if (Object.keys(answers).length > 50) ok = false;
  const attempt = /^\d{1,7}$/.test(String(body.attempt ?? '')) ? Number(body.attempt) : undefined;
  return { input: attempt === undefined ? { answers } : { answers, attempt }, typed: { lastAnswers: answers }, errors: ok ? {} : { answers: 'learning:errors.answers' } };
}

interface PublicQuestion {
  id: string;
  options: Array<{ index: number; text: string }>;
}

export interface QuizFeedback {
  score: number;
  passed: boolean;
  passMark: number;
  questions: Array<{
    id: string;
    right: boolean;
    chosen: Array<{ index: number; text: string; correct: boolean; explanation: string }>;
  }>;
}

export const quiz = defineActivity<QuizSettings, QuizState>({
  kind: 'quiz',
  settingsSchema,
  stateSchema,
  partial: 'activities/quiz',
  completion: 'on-score',
  authored: true,
  initialState: () => ({ attempts: 0, bestScore: null, lastScore: null, lastAnswers: null, lastSubmittedAt: null, passedAt: null, lastOrder: null, firstAttempt: null }),
  actions: {
    submit: action<QuizSettings, QuizState, z.infer<typeof submitInputSchema>>(submitInputSchema, (settings, state, input, now, learner) => {
      const answers = normalisedAnswers(settings, input.answers);
      const score = scoreAnswers(settings, answers);
      const bestScore = Math.max(score, state.bestScore ?? 0);
      const passedAt = state.passedAt ?? (score >= settings.passMark ? now.toISOString() : null);
      const lastOrder = learner && input.attempt !== undefined ? attemptOrder(settings, input.attempt, learner) : null;
      const attempt = encodeAttempt(now, answers);
      const firstAttempt = state.firstAttempt !== null && state.firstAttempt < attempt ? state.firstAttempt : attempt;
      return { attempts: state.attempts + 1, bestScore, lastScore: score, lastAnswers: answers, lastSubmittedAt: now.toISOString(), passedAt, lastOrder, firstAttempt };
    }, (settings, input, now, learner) => {
      const answers = normalisedAnswers(settings, input.answers);
      const score = scoreAnswers(settings, answers);
      const lastOrder = learner && input.attempt !== undefined ? attemptOrder(settings, input.attempt, learner) : null;
      return {
        inc: { attempts: 1 },
        max: { bestScore: score },
        set: { lastScore: score, lastAnswers: answers, lastSubmittedAt: now.toISOString(), lastOrder },
        min: { firstAttempt: encodeAttempt(now, answers), ...(score >= settings.passMark ? { passedAt: now.toISOString() } : {}) },
      };
    }),
  },
  // The best attempt counts: a later, worse attempt never takes a pass away.
  isComplete: (settings, state) => state.bestScore !== null && state.bestScore >= settings.passMark,
  // No `correct` flags and no explanations: those are only revealed for the options chosen, after submitting.
  completingAction: (settings) => ({ action: 'submit', input: { answers: Object.fromEntries(settings.questions.map((q) => [q.id, correctIndexes(q)])) } }),
  publicSettings: (settings, ctx) => ({
    title: settings.title,
    passMark: settings.passMark,
    questions: settings.questions.map((question) => ({
      id: question.id,
      textHtml: ctx.markdown(question.text),
      multiple: correctIndexes(question).length > 1,
      options: question.options.map((option, index) => ({ index, text: option.text })),
    })),
  }),
  // Each attempt shows the options in its own order; the form posts `attempt` so the order is recorded.
  learnerView: (settings, view, state, learner) => {
    const order = attemptOrder(settings, state.attempts, learner);
    const questions = (view.questions as PublicQuestion[]).map((question) => {
      const byIndex = new Map(question.options.map((option) => [option.index, option]));
      const ordered = (order[question.id] ?? []).flatMap((i) => (byIndex.has(i) ? [byIndex.get(i)!] : []));
      return { ...question, options: ordered.length === question.options.length ? ordered : question.options };
    });
    return { ...view, questions, attempt: state.attempts };
  },
  learnerAction: 'submit',
  parseForm: parseQuizForm,
  lastTouchedAt: (state) => timeOf(state.lastSubmittedAt),
  choiceQuestions: (settings) =>
    settings.questions.map((question, q) => ({
      id: question.id,
      text: question.text,
      options: question.options.map((option) => ({ text: option.text, correct: option.correct })),
      path: ['questions', q],
      textPath: ['questions', q, 'text'],
    })),
  statistics: quizStatistics,
  feedback: (settings, state): QuizFeedback | null => {
    if (!state.lastAnswers || state.lastScore === null) return null;
    const answers = state.lastAnswers;
    return {
      score: state.lastScore,
      passed: state.lastScore >= settings.passMark,
      passMark: settings.passMark,
      questions: settings.questions.map((question) => ({
        id: question.id,
        right: isRight(question, answers),
        chosen: chosen(question, answers).map((index) => {
          const option = question.options[index]!;
          return { index, text: option.text, correct: option.correct, explanation: option.explanation ?? '' };
        }),
      })),
    };
  },
});
