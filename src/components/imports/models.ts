import mongoose, { Schema } from 'mongoose';

export const IMPORT_KINDS = ['staff', 'units'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/**
 * One uploaded file: its parsed rows with the preview's verdict, and — once confirmed — how far
 * applying has come. Confirming applies exactly these stored rows (the plan hash guards against a
 * stale page), and because every row is applied idempotently, a run that stopped half-way is
 * finished by confirming again. The `_id` is random, so an import cannot be guessed from its URL.
 */
const importSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: IMPORT_KINDS, required: true },
    fileName: { type: String, default: '' },
    /** SHA-256 of the uploaded bytes. */
    fileHash: { type: String, required: true },
    /** SHA-256 of the planned rows; the confirm form must send it back. */
    planHash: { type: String, required: true },
    /** User id, or "cli" for the command line. */
    createdBy: { type: String, default: null },
    rows: { type: [Schema.Types.Mixed], default: [] },
    counts: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, enum: ['previewed', 'applying', 'applied'], default: 'previewed' },
    mode: { type: String, enum: ['all', 'valid-only', null], default: null },
    /** Rows processed so far (resume point). */
    applied: { type: Number, default: 0 },
    /** Per row, in order: { result, reason? }. */
    results: { type: [Schema.Types.Mixed], default: [] },
    /** Held while a run applies rows; an expired lease means the run stopped and may be resumed. */
    leaseUntil: { type: Date, default: null },
    appliedBy: { type: String, default: null },
    appliedAt: { type: Date, default: null },
  },
  { timestamps: true, minimize: false },
);
importSchema.index({ createdAt: -1 });

export const ImportModel = mongoose.model('Import', importSchema);
