import {
  allUnitsForImport,
  applyUnitImportRow,
  findDistrictsByNames,
  isValidOrgNumber,
  normaliseOrgNumber,
  unitImportChanges,
  UNIT_TYPES,
  type RowResult,
  type UnitImportRow,
  type UnitType,
  type UnitView,
} from '../organisation/index.js';
import type { ColumnSpec, CsvRow, Problem } from './csv.js';
import { maxLength, rejectDuplicates, requireValue, type PlannedRow } from './plan.js';

export const UNIT_COLUMNS: readonly ColumnSpec[] = [
  { key: 'name', name: 'navn', aliases: ['navn', 'name', 'enhet', 'enhetsnavn'], required: true },
  { key: 'type', name: 'type', aliases: ['type', 'enhetstype'], required: true },
  { key: 'district', name: 'bydel', aliases: ['bydel', 'district'], required: true },
  { key: 'orgNumber', name: 'orgnr', aliases: ['orgnr', 'organisasjonsnummer', 'orgnumber'], required: false },
  { key: 'nationalId', name: 'nasjonal_id', aliases: ['nasjonalid', 'nationalid', 'nsr', 'nbr', 'nsrid', 'nbrid'], required: false },
];

const NATIONAL_ID = /^[0-9A-Za-z-]{1,20}$/;

/** "Voksenopplæring" and "Barnehage" in a spreadsheet mean the stored types voksenopplaering and barnehage. */
export function normaliseUnitType(value: string): string {
  return value.trim().toLowerCase().replace(/æ/g, 'ae').replace(/ø/g, 'o').replace(/å/g, 'a').replace(/\s+/g, '');
}

export interface CheckedUnitRow {
  line: number;
  reasons: Problem[];
  name: string;
  type: UnitType | null;
  district: string;
  orgNumber: string | null;
  nationalId: string | null;
}

/** Checks each unit row on its own and against the other rows (pure). */
export function checkUnitRows(rows: readonly CsvRow[]): CheckedUnitRow[] {
  const checked = rows.map((row): CheckedUnitRow => {
    const reasons: Problem[] = [];
    if (row.extraFields) reasons.push({ key: 'imports:reason.extraFields', params: { n: row.extraFields } });
    const name = requireValue(row.values, 'name', 'navn', reasons);
    maxLength(name, 160, 'navn', reasons);
    const typeRaw = requireValue(row.values, 'type', 'type', reasons);
    const typeValue = normaliseUnitType(typeRaw);
    const type = (UNIT_TYPES as readonly string[]).includes(typeValue) ? (typeValue as UnitType) : null;
    if (typeRaw && !type) reasons.push({ key: 'imports:reason.invalidType', params: { value: typeRaw, allowed: UNIT_TYPES.join(', ') } });
    const district = requireValue(row.values, 'district', 'bydel', reasons);
    const orgRaw = row.values.orgNumber ?? '';
    const orgNumber = orgRaw ? normaliseOrgNumber(orgRaw) : null;
    if (orgNumber && !isValidOrgNumber(orgNumber)) reasons.push({ key: 'imports:reason.invalidOrgNumber', params: { value: orgRaw } });
    const nationalId = row.values.nationalId || null;
    if (nationalId && !NATIONAL_ID.test(nationalId)) reasons.push({ key: 'imports:reason.invalidNationalId', params: { value: nationalId } });
    return { line: row.line, reasons, name, type, district, orgNumber, nationalId };
  });
  rejectDuplicates(checked, (r) => r.orgNumber, 'imports:reason.duplicateOrgNumber');
  rejectDuplicates(checked, (r) => r.name.toLowerCase() || null, 'imports:reason.duplicateName');
  return checked;
}

export async function planUnitImport(rows: readonly CsvRow[]): Promise<PlannedRow[]> {
  const checked = checkUnitRows(rows);
  const [districts, units] = await Promise.all([findDistrictsByNames(checked.map((r) => r.district).filter(Boolean)), allUnitsForImport()]);
  const byOrgNumber = new Map(units.filter((u) => u.orgNumber).map((u) => [u.orgNumber!, u]));
  const byNameWithoutNumber = new Map(units.filter((u) => !u.orgNumber).map((u) => [u.name.toLowerCase(), u]));
  const byName = new Map(units.map((u) => [u.name.toLowerCase(), u]));
  const districtNames = new Map([...districts.values()].map((d) => [d.id, d.name]));

  return checked.map((row): PlannedRow => {
    const reasons = [...row.reasons];
    const district = row.district ? districts.get(row.district.toLowerCase()) : undefined;
    if (row.district && !district) reasons.push({ key: 'imports:reason.unknownDistrict', params: { value: row.district } });
    // With a number: the unit that has it, or a same-named unit still without one. Without: by name.
    const existing: UnitView | undefined = row.orgNumber
      ? (byOrgNumber.get(row.orgNumber) ?? byNameWithoutNumber.get(row.name.toLowerCase()))
      : byName.get(row.name.toLowerCase());
    if (existing?.closed) reasons.push({ key: 'imports:reason.closedUnit', params: { value: existing.name } });
    if (district?.closed && existing?.districtId !== district.id) reasons.push({ key: 'imports:reason.closedDistrict', params: { value: district.name } });
    const sameName = byName.get(row.name.toLowerCase());
    if (row.name && sameName && sameName.id !== existing?.id) reasons.push({ key: 'imports:reason.unitNameTaken', params: { value: row.name } });

    const display = { name: row.name, type: row.type ?? '', district: district?.name ?? row.district, orgNumber: row.orgNumber ?? '', nationalId: row.nationalId ?? '' };
    if (reasons.length || !district || !row.type) return { line: row.line, action: 'rejected', display, data: {}, changes: [], reasons };
    const data: UnitImportRow = { name: row.name, type: row.type, districtId: district.id, orgNumber: row.orgNumber, nationalId: row.nationalId };
    if (!existing) return { line: row.line, action: 'create', display, data: { ...data }, changes: [], reasons: [] };
    const changes = unitImportChanges(existing, data, districtNames);
    return { line: row.line, action: changes.length ? 'update' : 'unchanged', display, data: { ...data }, changes, reasons: [] };
  });
}

export function applyUnitRow(data: Record<string, string | null>): Promise<RowResult> {
  return applyUnitImportRow({
    name: String(data.name),
    type: data.type as UnitType,
    districtId: String(data.districtId),
    orgNumber: data.orgNumber ?? null,
    nationalId: data.nationalId ?? null,
  });
}
