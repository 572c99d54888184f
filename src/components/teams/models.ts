import mongoose, { Schema } from 'mongoose';
import { rawCollection } from '../../db/collections.js';
import { attendanceSchema, personRefSchema } from '../../db/schemas.js';

/**
 * Team sessions: a unit's staff go through a module's team-session activity together, led from a
 * guide page, and the leader records who was there. Sessions are few (a handful per unit and term)
 * and read on leaders' pages, so `unitId` queries are fine; what staff read on every "Mine kurs" —
 * the sessions they missed — is one document per person, `_id` = user id.
 */


/** What the guide shows, as the module said it when the session was planned (kept if the module changes). */
const guideSchema = new Schema(
  {
    title: { type: String, required: true },
    minutes: { type: Number, required: true },
    purposeHtml: { type: String, default: '' },
    preparation: { type: [String], default: [] },
    steps: { type: [new Schema({ title: String, minutes: Number, descriptionHtml: String }, { _id: false })], default: [] },
    questions: { type: [String], default: [] },
    followUpHtml: { type: String, default: null },
  },
  { _id: false },
);

const teamSessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    unitId: { type: String, required: true },
    moduleSlug: { type: String, required: true },
    moduleTitle: { type: String, required: true },
    lessonSlug: { type: String, required: true },
    activityId: { type: String, required: true },
    guide: { type: guideSchema, required: true },
    startsAt: { type: Date, required: true },
    place: { type: String, required: true },
    facilitator: { type: String, required: true },
    plannedBy: { type: personRefSchema, required: true },
    createdAt: { type: Date, required: true },
    /** Null until the leader records attendance; then who was there out of who worked in the unit. */
    attendance: { type: attendanceSchema, default: null },
  },
  { versionKey: false },
);
teamSessionSchema.index({ unitId: 1, startsAt: -1 });
teamSessionSchema.index({ moduleSlug: 1, activityId: 1 });

/** `items.<sessionId>`: a session the person was recorded absent from and has not made up for. */
const missedSchema = new Schema(
  {
    _id: { type: String, required: true },
    items: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);

export interface MissedItem {
  moduleSlug: string;
  activityId: string;
  title: string;
  startsAt: Date;
  unitId: string;
}

export const TeamSessionModel = mongoose.model('TeamSession', teamSessionSchema, 'team_sessions');
export const MissedSessionModel = mongoose.model('MissedTeamSession', missedSchema, 'team_sessions_missed');

/** The same collections for the driver's atomic operators, typed with their string `_id`s. */
export const missedSessionCollection = rawCollection(MissedSessionModel, missedSchema);
