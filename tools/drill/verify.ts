/**
 * Reads the database directly (not through the app) and holds every acknowledged request against it.
 */
import { ProgressModel, LearnerModel, readActionEntry } from '../../src/components/learning/index.js';
import { UserModel } from '../../src/components/accounts/index.js';
import { learnerEmail, MODULE } from './world.js';
import type { Outcome } from './load.js';

export interface Verification {
  /** Acknowledged requests whose write is not in the database (or not as sent). */
  lost: Outcome[];
  /** Anything stored that no request sent, a document that fails its schema, a missing summary. */
  problems: string[];
  storedActions: number;
}

type StoredProgress = { _id: string; userId: string; activities?: Record<string, { text?: string; readAt?: string | null }>; actions?: Record<string, string> };

/**
 * `outcomes` must hold every request sent so far to this database (all scenarios), in order per learner,
 * so that "the newest text" can be decided.
 */
export async function verifyStored(outcomes: Outcome[], learnerCount: number): Promise<Verification> {
  const emails = Array.from({ length: learnerCount }, (_, i) => learnerEmail(i + 1));
  const users = await UserModel.find({ email: { $in: emails } }, { email: 1 }).lean<Array<{ _id: unknown; email: string }>>();
  const userIdOf = new Map(users.map((u) => [emails.indexOf(u.email) + 1, String(u._id)]));
  const docs = await ProgressModel.find({ userId: { $in: [...userIdOf.values()] }, moduleSlug: MODULE }).lean<StoredProgress[]>();
  const docOf = new Map(docs.map((d) => [d.userId, d]));
  const summaries = await LearnerModel.find({ _id: { $in: [...userIdOf.values()] } }).lean<Array<{ _id: string; modules?: Record<string, unknown> }>>();
  const summaryOf = new Map(summaries.map((s) => [String(s._id), s]));

  const lost: Outcome[] = [];
  const problems: string[] = [];
  const sentIds = new Set(outcomes.map((o) => o.actionId));
  let storedActions = 0;

  for (const doc of docs) {
    // Stored exactly as the app's schema says (nothing half-written), and nothing no request sent.
    const error = ProgressModel.hydrate(doc).validateSync();
    if (error) problems.push(`progress ${doc._id} fails its schema: ${error.message}`);
    for (const [id, at] of Object.entries(doc.actions ?? {})) {
      storedActions += 1;
      if (!sentIds.has(id)) problems.push(`progress ${doc._id} holds action ${id} that no request sent`);
      if (!readActionEntry(at).at) problems.push(`progress ${doc._id}: action ${id} has no valid time`);
    }
  }

  const byLearnerActivity = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    const key = `${o.learner}|${o.activityId}`;
    byLearnerActivity.set(key, [...(byLearnerActivity.get(key) ?? []), o]);
  }

  for (const o of outcomes) {
    if (o.result !== 'acked') continue;
    const userId = userIdOf.get(o.learner);
    const doc = userId ? docOf.get(userId) : undefined;
    if (!doc || !doc.actions?.[o.actionId] || o.detail.includes('not applied')) {
      lost.push(o);
      continue;
    }
    const state = doc.activities?.[o.activityId];
    if (o.kind === 'markRead' && !state?.readAt) lost.push(o);
  }

  // A reflection holds the text of its newest acknowledged save, or of a save sent after it whose
  // answer never arrived (applied but not acknowledged is allowed; going back to an older text is not).
  for (const [key, list] of byLearnerActivity) {
    const saves = list.filter((o) => o.kind === 'save').sort((a, b) => a.startedAt - b.startedAt);
    const lastAcked = saves.map((o) => o.result === 'acked').lastIndexOf(true);
    if (lastAcked < 0) continue;
    const [learner, activityId] = key.split('|') as [string, string];
    const doc = docOf.get(userIdOf.get(Number(learner)) ?? '');
    const stored = doc?.activities?.[activityId]?.text;
    const allowed = saves.slice(lastAcked).map((o) => o.text);
    if (!allowed.includes(stored)) {
      lost.push(saves[lastAcked]!);
      problems.push(`learner ${learner} ${activityId}: stored text is not the newest acknowledged one (${saves[lastAcked]!.actionId})`);
    }
  }

  for (const [learner, userId] of userIdOf) {
    if (!outcomes.some((o) => o.learner === learner && o.result === 'acked')) continue;
    if (!summaryOf.get(userId)?.modules?.[MODULE]) problems.push(`learner ${learner} has progress but no "Mine kurs" summary`);
  }
  return { lost, problems, storedActions };
}

const alreadyCounted = new Set<string>();

/**
 * The lost writes not counted by an earlier verification: a write found missing after a later fault
 * counts once, in the scenario where it went missing.
 */
export function newlyLost(lost: Outcome[]): Outcome[] {
  const fresh = lost.filter((o) => !alreadyCounted.has(o.actionId));
  for (const o of fresh) alreadyCounted.add(o.actionId);
  return fresh;
}
