import { existsSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { paths } from '../config/index.js';
import { ValidationError } from '../lib/errors.js';
import { quiz } from './quiz.js';
import { reading } from './reading.js';
import { moduleEvaluation } from './module-evaluation.js';
import { reflection } from './reflection.js';
import { selfAssessment } from './self-assessment.js';
import { teamSession } from './team-session.js';
import type { ActivityKind, ActivityStatistics, BaseSettings, ChoiceQuestion, EffectContribution, JournalEntry, LearnerContext, ParsedForm } from './types.js';
import { video } from './video.js';
import { workplaceTask } from './workplace-task.js';

/**
 * The activity registry. Each kind is imported explicitly (no directory scanning), so adding a kind
 * is one file, one partial and one line here. Building the registry refuses a duplicate kind, a
 * missing partial or a learner action it cannot route, and that happens when this module is first
 * imported: at start-up. Nothing outside src/activities/ names a kind: what other components need to
 * know about one, they ask through the functions below, which read the kind's hooks (see types.ts).
 *
 * A partial is rendered with these locals: `activity` ({ id, kind, required, view }, where view is
 * the kind's publicSettings), `state`, `complete`, `feedback` (or null), `actionUrl` (where its
 * forms POST; null in an author's preview, which disables the controls), `actionId` (a fresh id per
 * render, sent back for idempotency) and `csrfToken`.
 */

// The kinds differ in their settings and state types; the registry only passes values through them.
export type AnyActivityKind = ActivityKind<BaseSettings, unknown>;

export class ActivityRegistryError extends Error {
  override readonly name = 'ActivityRegistryError';
}

export interface ActivityRegistry {
  readonly kinds: ReadonlyMap<string, AnyActivityKind>;
  /** Every kind's name: fences with these info strings are activities. */
  readonly kindNames: ReadonlySet<string>;
  /** Kinds an author may write as a fenced block (all but the implicit reading). */
  readonly authoredKinds: ReadonlySet<string>;
  get(kind: string): AnyActivityKind | undefined;
  /** The kind whose learner action has this name (the lesson route knows only the action's name). */
  byLearnerAction(action: string): AnyActivityKind | undefined;
  /** Every kind's personalFields together: state field → its value once the person is anonymised. */
  readonly personalFields: Readonly<Record<string, unknown>>;
}

export function buildRegistry(definitions: ReadonlyArray<AnyActivityKind>, viewsDir: string): ActivityRegistry {
  const kinds = new Map<string, AnyActivityKind>();
  for (const definition of definitions) {
    if (kinds.has(definition.kind)) throw new ActivityRegistryError(`activity kind "${definition.kind}" is registered twice`);
    const partial = path.join(viewsDir, `${definition.partial}.ejs`);
    if (!existsSync(partial)) throw new ActivityRegistryError(`activity kind "${definition.kind}" has no partial at ${partial}`);
    kinds.set(definition.kind, definition);
  }
  const byLearnerAction = new Map<string, AnyActivityKind>();
  for (const definition of kinds.values()) {
    const action = definition.learnerAction;
    if (action === undefined) continue;
    if (!Object.hasOwn(definition.actions, action)) throw new ActivityRegistryError(`activity kind "${definition.kind}" has no action "${action}" for its learners`);
    const other = byLearnerAction.get(action);
    if (other) throw new ActivityRegistryError(`activity kinds "${other.kind}" and "${definition.kind}" both name their learner action "${action}"`);
    byLearnerAction.set(action, definition);
  }
  const authoredKinds = new Set([...kinds.values()].filter((k) => k.authored).map((k) => k.kind));
  // Anonymisation blanks these fields wherever a state has them, without looking up each activity's
  // kind, so two kinds may share a field name only if they blank it the same way.
  const personalFields: Record<string, unknown> = {};
  const personalOwner = new Map<string, string>();
  for (const definition of kinds.values()) {
    for (const [field, blank] of Object.entries(definition.personalFields ?? {})) {
      const other = personalOwner.get(field);
      if (other && !isDeepStrictEqual(personalFields[field], blank)) {
        throw new ActivityRegistryError(`activity kinds "${other}" and "${definition.kind}" blank the personal field "${field}" differently`);
      }
      personalOwner.set(field, definition.kind);
      personalFields[field] = blank;
    }
  }
  return {
    kinds,
    kindNames: new Set(kinds.keys()),
    authoredKinds,
    get: (kind) => kinds.get(kind),
    byLearnerAction: (action) => byLearnerAction.get(action),
    personalFields,
  };
}

export const registry = buildRegistry(
  [reading, video, quiz, reflection, workplaceTask, teamSession, selfAssessment, moduleEvaluation],
  paths.views,
);

/** The implicit activity every lesson ends with; the module parser adds it (see reading.ts). */
export const lessonReadingKind = reading.kind;

function kindOf(kind: string): AnyActivityKind {
  const definition = registry.get(kind);
  if (!definition) throw new ValidationError(`unknown activity kind ${kind}`);
  return definition;
}

/** A learner's state for an activity: what is stored, or the kind's initial state. */
export function stateOrInitial(kind: string, stored: unknown): unknown {
  const definition = kindOf(kind);
  if (stored === undefined || stored === null) return definition.initialState();
  const parsed = definition.stateSchema.safeParse(stored);
  return parsed.success ? parsed.data : definition.initialState();
}

/**
 * Runs a learner action: validates the input with the action's schema, applies the pure action and
 * checks the result against the kind's state schema.
 */
export function runAction(kind: string, actionName: string, settings: unknown, state: unknown, input: unknown, now: Date, learner?: LearnerContext): unknown {
  const definition = kindOf(kind);
  const act = Object.hasOwn(definition.actions, actionName) ? definition.actions[actionName] : undefined;
  if (!act) throw new ValidationError(`unknown action ${kind}.${actionName}`);
  const parsedInput = act.input.safeParse(input);
  if (!parsedInput.success) {
    const fields = Object.fromEntries(parsedInput.error.issues.map((issue) => [issue.path.join('.') || 'input', 'errors:validation']));
    throw new ValidationError(`invalid input for ${kind}.${actionName}`, fields);
  }
  const parsedSettings = definition.settingsSchema.parse(settings);
  const next = act.apply(parsedSettings, stateOrInitial(kind, state), parsedInput.data, now, learner);
  return definition.stateSchema.parse(next);
}

/** The action (and its input) that completes an activity of this kind: see ActivityKind.completingAction. */
export function completingAction(kind: string, settings: unknown): { action: string; input: unknown } {
  const definition = kindOf(kind);
  return definition.completingAction(definition.settingsSchema.parse(settings));
}

export function isActivityComplete(kind: string, settings: unknown, state: unknown): boolean {
  const definition = kindOf(kind);
  return definition.isComplete(definition.settingsSchema.parse(settings), stateOrInitial(kind, state));
}

/** Whether an activity counts towards completing its module (`required: false` makes it excluded). */
export function countsForCompletion(kind: string, settings: { required?: boolean }): boolean {
  return kindOf(kind).completion !== 'excluded' && settings.required !== false;
}

/** The activity's public view as this learner sees it now (see ActivityKind.learnerView). */
export function learnerView(kind: string, settings: unknown, view: Record<string, unknown>, state: unknown, learner: LearnerContext): Record<string, unknown> {
  const definition = kindOf(kind);
  if (!definition.learnerView) return view;
  return definition.learnerView(definition.settingsSchema.parse(settings), view, stateOrInitial(kind, state), learner);
}

export function activityFeedback(kind: string, settings: unknown, state: unknown): unknown {
  const definition = kindOf(kind);
  if (!definition.feedback || state === undefined || state === null) return null;
  return definition.feedback(definition.settingsSchema.parse(settings), stateOrInitial(kind, state));
}

/** The action a learner takes on an activity of this kind themselves, or null (a leader records it). */
export function learnerActionOf(kind: string): string | null {
  return kindOf(kind).learnerAction ?? null;
}

/** Reads a learner action's form with its kind's parseForm; an action without one takes no input. */
export function parseLearnerForm(action: string, body: Record<string, unknown>): ParsedForm {
  const parse = registry.byLearnerAction(action)?.parseForm;
  return parse ? parse(body) : { input: {}, typed: null, errors: {} };
}

/**
 * The suffix of the element id that shows an input field of a learner action's form (see
 * ActivityKind.fieldIds), or undefined when the field has no control of its own.
 */
export function learnerFieldId(action: string, field: string): string | undefined {
  const ids = registry.byLearnerAction(action)?.fieldIds;
  return ids && Object.hasOwn(ids, field) ? ids[field] : undefined;
}

/** When the learner last did something with an activity; undefined if never (or the kind does not say). */
export function lastTouchedAt(kind: string, state: unknown): Date | undefined {
  const definition = kindOf(kind);
  if (!definition.lastTouchedAt || state === undefined || state === null) return undefined;
  return definition.lastTouchedAt(stateOrInitial(kind, state));
}

/** What an activity adds to its learner's learning log, or null (nothing written yet, or a kind with no log). */
export function journalEntry(kind: string, settings: unknown, state: unknown): JournalEntry | null {
  const definition = kindOf(kind);
  if (!definition.journalEntry || state === undefined || state === null) return null;
  return definition.journalEntry(definition.settingsSchema.parse(settings), stateOrInitial(kind, state));
}

/** The multiple-choice questions an activity asks (for the editorial checks); none for most kinds. */
export function choiceQuestions(kind: string, settings: unknown): ChoiceQuestion[] {
  const definition = kindOf(kind);
  return definition.choiceQuestions ? definition.choiceQuestions(definition.settingsSchema.parse(settings)) : [];
}

/** The i18n key (given `{ title }`) that names an activity in the lesson's list of what is left; null: its title does. */
export function listedAs(kind: string, title: string): string | null {
  const listed = kindOf(kind).listedAs;
  if (!listed || (listed.untitledOnly && title)) return null;
  return listed.key;
}

/** What authors see about an activity across its learners' stored states; null for kinds without statistics. */
export function activityStatistics(kind: string, settings: unknown, stored: readonly unknown[]): ActivityStatistics | null {
  const definition = kindOf(kind);
  if (!definition.statistics) return null;
  // Stored states are written field by field with atomic operators, so a field no write has set yet
  // (a quiz never passed has no passedAt) is absent: the kind's initial state fills it in.
  const initial = definition.initialState() as Record<string, unknown>;
  const states = stored
    .filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null && !Array.isArray(s))
    .map((s) => stateOrInitial(kind, { ...initial, ...s }));
  return definition.statistics(definition.settingsSchema.parse(settings), states);
}

/** Figures across all the activities of one kind in a module (see ActivityKind.combinedStatistics); null when the kind has none. */
export function combinedStatistics(kind: string, blocks: ReadonlyArray<{ settings: unknown; stored: readonly unknown[] }>): ActivityStatistics | null {
  const definition = kindOf(kind);
  if (!definition.combinedStatistics) return null;
  const initial = definition.initialState() as Record<string, unknown>;
  return definition.combinedStatistics(
    blocks.map((block) => ({
      settings: definition.settingsSchema.parse(block.settings),
      states: block.stored.map((s) => (typeof s === 'object' && s !== null && !Array.isArray(s) ? stateOrInitial(kind, { ...initial, ...s }) : null)),
    })),
  );
}

/**
 * One learner's contribution to the effect figures of one module version: every kind with an
 * `effect` hook reads its own activities' states (absent or malformed states count as unanswered).
 */
export function effectContribution(activities: ReadonlyArray<{ kind: string; settings: unknown; stored: unknown }>): EffectContribution {
  const result: EffectContribution = {};
  for (const kind of [...new Set(activities.map((a) => a.kind))]) {
    const definition = registry.get(kind);
    if (!definition?.effect) continue;
    const initial = definition.initialState() as Record<string, unknown>;
    // A block whose stored settings no longer pass the schema adds nothing (a report must not fail on it).
    const blocks = activities
      .filter((a) => a.kind === kind)
      .flatMap((a) => {
        const settings = definition.settingsSchema.safeParse(a.settings);
        if (!settings.success) return [];
        return [{ settings: settings.data, state: typeof a.stored === 'object' && a.stored !== null && !Array.isArray(a.stored) ? stateOrInitial(kind, { ...initial, ...(a.stored as Record<string, unknown>) }) : null }];
      });
    const part = definition.effect(blocks);
    if (part?.change) result.change = part.change;
    if (part?.evaluation) result.evaluation = part.evaluation;
  }
  return result;
}

/** Whether a leader's view of one person may show this activity at all (see ActivityKind.hiddenFromLeaders). */
export function shownToLeaders(kind: string): boolean {
  return registry.get(kind)?.hiddenFromLeaders !== true;
}

/** The state with the person's own answers blanked (see ActivityKind.personalFields); the same object when there were none. */
export function anonymisedFields(state: Record<string, unknown>): Record<string, unknown> {
  const blanked: Record<string, unknown> = {};
  for (const [field, blank] of Object.entries(registry.personalFields)) {
    if (Object.hasOwn(state, field) && !isDeepStrictEqual(state[field], blank)) blanked[field] = blank;
  }
  return blanked;
}

/** Whether a leader records this kind for each person (a team session's attendance). */
export function isRecordedByLeader(kind: string): boolean {
  return registry.get(kind)?.recordedByLeader !== undefined;
}

/** What a leader has recorded for one person: whether they took part. */
export function recordedAttendance(kind: string, state: unknown): boolean {
  const record = kindOf(kind).recordedByLeader;
  if (!record) throw new ValidationError(`a leader records nothing for ${kind}`);
  return record.attended(stateOrInitial(kind, state));
}

/** The action, and its input, by which a leader records whether a person took part. */
export function attendanceAction(kind: string, attended: boolean, recordedBy: string): { action: string; input: unknown } {
  const record = kindOf(kind).recordedByLeader;
  if (!record) throw new ValidationError(`a leader records nothing for ${kind}`);
  return record.record(attended, recordedBy);
}
