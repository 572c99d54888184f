import mongoose, { Schema } from 'mongoose';
import { rawCollection } from '../../db/collections.js';

/**
 * Every reminder and digest sent, one document each. The `_id` is the de-duplication key:
 * `<userId>:<kind>:<assignment id or week>:<YYYY-MM-DD>` — an overdue reminder for one assignment
 * once a day, the digest once a week (its date is the Monday). It is inserted before the mail is
 * sent; a second insert with the same `_id` fails, so two leaders clicking at once, a double click or
 * two app instances running the digest can never send the same thing twice.
 */
const reminderSentSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    kind: { type: String, enum: ['overdue', 'digest'], required: true },
    /** The assignment (overdue reminders) or the week's Monday (digests). */
    ref: { type: String, required: true },
    day: { type: String, required: true },
    /** The unit whose leader sent it (overdue reminders), for the unit's log. */
    unitId: { type: String, default: null },
    moduleSlug: { type: String, default: null },
    sentBy: { type: new Schema({ id: String, name: String }, { _id: false }), default: null },
    claimedAt: { type: Date, required: true },
    /** Set when the mail has gone; a claim without it means the sending failed and was given up. */
    sentAt: { type: Date, default: null },
  },
  { versionKey: false },
);
reminderSentSchema.index({ unitId: 1, claimedAt: -1 });
reminderSentSchema.index({ userId: 1 });

/** One per week (`_id` = the Monday): the digest run finished, so the schedule need not run it again. */
const digestRunSchema = new Schema(
  {
    _id: { type: String, required: true },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    report: { type: Schema.Types.Mixed, default: null },
  },
  { versionKey: false },
);

export const ReminderSentModel = mongoose.model('ReminderSent', reminderSentSchema, 'reminders_sent');
export const DigestRunModel = mongoose.model('DigestRun', digestRunSchema, 'digest_runs');

export function reminderId(userId: string, kind: 'overdue' | 'digest', ref: string, day: string): string {
  return `${userId}:${kind}:${ref}:${day}`;
}

/** The same collections for the driver's atomic operators, typed with their string `_id`s. */
export const reminderSentCollection = rawCollection(ReminderSentModel, reminderSentSchema);
