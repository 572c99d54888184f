import mongoose, { Schema } from 'mongoose';
import { rawCollection } from '../../db/collections.js';

/**
 * Reports keep maintained summaries, because counting 180,000 progress records per request cannot be
 * fast on the embedded FerretDB (it filters everything but `_id` in Go, and decodes each field of each
 * document it reads). So every read path here is an `_id` lookup of a few documents, and the larger
 * summaries are one JSON string per document: FerretDB then moves one string instead of decoding
 * thousands of nested fields. Each such document has a version `v` and changes only by a
 * compare-and-set on it (a single-document atomic update, no transactions).
 */

/**
 * `_id` = unit id. `data`: the unit's roster (every member with their status per module) as compact
 * JSON (see roster.ts): the embedded database reads every document of a collection on each update,
 * so rosters are kept small.
 */
const rosterSchema = new Schema(
  {
    _id: { type: String, required: true },
    v: { type: Number, required: true },
    data: { type: String, required: true },
  },
  { versionKey: false },
);

/**
 * `_id` = `shard:00` … `shard:15` (units spread by their id). `data`: per unit the counts computed from
 * its roster, with the roster version they came from, as JSON. A roster change rewrites one shard.
 * `g` is set when a shard is created, so a version number is never mistaken for another shard's.
 *
 * `_id` = `head`: `shards.<id>` = the latest written version of each shard (raised with `$max` after
 * each write). The municipal dashboard reads this one small document and reads the shards only when a
 * version moved; otherwise it uses the counts it already parsed.
 */
const totalsSchema = new Schema(
  {
    _id: { type: String, required: true },
    v: { type: Number },
    g: { type: String },
    data: { type: String },
    shards: { type: Schema.Types.Mixed },
  },
  { versionKey: false },
);

/** `_id` = `YYYY-MM-DD`: people whose status changes by time at the start of that day (UTC). */
const dueSchema = new Schema(
  {
    _id: { type: String, required: true },
    people: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);

/**
 * Settings the municipal admin sets (`_id` = `settings`, JSON in `data`: renewal rules per module,
 * the measure-3 core set, targets), and the sweep's own state (`_id` = `sweep`).
 */
const stateSchema = new Schema(
  {
    _id: { type: String, required: true },
    v: { type: Number, required: true },
    data: { type: String, required: true },
  },
  { versionKey: false },
);

/**
 * Append-only: who viewed or exported which report, when. `_id` = `a` + a zero-padded sequence
 * number from `report_audit_seq`, so a page of the log is a run of `_id` lookups however long the
 * log grows.
 */
const auditSchema = new Schema(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    actorId: { type: String, required: true },
    actorName: { type: String, required: true },
    action: { type: String, enum: ['view', 'export'], required: true },
    /** unit, person, municipality, district, unit-aggregate, settings */
    scope: { type: String, required: true },
    scopeId: { type: String, default: null },
    scopeLabel: { type: String, default: '' },
    /** html, csv, xlsx, print */
    format: { type: String, required: true },
  },
  { versionKey: false },
);

const sequenceSchema = new Schema(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
  },
  { versionKey: false },
);

export const ReportRosterModel = mongoose.model('ReportRoster', rosterSchema, 'report_rosters');
export const ReportTotalsModel = mongoose.model('ReportTotals', totalsSchema, 'report_totals');
export const ReportDueModel = mongoose.model('ReportDue', dueSchema, 'report_due');
export const ReportStateModel = mongoose.model('ReportState', stateSchema, 'report_state');
export const ReportAuditModel = mongoose.model('ReportAudit', auditSchema, 'report_audit');
export const ReportSequenceModel = mongoose.model('ReportSequence', sequenceSchema, 'report_audit_seq');

export const TOTALS_SHARDS = 16;

/** The shard a unit's counts live in (stable: the last hex digits of its id). */
export function shardOf(unitId: string): string {
  const n = parseInt(unitId.slice(-4), 16);
  return `shard:${String((Number.isNaN(n) ? 0 : n) % TOTALS_SHARDS).padStart(2, '0')}`;
}

export const ALL_SHARDS = Array.from({ length: TOTALS_SHARDS }, (_, i) => `shard:${String(i).padStart(2, '0')}`);

/** The same collections for the driver's atomic operators, typed with their string `_id`s. */
export const reportTotalsCollection = rawCollection(ReportTotalsModel, totalsSchema);
export const reportDueCollection = rawCollection(ReportDueModel, dueSchema);
