import mongoose, { Schema } from 'mongoose';
import { rawCollection } from '../../db/collections.js';

/**
 * Assignments: a leader asks the staff of a unit, or named people, to take a module by a date.
 *
 * `assignments` holds each assignment once (the record a leader page lists and edits). The read
 * path every staff member hits ("what is assigned to me?") must not scan it: the embedded FerretDB
 * only hands `_id` equality to SQLite. So each assignment is also written into small target
 * documents, `assignment_targets` with `_id` = `unit:<unitId>` or `person:<userId>`, and a person's
 * assignments are one `_id` lookup per unit they belong to plus one for themselves. With 350 units
 * and 15,000 staff a unit document holds the unit's few dozen assignments, never the municipality's.
 *
 * The leader's side has the same need: a unit's list (its own assignments, the municipality's for it,
 * and its leader's to chosen people) is kept whole in `list:<unitId>`, `items.<assignmentId>` = the
 * record, so the unit dashboard reads one document instead of scanning every assignment.
 */

export const TARGET_KINDS = ['unit', 'people'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const ASSIGNMENT_SCOPES = ['unit', 'municipal'] as const;
export type AssignmentScope = (typeof ASSIGNMENT_SCOPES)[number];

const personRefSchema = new Schema({ id: { type: String, default: null }, name: { type: String, required: true } }, { _id: false });

const assignmentSchema = new Schema(
  {
    _id: { type: String, required: true },
    moduleSlug: { type: String, required: true },
    target: {
      kind: { type: String, enum: TARGET_KINDS, required: true },
      unitId: { type: String, default: null },
      userIds: { type: [String], default: [] },
    },
    /** A calendar date (midnight UTC of the Norwegian date), or null for "no deadline". */
    deadline: { type: Date, default: null },
    createdBy: { type: personRefSchema, required: true },
    createdAt: { type: Date, required: true },
    /**
     * The unit whose list the assignment appears on: the target unit, or for named people the unit
     * whose leader chose them. Null only on assignments made before leaders had pages.
     */
    unitId: { type: String, default: null },
    /** Who decided it: the unit's leader, or the municipality (leaders see those but cannot change them). */
    scope: { type: String, enum: ASSIGNMENT_SCOPES, default: 'unit' },
    /** For the municipality's: the choice of unit types and districts it came from (one row on its list). */
    batch: { type: String, default: null },
    selection: {
      unitTypes: { type: [String], default: [] },
      districtIds: { type: [String], default: [] },
    },
    updatedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
assignmentSchema.index({ moduleSlug: 1 });
assignmentSchema.index({ unitId: 1 });
assignmentSchema.index({ batch: 1 });

/** `items.<assignmentId>` = what a person needs to see of the assignment. */
const assignmentTargetSchema = new Schema(
  {
    _id: { type: String, required: true },
    items: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);

export const AssignmentModel = mongoose.model('Assignment', assignmentSchema, 'assignments');
export const AssignmentTargetModel = mongoose.model('AssignmentTarget', assignmentTargetSchema, 'assignment_targets');

export interface TargetItem {
  moduleSlug: string;
  deadline: Date | null;
  createdAt: Date;
}

export const unitTargetId = (unitId: string) => `unit:${unitId}`;
export const personTargetId = (userId: string) => `person:${userId}`;
export const unitListId = (unitId: string) => `list:${unitId}`;
/** Set once the unit lists have been built from the records (databases older than the lists). */
export const LISTS_BUILT_ID = 'lists-built';

/** The same collections for the driver's atomic operators, typed with their string `_id`s. */
export const assignmentCollection = rawCollection(AssignmentModel, assignmentSchema);
