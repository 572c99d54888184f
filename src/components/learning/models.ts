import mongoose, { Schema } from 'mongoose';
import { rawCollection } from '../../db/collections.js';

/**
 * Learning data. Every hot lookup goes by a deterministic string `_id`, because the embedded
 * FerretDB only hands `_id` equality down to SQLite (see GUIDE.md, "Speed on the embedded database").
 */

/** `<userId>:<moduleSlug>@<major>` — progress carries over minor versions, not major ones. */
export function progressId(userId: string, slug: string, major: number): string {
  return `${userId}:${slug}@${major}`;
}

/**
 * One person's progress in one major version of a module. Activity states live under
 * `activities.<activityId>` and are only ever changed by single-document atomic operators.
 */
const progressSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    moduleSlug: { type: String, required: true },
    major: { type: Number, required: true },
    /** The newest minor version the person has worked in (progress carries over minors). */
    minor: { type: Number, required: true },
    activities: { type: Schema.Types.Mixed, default: {} },
    /** Action ids already applied (a resubmitted form changes nothing) → `<ISO time> <lesson>`. */
    actions: { type: Schema.Types.Mixed, default: {} },
    /** Where to continue: the last lesson the person worked in. */
    lastLesson: { type: String, default: null },
    startedAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    /** Written once, when the last required activity completes; never moved back. */
    completedAt: { type: Date, default: null },
    completedVersionId: { type: String, default: null },
    /** How many actions were applied: orders their writes of the summary's `lastLesson` (progress.service.ts). */
    seq: { type: Number, default: 0 },
  },
  { versionKey: false, minimize: false },
);

/**
 * Append-only fact: a person completed a module version. `_id` = the progress id, so a retry
 * or a race can never record the same completion twice.
 */
const completionSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    moduleSlug: { type: String, required: true },
    versionId: { type: String, required: true },
    major: { type: Number, required: true },
    /** The units the person belonged to at the time (reports count per unit). */
    unitIds: { type: [String], default: [] },
    completedAt: { type: Date, required: true },
    /** The module's estimated time, for the certificate and time-spent reports. */
    minutes: { type: Number, required: true },
    certificateCode: { type: String, required: true },
  },
  { versionKey: false },
);
completionSchema.index({ userId: 1 });
completionSchema.index({ moduleSlug: 1, completedAt: 1 });

/** A certificate's public verification code → the completion it proves. */
const certificateSchema = new Schema(
  {
    _id: { type: String, required: true },
    completionId: { type: String, required: true },
  },
  { versionKey: false },
);

/**
 * A maintained summary per person (`_id` = user id) so "Mine kurs" is one lookup: the status of
 * each module the person has touched. Derived from progress, and written only when what it shows
 * changes (or at the first action after an hour's pause, which also repairs one that missed a write):
 * see ProgressService.act and docs/learning.md, «The person's summary».
 */
const learnerSchema = new Schema(
  {
    _id: { type: String, required: true },
    modules: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);

export const ProgressModel = mongoose.model('Progress', progressSchema, 'progress');
export const CompletionModel = mongoose.model('Completion', completionSchema, 'completions');
export const CertificateModel = mongoose.model('Certificate', certificateSchema, 'certificates');
export const LearnerModel = mongoose.model('Learner', learnerSchema, 'learners');

/** One major version of one module in a person's summary. */
export interface LearnerModuleEntry {
  minor: number;
  percent: number;
  startedAt: string;
  updatedAt: string;
  /** The lesson of the person's latest action (read from `lessonMark` where stored; see readSummaryEntry). */
  lastLesson: string | null;
  /** `<seq, 12 digits> <lesson>` of the latest action, kept by `$max` (progress.service.ts, lessonMark). */
  lessonMark?: string;
  /** ISO time the person completed this major version, or null. */
  completedAt: string | null;
}

/** The same collections for the driver's atomic operators, typed with their string `_id`s. */
export const progressCollection = rawCollection(ProgressModel, progressSchema);
export const certificateCollection = rawCollection(CertificateModel, certificateSchema);
export const learnerCollection = rawCollection(LearnerModel, learnerSchema);
export const completionCollection = rawCollection(CompletionModel, completionSchema);

/**
 * A person's answer, three months after completing a module, to «Har du endret noe i praksis?»:
 * `_id` = `<userId>:<moduleSlug>` (one answer per person and module; answering again replaces it).
 * The text is the person's own and only they see it. On anonymisation the text goes and the answer
 * is kept under a random `_id` without `userId`, so counts remain and nothing points to the person.
 */
const followUpSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, default: null },
    moduleSlug: { type: String, required: true },
    /** The module version the person completed. */
    versionId: { type: String, required: true },
    /** 1 «Ikke i det hele tatt» … 5 «I stor grad». */
    scale: { type: Number, required: true, min: 1, max: 5 },
    text: { type: String, default: '' },
    answeredAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const FollowUpModel = mongoose.model('FollowUp', followUpSchema, 'follow_ups');
export const followUpCollection = rawCollection(FollowUpModel, followUpSchema);

export function followUpId(userId: string, slug: string): string {
  return `${userId}:${slug}`;
}
