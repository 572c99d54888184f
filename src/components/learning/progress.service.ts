import type { Logger } from '../../lib/logger.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { progressActions } from '../../lib/metrics.js';
import { registry, isActivityComplete, countsForCompletion, stateOrInitial, completingAction, runAction } from '../../activities/index.js';
import type { AtomicUpdate } from '../../activities/types.js';
import { certificateCollection, completionCollection, learnerCollection, LearnerModel, progressCollection, ProgressModel, progressId, type LearnerModuleEntry } from './models.js';
import { newCertificateCode } from './certificate-code.js';
import { emitCompletionRecorded, emitProgressStarted, emitProgressUpdated } from './events.js';

/** What learning needs of a published module version (the modules component provides it). */
export interface VersionForLearning {
  id: string;
  slug: string;
  major: number;
  minor: number;
  title: string;
  minutes: number;
  activities: ReadonlyArray<{ id: string; kind: string; lesson: string; settings: { required?: boolean } & Record<string, unknown> }>;
}

export interface ProgressView {
  id: string;
  versionId: string;
  activities: Record<string, unknown>;
  completedAt: Date | null;
  lastLesson: string | null;
  startedAt: Date | null;
  /** The newest minor version the person has worked in (the version's own before their first action). */
  minor: number;
  /** When the person last acted here; null before their first action. */
  updatedAt: Date | null;
  /**
   * The action ids this progress already includes, each with when and in which lesson it was applied
   * (`<ISO time> <lesson>`): an `act` tells from them which actions came between its read and its update.
   */
  actions: Readonly<Record<string, string>>;
  /** How many actions have been applied here (null: a document from before they were counted). */
  seq: number | null;
}

export interface ActionRequest {
  userId: string;
  version: VersionForLearning;
  activityId: string;
  action: string;
  input: unknown;
  /** From the form: a resubmission with the same id changes nothing. */
  actionId: string;
  /** Units the person belongs to now, recorded on a completion. */
  unitIds: readonly string[];
  now?: Date;
  /**
   * The progress as the caller read it before this action (the pre-image). With it, the person's
   * summary is written and the report entry recomputed only when what they show changes; without
   * it, both always are.
   */
  before?: ProgressView;
}

export interface ActionResult {
  progress: ProgressView;
  /** False when the action had already been applied, or an older write lost to a newer one. */
  applied: boolean;
  /** True only for the action that completed the module. */
  completedNow: boolean;
}

const ACTION_ID = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * How many applied action ids a progress document remembers. A double click, a retry or a
 * resubmitted form is recognised among the newest ones; keeping every id forever would make the
 * document, and every read of it, grow with each action.
 */
export const REMEMBERED_ACTIONS = 100;
const PRUNE_ABOVE = 150;

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}

/** The stored state of each activity merged over its kind's initial state. */
export function activityStates(version: VersionForLearning, stored: Record<string, unknown> | undefined): Record<string, unknown> {
  const states: Record<string, unknown> = {};
  for (const activity of version.activities) {
    const kind = registry.get(activity.kind);
    const raw = stored?.[activity.id];
    states[activity.id] = raw && typeof raw === 'object' ? stateOrInitial(activity.kind, { ...(kind?.initialState() as object), ...raw }) : stateOrInitial(activity.kind, undefined);
  }
  return states;
}

/** Required activities of a version, and how many of them are complete for these states. */
export function completionOf(version: VersionForLearning, states: Record<string, unknown>): { required: number; done: number; complete: boolean; percent: number } {
  const required = version.activities.filter((a) => countsForCompletion(a.kind, a.settings));
  const done = required.filter((a) => isActivityComplete(a.kind, a.settings, states[a.id])).length;
  const percent = required.length === 0 ? 100 : Math.floor((100 * done) / required.length);
  return { required: required.length, done, complete: done === required.length, percent };
}

type StoredProgress = {
  _id: string;
  minor?: number;
  activities?: unknown;
  actions?: Record<string, string>;
  completedAt?: Date | null;
  lastLesson?: string | null;
  startedAt?: Date | null;
  updatedAt?: Date | null;
  /** Counts the actions applied to this document: orders their writes of the summary's lastLesson. */
  seq?: number;
};

function toView(doc: StoredProgress | null, version: VersionForLearning): ProgressView {
  return {
    id: doc?._id ?? '',
    // The newest minor the person has worked in (progress carries over minor versions).
    versionId: `${version.slug}@${version.major}.${Math.max(doc?.minor ?? version.minor, 0)}`,
    activities: activityStates(version, (doc?.activities ?? {}) as Record<string, unknown>),
    completedAt: doc?.completedAt ?? null,
    lastLesson: doc?.lastLesson ?? null,
    startedAt: doc?.startedAt ?? null,
    minor: Math.max(doc?.minor ?? version.minor, 0),
    updatedAt: doc?.updatedAt ?? null,
    actions: doc?.actions ?? {},
    seq: typeof doc?.seq === 'number' ? doc.seq : doc ? null : 0,
  };
}

/**
 * How long the summary's `updatedAt` may lag: an action that changes nothing the summary shows
 * still writes it when the person's previous action here is at least this old (the first action
 * after a pause). No reader uses that field today (docs/learning.md, «The person's summary»); the
 * bound keeps it a sound "last active, to within a working stretch" should one come, and lets a
 * summary that missed a write (a crash just after the progress update) mend at the next pause.
 */
export const SUMMARY_REFRESH_MS = 60 * 60_000;

/** What the person's summary entry shows for this progress, `updatedAt` aside. */
interface SummaryShown {
  minor: number;
  percent: number;
  lastLesson: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

function summaryShown(version: VersionForLearning, view: ProgressView): SummaryShown {
  return {
    minor: view.minor,
    percent: view.completedAt ? 100 : completionOf(version, view.activities).percent,
    lastLesson: view.lastLesson,
    startedAt: view.startedAt ? view.startedAt.toISOString() : null,
    completedAt: view.completedAt ? view.completedAt.toISOString() : null,
  };
}

/** The lesson an action was applied in, from its entry in `actions` (null: stored before lessons were). */
/**
 * An applied action id's stored entry: when it was applied and in which lesson (`"<ISO time> <lesson>"`;
 * entries written before the lesson was recorded hold the time alone). The time first, so entries sort by time.
 */
export function actionEntry(at: Date, lesson: string): string {
  return `${at.toISOString()} ${lesson}`;
}

/** The time and lesson of a stored action entry (null where the entry has none, or it is unreadable). */
export function readActionEntry(entry: string): { at: Date | null; lesson: string | null } {
  const space = entry.indexOf(' ');
  const at = new Date(space < 0 ? entry : entry.slice(0, space));
  return { at: Number.isNaN(at.getTime()) ? null : at, lesson: space < 0 ? null : entry.slice(space + 1) };
}

/** The action ids to forget so that the newest REMEMBERED_ACTIONS stay, once more than PRUNE_ABOVE are stored (entries sort by time). */
function oldestActionIds(actions: Readonly<Record<string, string>> | undefined): string[] {
  const entries = Object.entries(actions ?? {});
  if (entries.length <= PRUNE_ABOVE) return [];
  return entries
    .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .slice(0, entries.length - REMEMBERED_ACTIONS)
    .map(([key]) => key);
}

/**
 * The summary's lesson mark: the progress document's `seq` of the action (zero-padded, so that `$max`
 * keeps the latest action's) and the lesson it was in. Two tabs in two lessons thus leave the summary
 * with the lesson the progress ends with, whatever order their writes arrive in.
 */
export function lessonMark(seq: number, lesson: string | null): string {
  return `${String(seq).padStart(12, '0')} ${lesson ?? ''}`;
}

/** A stored summary entry as its readers see it: `lastLesson` from the lesson mark (entries from before the mark keep theirs). */
export function readSummaryEntry(stored: LearnerModuleEntry): LearnerModuleEntry {
  if (typeof stored.lessonMark !== 'string') return stored;
  return { ...stored, lastLesson: stored.lessonMark.slice(13) || null };
}

/**
 * What the action changed for the summary and for the reports, from the progress before it (the
 * caller's read) and after it (this action's atomic update, which is authoritative).
 *
 * Skipping is sound because every value a progress document takes is written to the summary by the
 * action that made it, and that action raises the event that recomputes the report entry after its
 * write: by induction, if this action's after-image shows what its pre-image showed, the values it
 * would write were made, and written, by earlier actions (or are being: their event follows their
 * write). That holds even when other actions came between this one's read and its update, for the
 * numbers and dates — they are `$max`/`$min`, so the order of the writes does not matter. Not quite
 * for `lastLesson`: it may have gone to another lesson and back in between (two tabs in two lessons),
 * and then the last action must write it, as the highest `seq`. Every state's `lastLesson` is the
 * lesson of the action that made it, which `actions` records, so an action writes the summary when
 * one that came in between was in another lesson, or may have been (its entry is from before lessons
 * were recorded, or the count `seq` says more came between than `actions` still shows: pruned
 * meanwhile). Reports do not read `lastLesson`: no event for it.
 */
function changesOf(version: VersionForLearning, before: ProgressView | undefined, after: ProgressView, action: { id: string; applied: boolean }, now: Date): { summary: boolean; report: boolean } {
  if (!before?.startedAt) return { summary: true, report: true };
  const was = summaryShown(version, before);
  const is = summaryShown(version, after);
  // Reports read started, completed and percent of the summary (reports/sources.ts factsFromLearner).
  const report = was.startedAt !== is.startedAt || was.completedAt !== is.completedAt || was.percent !== is.percent;
  // The actions applied between this one's read and its update: all of them are in `after.actions`
  // when their number is what the count (`seq`) says — none was pruned meanwhile — and then their
  // lessons are known. Otherwise (or for a document from before the count) assume one was elsewhere.
  const between = Object.keys(after.actions).filter((id) => id !== action.id && !Object.hasOwn(before.actions, id));
  const allSeen = before.seq !== null && after.seq !== null && between.length === after.seq - before.seq - (action.applied ? 1 : 0);
  const elsewhere = !allSeen || between.some((id) => readActionEntry(after.actions[id]!).lesson !== is.lastLesson);
  const idle = !before.updatedAt || now.getTime() - before.updatedAt.getTime() >= SUMMARY_REFRESH_MS;
  return { summary: report || idle || elsewhere || was.minor !== is.minor || was.lastLesson !== is.lastLesson, report };
}

/** Prefixes an activity's atomic update with its path in the progress document. */
function toMongoUpdate(activityId: string, update: AtomicUpdate): Record<string, Record<string, unknown>> {
  const prefix = `activities.${activityId}.`;
  const ops: Record<string, Record<string, unknown>> = {};
  const add = (op: string, fields: Record<string, unknown> | undefined) => {
    if (!fields || Object.keys(fields).length === 0) return;
    ops[op] = Object.fromEntries(Object.entries(fields).map(([k, v]) => [prefix + k, v]));
  };
  add('$set', update.set);
  add('$min', update.min);
  add('$max', update.max);
  add('$inc', update.inc);
  return ops;
}

export class ProgressService {
  constructor(private readonly logger: Logger) {}

  async get(userId: string, version: VersionForLearning): Promise<ProgressView> {
    const doc = await ProgressModel.findById(progressId(userId, version.slug, version.major)).lean<StoredProgress>();
    return toView(doc, version);
  }

  /**
   * Applies one learner action with a single atomic update of the progress document, then
   * records completion once. Safe under retries, double clicks and parallel requests.
   */
  async act(request: ActionRequest): Promise<ActionResult> {
    const { userId, version, activityId, action, actionId } = request;
    const now = request.now ?? new Date();
    if (!ACTION_ID.test(actionId)) throw new ValidationError('bad action id', { actionId: 'learning:errors.actionId' });
    const activity = version.activities.find((a) => a.id === activityId);
    if (!activity) throw new NotFoundError(`no activity ${activityId} in ${version.id}`);
    const kind = registry.get(activity.kind);
    const definition = kind && Object.hasOwn(kind.actions, action) ? kind.actions[action] : undefined;
    if (!kind || !definition) throw new ValidationError(`unknown action ${activity.kind}.${action}`, { action: 'learning:errors.action' });
    const input = definition.input.safeParse(request.input);
    if (!input.success) {
      const fields = Object.fromEntries(input.error.issues.map((i) => [i.path.join('.') || 'input', 'learning:errors.input']));
      throw new ValidationError(`invalid input for ${activity.kind}.${action}`, fields);
    }
    const settings = kind.settingsSchema.parse(activity.settings);
    const atomic = definition.atomic(settings, input.data, now, { learnerKey: userId });

    const id = progressId(userId, version.slug, version.major);
    const filter: Record<string, unknown> = { _id: id, [`actions.${actionId}`]: { $exists: false } };
    if (atomic.onlyIfNotNewer) {
      const field = `activities.${activityId}.${atomic.onlyIfNotNewer}`;
      filter.$or = [{ [field]: { $exists: false } }, { [field]: { $lte: now.toISOString() } }];
    }
    const update = toMongoUpdate(activityId, atomic);
    update.$set = {
      ...(update.$set ?? {}),
      // When (pruning keeps the newest) and where (changesOf: did another lesson come between?).
      [`actions.${actionId}`]: actionEntry(now, activity.lesson),
      updatedAt: now,
      lastLesson: activity.lesson,
    };
    // A newer minor version than the one recorded moves the person onto it; never back.
    update.$max = { ...(update.$max ?? {}), minor: version.minor };
    update.$inc = { ...(update.$inc ?? {}), seq: 1 };
    update.$setOnInsert = { userId, moduleSlug: version.slug, major: version.major, startedAt: now, completedAt: null, completedVersionId: null };
    // Old action ids are forgotten in the same update, chosen from the progress the request read
    // before it: no second write (it was one every few actions under parallel answers).
    const preImage = request.before?.id === id ? request.before : undefined;
    const forgotten = preImage ? oldestActionIds(preImage.actions).filter((key) => key !== actionId) : [];
    if (forgotten.length > 0) update.$unset = Object.fromEntries(forgotten.map((key) => [`actions.${key}`, '']));

    let applied = true;
    let doc: StoredProgress | null;
    try {
      doc = await progressCollection.findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' });
    } catch (err) {
      // The filter did not match an existing document (the action was already applied, or a newer
      // write of this activity is stored), so the upsert collided with it: nothing to do.
      if (!isDuplicateKey(err)) throw err;
      applied = false;
      doc = await progressCollection.findOne({ _id: id });
    }
    if (!doc) throw new Error(`progress ${id} vanished`);
    if (!preImage) await this.forgetOldActions(id, doc.actions as Record<string, string> | undefined);
    const startedNow = applied && (doc.startedAt as Date | undefined)?.getTime() === now.getTime();

    const view = toView(doc, version);
    const completedNow = !view.completedAt && completionOf(version, view.activities).complete ? await this.recordCompletion(id, request, now) : false;
    if (completedNow) view.completedAt = now;
    // Compared only with a pre-image of this very document (another one tells nothing: write).
    const changed = changesOf(version, preImage, view, { id: actionId, applied }, now);
    if (changed.summary) await this.updateLearnerSummary(userId, version, view, now, doc.seq ?? 0);
    // The events go out together once everything is stored, so a listener reads the action's whole
    // outcome, and the listeners that recompute a person can do it once for all of them.
    const events: Array<Promise<void>> = [];
    const unitIds = [...request.unitIds];
    if (startedNow) events.push(emitProgressStarted({ progressId: id, userId, moduleSlug: version.slug, major: version.major, unitIds, startedAt: now }, this.logger));
    if (completedNow) {
      events.push(
        emitCompletionRecorded({ completionId: id, userId, moduleSlug: version.slug, versionId: version.id, major: version.major, unitIds, completedAt: now }, this.logger),
      );
    }
    // Only an action that changed what the report entry is computed from asks for a recomputation.
    if (applied && changed.report) {
      const percent = view.completedAt ? 100 : completionOf(version, view.activities).percent;
      events.push(emitProgressUpdated({ userId, moduleSlug: version.slug, major: version.major, percent, unitIds, updatedAt: now }, this.logger));
    }
    await Promise.all(events);
    progressActions.inc({ outcome: applied ? 'applied' : 'repeated' });
    return { progress: view, applied, completedNow };
  }

  /**
   * Modules done from start to finish at given times (the demo municipality's history), written in a
   * few bulk writes: each activity gets the state its kind's completing action gives, and each
   * completion is recorded as a learner's last action records it — progress, completion fact,
   * certificate, the learner's summary, the completion event. People who already have progress in
   * that major are left alone. With `activitiesDone`, only that many of the first activities are done
   * (started, not finished: no completion). Returns how many were recorded.
   *
   * With `announce: false` no events are raised: for a caller that rebuilds the report summaries
   * once afterwards (the demo seed), where a recomputation per record would only be thrown away.
   */
  async completeManyAsOf(
    requests: ReadonlyArray<{ userId: string; version: VersionForLearning; unitIds: readonly string[]; startedAt: Date; completedAt: Date; activitiesDone?: number }>,
    options: { announce?: boolean } = {},
  ): Promise<number> {
    const ids = requests.map((r) => progressId(r.userId, r.version.slug, r.version.major));
    const existing = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const found = await progressCollection.find({ _id: { $in: ids.slice(i, i + 500) } }, { projection: { _id: 1 } }).toArray();
      for (const f of found) existing.add(String(f._id));
    }
    // Only records not stored yet, each once (a repeated request is the same record): `existing`
    // grows as they are taken, which also drops later duplicates without a quadratic search.
    const missing = requests
      .map((r, i) => ({ ...r, id: ids[i]! }))
      .filter((r) => {
        if (existing.has(r.id)) return false;
        existing.add(r.id);
        return true;
      });
    if (!missing.length) return 0;
    const made = missing.map((r) => {
      const done = r.version.activities.slice(0, r.activitiesDone ?? r.version.activities.length);
      const activities = Object.fromEntries(
        done.map((a) => {
          const { action, input } = completingAction(a.kind, a.settings);
          return [a.id, runAction(a.kind, action, a.settings, undefined, input, r.completedAt)];
        }),
      );
      const lastLesson = done[done.length - 1]?.lesson ?? null;
      const { complete, percent } = completionOf(r.version, activityStates(r.version, activities));
      return { ...r, activities, lastLesson, complete, percent, certificateCode: newCertificateCode() };
    });
    const completed = made.filter((m) => m.complete);
    // In chunks: one long write would hold the embedded database's lock for too long.
    const chunks = <T>(list: T[], size = 100): T[][] => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
    for (const part of chunks(made)) {
      await progressCollection.insertMany(
        part.map((m) => ({
          _id: m.id,
          userId: m.userId,
          moduleSlug: m.version.slug,
          major: m.version.major,
          minor: m.version.minor,
          activities: m.activities,
          actions: {},
          startedAt: m.startedAt,
          updatedAt: m.completedAt,
          lastLesson: m.lastLesson,
          completedAt: m.complete ? m.completedAt : null,
          completedVersionId: m.complete ? m.version.id : null,
          seq: 0,
        })),
      );
      const finished = part.filter((m) => m.complete);
      if (!finished.length) continue;
      await completionCollection.insertMany(
        finished.map((m) => ({
          _id: m.id,
          userId: m.userId,
          moduleSlug: m.version.slug,
          versionId: m.version.id,
          major: m.version.major,
          unitIds: [...m.unitIds],
          completedAt: m.completedAt,
          minutes: m.version.minutes,
          certificateCode: m.certificateCode,
        })),
      );
      await certificateCollection.insertMany(finished.map((m) => ({ _id: m.certificateCode, completionId: m.id })));
    }
    // The learners' summaries: a new summary document per person who has none, else one update each.
    const entry = (m: (typeof made)[number]) => ({
      minor: m.version.minor,
      percent: m.complete ? 100 : m.percent,
      lastLesson: m.lastLesson,
      startedAt: m.startedAt.toISOString(),
      updatedAt: m.completedAt.toISOString(),
      completedAt: m.complete ? m.completedAt.toISOString() : null,
    });
    const people = [...new Set(made.map((m) => m.userId))];
    const haveSummary = new Set<string>();
    for (const part of chunks(people, 500)) {
      for (const f of await learnerCollection.find({ _id: { $in: part } }, { projection: { _id: 1 } }).toArray()) haveSummary.add(String(f._id));
    }
    const fresh = people.filter((p) => !haveSummary.has(p));
    for (const part of chunks(fresh)) {
      await learnerCollection.insertMany(
        part.map((userId) => {
          const modules: Record<string, Record<string, unknown>> = {};
          for (const m of made.filter((x) => x.userId === userId)) modules[m.version.slug] = { ...(modules[m.version.slug] ?? {}), [`m${m.version.major}`]: entry(m) };
          return { _id: userId, modules };
        }),
      );
    }
    for (const m of made.filter((x) => haveSummary.has(x.userId))) {
      const base = `modules.${m.version.slug}.m${m.version.major}`;
      const e = entry(m);
      await learnerCollection.updateOne(
        { _id: m.userId },
        { $set: { [`${base}.lastLesson`]: e.lastLesson }, $max: { [`${base}.minor`]: e.minor, [`${base}.percent`]: e.percent, [`${base}.updatedAt`]: e.updatedAt, [`${base}.completedAt`]: e.completedAt }, $min: { [`${base}.startedAt`]: e.startedAt } },
        { upsert: true },
      );
    }
    for (const m of options.announce === false ? [] : made) {
      // A record's events go out together, as a learner's action's do (one recomputation each).
      await Promise.all([
        emitProgressStarted({ progressId: m.id, userId: m.userId, moduleSlug: m.version.slug, major: m.version.major, unitIds: [...m.unitIds], startedAt: m.startedAt }, this.logger),
        m.complete
          ? emitCompletionRecorded(
              { completionId: m.id, userId: m.userId, moduleSlug: m.version.slug, versionId: m.version.id, major: m.version.major, unitIds: [...m.unitIds], completedAt: m.completedAt },
              this.logger,
            )
          : emitProgressUpdated({ userId: m.userId, moduleSlug: m.version.slug, major: m.version.major, percent: m.percent, unitIds: [...m.unitIds], updatedAt: m.completedAt }, this.logger),
      ]);
    }
    this.logger.info({ completions: completed.length, started: made.length - completed.length }, 'progress recorded in bulk');
    return completed.length;
  }

  /** Keeps only the newest REMEMBERED_ACTIONS action ids, once there are more than PRUNE_ABOVE (writers without a pre-image). */
  private async forgetOldActions(id: string, actions: Record<string, string> | undefined): Promise<void> {
    const oldest = oldestActionIds(actions);
    if (oldest.length === 0) return;
    await progressCollection.updateOne({ _id: id }, { $unset: Object.fromEntries(oldest.map((key) => [`actions.${key}`, '' as const])) });
  }

  /**
   * Writes completion once (a conditional update on `completedAt: null`), then the append-only
   * fact. If the process dies between the two, the next action or `repairCompletions` adds the fact.
   * The caller raises the completion event with the action's other events.
   */
  private async recordCompletion(id: string, request: ActionRequest, now: Date): Promise<boolean> {
    const { version } = request;
    const marked = await progressCollection.updateOne(
      { _id: id, completedAt: null },
      { $set: { completedAt: now, completedVersionId: version.id } },
    );
    if (marked.modifiedCount !== 1) return false;
    await this.insertCompletionFact(id, request.userId, version, [...request.unitIds], now);
    this.logger.info({ userId: request.userId, versionId: version.id }, 'module completed');
    return true;
  }

  async insertCompletionFact(id: string, userId: string, version: VersionForLearning, unitIds: string[], completedAt: Date): Promise<void> {
    const certificateCode = newCertificateCode();
    try {
      await completionCollection.insertOne({
        _id: id,
        userId,
        moduleSlug: version.slug,
        versionId: version.id,
        major: version.major,
        unitIds,
        completedAt,
        minutes: version.minutes,
        certificateCode,
      });
    } catch (err) {
      if (isDuplicateKey(err)) return; // already recorded: facts are written once
      throw err;
    }
    await certificateCollection.insertOne({ _id: certificateCode, completionId: id });
  }

  /**
   * Keeps the person's one-document summary ("Mine kurs") in step with this progress. One entry
   * per major version. Parallel actions cannot leave it stale: its numbers and dates are written with
   * order-independent operators, `lastLesson` (the one value that can go back) too, as the lesson mark
   * of the action latest in the progress document's own order (`seq`, counted by the progress update)
   * — so two tabs in different lessons end with the lesson the progress ends with.
   */
  private async updateLearnerSummary(userId: string, version: VersionForLearning, view: ProgressView, now: Date, seq: number): Promise<void> {
    const { percent } = completionOf(version, view.activities);
    const base = `modules.${version.slug}.m${version.major}`;
    const rest: { $max: Record<string, unknown>; $min: Record<string, unknown> } = {
      $max: {
        [`${base}.minor`]: version.minor,
        [`${base}.percent`]: view.completedAt ? 100 : percent,
        [`${base}.updatedAt`]: now.toISOString(),
        [`${base}.completedAt`]: view.completedAt ? view.completedAt.toISOString() : null,
      },
      $min: { [`${base}.startedAt`]: (view.startedAt ?? now).toISOString() },
    };
    // One update by `_id` alone: the embedded database pushes only a lone `_id` filter down to SQLite,
    // so a conditional filter here (the first way this was written) scanned every summary under the
    // collection's write lock, and the fault drill's learners queued behind it. The lesson mark's `$max`
    // keeps the latest action's lesson without any condition.
    rest.$max[`${base}.lessonMark`] = lessonMark(seq, view.lastLesson);
    await learnerCollection.updateOne({ _id: userId }, rest, { upsert: true });
  }

  /** Per module slug, per major version (`m<major>`): what the person has done. */
  async summary(userId: string): Promise<Record<string, Record<string, LearnerModuleEntry>>> {
    const doc = await LearnerModel.findById(userId).lean<{ modules?: Record<string, Record<string, LearnerModuleEntry>> }>();
    return Object.fromEntries(Object.entries(doc?.modules ?? {}).map(([slug, majors]) => [slug, Object.fromEntries(Object.entries(majors).map(([m, entry]) => [m, readSummaryEntry(entry)]))]));
  }
}
