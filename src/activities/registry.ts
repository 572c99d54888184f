import { existsSync } from 'node:fs';
import path from 'node:path';
import { paths } from '../config/index.js';
import { ValidationError } from '../lib/errors.js';
import { quiz } from './quiz.js';
import { reading } from './reading.js';
import { reflection } from './reflection.js';
import { teamSession } from './team-session.js';
import type { ActivityKind, BaseSettings, LearnerContext } from './types.js';
import { video } from './video.js';
import { workplaceTask } from './workplace-task.js';

/**
 * The activity registry. Each kind is imported explicitly (no directory scanning), so adding a kind
 * is one file, one partial and one line here. Building the registry refuses a duplicate kind or a
 * missing partial, and that happens when this module is first imported: at start-up.
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
}

export function buildRegistry(definitions: ReadonlyArray<AnyActivityKind>, viewsDir: string): ActivityRegistry {
  const kinds = new Map<string, AnyActivityKind>();
  for (const definition of definitions) {
    if (kinds.has(definition.kind)) throw new ActivityRegistryError(`activity kind "${definition.kind}" is registered twice`);
    const partial = path.join(viewsDir, `${definition.partial}.ejs`);
    if (!existsSync(partial)) throw new ActivityRegistryError(`activity kind "${definition.kind}" has no partial at ${partial}`);
    kinds.set(definition.kind, definition);
  }
  const authoredKinds = new Set([...kinds.values()].filter((k) => k.authored).map((k) => k.kind));
  return { kinds, kindNames: new Set(kinds.keys()), authoredKinds, get: (kind) => kinds.get(kind) };
}

export const registry = buildRegistry(
  [reading, video, quiz, reflection, workplaceTask, teamSession] as unknown as AnyActivityKind[],
  paths.views,
);

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
  const next = act.apply(parsedSettings, stateOrInitial(kind, state) as never, parsedInput.data as never, now, learner);
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
