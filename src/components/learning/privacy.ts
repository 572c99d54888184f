import { anonymisedFields } from '../../activities/index.js';
import { CompletionModel, ProgressModel, progressCollection } from './models.js';
import { ANONYMISED_NAME, findPerson } from '../accounts/index.js';
import { scrubCollection } from '../people/index.js';
import { anonymiseFollowUps, followUpDataOf } from './follow-up.js';

/**
 * What learning stores about a person, for "download my data" and for anonymisation (registered
 * with the people component). Not hot paths: these read by `userId`, which scans.
 */

type StoredProgress = { _id: string; moduleSlug: string; major: number; minor: number; activities?: Record<string, Record<string, unknown>>; startedAt: Date; updatedAt: Date; completedAt: Date | null; completedVersionId: string | null };

/** The person's progress (with their own reflections and notes), completions and certificates. */
export async function learningDataOf(personId: string): Promise<unknown> {
  const [progress, completions, followUps] = await Promise.all([
    ProgressModel.find({ userId: { $eq: personId } }).lean<StoredProgress[]>(),
    CompletionModel.find({ userId: { $eq: personId } }).lean(),
    followUpDataOf(personId),
  ]);
  return {
    progress: progress.map((p) => ({
      module: p.moduleSlug,
      major: p.major,
      minor: p.minor,
      startedAt: p.startedAt,
      updatedAt: p.updatedAt,
      completedAt: p.completedAt,
      completedVersion: p.completedVersionId,
      activities: p.activities ?? {},
    })),
    completions: completions.map((c) => ({
      module: c.moduleSlug,
      version: c.versionId,
      completedAt: c.completedAt,
      minutes: c.minutes,
      unitIds: c.unitIds,
      certificateCode: c.certificateCode,
    })),
    // «Har du endret noe i praksis?» three months after: the scale and the person's own text.
    followUps,
  };
}

/**
 * Wipes what the person wrote (reflection texts and workplace-task notes) and answered (ratings and
 * suggestions of the kinds that declare personalFields) and keeps the facts:
 * progress, completions and certificates still count in reports, without anything that identifies
 * them in their own words. Idempotent.
 */
export async function anonymiseLearning(personId: string): Promise<void> {
  const progress = await ProgressModel.find({ userId: { $eq: personId } }, { activities: 1 }).lean<Array<Pick<StoredProgress, '_id' | 'activities'>>>();
  for (const doc of progress) {
    const set: Record<string, unknown> = {};
    for (const [id, state] of Object.entries(doc.activities ?? {})) {
      if (typeof state?.text === 'string' && state.text !== '') set[`activities.${id}.text`] = '';
      if (typeof state?.note === 'string' && state.note !== '') set[`activities.${id}.note`] = '';
      // Ratings and suggestions (self-assessments, evaluations) go too; when they were given stays, so counts hold.
      if (state && typeof state === 'object') for (const [field, blank] of Object.entries(anonymisedFields(state))) set[`activities.${id}.${field}`] = blank;
    }
    if (Object.keys(set).length > 0) await progressCollection.updateOne({ _id: doc._id }, { $set: set });
  }
  // The follow-up answers lose their text and their link to the person; the scale stays, unattributed.
  await anonymiseFollowUps(personId);
  // The summary document holds no free text; certificates are kept, as they verify a completion.
  // As a leader: other people's progress names who recorded their team-session attendance.
  const person = await findPerson(personId);
  if (person && person.status !== 'anonymised') await scrubCollection(ProgressModel.collection, person, ANONYMISED_NAME);
}
