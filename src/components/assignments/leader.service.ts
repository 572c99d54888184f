import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from '../../lib/errors.js';
import { todayDateOnly } from '../../lib/dates.js';
import { isObjectIdString } from '../../lib/ids.js';
import { assertCan } from '../../web/policy.js';
import { listCatalogue } from '../modules/index.js';
import { getUnit, listDistricts, listUnits, UNIT_TYPES, type UnitType } from '../organisation/index.js';
import { unitMembers, type UnitMember } from '../accounts/index.js';
import type { SessionUser } from '../../web/session-user.js';
import { AssignmentModel, assignmentCollection, type AssignmentScope } from './models.js';
import { createAssignment, removeTargets, unitListRecords, writeTargets, type StoredAssignment } from './assignments.service.js';
import { parseDeadline } from './deadline.js';

/**
 * Assignments as leaders and the municipality make them: a leader for the staff (or chosen people) of
 * a unit they lead; a municipal admin for every open unit of some types and/or districts. The records
 * are few (units × modules), so the lists read them with ordinary queries; the staff's hot path stays
 * the per-target documents (see models.ts).
 */

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export interface AssignmentRecord {
  id: string;
  moduleSlug: string;
  deadline: Date | null;
  scope: AssignmentScope;
  target: { kind: 'unit'; unitId: string } | { kind: 'people'; userIds: string[] };
  /** The unit whose list it is on. */
  unitId: string | null;
  createdBy: { id: string | null; name: string };
  createdAt: Date;
  batch: string | null;
}

export interface UnitAssignmentView extends AssignmentRecord {
  moduleTitle: string;
  /** The people it concerns who work in the unit now. */
  people: Array<{ id: string; name: string }>;
  /** Leaders change and withdraw their unit's own assignments, not the municipality's. */
  editable: boolean;
}

type RawRecord = StoredAssignment & {
  scope?: string | null;
  unitId?: string | null;
  createdBy?: { id?: string | null; name?: string | null } | null;
  batch?: string | null;
  selection?: { unitTypes?: string[]; districtIds?: string[] } | null;
};

function toRecord(raw: RawRecord): AssignmentRecord {
  const target: AssignmentRecord['target'] =
    raw.target?.kind === 'unit' ? { kind: 'unit', unitId: String(raw.target.unitId) } : { kind: 'people', userIds: [...(raw.target?.userIds ?? [])] };
  return {
    id: raw._id,
    moduleSlug: raw.moduleSlug,
    deadline: raw.deadline ?? null,
    scope: raw.scope === 'municipal' ? 'municipal' : 'unit',
    target,
    unitId: raw.unitId ?? (target.kind === 'unit' ? target.unitId : null),
    createdBy: { id: raw.createdBy?.id ?? null, name: raw.createdBy?.name ?? '' },
    createdAt: raw.createdAt,
    batch: raw.batch ?? null,
  };
}

/**
 * Every assignment on a unit's list: its own, the municipality's for it, and its leader's for named
 * people. One `_id` read of the unit's list document (see models.ts), not a scan of every assignment.
 */
export async function unitAssignmentRecords(unitId: string): Promise<AssignmentRecord[]> {
  if (!isObjectIdString(unitId)) return [];
  return (await unitListRecords(unitId)).map(toRecord).sort(byDeadline);
}

/** Every assignment (a few per unit and module), for the weekly digest. */
export async function allAssignmentRecords(): Promise<AssignmentRecord[]> {
  return (await AssignmentModel.find({}).lean<RawRecord[]>()).map(toRecord);
}

function byDeadline(a: AssignmentRecord, b: AssignmentRecord): number {
  return (a.deadline?.getTime() ?? Infinity) - (b.deadline?.getTime() ?? Infinity) || a.moduleSlug.localeCompare(b.moduleSlug) || a.id.localeCompare(b.id);
}

/** The people of a unit an assignment concerns now: all of them, or the chosen ones still there. */
export function assignedMembers(record: AssignmentRecord, members: readonly UnitMember[]): UnitMember[] {
  if (record.target.kind === 'unit') return [...members];
  const chosen = new Set(record.target.userIds);
  return members.filter((m) => chosen.has(m.id));
}

async function moduleTitles(): Promise<Map<string, string>> {
  return new Map((await listCatalogue()).map((m) => [m.slug, m.title]));
}

/** The assignment page of a unit: what it has been asked to take, and by when. */
export async function unitAssignments(actor: SessionUser, unitId: string): Promise<UnitAssignmentView[]> {
  assertCan(actor, 'unit:lead', { unitId });
  const [records, members, titles] = await Promise.all([unitAssignmentRecords(unitId), unitMembers(unitId), moduleTitles()]);
  return records.map((r) => ({
    ...r,
    moduleTitle: titles.get(r.moduleSlug) ?? r.moduleSlug,
    people: r.target.kind === 'people' ? assignedMembers(r, members).map((m) => ({ id: m.id, name: m.name })) : [],
    editable: r.scope === 'unit',
  }));
}

async function editableRecord(actor: SessionUser, unitId: string, id: string): Promise<AssignmentRecord> {
  assertCan(actor, 'unit:lead', { unitId });
  const raw = typeof id === 'string' && id.length <= 200 ? await AssignmentModel.findById(id).lean<RawRecord>() : null;
  const record = raw ? toRecord(raw) : null;
  const onList = record && (record.unitId === unitId || (record.target.kind === 'unit' && record.target.unitId === unitId));
  if (!record || !onList) throw new NotFoundError(`assignment ${id} is not on unit ${unitId}'s list`);
  if (record.scope !== 'unit') throw new ForbiddenError(`assignment ${id} was made by the municipality`);
  return record;
}

export interface LeaderAssignmentInput {
  moduleSlug: string;
  /** `all`: everyone in the unit, now and later; `people`: the chosen ones. */
  target: 'all' | 'people';
  userIds: string[];
  deadline: string;
}

/**
 * A leader assigns a module. To the whole unit it is standing (new staff see it too), and assigning
 * the same module to the whole unit again changes the deadline instead of adding a second one.
 */
export async function assignForUnit(actor: SessionUser, unitId: string, input: LeaderAssignmentInput, now = new Date()): Promise<{ id: string; updated: boolean }> {
  assertCan(actor, 'unit:lead', { unitId });
  const fields: FieldErrors = {};
  const titles = await moduleTitles();
  if (!SLUG.test(input.moduleSlug) || !titles.has(input.moduleSlug)) fields.moduleSlug = 'assignments:errors.module';
  const members = await unitMembers(unitId, now);
  const memberIds = new Set(members.map((m) => m.id));
  const chosen = [...new Set(input.userIds)];
  if (input.target === 'people') {
    if (chosen.length === 0) fields.people = 'assignments:errors.people';
    // Only people who work in the unit: a leader cannot reach into another unit through a forged form.
    else if (chosen.some((id) => !memberIds.has(id))) fields.people = 'assignments:errors.peopleNotInUnit';
  }
  const deadline = parseDeadline(input.deadline, todayDateOnly(now));
  if (!deadline.ok) fields.deadline = deadline.error;
  if (Object.keys(fields).length || !deadline.ok) throw new ValidationError('invalid assignment', fields);

  const createdBy = { id: actor.id, name: actor.name };
  if (input.target === 'all') {
    const existing = await AssignmentModel.findOne({
      scope: { $ne: 'municipal' },
      'target.kind': 'unit',
      'target.unitId': { $eq: unitId },
      moduleSlug: { $eq: input.moduleSlug },
    }).lean<RawRecord>();
    if (existing) {
      await setDeadline(existing._id, deadline.date, now);
      return { id: existing._id, updated: true };
    }
    const id = await createAssignment({ moduleSlug: input.moduleSlug, target: { kind: 'unit', unitId }, deadline: deadline.date, createdBy }, { now, unitId });
    return { id, updated: false };
  }
  const id = await createAssignment({ moduleSlug: input.moduleSlug, target: { kind: 'people', userIds: chosen }, deadline: deadline.date, createdBy }, { id: randomUUID(), now, unitId });
  return { id, updated: false };
}

async function setDeadline(id: string, deadline: Date, now: Date): Promise<void> {
  const raw = await AssignmentModel.findOneAndUpdate({ _id: { $eq: id } }, { $set: { deadline, updatedAt: now } }, { new: true }).lean<RawRecord>();
  if (!raw) throw new NotFoundError(`assignment ${id}`);
  await writeTargets(raw);
}

/** A leader moves the deadline of one of their unit's assignments. */
export async function changeDeadline(actor: SessionUser, unitId: string, id: string, rawDeadline: string, now = new Date()): Promise<void> {
  const record = await editableRecord(actor, unitId, id);
  const deadline = parseDeadline(rawDeadline, todayDateOnly(now));
  if (!deadline.ok) throw new ValidationError('invalid deadline', { [`deadline-${record.id}`]: deadline.error });
  await setDeadline(record.id, deadline.date, now);
}

/** A leader withdraws one of their unit's assignments: it disappears from the staff's "Mine kurs". */
export async function withdrawAssignment(actor: SessionUser, unitId: string, id: string): Promise<AssignmentRecord> {
  const record = await editableRecord(actor, unitId, id);
  await withdraw([record]);
  return record;
}

async function withdraw(records: readonly AssignmentRecord[]): Promise<void> {
  for (const record of records) {
    await removeTargets(stored(record));
    await AssignmentModel.deleteOne({ _id: { $eq: record.id } });
  }
}

function stored(record: AssignmentRecord): StoredAssignment {
  return {
    _id: record.id,
    moduleSlug: record.moduleSlug,
    target: record.target.kind === 'unit' ? { kind: 'unit', unitId: record.target.unitId } : { kind: 'people', userIds: record.target.userIds },
    deadline: record.deadline,
    createdAt: record.createdAt,
    unitId: record.unitId,
  };
}

// ---------------------------------------------------------------------------------------------
// The municipality

export interface MunicipalAssignmentInput {
  moduleSlugs: string[];
  unitTypes: string[];
  districtIds: string[];
  deadline: string;
}

export interface MunicipalBatchView {
  batch: string;
  moduleSlug: string;
  moduleTitle: string;
  unitTypes: UnitType[];
  districts: string[];
  deadlines: Date[];
  units: number;
}

/** One row of the municipality's list per module and choice of unit types and districts. */
function batchKey(slug: string, unitTypes: readonly string[], districtIds: readonly string[]): string {
  return `${slug}|${[...unitTypes].sort().join(',')}|${[...districtIds].sort().join(',')}`;
}

export const BATCH_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*\|[a-z,]*\|[a-f0-9,]*$/;

const municipalInput = z.object({
  moduleSlugs: z.array(z.string().regex(SLUG)).max(50),
  unitTypes: z.array(z.enum(UNIT_TYPES)).max(UNIT_TYPES.length),
  districtIds: z.array(z.string().refine(isObjectIdString)).max(500),
});

/**
 * Assigns modules to every open unit of the chosen types and/or districts, as one unit-wide
 * assignment per unit and module (`municipal:<unitId>:<slug>`), so staff who join later get it and
 * doing it again only moves the deadline. Returns how many units and assignments it touched.
 */
export async function assignForUnits(actor: SessionUser, input: MunicipalAssignmentInput, now = new Date()): Promise<{ units: number; created: number; updated: number }> {
  assertCan(actor, 'assignments:municipal');
  const fields: FieldErrors = {};
  const parsed = municipalInput.safeParse(input);
  const titles = await moduleTitles();
  const slugs = [...new Set(parsed.success ? parsed.data.moduleSlugs : [])];
  const types = [...new Set(parsed.success ? parsed.data.unitTypes : [])];
  const districts = [...new Set(parsed.success ? parsed.data.districtIds : [])];
  if (!parsed.success) fields.form = 'errors:validation';
  if (slugs.length === 0 || slugs.some((s) => !titles.has(s))) fields.modules = 'assignments:errors.modules';
  if (types.length === 0 && districts.length === 0) fields.unitTypes = 'assignments:errors.selection';
  const deadline = parseDeadline(input.deadline, todayDateOnly(now));
  if (!deadline.ok) fields.deadline = deadline.error;
  const units = (await listUnits({ status: 'open' })).filter((u) => (types.length === 0 || types.includes(u.type)) && (districts.length === 0 || districts.includes(u.districtId)));
  if (!fields.unitTypes && units.length === 0) fields.unitTypes = 'assignments:errors.noUnits';
  if (Object.keys(fields).length || !deadline.ok) throw new ValidationError('invalid municipal assignment', fields);

  let created = 0;
  let updated = 0;
  for (const slug of slugs) {
    const batch = batchKey(slug, types, districts);
    for (const unit of units) {
      const id = `municipal:${unit.id}:${slug}`;
      const result = await assignmentCollection.updateOne(
        { _id: id },
        {
          $set: { deadline: deadline.date, batch, selection: { unitTypes: types, districtIds: districts }, updatedAt: now },
          $setOnInsert: {
            moduleSlug: slug,
            target: { kind: 'unit', unitId: unit.id, userIds: [] },
            createdBy: { id: actor.id, name: actor.name },
            createdAt: now,
            unitId: unit.id,
            scope: 'municipal',
          },
        },
        { upsert: true },
      );
      if (result.upsertedCount) created += 1;
      else updated += 1;
      const raw = await AssignmentModel.findById(id).lean<RawRecord>();
      if (raw) await writeTargets(raw);
    }
  }
  return { units: units.length, created, updated };
}

/** The municipality's assignments, one row per module and choice of unit types and districts. */
export async function municipalAssignments(actor: SessionUser): Promise<MunicipalBatchView[]> {
  assertCan(actor, 'assignments:municipal');
  const [raws, titles, districtList] = await Promise.all([AssignmentModel.find({ scope: 'municipal' }).lean<RawRecord[]>(), moduleTitles(), listDistricts({ includeClosed: true })]);
  const districtNames = new Map(districtList.map((d) => [d.id, d.name]));
  const rows = new Map<string, MunicipalBatchView>();
  for (const raw of raws) {
    const batch = raw.batch ?? batchKey(raw.moduleSlug, [], []);
    let row = rows.get(batch);
    if (!row) {
      row = {
        batch,
        moduleSlug: raw.moduleSlug,
        moduleTitle: titles.get(raw.moduleSlug) ?? raw.moduleSlug,
        unitTypes: (raw.selection?.unitTypes ?? []) as UnitType[],
        districts: (raw.selection?.districtIds ?? []).map((id) => districtNames.get(id) ?? id),
        deadlines: [],
        units: 0,
      };
      rows.set(batch, row);
    }
    row.units += 1;
    if (raw.deadline && !row.deadlines.some((d) => d.getTime() === raw.deadline!.getTime())) row.deadlines.push(raw.deadline);
  }
  return [...rows.values()]
    .map((r) => ({ ...r, deadlines: r.deadlines.sort((a, b) => a.getTime() - b.getTime()) }))
    .sort((a, b) => a.moduleTitle.localeCompare(b.moduleTitle, 'nb') || a.batch.localeCompare(b.batch));
}

/** Withdraws one row of the municipality's list from every unit it reached. */
export async function withdrawMunicipalBatch(actor: SessionUser, batch: string): Promise<number> {
  assertCan(actor, 'assignments:municipal');
  if (!BATCH_PATTERN.test(batch) || batch.length > 12_000) throw new NotFoundError('bad batch');
  const records = (await AssignmentModel.find({ scope: 'municipal', batch: { $eq: batch } }).lean<RawRecord[]>()).map(toRecord);
  if (records.length === 0) throw new NotFoundError(`no municipal assignments in ${batch}`);
  await withdraw(records);
  return records.length;
}

/** A unit a leader's pages are about (its name for headings); 404 for a unit that does not exist. */
export async function ledUnit(actor: SessionUser, unitId: string): Promise<{ id: string; name: string; type: UnitType }> {
  assertCan(actor, 'unit:lead', { unitId });
  const unit = await getUnit(unitId);
  return { id: unit.id, name: unit.name, type: unit.type };
}
