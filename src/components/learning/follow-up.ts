import { randomUUID } from 'node:crypto';
import { completionCollection, followUpCollection, followUpId, FollowUpModel, progressId, type LearnerModuleEntry } from './models.js';

/**
 * The three-month follow-up of a completed module (issue 19): «Har du endret noe i praksis?» on a
 * 1–5 scale with an optional text only the person sees. Asked from three months after the person
 * first completed the module (the page, «Mine kurs»); the weekly digest reminds them while it is
 * between three and six months. One answer per person and module, by `_id`, replaced when they
 * answer again. Reports read only counts of it (`followUpAnswers`), never the text.
 */

export const FOLLOW_UP_AFTER_MONTHS = 3;
/** The digest stops asking after this many months. */
export const FOLLOW_UP_DIGEST_UNTIL_MONTHS = 6;
export const FOLLOW_UP_TEXT_MAX = 2000;
/** From this point on the scale, a person reports changed practice. */
export const CHANGED_PRACTICE_FROM = 4;

type Summary = Record<string, Record<string, Partial<LearnerModuleEntry>>>;

/** The same day `months` calendar months later (UTC), or the month's last day when it has no such day. */
export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/** When the person first completed the module (any major) and in which major; null: never. */
export function firstCompletion(summary: Summary | null | undefined, slug: string): { completedAt: Date; major: number } | null {
  let first: { completedAt: Date; major: number } | null = null;
  for (const [key, entry] of Object.entries(summary?.[slug] ?? {})) {
    if (!/^m\d+$/.test(key) || !entry.completedAt) continue;
    const at = new Date(entry.completedAt);
    if (!first || at < first.completedAt) first = { completedAt: at, major: Number(key.slice(1)) };
  }
  return first;
}

export interface FollowUpAnswer {
  scale: number;
  text: string;
  answeredAt: Date;
  versionId: string;
}

export type FollowUpState =
  | { state: 'notCompleted' }
  | { state: 'notDue'; completedAt: Date; dueAt: Date }
  | { state: 'due'; completedAt: Date; major: number };

export function followUpState(summary: Summary | null | undefined, slug: string, now: Date): FollowUpState {
  const first = firstCompletion(summary, slug);
  if (!first) return { state: 'notCompleted' };
  const dueAt = addMonths(first.completedAt, FOLLOW_UP_AFTER_MONTHS);
  if (now < dueAt) return { state: 'notDue', completedAt: first.completedAt, dueAt };
  return { state: 'due', completedAt: first.completedAt, major: first.major };
}

/** Completed modules whose follow-up the digest asks for: due, not yet six months, not answered. */
export async function followUpsToAsk(userId: string, summary: Summary, slugs: readonly string[], now: Date): Promise<string[]> {
  const candidates = slugs.filter((slug) => {
    const first = firstCompletion(summary, slug);
    return !!first && addMonths(first.completedAt, FOLLOW_UP_AFTER_MONTHS) <= now && now < addMonths(first.completedAt, FOLLOW_UP_DIGEST_UNTIL_MONTHS);
  });
  const answered = await Promise.all(candidates.map((slug) => followUpCollection.findOne({ _id: followUpId(userId, slug) }, { projection: { _id: 1 } })));
  return candidates.filter((_, i) => !answered[i]);
}

/** The person's answer for a module (one lookup by `_id`); null: not answered. */
export async function followUpOf(userId: string, slug: string): Promise<FollowUpAnswer | null> {
  const doc = await followUpCollection.findOne({ _id: followUpId(userId, slug) });
  return doc ? { scale: doc.scale, text: doc.text ?? '', answeredAt: doc.answeredAt, versionId: doc.versionId } : null;
}

/** Stores the answer (one single-document write; answering again replaces it). */
export async function saveFollowUp(input: { userId: string; slug: string; major: number; scale: number; text: string; now: Date }): Promise<void> {
  const completion = await completionCollection.findOne({ _id: progressId(input.userId, input.slug, input.major) }, { projection: { versionId: 1 } });
  const versionId = completion?.versionId ?? `${input.slug}@${input.major}`;
  await followUpCollection.replaceOne(
    { _id: followUpId(input.userId, input.slug) },
    { userId: input.userId, moduleSlug: input.slug, versionId, scale: input.scale, text: input.text, answeredAt: input.now },
    { upsert: true },
  );
}

/** What reports read: per person and module, the scale only (one scan; anonymised answers have no person). */
export async function followUpAnswers(slugs: readonly string[]): Promise<Array<{ userId: string; slug: string; scale: number }>> {
  if (!slugs.length) return [];
  const out: Array<{ userId: string; slug: string; scale: number }> = [];
  for await (const doc of followUpCollection.find({ moduleSlug: { $in: [...slugs] } }, { projection: { userId: 1, moduleSlug: 1, scale: 1 }, batchSize: 2000 })) {
    if (doc.userId) out.push({ userId: String(doc.userId), slug: String(doc.moduleSlug), scale: Number(doc.scale) });
  }
  return out;
}

/** The person's follow-up answers, for «Mine data». */
export async function followUpDataOf(personId: string): Promise<unknown[]> {
  const docs = await FollowUpModel.find({ userId: { $eq: personId } }).lean<Array<{ moduleSlug: string; versionId: string; scale: number; text?: string; answeredAt: Date }>>();
  return docs.map((d) => ({ module: d.moduleSlug, version: d.versionId, scale: d.scale, text: d.text ?? '', answeredAt: d.answeredAt }));
}

/**
 * Anonymisation: each answer loses its text and its link to the person (a new random `_id`, no
 * `userId`); the scale and when stay, as completions stay. Deleted before it is written again, so
 * a failure in between loses one count rather than leaving the person's answer. Idempotent.
 */
export async function anonymiseFollowUps(personId: string): Promise<void> {
  const docs = await FollowUpModel.find({ userId: { $eq: personId } }).lean<Array<{ _id: string; moduleSlug: string; versionId: string; scale: number; answeredAt: Date }>>();
  for (const d of docs) {
    const { deletedCount } = await followUpCollection.deleteOne({ _id: d._id });
    if (deletedCount === 1) await followUpCollection.insertOne({ _id: `anon:${randomUUID()}`, userId: null, moduleSlug: d.moduleSlug, versionId: d.versionId, scale: d.scale, text: '', answeredAt: d.answeredAt });
  }
}
