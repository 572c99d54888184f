import { createHash, randomBytes } from 'node:crypto';
import { ANONYMISED_NAME, getPerson } from '../accounts/index.js';
import type { SessionUser } from '../../web/session-user.js';
import { assertCan } from '../../web/policy.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { isObjectIdString } from '../../lib/ids.js';
import { readCsv, type Problem } from './csv.js';
import { ImportModel, type ImportKind } from './models.js';
import type { PlannedRow } from './plan.js';
import { applyStaffRow, planStaffImport, STAFF_COLUMNS } from './staff.js';
import { applyUnitRow, planUnitImport, UNIT_COLUMNS } from './units.js';

/** Who imports: a signed-in admin (checked against the policy), or the command line (shell access). */
export type ImportActor = SessionUser | 'cli';

export type RowOutcome = { result: 'created' | 'updated' | 'unchanged' | 'skipped' } | { result: 'rejected'; reason: Problem };

export interface ImportView {
  id: string;
  kind: ImportKind;
  fileName: string;
  createdAt: Date;
  status: 'previewed' | 'applying' | 'applied';
  /** Applying stopped half-way (its lease ran out): confirming again finishes it. */
  interrupted: boolean;
  counts: Record<PlannedRow['action'], number>;
  rows: Array<PlannedRow & { outcome: RowOutcome | null }>;
  planHash: string;
  applied: number;
  total: number;
  outcomeCounts: Record<RowOutcome['result'], number>;
}

/** How long a run may go without reporting progress before another confirm may take over. */
const LEASE_MS = 60_000;
const CHECKPOINT_ROWS = 25;
const CHECKPOINT_MS = 2_000;

function assertMayImport(actor: ImportActor, kind: ImportKind): void {
  if (actor === 'cli') return;
  assertCan(actor, kind === 'units' ? 'organisation:manage' : 'people:manage');
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function countActions(rows: readonly PlannedRow[]): Record<PlannedRow['action'], number> {
  const counts = { create: 0, update: 0, unchanged: 0, rejected: 0 };
  for (const row of rows) counts[row.action] += 1;
  return counts;
}

function countOutcomes(outcomes: ReadonlyArray<RowOutcome | null | undefined>): Record<RowOutcome['result'], number> {
  const counts = { created: 0, updated: 0, unchanged: 0, skipped: 0, rejected: 0 };
  for (const o of outcomes) if (o) counts[o.result] += 1;
  return counts;
}

/** A file name is only shown back to the admin; keep it short and free of paths. */
function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  return [...base].filter((ch) => ch.charCodeAt(0) >= 0x20).join('').slice(0, 200);
}

/**
 * Reads the file and stores the preview. A problem with the whole file (encoding, columns, size)
 * is returned and nothing is stored; problems with single rows are part of the preview.
 */
export async function previewImport(input: { actor: ImportActor; kind: ImportKind; fileName: string; bytes: Uint8Array }): Promise<{ ok: true; id: string } | { ok: false; problem: Problem }> {
  assertMayImport(input.actor, input.kind);
  const read = readCsv(input.bytes, input.kind === 'staff' ? STAFF_COLUMNS : UNIT_COLUMNS);
  if (!read.ok) return read;
  const rows = input.kind === 'staff' ? await planStaffImport(read.rows) : await planUnitImport(read.rows);
  const id = randomBytes(18).toString('base64url');
  await ImportModel.create({
    _id: id,
    kind: input.kind,
    fileName: cleanFileName(input.fileName),
    fileHash: sha256(input.bytes),
    planHash: sha256(JSON.stringify({ kind: input.kind, rows })),
    createdBy: input.actor === 'cli' ? 'cli' : input.actor.id,
    rows,
    counts: countActions(rows),
  });
  return { ok: true, id };
}

interface StoredImport {
  _id: string;
  kind: ImportKind;
  fileName: string;
  createdAt: Date;
  status: ImportView['status'];
  counts: ImportView['counts'];
  rows: PlannedRow[];
  planHash: string;
  applied: number;
  results: Array<RowOutcome | null>;
  leaseUntil: Date | null;
  mode: 'all' | 'valid-only' | null;
}

async function load(id: string): Promise<StoredImport> {
  if (!/^[A-Za-z0-9_-]{24}$/.test(id)) throw new NotFoundError(`import ${id}`);
  const doc = (await ImportModel.findById(id).lean()) as StoredImport | null;
  if (!doc) throw new NotFoundError(`import ${id}`);
  return doc;
}

function toView(doc: StoredImport, now = new Date()): ImportView {
  const results = doc.results ?? [];
  return {
    id: doc._id,
    kind: doc.kind,
    fileName: doc.fileName,
    createdAt: doc.createdAt,
    status: doc.status,
    interrupted: doc.status === 'applying' && (!doc.leaseUntil || doc.leaseUntil < now),
    counts: doc.counts,
    rows: doc.rows.map((row, i) => ({ ...row, outcome: results[i] ?? null })),
    planHash: doc.planHash,
    applied: doc.applied,
    total: doc.rows.length,
    outcomeCounts: countOutcomes(results),
  };
}

export async function getImport(actor: ImportActor, id: string): Promise<ImportView> {
  const doc = await load(id);
  assertMayImport(actor, doc.kind);
  return toView(doc);
}

/** The latest imports of the kinds the person may run (an audit trail of who imported what). */
export async function recentImports(actor: ImportActor, limit = 10): Promise<Array<Omit<ImportView, 'rows'>>> {
  const kinds: ImportKind[] = (['staff', 'units'] as const).filter((k) => {
    try {
      assertMayImport(actor, k);
      return true;
    } catch {
      return false;
    }
  });
  const docs = (await ImportModel.find({ kind: { $in: kinds } }).sort({ createdAt: -1 }).limit(limit).lean()) as StoredImport[];
  return docs.map((d) => {
    const { rows: _rows, ...view } = toView(d);
    return view;
  });
}

/**
 * Applies the stored preview. Refuses a stale page (plan hash), and a file with rejected rows unless
 * `validOnly` is chosen. Rows are applied one by one, each idempotently, with the progress written
 * to the import document; a run that stopped (crash, error) is resumed by confirming again.
 */
export async function confirmImport(
  actor: ImportActor,
  id: string,
  options: { planHash: string; validOnly: boolean; onProgress?: (done: number, total: number) => void },
): Promise<ImportView> {
  const doc = await load(id);
  assertMayImport(actor, doc.kind);
  if (doc.status === 'applied') return toView(doc);
  if (options.planHash !== doc.planHash) throw new ConflictError(`import ${id}: plan hash mismatch`, 'imports:errors.stale');
  if (doc.counts.rejected > 0 && !options.validOnly) {
    throw new ValidationError('rejected rows', { validOnly: 'imports:errors.hasRejected' });
  }
  if (doc.counts.rejected === doc.rows.length) throw new ValidationError('nothing valid', { validOnly: 'imports:errors.nothingValid' });

  const now = new Date();
  const claimed = (await ImportModel.findOneAndUpdate(
    { _id: id, status: { $in: ['previewed', 'applying'] }, $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] },
    {
      $set: {
        status: 'applying',
        leaseUntil: new Date(now.getTime() + LEASE_MS),
        mode: options.validOnly ? 'valid-only' : 'all',
        appliedBy: actor === 'cli' ? 'cli' : actor.id,
      },
    },
    { new: true },
  ).lean()) as StoredImport | null;
  if (!claimed) {
    const current = await load(id);
    if (current.status === 'applied') return toView(current);
    throw new ConflictError(`import ${id} is being applied`, 'imports:errors.inProgress');
  }

  const results: Array<RowOutcome | null> = [...(claimed.results ?? [])];
  const total = claimed.rows.length;
  let done = claimed.applied;
  let checkpointAt = { rows: done, time: Date.now() };
  const save = (extra: Record<string, unknown>) => ImportModel.updateOne({ _id: id }, { $set: { applied: done, results, ...extra } });

  try {
    for (let i = done; i < total; i += 1) {
      const row = claimed.rows[i]!;
      if (row.action === 'rejected') results[i] = { result: 'skipped' };
      else results[i] = await (claimed.kind === 'staff' ? applyStaffRow(row.data, actor === 'cli' ? null : actor) : applyUnitRow(row.data));
      done = i + 1;
      if (done - checkpointAt.rows >= CHECKPOINT_ROWS || Date.now() - checkpointAt.time >= CHECKPOINT_MS) {
        await save({ leaseUntil: new Date(Date.now() + LEASE_MS) });
        checkpointAt = { rows: done, time: Date.now() };
      }
      options.onProgress?.(done, total);
    }
  } catch (err) {
    // Record exactly how far we came and let the next confirm take over at once.
    await save({ leaseUntil: null }).catch(() => undefined);
    throw err;
  }
  await save({ status: 'applied', leaseUntil: null, appliedAt: new Date() });
  return toView(await load(id));
}

/**
 * Anonymiser for the people component: stored imports keep every row of a staff file, so a person
 * who is anonymised is also blanked out there. In an import not yet applied, the row is turned into
 * a rejected one, so confirming an old preview cannot bring the person back.
 */
export async function forgetPersonInImports(personId: string): Promise<void> {
  if (!isObjectIdString(personId)) return;
  const person = await getPerson(personId).catch((err) => {
    if (err instanceof NotFoundError) return null;
    throw err;
  });
  if (!person || person.status === 'anonymised') return;
  const email = person.email;
  const docs = (await ImportModel.find({ kind: 'staff', 'rows.display.email': { $eq: email } }).lean()) as StoredImport[];
  for (const doc of docs) {
    const blank = (params?: Record<string, string | number>) =>
      params ? Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v === email || v === person.externalId ? '–' : v])) : params;
    const rows = doc.rows.map((row): PlannedRow => {
      if (row.display.email !== email) return { ...row, reasons: row.reasons.map((r) => ({ ...r, params: blank(r.params) })) };
      const display = { ...row.display, name: ANONYMISED_NAME, email: '', externalId: '' };
      if (doc.status === 'applied') return { ...row, display, data: {}, changes: [], reasons: row.reasons.map((r) => ({ ...r, params: blank(r.params) })) };
      return { ...row, action: 'rejected', display, data: {}, changes: [], reasons: [{ key: 'imports:reason.personAnonymised' }] };
    });
    await ImportModel.updateOne({ _id: doc._id }, { $set: { rows, counts: countActions(rows) } });
  }
}
