import { Schema } from 'mongoose';

/**
 * Schema parts that several components' models share, so a recorded attendance means the same
 * thing in a unit's team session and in a network's gathering.
 */

/** A person as they were named when something was done (kept when the account is later renamed). */
export const personRefSchema = new Schema({ id: { type: String, required: true }, name: { type: String, required: true } }, { _id: false });

/** An attendance record: who recorded it and when, who was present, and the roster they were chosen from. */
export const attendanceSchema = new Schema(
  {
    recordedAt: { type: Date, required: true },
    recordedBy: { type: personRefSchema, required: true },
    present: { type: [String], default: [] },
    roster: { type: [personRefSchema], default: [] },
  },
  { _id: false },
);
