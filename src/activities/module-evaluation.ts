import { z } from 'zod';
import { mean } from './self-assessment.js';
import { action, baseSettingsSchema, defineActivity, formText, isoDate, text, timeOf, type ParsedForm } from './types.js';

/**
 * The learner's evaluation of the module at its end: how useful it was (1–5), how relevant to the
 * kind of unit they work in (1–5), whether they would recommend it, and an optional suggestion to
 * the authors. Authors only ever see means, counts and the suggestions without who wrote them (the
 * unit type is not stored either). Never a gate: completion "excluded".
 */

export const SUGGESTION_MAX_LENGTH = 2000;

export const settingsSchema = baseSettingsSchema
  .extend({
    title: text(200).optional(),
    /** An optional line above the questions (Markdown), e.g. what the authors will do with the answers. */
    intro: text(1000).optional(),
  })
  .strict();
export type ModuleEvaluationSettings = z.infer<typeof settingsSchema>;

const rating = z.number().int().min(1).max(5);

export const stateSchema = z
  .object({
    usefulness: rating.nullable(),
    relevance: rating.nullable(),
    recommend: z.boolean().nullable(),
    suggestion: z.string().max(SUGGESTION_MAX_LENGTH),
    evaluatedAt: isoDate.nullable(),
  })
  .strict();
export type ModuleEvaluationState = z.infer<typeof stateSchema>;

export const evaluateInputSchema = z
  .object({
    usefulness: rating,
    relevance: rating,
    recommend: z.boolean(),
    suggestion: z.string().max(SUGGESTION_MAX_LENGTH).default(''),
  })
  .strict();
export type ModuleEvaluationInput = z.infer<typeof evaluateInputSchema>;

const asRating = (raw: unknown): number | undefined => {
  const s = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : '';
  return /^[1-5]$/.test(s) ? Number(s) : undefined;
};

function parseEvaluationForm(body: Record<string, unknown>): ParsedForm {
  const usefulness = asRating(body.usefulness);
  const relevance = asRating(body.relevance);
  const raw = body.recommend;
  const recommend = raw === true || raw === 'true' ? true : raw === false || raw === 'false' ? false : undefined;
  const suggestion = formText(body.suggestion).replace(/\r\n/g, '\n');
  const errors: Record<string, string> = {};
  if (usefulness === undefined) errors.usefulness = 'learning:errors.usefulnessRequired';
  if (relevance === undefined) errors.relevance = 'learning:errors.relevanceRequired';
  if (recommend === undefined) errors.recommend = 'learning:errors.recommendRequired';
  if (suggestion.length > SUGGESTION_MAX_LENGTH) errors.suggestion = 'learning:errors.suggestionTooLong';
  return {
    input: { usefulness: usefulness ?? 0, relevance: relevance ?? 0, recommend: recommend ?? false, suggestion },
    typed: { usefulness: usefulness ?? null, relevance: relevance ?? null, recommend: recommend ?? null, suggestion },
    errors,
  };
}

const evaluated = (input: ModuleEvaluationInput, now: Date) => ({
  usefulness: input.usefulness,
  relevance: input.relevance,
  recommend: input.recommend,
  suggestion: input.suggestion.replace(/\r\n/g, '\n').trim(),
  evaluatedAt: now.toISOString(),
});

export const moduleEvaluation = defineActivity<ModuleEvaluationSettings, ModuleEvaluationState>({
  kind: 'module-evaluation',
  settingsSchema,
  stateSchema,
  partial: 'activities/module-evaluation',
  completion: 'excluded',
  authored: true,
  initialState: () => ({ usefulness: null, relevance: null, recommend: null, suggestion: '', evaluatedAt: null }),
  actions: {
    evaluate: action<ModuleEvaluationSettings, ModuleEvaluationState, ModuleEvaluationInput>(
      evaluateInputSchema,
      (_settings, _state, input, now) => evaluated(input, now),
      (_settings, input, now) => ({ set: evaluated(input, now), onlyIfNotNewer: 'evaluatedAt' }),
    ),
  },
  isComplete: (_settings, state) => state.evaluatedAt !== null,
  completingAction: () => ({ action: 'evaluate', input: { usefulness: 4, relevance: 4, recommend: true, suggestion: '' } }),
  publicSettings: (settings, ctx) => ({ title: settings.title ?? null, introHtml: settings.intro ? ctx.markdown(settings.intro) : null, scale: [1, 2, 3, 4, 5] }),
  learnerAction: 'evaluate',
  parseForm: parseEvaluationForm,
  fieldIds: { usefulness: 'usefulness-1', relevance: 'relevance-1', recommend: 'recommend-yes', suggestion: 'suggestion' },
  listedAs: { key: 'activities:moduleEvaluation.heading', untitledOnly: true },
  lastTouchedAt: (state) => timeOf(state.evaluatedAt),
  hiddenFromLeaders: true,
  personalFields: { usefulness: null, relevance: null, recommend: null, suggestion: '' },
  // An anonymised evaluation keeps its time but not its scores: it adds nothing.
  effect: (blocks) => {
    const state = blocks.map((b) => b.state).find((s) => s?.evaluatedAt && s.usefulness !== null && s.relevance !== null && s.recommend !== null);
    if (!state?.evaluatedAt || state.usefulness === null || state.relevance === null || state.recommend === null) return null;
    return { evaluation: { usefulness: state.usefulness, relevance: state.relevance, recommend: state.recommend, at: state.evaluatedAt } };
  },
  statistics: (_settings, states) => {
    const answered = states.filter((s) => s.evaluatedAt !== null && s.usefulness !== null);
    const recommending = answered.filter((s) => s.recommend === true).length;
    return {
      answered: answered.length,
      tables: [
        {
          caption: 'authoring:statistics.evaluation.caption',
          head: ['authoring:statistics.evaluation.question', 'authoring:statistics.answers', 'authoring:statistics.result'],
          rows: [
            [{ key: 'authoring:statistics.evaluation.usefulness' }, answered.length, mean(answered.flatMap((s) => (s.usefulness === null ? [] : [s.usefulness])))],
            [{ key: 'authoring:statistics.evaluation.relevance' }, answered.length, mean(answered.flatMap((s) => (s.relevance === null ? [] : [s.relevance])))],
            [{ key: 'authoring:statistics.evaluation.recommend' }, answered.length, answered.length ? `${Math.round((100 * recommending) / answered.length)} %` : null],
          ],
        },
      ],
      // Sorted, so the order tells nothing about who wrote what, or when.
      texts: { heading: 'authoring:statistics.evaluation.suggestions', items: answered.map((s) => s.suggestion.trim()).filter((t) => t !== '').sort((a, b) => a.localeCompare(b, 'nb')) },
    };
  },
});
