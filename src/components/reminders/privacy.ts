import { ReminderSentModel } from './models.js';

/** The reminders and digests sent to a person (what, when; never the mail's text). */
export async function remindersDataOf(personId: string): Promise<unknown> {
  const entries = await ReminderSentModel.find({ userId: { $eq: personId }, sentAt: { $ne: null } }).sort({ claimedAt: 1 }).lean();
  return entries.map((e) => ({ kind: e.kind, module: e.moduleSlug, day: e.day, sentAt: e.sentAt, sentBy: e.sentBy?.name ?? null }));
}

/**
 * The log of reminders to someone who has left has no further use (it only de-duplicates today's and
 * this week's mail) and says who was behind: it goes.
 */
export async function anonymiseReminders(personId: string): Promise<void> {
  await ReminderSentModel.deleteMany({ userId: { $eq: personId } });
}
