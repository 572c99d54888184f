import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { isObjectIdString } from '../../lib/ids.js';
import { listCatalogue } from '../modules/index.js';
import { AssignmentModel, AssignmentTargetModel, personTargetId, unitTargetId, type TargetItem } from './models.js';

export interface AssignmentForPerson {
  /** The assignment with the earliest deadline for this module (a person can be assigned twice). */
  id: string;
  moduleSlug: string;
  deadline: Date | null;
  createdAt: Date;
  /** Through a unit the person belongs to (its id), or to them by name (null). */
  unitId: string | null;
}

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const newAssignmentSchema = z.object({
  moduleSlug: z.string().regex(SLUG, 'assignments:errors.module'),
  target: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('unit'), unitId: z.string().refine(isObjectIdString, 'assignments:errors.unit') }),
    z.object({ kind: z.literal('people'), userIds: z.array(z.string().refine(isObjectIdString, 'assignments:errors.people')).min(1, 'assignments:errors.people').max(2000) }),
  ]),
  deadline: z.date().nullable(),
  createdBy: z.object({ id: z.string().nullable(), name: z.string().min(1).max(200) }),
});
export type NewAssignment = z.input<typeof newAssignmentSchema>;

/**
 * Creates an assignment and writes it into its target documents. `id` makes a retry (or the demo
 * seed at every start) harmless: the same id is written once.
 */
export async function createAssignment(input: NewAssignment, options: { id?: string; now?: Date; unitId?: string } = {}): Promise<string> {
  const parsed = newAssignmentSchema.safeParse(input);
  if (!parsed.success) {
    const fields = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? 'form'), i.message.includes(':') ? i.message : 'errors:validation']));
    throw new ValidationError('invalid assignment', fields);
  }
  const value = parsed.data;
  const catalogue = await listCatalogue();
  if (!catalogue.some((m) => m.slug === value.moduleSlug)) throw new NotFoundError(`module ${value.moduleSlug} is not published`);
  const id = options.id ?? randomUUID();
  const now = options.now ?? new Date();
  const target = value.target.kind === 'unit' ? { kind: 'unit', unitId: value.target.unitId, userIds: [] } : { kind: 'people', unitId: null, userIds: [...new Set(value.target.userIds)] };
  await AssignmentModel.updateOne(
    { _id: { $eq: id } },
    {
      $setOnInsert: {
        moduleSlug: value.moduleSlug,
        target,
        deadline: value.deadline,
        createdBy: value.createdBy,
        createdAt: now,
        unitId: options.unitId ?? target.unitId,
        scope: 'unit',
      },
    },
    { upsert: true },
  );
  const stored = await AssignmentModel.findById(id).lean();
  if (!stored) throw new Error(`assignment ${id} vanished`);
  await writeTargets(stored as StoredAssignment);
  return id;
}

/** The fields of a stored assignment that its target documents are derived from. */
export interface StoredAssignment {
  _id: string;
  moduleSlug: string;
  target?: { kind?: string | null; unitId?: string | null; userIds?: string[] } | null;
  deadline?: Date | null;
  createdAt: Date;
}

function targetIdsOf(stored: StoredAssignment): string[] {
  return stored.target?.kind === 'unit' ? [unitTargetId(stored.target.unitId!)] : (stored.target?.userIds ?? []).map(personTargetId);
}

/** Writes the assignment into its target documents (derived data: writing it again is harmless). */
export async function writeTargets(stored: StoredAssignment): Promise<void> {
  const item: TargetItem = { moduleSlug: stored.moduleSlug, deadline: stored.deadline ?? null, createdAt: stored.createdAt };
  for (const targetId of targetIdsOf(stored)) {
    await AssignmentTargetModel.collection.updateOne({ _id: targetId as never }, { $set: { [`items.${stored._id}`]: item } }, { upsert: true });
  }
}

/**
 * Takes the assignment out of its target documents. Callers do this before deleting the record, so a
 * crash in between leaves a record the leader still sees and can withdraw again, never a hidden one.
 */
export async function removeTargets(stored: StoredAssignment): Promise<void> {
  for (const targetId of targetIdsOf(stored)) {
    await AssignmentTargetModel.collection.updateOne({ _id: targetId as never }, { $unset: { [`items.${stored._id}`]: '' } });
  }
}

/** What is assigned to a person: one `_id` lookup per unit they belong to, and one for themselves. */
export async function assignmentsFor(person: { id: string; memberOf: Iterable<string> }): Promise<AssignmentForPerson[]> {
  const units = [...person.memberOf];
  const ids = [personTargetId(person.id), ...units.map(unitTargetId)];
  const docs = await Promise.all(ids.map((id) => AssignmentTargetModel.findById(id).lean<{ items?: Record<string, TargetItem> }>()));
  const bySlug = new Map<string, AssignmentForPerson>();
  docs.forEach((doc, i) => {
    for (const [id, item] of Object.entries(doc?.items ?? {})) {
      const candidate: AssignmentForPerson = { id, moduleSlug: item.moduleSlug, deadline: item.deadline ? new Date(item.deadline) : null, createdAt: new Date(item.createdAt), unitId: i === 0 ? null : units[i - 1]! };
      const current = bySlug.get(item.moduleSlug);
      if (!current || earlier(candidate.deadline, current.deadline)) bySlug.set(item.moduleSlug, candidate);
    }
  });
  return [...bySlug.values()].sort((a, b) => (a.deadline?.getTime() ?? Infinity) - (b.deadline?.getTime() ?? Infinity) || a.moduleSlug.localeCompare(b.moduleSlug));
}

/** A deadline is earlier than no deadline. */
function earlier(a: Date | null, b: Date | null): boolean {
  if (!a) return false;
  if (!b) return true;
  return a.getTime() < b.getTime();
}
