import { z } from 'zod';
import {
  applyStaffImportRow,
  findPeopleByEmails,
  findPersonIdsByExternalIds,
  MEMBERSHIP_ROLES,
  normaliseEmail,
  staffImportChanges,
  staffImportRefusal,
  type MembershipRole,
  type StaffImportRow,
  type StaffRowResult,
} from '../accounts/index.js';
import type { SessionUser } from '../../web/session-user.js';
import { findUnitsByRefs, isValidOrgNumber, normaliseOrgNumber } from '../organisation/index.js';
import { isObjectIdString } from '../../lib/ids.js';
import type { ColumnSpec, CsvRow, Problem } from './csv.js';
import { maxLength, rejectDuplicates, requireValue, type PlannedRow } from './plan.js';

/** Staff file columns; the first alias of each is the documented name. */
export const STAFF_COLUMNS: readonly ColumnSpec[] = [
  { key: 'name', name: 'navn', aliases: ['navn', 'name', 'fulltnavn'], required: true },
  { key: 'email', name: 'epost', aliases: ['epost', 'epostadresse', 'email', 'mail'], required: true },
  { key: 'unit', name: 'enhet', aliases: ['enhet', 'unit', 'enhetorgnr', 'orgnr', 'organisasjonsnummer', 'enhetid'], required: true },
  { key: 'role', name: 'rolle', aliases: ['rolle', 'role', 'rolleienheten'], required: false },
  { key: 'externalId', name: 'ekstern_id', aliases: ['eksternid', 'externalid', 'brukerid'], required: false },
];

type UnitRef = { by: 'id'; value: string } | { by: 'orgNumber'; value: string };

export interface CheckedStaffRow {
  line: number;
  reasons: Problem[];
  name: string;
  email: string;
  unitRaw: string;
  unitRef: UnitRef | null;
  role: MembershipRole;
  externalId: string | null;
}

const emailSchema = z.email();

function parseUnitRef(raw: string, reasons: Problem[]): UnitRef | null {
  if (!raw) return null;
  if (isObjectIdString(raw)) return { by: 'id', value: raw.toLowerCase() };
  const digits = normaliseOrgNumber(raw);
  if (/^\d+$/.test(digits)) {
    if (isValidOrgNumber(digits)) return { by: 'orgNumber', value: digits };
    reasons.push({ key: 'imports:reason.invalidOrgNumber', params: { value: raw } });
    return null;
  }
  reasons.push({ key: 'imports:reason.invalidUnitRef', params: { value: raw } });
  return null;
}

/** Checks each row on its own and against the other rows of the file (pure). */
export function checkStaffRows(rows: readonly CsvRow[]): CheckedStaffRow[] {
  const checked = rows.map((row): CheckedStaffRow => {
    const reasons: Problem[] = [];
    if (row.extraFields) reasons.push({ key: 'imports:reason.extraFields', params: { n: row.extraFields } });
    const name = requireValue(row.values, 'name', 'navn', reasons);
    maxLength(name, 160, 'navn', reasons);
    const rawEmail = requireValue(row.values, 'email', 'epost', reasons);
    const email = normaliseEmail(rawEmail);
    if (rawEmail && (email.length > 254 || !emailSchema.safeParse(email).success)) reasons.push({ key: 'imports:reason.invalidEmail', params: { value: rawEmail } });
    const unitRaw = requireValue(row.values, 'unit', 'enhet', reasons);
    const unitRef = parseUnitRef(unitRaw, reasons);
    const roleRaw = (row.values.role ?? '').toLowerCase();
    let role: MembershipRole = 'ansatt';
    if (roleRaw) {
      if ((MEMBERSHIP_ROLES as readonly string[]).includes(roleRaw)) role = roleRaw as MembershipRole;
      else reasons.push({ key: 'imports:reason.invalidRole', params: { value: row.values.role ?? '', allowed: MEMBERSHIP_ROLES.join(', ') } });
    }
    const externalId = row.values.externalId || null;
    if (externalId) maxLength(externalId, 200, 'ekstern_id', reasons);
    return { line: row.line, reasons, name, email, unitRaw, unitRef, role, externalId };
  });
  rejectDuplicates(checked, (r) => r.email, 'imports:reason.duplicateEmail');
  rejectDuplicates(checked, (r) => r.externalId, 'imports:reason.duplicateExternalId');
  return checked;
}

/** The preview of a staff file: every row checked against the file, the units and the people stored. */
export async function planStaffImport(rows: readonly CsvRow[]): Promise<PlannedRow[]> {
  const checked = checkStaffRows(rows);
  const refs = checked.flatMap((r) => (r.unitRef ? [r.unitRef] : []));
  const [units, people, externalHolders] = await Promise.all([
    findUnitsByRefs({ ids: refs.filter((r) => r.by === 'id').map((r) => r.value), orgNumbers: refs.filter((r) => r.by === 'orgNumber').map((r) => r.value) }),
    findPeopleByEmails(checked.map((r) => r.email).filter(Boolean)),
    findPersonIdsByExternalIds(checked.flatMap((r) => (r.externalId ? [r.externalId] : []))),
  ]);
  const now = new Date();

  return checked.map((row): PlannedRow => {
    const reasons = [...row.reasons];
    const unit = row.unitRef ? (row.unitRef.by === 'id' ? units.byId.get(row.unitRef.value) : units.byOrgNumber.get(row.unitRef.value)) : undefined;
    if (row.unitRef && !unit) reasons.push({ key: 'imports:reason.unknownUnit', params: { value: row.unitRaw } });
    if (unit?.closed) reasons.push({ key: 'imports:reason.closedUnit', params: { value: unit.name } });
    const person = row.email ? people.get(row.email) : undefined;
    if (person && (person.status === 'deactivated' || person.status === 'anonymised')) reasons.push({ key: 'imports:reason.personInactive', params: { value: row.email } });
    const holder = row.externalId ? externalHolders.get(row.externalId) : undefined;
    if (holder && holder !== person?.id) reasons.push({ key: 'imports:reason.externalIdTaken', params: { value: row.externalId ?? '' } });
    const refusal = person ? staffImportRefusal(person, { externalId: row.externalId }) : null;
    if (refusal) reasons.push({ key: `imports:reason.${refusal}`, params: { value: row.email } });

    const display = { name: row.name, email: row.email, unit: unit?.name ?? row.unitRaw, role: row.role, externalId: row.externalId ?? '' };
    if (reasons.length || !unit) return { line: row.line, action: 'rejected', display, data: {}, changes: [], reasons };
    const data: StaffImportRow = { email: row.email, name: row.name, externalId: row.externalId, unitId: unit.id, role: row.role };
    if (!person) return { line: row.line, action: 'create', display, data: { ...data }, changes: [], reasons: [] };
    const changes = staffImportChanges(person, data, now).map((c) => (c.field === 'membership' ? { ...c, to: `${unit.name} (${c.to})` } : c));
    return { line: row.line, action: changes.length ? 'update' : 'unchanged', display, data: { ...data }, changes, reasons: [] };
  });
}

export function applyStaffRow(data: Record<string, string | null>, by: SessionUser | null): Promise<StaffRowResult> {
  return applyStaffImportRow(
    {
    email: String(data.email),
    name: String(data.name),
    externalId: data.externalId ?? null,
    unitId: String(data.unitId),
    role: data.role === 'leder' ? 'leder' : 'ansatt',
    },
    undefined,
    by,
  );
}
