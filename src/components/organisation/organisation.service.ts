import { Types } from 'mongoose';
import { z } from 'zod';
import { DistrictModel, UnitModel, UNIT_TYPES, type UnitType } from './models.js';
import { isValidOrgNumber, normaliseOrgNumber } from './org-number.js';
import { NotFoundError, ValidationError, type FieldErrors } from '../../lib/errors.js';
import { escapeRegExp, isObjectIdString } from '../../lib/ids.js';
import { parseOrThrow } from '../../lib/validation.js';

/** What pages and other components see of a unit. */
export interface UnitView {
  id: string;
  name: string;
  type: UnitType;
  districtId: string;
  districtName: string;
  orgNumber: string | null;
  nationalId: string | null;
  closed: boolean;
}

export interface DistrictView {
  id: string;
  name: string;
  closed: boolean;
  openUnits: number;
}

const NATIONAL_ID = /^[0-9A-Za-z-]{1,20}$/;

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v ?? '').trim());

/** The unit form and the service share one description of a valid unit (messages are i18n keys). */
export const unitInputSchema = z.object({
  name: z.string().trim().min(1, 'organisation:errors.nameRequired').max(160, 'organisation:errors.nameTooLong'),
  type: z.enum(UNIT_TYPES, { error: 'organisation:errors.typeRequired' }),
  districtId: z.string().refine(isObjectIdString, 'organisation:errors.districtRequired'),
  orgNumber: optionalText
    .transform(normaliseOrgNumber)
    .refine((v) => v === '' || isValidOrgNumber(v), 'organisation:errors.orgNumberInvalid')
    .transform((v) => v || null),
  nationalId: optionalText.refine((v) => v === '' || NATIONAL_ID.test(v), 'organisation:errors.nationalIdInvalid').transform((v) => v || null),
});
export type UnitInput = z.output<typeof unitInputSchema>;

export const districtInputSchema = z.object({
  name: z.string().trim().min(1, 'organisation:errors.districtNameRequired').max(120, 'organisation:errors.districtNameTooLong'),
});

function sameNameFilter(name: string): { $regex: string; $options: string } {
  return { $regex: `^${escapeRegExp(name.trim())}$`, $options: 'i' };
}

function toUnitView(
  unit: { _id: Types.ObjectId; name: string; type: string; districtId: Types.ObjectId; orgNumber?: string | null; nationalId?: string | null; closedAt?: Date | null },
  districtNames: Map<string, string>,
): UnitView {
  return {
    id: String(unit._id),
    name: unit.name,
    type: unit.type as UnitType,
    districtId: String(unit.districtId),
    districtName: districtNames.get(String(unit.districtId)) ?? '',
    orgNumber: unit.orgNumber ?? null,
    nationalId: unit.nationalId ?? null,
    closed: !!unit.closedAt,
  };
}

async function districtNameMap(): Promise<Map<string, string>> {
  const districts = await DistrictModel.find({}, { name: 1 }).lean();
  return new Map(districts.map((d) => [String(d._id), d.name]));
}

// ---------------------------------------------------------------------------------------------
// Districts

export async function listDistricts(options: { includeClosed?: boolean } = {}): Promise<DistrictView[]> {
  const filter = options.includeClosed ? {} : { closedAt: null };
  const [districts, counts] = await Promise.all([
    DistrictModel.find(filter).sort({ name: 1 }).lean(),
    UnitModel.aggregate<{ _id: Types.ObjectId; n: number }>([{ $match: { closedAt: null } }, { $group: { _id: '$districtId', n: { $sum: 1 } } }]),
  ]);
  const byDistrict = new Map(counts.map((c) => [String(c._id), c.n]));
  return districts.map((d) => ({ id: String(d._id), name: d.name, closed: !!d.closedAt, openUnits: byDistrict.get(String(d._id)) ?? 0 }));
}

export async function getDistrict(id: string): Promise<DistrictView> {
  if (!isObjectIdString(id)) throw new NotFoundError(`district ${id}`);
  const district = await DistrictModel.findById(id).lean();
  if (!district) throw new NotFoundError(`district ${id}`);
  const openUnits = await UnitModel.countDocuments({ districtId: district._id, closedAt: null });
  return { id, name: district.name, closed: !!district.closedAt, openUnits };
}

async function assertDistrictNameFree(name: string, exceptId?: string): Promise<void> {
  const clash = await DistrictModel.findOne({ name: sameNameFilter(name) }, { _id: 1 }).lean();
  if (clash && String(clash._id) !== exceptId) {
    throw new ValidationError('district name taken', { name: 'organisation:errors.districtNameTaken' });
  }
}

export async function createDistrict(input: { name: string }): Promise<string> {
  const { name } = parseOrThrow(districtInputSchema, input);
  await assertDistrictNameFree(name);
  try {
    const district = await DistrictModel.create({ name });
    return String(district._id);
  } catch (err) {
    // Two admins creating the same name at once: the unique index decides.
    if ((err as { code?: number }).code === 11000) throw new ValidationError('district name taken', { name: 'organisation:errors.districtNameTaken' });
    throw err;
  }
}

export async function renameDistrict(id: string, input: { name: string }): Promise<void> {
  await getDistrict(id);
  const { name } = parseOrThrow(districtInputSchema, input);
  await assertDistrictNameFree(name, id);
  try {
    await DistrictModel.updateOne({ _id: id }, { $set: { name } });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new ValidationError('district name taken', { name: 'organisation:errors.districtNameTaken' });
    throw err;
  }
}

/** A district closes only when none of its units is open, so no open unit ends up in a hidden district. */
export async function setDistrictClosed(id: string, closed: boolean): Promise<void> {
  const district = await getDistrict(id);
  if (closed && district.openUnits > 0) {
    throw new ValidationError('district has open units', { district: 'organisation:errors.districtHasOpenUnits' });
  }
  await DistrictModel.updateOne({ _id: id }, { $set: { closedAt: closed ? new Date() : null } });
}

// ---------------------------------------------------------------------------------------------
// Units

export interface UnitFilter {
  districtId?: string | undefined;
  type?: UnitType | undefined;
  status?: 'open' | 'closed' | 'all' | undefined;
}

export async function listUnits(filter: UnitFilter = {}): Promise<UnitView[]> {
  const query: Record<string, unknown> = {};
  if (filter.districtId && isObjectIdString(filter.districtId)) query.districtId = new Types.ObjectId(filter.districtId);
  if (filter.type) query.type = { $eq: filter.type };
  const status = filter.status ?? 'open';
  if (status === 'open') query.closedAt = null;
  if (status === 'closed') query.closedAt = { $ne: null };
  const [units, names] = await Promise.all([UnitModel.find(query).sort({ name: 1 }).lean(), districtNameMap()]);
  return units.map((u) => toUnitView(u, names));
}

export async function getUnit(id: string): Promise<UnitView> {
  if (!isObjectIdString(id)) throw new NotFoundError(`unit ${id}`);
  const unit = await UnitModel.findById(id).lean();
  if (!unit) throw new NotFoundError(`unit ${id}`);
  const district = await DistrictModel.findById(unit.districtId, { name: 1 }).lean();
  return toUnitView(unit, new Map([[String(unit.districtId), district?.name ?? '']]));
}

/** Open units for choice lists (memberships, filters), sorted by name. */
export async function unitChoices(): Promise<UnitView[]> {
  return listUnits({ status: 'open' });
}

/** Names of units by id, closed ones included (history shows where people used to work). */
export async function unitsByIds(ids: readonly string[]): Promise<Map<string, UnitView>> {
  const valid = [...new Set(ids.filter(isObjectIdString))];
  if (!valid.length) return new Map();
  const [units, names] = await Promise.all([UnitModel.find({ _id: { $in: valid } }).lean(), districtNameMap()]);
  return new Map(units.map((u) => [String(u._id), toUnitView(u, names)]));
}

/** Business rules beyond the form's shape: the district is open, the org number and name are free. */
async function checkUnitRules(input: UnitInput, existingId?: string, currentDistrictId?: string): Promise<void> {
  const fields: FieldErrors = {};
  const district = await DistrictModel.findById(input.districtId, { closedAt: 1 }).lean();
  if (!district) fields.districtId = 'organisation:errors.districtRequired';
  else if (district.closedAt && input.districtId !== currentDistrictId) fields.districtId = 'organisation:errors.districtClosed';
  if (input.orgNumber) {
    const clash = await UnitModel.findOne({ orgNumber: { $eq: input.orgNumber } }, { _id: 1 }).lean();
    if (clash && String(clash._id) !== existingId) fields.orgNumber = 'organisation:errors.orgNumberTaken';
  }
  const sameName = await UnitModel.findOne({ name: sameNameFilter(input.name) }, { _id: 1 }).lean();
  if (sameName && String(sameName._id) !== existingId) fields.name = 'organisation:errors.unitNameTaken';
  if (Object.keys(fields).length) throw new ValidationError('unit rules', fields);
}

export async function createUnit(raw: unknown): Promise<string> {
  const input = parseOrThrow(unitInputSchema, raw);
  await checkUnitRules(input);
  const unit = await UnitModel.create({ ...input, districtId: new Types.ObjectId(input.districtId) });
  return String(unit._id);
}

export async function updateUnit(id: string, raw: unknown): Promise<void> {
  const existing = await getUnit(id);
  const input = parseOrThrow(unitInputSchema, raw);
  await checkUnitRules(input, id, existing.districtId);
  await UnitModel.updateOne({ _id: id }, { $set: { ...input, districtId: new Types.ObjectId(input.districtId) } });
}

/** Closing keeps the unit and its history; reopening needs an open district. */
export async function setUnitClosed(id: string, closed: boolean): Promise<void> {
  const unit = await getUnit(id);
  if (!closed) {
    const district = await DistrictModel.findById(unit.districtId, { closedAt: 1 }).lean();
    if (district?.closedAt) throw new ValidationError('district closed', { districtId: 'organisation:errors.reopenInClosedDistrict' });
  }
  await UnitModel.updateOne({ _id: id }, { $set: { closedAt: closed ? new Date() : null } });
}

/** Ids of open units by exact name (used by seeds). */
export async function findUnitIdsByName(names: readonly string[]): Promise<Map<string, string>> {
  const units = await UnitModel.find({ name: { $in: [...names] }, closedAt: null }, { name: 1 }).lean();
  return new Map(units.map((u) => [u.name, String(u._id)]));
}

/** Units referred to by id or organisation number (staff import), closed ones included. */
export async function findUnitsByRefs(refs: { ids: readonly string[]; orgNumbers: readonly string[] }): Promise<{ byId: Map<string, UnitView>; byOrgNumber: Map<string, UnitView> }> {
  const ids = [...new Set(refs.ids.filter(isObjectIdString))];
  const orgNumbers = [...new Set(refs.orgNumbers)];
  const or: Record<string, unknown>[] = [];
  if (ids.length) or.push({ _id: { $in: ids } });
  if (orgNumbers.length) or.push({ orgNumber: { $in: orgNumbers } });
  const units = or.length ? await UnitModel.find({ $or: or }).lean() : [];
  const names = await districtNameMap();
  const views = units.map((u) => toUnitView(u, names));
  return {
    byId: new Map(views.map((u) => [u.id, u])),
    byOrgNumber: new Map(views.filter((u) => u.orgNumber).map((u) => [u.orgNumber!, u])),
  };
}

/** Districts by name, case-insensitively (unit import). */
export async function findDistrictsByNames(names: readonly string[]): Promise<Map<string, DistrictView>> {
  const wanted = new Set(names.map((n) => n.trim().toLowerCase()));
  const districts = await listDistricts({ includeClosed: true });
  return new Map(districts.filter((d) => wanted.has(d.name.toLowerCase())).map((d) => [d.name.toLowerCase(), d]));
}

// ---------------------------------------------------------------------------------------------
// Unit import: planning and applying one row. Both use the same comparison, so the preview says
// exactly what applying will do, and applying twice changes nothing the second time.

export interface UnitImportRow {
  name: string;
  type: UnitType;
  districtId: string;
  orgNumber: string | null;
  nationalId: string | null;
}

export type ImportChange = { field: string; from: string; to: string };

/**
 * The unit a row means. With an org number: the unit that has it, else a same-named unit that has
 * no number yet. Without one: the unit of that name.
 */
export async function findUnitForImport(row: Pick<UnitImportRow, 'name' | 'orgNumber'>): Promise<UnitView | null> {
  const names = await districtNameMap();
  if (row.orgNumber) {
    const byNumber = await UnitModel.findOne({ orgNumber: { $eq: row.orgNumber } }).lean();
    if (byNumber) return toUnitView(byNumber, names);
  }
  const byName = await UnitModel.findOne(row.orgNumber ? { name: sameNameFilter(row.name), orgNumber: null } : { name: sameNameFilter(row.name) }).lean();
  return byName ? toUnitView(byName, names) : null;
}

/** What a row would change in an existing unit. Empty optional cells keep what is stored. */
export function unitImportChanges(existing: UnitView, row: UnitImportRow, districtNames: Map<string, string>): ImportChange[] {
  const changes: ImportChange[] = [];
  if (existing.name !== row.name) changes.push({ field: 'name', from: existing.name, to: row.name });
  if (existing.type !== row.type) changes.push({ field: 'type', from: existing.type, to: row.type });
  if (existing.districtId !== row.districtId) {
    changes.push({ field: 'district', from: existing.districtName, to: districtNames.get(row.districtId) ?? '' });
  }
  if (row.orgNumber && existing.orgNumber !== row.orgNumber) changes.push({ field: 'orgNumber', from: existing.orgNumber ?? '', to: row.orgNumber });
  if (row.nationalId && existing.nationalId !== row.nationalId) changes.push({ field: 'nationalId', from: existing.nationalId ?? '', to: row.nationalId });
  return changes;
}

export type RowResult = { result: 'created' | 'updated' | 'unchanged' } | { result: 'rejected'; reason: { key: string; params?: Record<string, string | number> } };

/** True when another unit than `exceptId` already has this name (names identify units in lists and files). */
export async function unitNameTaken(name: string, exceptId?: string): Promise<boolean> {
  const clash = await UnitModel.findOne({ name: sameNameFilter(name) }, { _id: 1 }).lean();
  return !!clash && String(clash._id) !== exceptId;
}

/** Creates or updates the unit of one import row; idempotent, so an interrupted import can run again. */
export async function applyUnitImportRow(row: UnitImportRow): Promise<RowResult> {
  const district = await DistrictModel.findById(row.districtId, { name: 1, closedAt: 1 }).lean();
  if (!district) return { result: 'rejected', reason: { key: 'imports:reason.unknownDistrict', params: { value: '' } } };
  const existing = await findUnitForImport(row);
  if (existing?.closed) return { result: 'rejected', reason: { key: 'imports:reason.closedUnit', params: { value: existing.name } } };
  if (district.closedAt && existing?.districtId !== row.districtId) {
    return { result: 'rejected', reason: { key: 'imports:reason.closedDistrict', params: { value: district.name } } };
  }
  if (await unitNameTaken(row.name, existing?.id)) return { result: 'rejected', reason: { key: 'imports:reason.unitNameTaken', params: { value: row.name } } };
  if (!existing) {
    await UnitModel.create({ ...row, districtId: new Types.ObjectId(row.districtId) });
    return { result: 'created' };
  }
  const changes = unitImportChanges(existing, row, new Map([[row.districtId, district.name]]));
  if (!changes.length) return { result: 'unchanged' };
  const set: Record<string, unknown> = { name: row.name, type: row.type, districtId: new Types.ObjectId(row.districtId) };
  if (row.orgNumber) set.orgNumber = row.orgNumber;
  if (row.nationalId) set.nationalId = row.nationalId;
  await UnitModel.updateOne({ _id: existing.id }, { $set: set });
  return { result: 'updated' };
}

/** All units with their district names, for planning a unit import in one read. */
export async function allUnitsForImport(): Promise<UnitView[]> {
  return listUnits({ status: 'all' });
}
