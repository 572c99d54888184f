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
export async function createAssignment(input: NewAssignment, options: { id?: string; now?: Date } = {}): Promise<string> {
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
    { $setOnInsert: { moduleSlug: value.moduleSlug, target, deadline: value.deadline, createdBy: value.createdBy, createdAt: now } },
    { upsert: true },
  );
  const stored = await AssignmentModel.findById(id).lean();
  if (!stored) throw new Error(`assignment ${id} vanished`);
  // The target documents are derived from the assignment; writing them again is harmless.
  const item: TargetItem = { moduleSlug: stored.moduleSlug, deadline: stored.deadline ?? null, createdAt: stored.createdAt };
  const targets = stored.target?.kind === 'unit' ? [unitTargetId(stored.target.unitId!)] : (stored.target?.userIds ?? []).map(personTargetId);
  for (const targetId of targets) {
    await AssignmentTargetModel.collection.updateOne({ _id: targetId as never }, { $set: { [`items.${id}`]: item } }, { upsert: true });
  }
  return id;
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
