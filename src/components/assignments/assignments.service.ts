import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { isObjectIdString } from '../../lib/ids.js';
import { fieldErrorsOf } from '../../lib/validation.js';
import { listCatalogue } from '../modules/index.js';
import { AssignmentModel, AssignmentTargetModel, LISTS_BUILT_ID, personTargetId, unitListId, unitTargetId, type TargetItem } from './models.js';

// The target model's own collection (the same object), typed with its string `_id`s: per-person and
// per-unit targets and unit lists keep `items`, the lists-built marker keeps `at`.
const targets = () => AssignmentTargetModel.db.collection<{ _id: string; items?: Record<string, unknown>; at?: Date }>(AssignmentTargetModel.collection.collectionName);

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
    throw new ValidationError('invalid assignment', fieldErrorsOf(parsed.error));
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

/** A stored assignment record: what its target documents and its unit list entry are derived from. */
export interface StoredAssignment {
  _id: string;
  moduleSlug: string;
  target?: { kind?: string | null; unitId?: string | null; userIds?: string[] } | null;
  deadline?: Date | null;
  createdAt: Date;
  unitId?: string | null;
  scope?: string | null;
  createdBy?: { id?: string | null; name?: string | null } | null;
  batch?: string | null;
  selection?: { unitTypes?: string[]; districtIds?: string[] } | null;
  updatedAt?: Date | null;
}

function targetIdsOf(stored: StoredAssignment): string[] {
  return stored.target?.kind === 'unit' ? [unitTargetId(stored.target.unitId!)] : (stored.target?.userIds ?? []).map(personTargetId);
}

/** The units whose lists show the assignment: the unit it was made for, and the unit it targets. */
function listIdsOf(stored: StoredAssignment): string[] {
  const units = new Set([stored.unitId, stored.target?.kind === 'unit' ? stored.target.unitId : null].filter((u): u is string => Boolean(u)));
  return [...units].map(unitListId);
}

/** The record as its unit lists keep it (the fields a leader's page reads, nothing derived). */
function listEntry(stored: StoredAssignment): StoredAssignment {
  return {
    _id: stored._id,
    moduleSlug: stored.moduleSlug,
    target: { kind: stored.target?.kind ?? null, unitId: stored.target?.unitId ?? null, userIds: [...(stored.target?.userIds ?? [])] },
    deadline: stored.deadline ?? null,
    createdAt: stored.createdAt,
    unitId: stored.unitId ?? null,
    scope: stored.scope ?? 'unit',
    createdBy: { id: stored.createdBy?.id ?? null, name: stored.createdBy?.name ?? '' },
    batch: stored.batch ?? null,
    selection: { unitTypes: [...(stored.selection?.unitTypes ?? [])], districtIds: [...(stored.selection?.districtIds ?? [])] },
    updatedAt: stored.updatedAt ?? null,
  };
}

/** Writes the assignment into its target documents and unit lists (derived data: writing it again is harmless). */
export async function writeTargets(stored: StoredAssignment): Promise<void> {
  const item: TargetItem = { moduleSlug: stored.moduleSlug, deadline: stored.deadline ?? null, createdAt: stored.createdAt };
  for (const targetId of targetIdsOf(stored)) {
    await targets().updateOne({ _id: targetId }, { $set: { [`items.${stored._id}`]: item } }, { upsert: true });
  }
  const entry = listEntry(stored);
  for (const listId of listIdsOf(stored)) {
    await targets().updateOne({ _id: listId }, { $set: { [`items.${stored._id}`]: entry } }, { upsert: true });
  }
}

/**
 * Takes the assignment out of its target documents and unit lists. Callers do this before deleting
 * the record, so a crash in between leaves a record that can be withdrawn again, never a hidden one.
 */
export async function removeTargets(stored: StoredAssignment): Promise<void> {
  for (const targetId of [...targetIdsOf(stored), ...listIdsOf(stored)]) {
    await targets().updateOne({ _id: targetId }, { $unset: { [`items.${stored._id}`]: '' } });
  }
}

/** A unit's list: every assignment record it shows, read as one document. */
export async function unitListRecords(unitId: string): Promise<StoredAssignment[]> {
  const doc = await AssignmentTargetModel.findById(unitListId(unitId)).lean<{ items?: Record<string, StoredAssignment> }>();
  return Object.values(doc?.items ?? {}).map((entry) => ({ ...entry, deadline: entry.deadline ? new Date(entry.deadline) : null, createdAt: new Date(entry.createdAt) }));
}

/**
 * Rebuilds every unit list from the assignment records: for databases written before the lists
 * existed, and for records inserted behind the services' back (the reports benchmark). Returns how
 * many lists it wrote.
 */
export async function rebuildUnitLists(): Promise<number> {
  const lists = new Map<string, Record<string, StoredAssignment>>();
  for (const raw of await AssignmentModel.find({}).lean<StoredAssignment[]>()) {
    for (const listId of listIdsOf(raw)) {
      const items = lists.get(listId) ?? {};
      items[raw._id] = listEntry(raw);
      lists.set(listId, items);
    }
  }
  const stale = await AssignmentTargetModel.find({ _id: { $regex: /^list:/ } }, { _id: 1 }).lean<Array<{ _id: string }>>();
  for (const { _id } of stale) if (!lists.has(_id)) lists.set(_id, {});
  for (const [listId, items] of lists) {
    await targets().replaceOne({ _id: listId }, { items }, { upsert: true });
  }
  await targets().updateOne({ _id: LISTS_BUILT_ID }, { $set: { at: new Date() } }, { upsert: true });
  return lists.size;
}

/** Builds the unit lists once, on a database that has never had them (migration 0001). */
export async function ensureUnitLists(): Promise<number | null> {
  return (await AssignmentTargetModel.exists({ _id: LISTS_BUILT_ID })) ? null : rebuildUnitLists();
}

/** Removes the unit lists and their marker: the database as it was before them (migration 0001's down). */
export async function removeUnitLists(): Promise<void> {
  await targets().deleteMany({ _id: { $regex: /^list:/ } });
  await targets().deleteOne({ _id: LISTS_BUILT_ID });
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
