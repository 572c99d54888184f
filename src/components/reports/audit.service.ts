import { ReportAuditModel, ReportSequenceModel } from './models.js';
import type { SessionUser } from '../../web/session-user.js';

/**
 * The audit log of report views and exports: append-only. Each entry takes the next number from a
 * sequence document, and its `_id` is that number, so a page of the log is a run of `_id` lookups
 * from the newest number down (the embedded database only looks up `_id` quickly).
 */

export type AuditScope = 'unit' | 'person' | 'municipality' | 'district' | 'unit-aggregate';
export type AuditFormat = 'html' | 'csv' | 'xlsx' | 'print';

export interface AuditInput {
  actor: SessionUser;
  action: 'view' | 'export';
  scope: AuditScope;
  scopeId: string | null;
  scopeLabel: string;
  format: AuditFormat;
  at?: Date;
}

const SEQUENCE_ID = 'audit';

// The models' own collections (the same objects), typed with their string `_id`s.
const sequences = () => ReportSequenceModel.db.collection<{ _id: string; seq: number }>(ReportSequenceModel.collection.collectionName);
const audits = () => ReportAuditModel.db.collection<AuditEntry & { _id: string }>(ReportAuditModel.collection.collectionName);

export const auditId = (seq: number) => `a${String(seq).padStart(12, '0')}`;

export async function recordAudit(input: AuditInput): Promise<void> {
  const counter = await sequences().findOneAndUpdate({ _id: SEQUENCE_ID }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
  const seq = counter?.seq as number;
  await audits().insertOne({
    _id: auditId(seq),
    seq,
    at: input.at ?? new Date(),
    actorId: input.actor.id,
    actorName: input.actor.name,
    action: input.action,
    scope: input.scope,
    scopeId: input.scopeId,
    scopeLabel: input.scopeLabel.slice(0, 200),
    format: input.format,
  });
}

export interface AuditEntry {
  seq: number;
  at: Date;
  actorId: string;
  actorName: string;
  action: 'view' | 'export';
  scope: AuditScope;
  scopeId: string | null;
  scopeLabel: string;
  format: AuditFormat;
}

export const AUDIT_PAGE_SIZE = 50;

/** Page 1 is the newest entries. */
export async function auditPage(page: number): Promise<{ entries: AuditEntry[]; page: number; pages: number; total: number }> {
  const counter = await sequences().findOne({ _id: SEQUENCE_ID });
  const total = counter?.seq ?? 0;
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  const top = total - (current - 1) * AUDIT_PAGE_SIZE;
  const seqs = Array.from({ length: Math.min(AUDIT_PAGE_SIZE, top) }, (_, i) => top - i).filter((s) => s > 0);
  const docs = await Promise.all(seqs.map((s) => audits().findOne({ _id: auditId(s) })));
  const entries: AuditEntry[] = docs.filter((d) => d !== null);
  return { entries, page: current, pages, total };
}
