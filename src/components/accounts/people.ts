import { Types } from 'mongoose';
import { UserModel, MEMBERSHIP_ROLES, PLATFORM_ROLES, type MembershipRole, type PlatformRole, type UserStatus } from './models.js';
import { normaliseEmail } from './accounts.service.js';
import type { SessionUser } from '../../web/session-user.js';
import { assertCan } from '../../web/policy.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { escapeRegExp, isObjectIdString } from '../../lib/ids.js';
import { inEffect, notEnded, todayDateOnly } from '../../lib/dates.js';
import { notifyMembershipChanged } from './events.js';
import { anonymiseIdentityTrail, assertStatusChangeAllowed, changeIdentity, createIdentity, IdentityRefusedError, type IdentityActor, type StoredIdentity } from './identity.js';
import { forgetMailsTo } from '../mail/index.js';

/**
 * People administration on the accounts side: finding people, memberships with history, platform
 * roles, deactivation, anonymisation and the staff import's idempotent upsert. Callers pass plain
 * typed values; the unit checks (open, exists) belong to the organisation component and are done by
 * the caller before it calls in here.
 */

export const ANONYMISED_NAME = 'Anonymisert person';

export interface MembershipView {
  id: string;
  unitId: string;
  role: MembershipRole;
  startDate: Date;
  endDate: Date | null;
  /** Started and not ended at the moment of reading. */
  current: boolean;
}

export interface PersonView {
  id: string;
  name: string;
  email: string;
  status: UserStatus;
  roles: PlatformRole[];
  externalId: string | null;
  hasPassword: boolean;
  createdAt: Date | null;
  lastLoginAt: Date | null;
  memberships: MembershipView[];
}

interface StoredMembership {
  _id: Types.ObjectId;
  unitId: Types.ObjectId;
  role: string;
  startDate: Date;
  endDate?: Date | null;
}

/** A user document as read here: the identity service's shape, with its memberships. */
type StoredUser = StoredIdentity & { memberships: StoredMembership[] };



function toPersonView(user: StoredUser, now = new Date()): PersonView {
  return {
    id: String(user._id),
    name: user.name,
    email: user.email,
    status: (user.status ?? 'active') as UserStatus,
    roles: user.roles as PlatformRole[],
    externalId: user.externalId ?? null,
    hasPassword: !!user.passwordHash,
    createdAt: user.createdAt ?? null,
    lastLoginAt: user.lastLoginAt ?? null,
    memberships: [...user.memberships]
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
      .map((m) => ({
        id: String(m._id),
        unitId: String(m.unitId),
        role: m.role as MembershipRole,
        startDate: m.startDate,
        endDate: m.endDate ?? null,
        current: inEffect(m, now),
      })),
  };
}

async function loadUser(id: string): Promise<StoredUser> {
  if (!isObjectIdString(id)) throw new NotFoundError(`person ${id}`);
  const user = (await UserModel.findById(id).lean()) as StoredUser | null;
  if (!user) throw new NotFoundError(`person ${id}`);
  return user;
}

/**
 * Writes a new memberships array only if nobody changed the person since we read them
 * (a single-document compare-and-set on the version key; no transactions needed).
 */
async function writeIfUnchanged(user: StoredUser, set: Record<string, unknown>): Promise<void> {
  const result = await UserModel.updateOne({ _id: user._id, __v: user.__v ?? 0 }, { $set: set, $inc: { __v: 1 } });
  if (result.matchedCount === 0) throw new ConflictError(`person ${String(user._id)} changed concurrently`);
  await notifyMembershipChanged(String(user._id));
}

/** Code paths without a person behind them (tests, seeding); forms always pass their admin. */
const SYSTEM: IdentityActor = { kind: 'system', reason: 'code' };

export async function getPerson(id: string): Promise<PersonView> {
  return toPersonView(await loadUser(id));
}

/** The person, or null when there is none (for anonymisers, which must be idempotent). */
export async function findPerson(id: string): Promise<PersonView | null> {
  return getPerson(id).catch((err: unknown) => {
    if (err instanceof NotFoundError) return null;
    throw err;
  });
}

export interface PeopleQuery {
  /** Part of a name or an e-mail address. */
  q?: string | undefined;
  /** Only people with a current or future membership in this unit. */
  unitId?: string | undefined;
  limit?: number;
}

export async function searchPeople(query: PeopleQuery): Promise<{ people: PersonView[]; more: boolean }> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const filter: Record<string, unknown> = {};
  const q = query.q?.trim();
  if (q) {
    const pattern = { $regex: escapeRegExp(q), $options: 'i' };
    filter.$or = [{ name: pattern }, { email: pattern }];
  }
  if (query.unitId && isObjectIdString(query.unitId)) filter['memberships.unitId'] = new Types.ObjectId(query.unitId);
  const now = new Date();
  let users = (await UserModel.find(filter).sort({ name: 1, _id: 1 }).limit(query.unitId ? 0 : limit + 1).lean()) as StoredUser[];
  if (query.unitId) {
    users = users.filter((u) => u.memberships.some((m) => String(m.unitId) === query.unitId && notEnded(m, now)));
  }
  return { people: users.slice(0, limit).map((u) => toPersonView(u, now)), more: users.length > limit };
}

// ---------------------------------------------------------------------------------------------
// Memberships

export async function addMembership(personId: string, input: { unitId: string; role: MembershipRole; startDate: Date }, actor: IdentityActor = SYSTEM): Promise<void> {
  const user = await loadUser(personId);
  if (user.status === 'anonymised') throw new ValidationError('anonymised', { unitId: 'people:errors.anonymised' });
  if (!MEMBERSHIP_ROLES.includes(input.role)) throw new ValidationError('role', { role: 'people:errors.roleRequired' });
  const overlapping = user.memberships.some((m) => String(m.unitId) === input.unitId && (!m.endDate || m.endDate > input.startDate));
  if (overlapping) throw new ValidationError('already a member', { unitId: 'people:errors.alreadyMember' });
  const memberships = [
    ...user.memberships,
    { _id: new Types.ObjectId(), unitId: new Types.ObjectId(input.unitId), role: input.role, startDate: input.startDate, endDate: null },
  ];
  await changeIdentity(actor, user, { memberships });
}

/** Ends a membership on a date; the membership stays in the history. */
export async function endMembership(personId: string, membershipId: string, endDate: Date, actor: IdentityActor = SYSTEM): Promise<void> {
  const user = await loadUser(personId);
  const target = user.memberships.find((m) => String(m._id) === membershipId);
  if (!target) throw new NotFoundError(`membership ${membershipId}`);
  if (target.endDate) throw new ValidationError('already ended', { [`endDate-${membershipId}`]: 'people:errors.alreadyEnded' });
  if (endDate < target.startDate) throw new ValidationError('end before start', { [`endDate-${membershipId}`]: 'people:errors.endBeforeStart' });
  const memberships = user.memberships.map((m) => (String(m._id) === membershipId ? { ...m, endDate } : m));
  await changeIdentity(actor, user, { memberships });
}

// ---------------------------------------------------------------------------------------------
// Platform roles and account status

export async function setPlatformRoles(actor: SessionUser, personId: string, roles: readonly PlatformRole[]): Promise<void> {
  const user = await loadUser(personId);
  if (user.status === 'anonymised') throw new ValidationError('anonymised', { roles: 'people:errors.anonymised' });
  const wanted = PLATFORM_ROLES.filter((r) => roles.includes(r));
  const had = new Set(user.roles);
  // Granting or taking away system administration is itself a system administrator's decision.
  if (had.has('system-admin') !== wanted.includes('system-admin')) assertCan(actor, 'people:grant-system-admin');
  await changeIdentity({ kind: 'admin', user: actor }, user, { roles: wanted });
}

/**
 * Links a person to their identity at the municipality's login, or removes the link (null): the
 * way for accounts the bulk paths may not touch (anyone holding a platform role). Another admin
 * does it, under the identity service's rules, and it goes to the person's trail.
 */
export async function setExternalId(actor: SessionUser, personId: string, externalId: string | null): Promise<void> {
  const user = await loadUser(personId);
  if (user.status === 'anonymised') throw new ValidationError('anonymised', { externalId: 'people:errors.anonymised' });
  if ((user.externalId ?? null) === externalId) return;
  if (externalId) {
    const holder = await UserModel.findOne({ externalId: { $eq: externalId } }, { _id: 1 }).lean();
    if (holder && String(holder._id) !== personId) throw new ValidationError('external id taken', { externalId: 'people:errors.externalIdTaken' });
  }
  await changeIdentity({ kind: 'admin', user: actor }, user, { externalId });
}

export async function setAccountStatus(actor: SessionUser, personId: string, status: 'active' | 'deactivated'): Promise<void> {
  const user = await loadUser(personId);
  if (user.status === 'anonymised') throw new ValidationError('anonymised', { status: 'people:errors.anonymised' });
  if (actor.id === personId) throw new ValidationError('own account', { status: 'people:errors.ownAccount' });
  assertStatusChangeAllowed(actor, user);
  if (status === 'deactivated') {
    if (user.status !== 'deactivated') await writeIfUnchanged(user, { status });
    return;
  }
  if (user.status !== 'deactivated') return;
  // Someone who never got going (no password, never logged in) goes back to waiting for activation.
  await writeIfUnchanged(user, { status: !user.passwordHash && !user.lastLoginAt ? 'invited' : 'active' });
}

/**
 * Removes what identifies a person who has left, keeping the memberships' units and dates so that
 * what they completed still counts in the units' historical numbers. Idempotent.
 */
export async function anonymiseAccount(personId: string, today = todayDateOnly()): Promise<void> {
  const user = await loadUser(personId);
  if (user.status === 'anonymised') {
    // A run that stopped after the account finishes the trail now.
    await anonymiseIdentityTrail(personId);
    return;
  }
  if (user.status !== 'deactivated') throw new ValidationError('still active', { anonymise: 'people:errors.anonymiseActive' });
  const memberships = user.memberships.map((m) => ({
    _id: m._id,
    unitId: m.unitId,
    // A unit usually has one leader, so the role would point straight at the person.
    role: 'ansatt',
    startDate: m.startDate,
    endDate: m.endDate ?? (m.startDate > today ? m.startDate : today),
  }));
  // The development outbox holds the address and the name.
  await forgetMailsTo(user.email);
  await changeIdentity({ kind: 'system', reason: 'anonymise' }, user, {
    name: ANONYMISED_NAME,
    // Unique (the index requires it) and deliberately not an address: nothing can be sent to it.
    email: `anonymisert-${String(user._id)}`,
    passwordHash: null,
    externalId: null,
    roles: [],
    status: 'anonymised',
    digestOptOut: false,
    lastLoginAt: null,
    memberships,
  });
  // Last: the trail, including the entry of this very change, keeps no address or external id.
  await anonymiseIdentityTrail(personId);
}

/** The stored profile of one person, for "download my data". */
export async function personalProfile(personId: string): Promise<PersonView & { digestOptOut: boolean; updatedAt: Date | null }> {
  const user = (await loadUser(personId)) as StoredUser & { digestOptOut?: boolean; updatedAt?: Date };
  return { ...toPersonView(user), digestOptOut: !!user.digestOptOut, updatedAt: user.updatedAt ?? null };
}

// ---------------------------------------------------------------------------------------------
// Staff import: plan (pure comparison) and apply (idempotent upsert by e-mail)

export interface StaffImportRow {
  email: string;
  name: string;
  externalId: string | null;
  unitId: string;
  role: MembershipRole;
}

export type StaffChange = { field: 'name' | 'externalId' | 'membership' | 'role'; from: string; to: string };

/** People by e-mail (normalised), for planning an import in one read. */
export async function findPeopleByEmails(emails: readonly string[]): Promise<Map<string, PersonView>> {
  const wanted = [...new Set(emails.map(normaliseEmail))];
  if (!wanted.length) return new Map();
  const users = (await UserModel.find({ email: { $in: wanted } }).lean()) as StoredUser[];
  return new Map(users.map((u) => [u.email, toPersonView(u)]));
}

/** Which person holds each external id. */
export async function findPersonIdsByExternalIds(ids: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter(Boolean))];
  if (!wanted.length) return new Map();
  const users = await UserModel.find({ externalId: { $in: wanted } }, { externalId: 1 }).lean();
  return new Map(users.map((u) => [String(u.externalId), String(u._id)]));
}

/** What applying the row would change for an existing person. Empty external id cells keep the stored one. */
export function staffImportChanges(existing: Pick<PersonView, 'name' | 'externalId' | 'memberships'>, row: StaffImportRow, now = new Date()): StaffChange[] {
  const changes: StaffChange[] = [];
  if (existing.name !== row.name) changes.push({ field: 'name', from: existing.name, to: row.name });
  if (row.externalId && existing.externalId !== row.externalId) changes.push({ field: 'externalId', from: existing.externalId ?? '', to: row.externalId });
  const open = existing.memberships.find((m) => m.unitId === row.unitId && notEnded(m, now));
  if (!open) changes.push({ field: 'membership', from: '', to: row.role });
  else if (open.role !== row.role) changes.push({ field: 'role', from: open.role, to: row.role });
  return changes;
}

/** Why the import must leave an existing person alone (the same rules the identity service enforces). */
export function staffImportRefusal(existing: { roles: readonly string[]; externalId?: string | null }, row: Pick<StaffImportRow, 'externalId'>): 'platformRole' | 'externalIdLocked' | null {
  if (existing.roles.length > 0) return 'platformRole';
  if (row.externalId && existing.externalId && existing.externalId !== row.externalId) return 'externalIdLocked';
  return null;
}

export type StaffRowResult =
  | { result: 'created' | 'updated' | 'unchanged' }
  | { result: 'rejected'; reason: { key: string; params?: Record<string, string | number> } };

/** Creates or updates the person of one import row. Running it again changes nothing. */
export async function applyStaffImportRow(row: StaffImportRow, today = todayDateOnly(), by: SessionUser | null = null): Promise<StaffRowResult> {
  const actor: IdentityActor = { kind: 'import', user: by };
  const email = normaliseEmail(row.email);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const existing = (await UserModel.findOne({ email: { $eq: email } }).lean()) as StoredUser | null;
    if (row.externalId) {
      const holder = await UserModel.findOne({ externalId: { $eq: row.externalId } }, { _id: 1 }).lean();
      if (holder && String(holder._id) !== String(existing?._id)) {
        return { result: 'rejected', reason: { key: 'imports:reason.externalIdTaken', params: { value: row.externalId } } };
      }
    }
    if (!existing) {
      try {
        // Invited: the person activates the account by a mailed link, or simply logs in through SSO.
        await createIdentity(actor, {
          email,
          name: row.name,
          status: 'invited',
          externalId: row.externalId,
          memberships: [{ unitId: new Types.ObjectId(row.unitId), role: row.role, startDate: today }],
        });
        return { result: 'created' };
      } catch (err) {
        // Someone created the same e-mail a moment ago: read again and update instead.
        if ((err as { code?: number }).code === 11000) continue;
        throw err;
      }
    }
    if (existing.status === 'deactivated' || existing.status === 'anonymised') {
      return { result: 'rejected', reason: { key: 'imports:reason.personInactive', params: { value: email } } };
    }
    // A bulk path never touches an account holding a platform role, nor re-links an external id.
    const locked = staffImportRefusal(existing, row);
    if (locked) return { result: 'rejected', reason: { key: `imports:reason.${locked}`, params: { value: email } } };
    const changes = staffImportChanges(toPersonView(existing), row, today);
    if (!changes.length) return { result: 'unchanged' };
    const set: Record<string, unknown> = { name: row.name };
    if (row.externalId) set.externalId = row.externalId;
    const open = existing.memberships.find((m) => String(m.unitId) === row.unitId && notEnded(m, today));
    let memberships = existing.memberships;
    const fresh = { _id: new Types.ObjectId(), unitId: new Types.ObjectId(row.unitId), role: row.role, startDate: today, endDate: null };
    if (!open) memberships = [...memberships, fresh];
    else if (open.role !== row.role) {
      // A new role from today; the old one stays in the history, unless it only began today.
      memberships =
        open.startDate >= today
          ? memberships.map((m) => (m === open ? { ...m, role: row.role } : m))
          : [...memberships.map((m) => (m === open ? { ...m, endDate: today } : m)), fresh];
    }
    set.memberships = memberships;
    try {
      await changeIdentity(actor, existing, set);
      return { result: 'updated' };
    } catch (err) {
      if (err instanceof ConflictError) continue;
      if (err instanceof IdentityRefusedError) return { result: 'rejected', reason: { key: `imports:reason.${err.reason}`, params: { value: email } } };
      throw err;
    }
  }
  throw new ConflictError(`person ${email} kept changing during import`);
}

/**
 * An external partner's account (a university teacher invited to a learning network): invited (no
 * password until they set one through the mailed activation link), no platform role and no unit
 * membership — what they see comes only from the networks that list them as partners. Only a
 * municipal administrator (`networks:manage`) creates one, and only through the identity service.
 * Someone who registered the same address a moment earlier wins: a `ConflictError`, nothing written.
 */
export async function createPartnerAccount(actor: SessionUser, input: { email: string; name: string }): Promise<string> {
  assertCan(actor, 'networks:manage');
  try {
    const doc = await createIdentity({ kind: 'admin', user: actor }, { email: normaliseEmail(input.email), name: input.name.trim(), status: 'invited', roles: [], memberships: [] });
    return String(doc._id);
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new ConflictError(`e-mail ${input.email} registered meanwhile`);
    throw err;
  }
}
