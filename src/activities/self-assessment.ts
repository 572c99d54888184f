import { z } from 'zod';
import { ValidationError } from '../lib/errors.js';
import { action, activityIdSchema, baseSettingsSchema, defineActivity, isoDate, text, timeOf, type ParsedForm } from './types.js';

/**
 * Kompetansekartlegging: 4–8 statements the learner rates on a labelled 1–5 scale, once before the
 * first lesson (`phase: before`) and once at completion (`phase: after`), so authors can see what
 * changed. It never gates anything (completion "excluded"): a learner may skip it. The two blocks of
 * a module carry the same statements with the same ids; the statistics pair them by id.
 */

/** The mean of some ratings, to two decimals; null when there are none. */
export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.round((100 * values.reduce((a, b) => a + b, 0)) / values.length) / 100;
}

export const RATING_MIN = 1;
export const RATING_MAX = 5;
export const STATEMENTS_MIN = 4;
export const STATEMENTS_MAX = 8;
export const PHASES = ['before', 'after'] as const;

const statementSchema = z
  .object({
    id: activityIdSchema,
    text: text(300),
  })
  .strict();

export const settingsSchema = baseSettingsSchema
  .extend({
    title: text(200).optional(),
    phase: z.enum(PHASES),
    statements: z.array(statementSchema).min(STATEMENTS_MIN).max(STATEMENTS_MAX),
  })
  .strict()
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.statements.forEach((statement, s) => {
      if (seen.has(statement.id)) {
        ctx.addIssue({ code: 'custom', path: ['statements', s, 'id'], message: `statement id "${statement.id}" is used twice`, params: { code: 'selfAssessment.duplicateStatement', id: statement.id } });
      }
      seen.add(statement.id);
    });
  });
export type SelfAssessmentSettings = z.infer<typeof settingsSchema>;

const rating = z.number().int().min(RATING_MIN).max(RATING_MAX);

export const stateSchema = z
  .object({
    /** Statement id → the learner's rating. Emptied when the person is anonymised. */
    ratings: z.record(z.string(), rating),
    answeredAt: isoDate.nullable(),
  })
  .strict();
export type SelfAssessmentState = z.infer<typeof stateSchema>;

export const assessInputSchema = z
  .object({ ratings: z.record(z.string().max(60), rating).refine((r) => Object.keys(r).length <= STATEMENTS_MAX * 2, 'too many ratings') })
  .strict();
export type SelfAssessmentInput = z.infer<typeof assessInputSchema>;

/**
 * Only the block's own statements, each with its rating. A statement left unanswered is refused
 * with a message (the page shows which), and nothing is stored: half an answer would skew the means.
 */
export function checkedRatings(settings: SelfAssessmentSettings, given: Record<string, number>): Record<string, number> {
  const ratings: Record<string, number> = {};
  const missing: string[] = [];
  for (const statement of settings.statements) {
    const value = Object.hasOwn(given, statement.id) ? given[statement.id] : undefined;
    if (value === undefined) missing.push(statement.id);
    else ratings[statement.id] = value;
  }
  if (missing.length > 0) throw new ValidationError(`self-assessment ${settings.id}: no rating for ${missing.join(', ')}`, { ratings: 'learning:errors.ratingsIncomplete' });
  return ratings;
}

/**
 * The form: one radio group per statement, `ratings[<statement>]` = 1–5 (or `{ ratings: { s: 3 } }`
 * as JSON). What the statements are is known only with the settings, so a form with some statements
 * unanswered passes here and is refused by the action (checkedRatings); a form with none is refused here.
 */
function parseSelfAssessmentForm(body: Record<string, unknown>): ParsedForm {
  const ratings: Record<string, number> = {};
  let bad = false;
  const add = (statement: string, raw: unknown) => {
    const s = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : '';
    if (!/^[1-5]$/.test(s)) {
      bad = true;
      return;
    }
    ratings[statement] = Number(s);
  };
  const nested = body.ratings;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
    for (const [statement, raw] of Object.entries(nested as Record<string, unknown>)) {
      if (/^[a-z0-9-]{1,60}$/.test(statement)) add(statement, raw);
      else bad = true;
    }
  }
  for (const [key, raw] of Object.entries(body)) {
    const m = /^ratings\[([a-z0-9-]{1,60})\]$/.exec(key);
    if (m) add(m[1]!, raw);
  }
  const errors: Record<string, string> = {};
  if (bad || Object.keys(ratings).length > STATEMENTS_MAX * 2) errors.ratings = 'learning:errors.ratingScale';
  else if (Object.keys(ratings).length === 0) errors.ratings = 'learning:errors.ratingsIncomplete';
  // `answeredAt: 'typed'` tells the partial this is an answer being shown again, so it marks the statements still unanswered.
  return { input: { ratings }, typed: { ratings, answeredAt: 'typed' }, errors };
}

export const selfAssessment = defineActivity<SelfAssessmentSettings, SelfAssessmentState>({
  kind: 'self-assessment',
  settingsSchema,
  stateSchema,
  partial: 'activities/self-assessment',
  // Never a gate: before the first lesson it may be skipped, and at the end it must not hold back a completion.
  completion: 'excluded',
  authored: true,
  initialState: () => ({ ratings: {}, answeredAt: null }),
  actions: {
    assess: action<SelfAssessmentSettings, SelfAssessmentState, SelfAssessmentInput>(
      assessInputSchema,
      (settings, _state, input, now) => ({ ratings: checkedRatings(settings, input.ratings), answeredAt: now.toISOString() }),
      (settings, input, now) => ({ set: { ratings: checkedRatings(settings, input.ratings), answeredAt: now.toISOString() }, onlyIfNotNewer: 'answeredAt' }),
    ),
  },
  isComplete: (_settings, state) => state.answeredAt !== null,
  completingAction: (settings) => ({ action: 'assess', input: { ratings: Object.fromEntries(settings.statements.map((s) => [s.id, 4])) } }),
  publicSettings: (settings) => ({
    title: settings.title ?? null,
    phase: settings.phase,
    statements: settings.statements.map((s) => ({ id: s.id, text: s.text })),
    scale: Array.from({ length: RATING_MAX - RATING_MIN + 1 }, (_, i) => RATING_MIN + i),
  }),
  learnerAction: 'assess',
  parseForm: parseSelfAssessmentForm,
  fieldIds: { ratings: 'statements' },
  listedAs: { key: 'activities:selfAssessment.heading', untitledOnly: true },
  lastTouchedAt: (state) => timeOf(state.answeredAt),
  hiddenFromLeaders: true,
  personalFields: { ratings: {} },
  // Before and after side by side, per statement: each mean, and the mean change of those who answered both times.
  combinedStatistics: (blocks) => {
    const before = blocks.find((b) => b.settings.phase === 'before');
    const after = blocks.find((b) => b.settings.phase === 'after');
    if (!before || !after) return null;
    const answered = (s: SelfAssessmentState | null | undefined): s is SelfAssessmentState => !!s && s.answeredAt !== null && Object.keys(s.ratings).length > 0;
    const learners = Math.max(before.states.length, after.states.length);
    const both = Array.from({ length: learners }, (_, i) => i).filter((i) => answered(before.states[i]) && answered(after.states[i]));
    const afterIds = new Set(after.settings.statements.map((s) => s.id));
    const rating = (s: SelfAssessmentState | null | undefined, id: string) => (answered(s) && Object.hasOwn(s.ratings, id) ? [s.ratings[id]!] : []);
    return {
      answered: both.length,
      tables: [
        {
          caption: 'authoring:statistics.selfAssessment.captionPaired',
          head: [
            'authoring:statistics.selfAssessment.statement',
            'authoring:statistics.selfAssessment.meanBefore',
            'authoring:statistics.selfAssessment.meanAfter',
            'authoring:statistics.selfAssessment.change',
          ],
          rows: before.settings.statements
            .filter((statement) => afterIds.has(statement.id))
            .map((statement) => {
              const changes = both.flatMap((i) => {
                const b = rating(before.states[i], statement.id);
                const a = rating(after.states[i], statement.id);
                return b.length && a.length ? [a[0]! - b[0]!] : [];
              });
              return [
                statement.text,
                mean(before.states.flatMap((s) => rating(s, statement.id))),
                mean(after.states.flatMap((s) => rating(s, statement.id))),
                mean(changes),
              ];
            }),
        },
      ],
    };
  },
  // The learner's change over the statements rated both before and after (only when both were answered).
  effect: (blocks) => {
    const before = blocks.find((b) => b.settings.phase === 'before')?.state;
    const after = blocks.find((b) => b.settings.phase === 'after')?.state;
    if (!before?.answeredAt || !after?.answeredAt) return null;
    let sum = 0;
    let pairs = 0;
    for (const [id, rating] of Object.entries(after.ratings)) {
      if (!Object.hasOwn(before.ratings, id)) continue;
      sum += rating - before.ratings[id]!;
      pairs += 1;
    }
    return pairs > 0 ? { change: { sum, pairs, at: after.answeredAt } } : null;
  },
  statistics: (settings, states) => {
    const answered = states.filter((s) => s.answeredAt !== null && Object.keys(s.ratings).length > 0);
    return {
      answered: answered.length,
      tables: [
        {
          caption: settings.phase === 'after' ? 'authoring:statistics.selfAssessment.captionAfter' : 'authoring:statistics.selfAssessment.captionBefore',
          head: ['authoring:statistics.selfAssessment.statement', 'authoring:statistics.answers', 'authoring:statistics.mean'],
          rows: settings.statements.map((statement) => {
            const values = answered.flatMap((s) => (Object.hasOwn(s.ratings, statement.id) ? [s.ratings[statement.id]!] : []));
            return [statement.text, values.length, mean(values)];
          }),
        },
      ],
    };
  },
});
