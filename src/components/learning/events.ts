import type { Logger } from '../../lib/logger.js';

/**
 * What learning tells other components (reports keep their summary counts from these). A listener
 * must be idempotent: after a crash or retry the same event can be delivered again.
 */
export interface CompletionRecorded {
  completionId: string;
  userId: string;
  moduleSlug: string;
  versionId: string;
  major: number;
  unitIds: string[];
  completedAt: Date;
}

export interface ProgressStarted {
  progressId: string;
  userId: string;
  moduleSlug: string;
  major: number;
  unitIds: string[];
  startedAt: Date;
}

/** A learner action changed a person's progress (reports show the percentage of work in progress). */
export interface ProgressUpdated {
  userId: string;
  moduleSlug: string;
  major: number;
  percent: number;
  unitIds: string[];
  updatedAt: Date;
}

type Listener<E> = (event: E) => Promise<void>;

// Per process, as the progress writes they announce: the report service binds to them once (reports.service.ts).
const completionListeners: Array<Listener<CompletionRecorded>> = [];
const startListeners: Array<Listener<ProgressStarted>> = [];
const updateListeners: Array<Listener<ProgressUpdated>> = [];

export function onCompletionRecorded(listener: Listener<CompletionRecorded>): void {
  completionListeners.push(listener);
}

export function onProgressStarted(listener: Listener<ProgressStarted>): void {
  startListeners.push(listener);
}

export function onProgressUpdated(listener: Listener<ProgressUpdated>): void {
  updateListeners.push(listener);
}

async function deliver<E>(listeners: Array<Listener<E>>, event: E, logger: Logger, name: string): Promise<void> {
  for (const listener of listeners) {
    try {
      await listener(event);
    } catch (err) {
      // The learner's action has succeeded and is stored; a summary that missed it is repaired by
      // the listener's own rebuild, so the action must not fail here.
      logger.error({ err, event: name }, 'learning event listener failed');
    }
  }
}

export const emitCompletionRecorded = (event: CompletionRecorded, logger: Logger) => deliver(completionListeners, event, logger, 'completion');
export const emitProgressStarted = (event: ProgressStarted, logger: Logger) => deliver(startListeners, event, logger, 'started');
export const emitProgressUpdated = (event: ProgressUpdated, logger: Logger) => deliver(updateListeners, event, logger, 'updated');
