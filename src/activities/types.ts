import { z } from 'zod';

/**
 * The contract every activity kind fulfils (see GUIDE.md, "The activity registry"; the idea is
 * Open edX's XBlock completion API): what an author writes, what a learner's state looks like,
 * the pure actions that change that state, and when the activity counts as complete.
 */

/** How an activity completes: when seen, when a score is reached, by its own rule, or never counted. */
export type CompletionMode = 'on-view' | 'on-score' | 'custom' | 'excluded';

/** Activity ids are stored with learners' progress, so they are plain, stable slugs. */
export const activityIdSchema = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single hyphens')
  .max(60);

/** Settings every authored activity has. */
export const baseSettingsSchema = z.object({
  id: activityIdSchema,
  /** false: shown, but not needed to complete the module (completion mode "excluded"). */
  required: z.boolean().default(true),
});
export type BaseSettings = z.infer<typeof baseSettingsSchema>;

/** Short author text; Markdown where a field says so. */
export const text = (max: number) => z.string().trim().min(1).max(max);

/** What publicSettings may use to prepare an activity for a learner's page. */
export interface ViewContext {
  /** Served URL of a module file such as `assets/film.vtt`; undefined when there is no such file. */
  assetUrl(file: string): string | undefined;
  /** The text of a module file (transcripts); undefined when missing or not text. */
  readText(file: string): string | undefined;
  /** The one Markdown renderer, for prompts, instructions and transcripts. */
  markdown(source: string): string;
  /** The module's language (captions' srclang). */
  language: string;
}

/** A module file an activity's settings point at, so the checker can verify it exists. */
export interface FileReference {
  /** Path of the setting in the YAML (for the line number). */
  path: ReadonlyArray<string | number>;
  file: string;
  /** Extensions the file may have, lower case with the dot. */
  extensions: readonly string[];
}

/**
 * How an action is stored: single-document atomic operators on the activity's fields, so two
 * tabs, a double click or 200 parallel requests can never overwrite newer state with older.
 * `apply` stays the reference; unit tests check that these operators, run in any order, end in
 * the state `apply` gives.
 */
export interface AtomicUpdate {
  /** Last write wins. */
  set?: Record<string, unknown>;
  /** Earliest value wins (ISO timestamps: "first done at"). */
  min?: Record<string, unknown>;
  /** Highest value wins (best score). */
  max?: Record<string, number>;
  inc?: Record<string, number>;
  /** Apply only when this ISO-time field is absent or not newer than `now`: a slow, older request is dropped. */
  onlyIfNotNewer?: string;
}

/** Who is acting or looking, as far as a kind may know: an opaque, stable key per learner. */
export interface LearnerContext {
  learnerKey: string;
}

export interface ActionDefinition<Settings, State, Input> {
  input: z.ZodType<Input>;
  /** Pure: old state + validated input → new state. `now` is passed in so tests can fix time. */
  apply(settings: Settings, state: State, input: Input, now: Date, learner?: LearnerContext): State;
  /** The same change as atomic operators on the stored state (see AtomicUpdate). */
  atomic(settings: Settings, input: Input, now: Date, learner?: LearnerContext): AtomicUpdate;
}

/**
 * A learner's form post (or a script's JSON) read into an action's input. Reading never throws: it
 * gives the input, what the person typed (so a page with an error shows it again) and the problems,
 * as field → i18n key.
 */
export interface ParsedForm {
  input: unknown;
  /** Overrides of the activity's state for showing the page again with the typed values. */
  typed: Record<string, unknown> | null;
  errors: Record<string, string>;
}

/** What an activity adds to the learner's learning log: their own words, under the author's prompt. */
export interface JournalEntry {
  /** i18n key of what the entry is ("Refleksjon"). */
  label: string;
  /** The prompt or report question, as the author wrote it (Markdown source). */
  prompt: string;
  text: string;
  /** Whether they tried it in practice, for kinds that ask; null for the others. */
  tried: boolean | null;
  savedAt: Date | null;
}

/** A multiple-choice question as the editorial checks read it, with where it stands in the YAML. */
export interface ChoiceQuestion {
  id: string;
  text: string;
  options: ReadonlyArray<{ text: string; correct: boolean }>;
  /** Path of the question, and of its text, in the activity's YAML (for line numbers). */
  path: ReadonlyArray<string | number>;
  textPath: ReadonlyArray<string | number>;
}

/**
 * For kinds a leader records for each person instead of the person acting (a team session's
 * attendance).
 */
export interface LeaderRecord<State> {
  /** Whether the stored state says the person took part. */
  attended(state: State): boolean;
  /** The action, and its input, that records it (`recordedBy` is the leader's name). */
  record(attended: boolean, recordedBy: string): { action: string; input: unknown };
}

export interface ActivityKind<Settings extends BaseSettings = BaseSettings, State = unknown> {
  kind: string;
  /** What an author writes in the fenced block. */
  settingsSchema: z.ZodType<Settings, unknown>;
  /** One learner's state for one activity. */
  stateSchema: z.ZodType<State, unknown>;
  /** The EJS partial under views/ that renders the activity for a learner. */
  partial: string;
  completion: CompletionMode;
  /** False for kinds the platform adds itself (reading); authors may not write them. */
  authored: boolean;
  initialState(): State;
  // Each action's input type differs; callers go through the registry, which validates input first.
  actions: Record<string, ActionDefinition<Settings, State, unknown>>;
  isComplete(settings: Settings, state: State): boolean;
  /** What may reach a learner's page before they act (a quiz: no answers, no explanations). */
  publicSettings(settings: Settings, ctx: ViewContext): Record<string, unknown>;
  /**
   * The public view as one learner sees it in their current state (a quiz: its options in this
   * attempt's order). Without it every learner sees publicSettings as they are.
   */
  learnerView?(settings: Settings, view: Record<string, unknown>, state: State, learner: LearnerContext): Record<string, unknown>;
  /** What the learner may see after acting (a quiz: the explanations of their last attempt). */
  feedback?(settings: Settings, state: State): unknown;
  /** Module files the settings refer to. */
  files?(settings: Settings): FileReference[];
  /**
   * An action that completes the activity, as a learner who does it properly would take it: the
   * demo municipality's history is made of these (the input is a plain, non-personal example).
   */
  completingAction(settings: Settings): { action: string; input: unknown };
  /**
   * The one action a learner takes on the activity themselves: the lesson page's form posts to it,
   * and every other action is refused from a learner. Absent for kinds only a leader records.
   */
  learnerAction?: string;
  /**
   * Reads the form of the learner action. The lesson route reads it before the activity is looked
   * up (so the person's text survives any error), which is why learner action names are unique
   * across kinds. Without it the action takes no input.
   */
  parseForm?(body: Record<string, unknown>): ParsedForm;
  /**
   * Input field → the suffix of the element id the partial gives its control (`text` →
   * `act-<id>-text`), so an error message links to the field. Other fields link to the heading.
   */
  fieldIds?: Readonly<Record<string, string>>;
  /** When the learner last did something with the activity (a saved draft, a wrong answer); undefined if never. */
  lastTouchedAt?(state: State): Date | undefined;
  /** The learner's own words for the learning log, or null while there are none. */
  journalEntry?(settings: Settings, state: State): JournalEntry | null;
  /** The multiple-choice questions the activity asks, for the editorial checks of a module. */
  choiceQuestions?(settings: Settings): ChoiceQuestion[];
  /** For kinds a leader records for each person (then without learnerAction): how to read and write that record. */
  recordedByLeader?: LeaderRecord<State>;
  /**
   * How the lesson's list of what is left names the activity: an i18n key, given `{ title }`; with
   * `untitledOnly`, only when the author gave it no title. Without it the list shows the title.
   */
  listedAs?: { key: string; untitledOnly?: boolean };
  /**
   * The fields of the state that hold the person's own answers (ratings, a suggestion), each with the
   * value it takes when the person is anonymised; what stays (when they answered) still counts.
   */
  personalFields?: Readonly<Record<string, unknown>>;
  /**
   * The activity is the learner's own business: a leader's view of one person leaves it out entirely,
   * not even saying whether it was answered (a self-assessment, an evaluation of the module).
   */
  hiddenFromLeaders?: boolean;
  /**
   * What the module's authors may see about the activity across the learners of a version (only
   * learners who have a state for it are passed). Counts, shares and means only.
   */
  statistics?(settings: Settings, states: State[]): ActivityStatistics;
  /**
   * Figures across every activity of this kind in a module version together (a self-assessment's
   * before and after, side by side). `states[i]` of every block belongs to the same learner (null:
   * no state), so paired figures are possible; null when the blocks give nothing to combine.
   */
  combinedStatistics?(blocks: ReadonlyArray<{ settings: Settings; states: ReadonlyArray<State | null> }>): ActivityStatistics | null;
  /**
   * What one learner's answers to the activities of this kind in one module version add to the
   * effect figures of the reports (the change between a self-assessment before and after, an
   * evaluation's scores); null when they add nothing. Only aggregated, never shown per person.
   */
  effect?(blocks: ReadonlyArray<{ settings: Settings; state: State | null }>): EffectContribution | null;
}

/** One learner's contribution to the effect figures of one module version (see ActivityKind.effect). */
export interface EffectContribution {
  /** Paired self-assessment: the sum of (after − before) over the statements rated both times, how many, and when the after answer was given (ISO). */
  change?: { sum: number; pairs: number; at: string };
  /** The module evaluation: usefulness and relevance 1–5, would recommend, when (ISO). */
  evaluation?: { usefulness: number; relevance: number; recommend: boolean; at: string };
}

/**
 * What an author sees about one activity across its learners: counts, shares and means, never a
 * person. Captions and column heads are i18n keys; cells are numbers (shown in the page's
 * language), author texts, or null (nothing to show).
 */
export interface StatisticsTable {
  caption: string;
  captionParams?: Record<string, string | number>;
  head: string[];
  /** Cells: a number, an author text, an i18n key as `{ key }`, or null (nothing to show). */
  rows: Array<Array<string | number | null | { key: string }>>;
}
export interface ActivityStatistics {
  /** How many learners' answers the figures are made from. */
  answered: number;
  tables: StatisticsTable[];
  /** Free texts to the authors, without names, sorted so their order says nothing about who or when. */
  texts?: { heading: string; items: string[] };
}

/** An ISO time from a learner's state as a Date; undefined while it is not set. */
export function timeOf(iso: string | null): Date | undefined {
  return iso === null ? undefined : new Date(iso);
}

/** Identity helper that keeps each kind's own types while checking it against the contract. */
export function defineActivity<Settings extends BaseSettings, State>(definition: ActivityKind<Settings, State>): ActivityKind<Settings, State> {
  return definition;
}

/** Builds an action with its input type inferred from the schema. */
export function action<Settings, State, Input>(
  input: z.ZodType<Input, unknown>,
  apply: (settings: Settings, state: State, input: Input, now: Date, learner?: LearnerContext) => State,
  atomic: (settings: Settings, input: Input, now: Date, learner?: LearnerContext) => AtomicUpdate,
): ActionDefinition<Settings, State, unknown> {
  return { input, apply, atomic };
}

export const isoDate = z.iso.datetime();

/** A form field as text: a missing field, or a repeated one (an array), reads as empty. */
export function formText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
