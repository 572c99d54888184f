import { Types } from 'mongoose';
import { UserModel, type PlatformRole, type MembershipRole } from './models.js';
import { hashPassword, verifyPassword, PASSWORD_MAX, PASSWORD_MIN } from './passwords.js';
import { toSessionUser } from './session-user.js';
import { CACHED_PERSON_FIELDS, type CachedPerson, type PersonCache } from './person-cache.js';
import type { SessionUser } from '../../web/session-user.js';
import { ValidationError } from '../../lib/errors.js';
import { createIdentities, createIdentity } from './identity.js';

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Checks e-mail and password; null for any failure, without saying which part was wrong. */
export async function authenticateWithPassword(email: string, password: string): Promise<SessionUser | null> {
  const user = await UserModel.findOne({ email: { $eq: normaliseEmail(email) } }).lean();
  const ok = await verifyPassword(user?.status === 'active' ? user.passwordHash : null, password);
  if (!user || !ok) return null;
  await UserModel.updateOne({ _id: user._id }, { $set: { lastLoginAt: new Date() } });
  return toSessionUser(user);
}

/**
 * Loads the person behind a session; null when the account is gone or no longer active, or when
 * the password was changed after this session logged in (a new password ends the other sessions).
 * Read through the app's cache of people.
 */
export async function findSessionUser(people: PersonCache, id: string, authenticatedAt?: number): Promise<SessionUser | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  const user = await people.get(id, async () => (await UserModel.findById(id, CACHED_PERSON_FIELDS).lean()) as CachedPerson | null);
  if (!user || user.status !== 'active') return null;
  if (user.passwordChangedAt && (authenticatedAt ?? 0) < user.passwordChangedAt.getTime()) return null;
  return toSessionUser(user);
}

/**
 * The person with this (stored, normalised) e-mail address as the app would see them signed in at
 * `now`, whatever the account's status; null when there is none. For seeds that act as a person.
 */
export async function sessionUserByEmail(email: string, now = new Date()): Promise<SessionUser | null> {
  const user = await UserModel.findOne({ email: { $eq: email } }).lean();
  return user ? toSessionUser(user, now) : null;
}

export function assertPasswordAcceptable(password: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new ValidationError('password length', { password: 'accounts:password.length' });
  }
}

export interface NewUser {
  email: string;
  name: string;
  password?: string;
  roles?: PlatformRole[];
  memberships?: Array<{ unitId: Types.ObjectId | string; role: MembershipRole; startDate?: Date }>;
}

/** Creates a person, or returns the existing one with the same e-mail unchanged (idempotent). */
export async function ensureUser(input: NewUser): Promise<{ id: string; created: boolean }> {
  const email = normaliseEmail(input.email);
  const existing = await UserModel.findOne({ email: { $eq: email } }, { _id: 1 }).lean();
  if (existing) return { id: String(existing._id), created: false };
  if (input.password) assertPasswordAcceptable(input.password);
  // Seeding and tests: the platform itself, through the identity service like every other path.
  const doc = await createIdentity(
    { kind: 'system', reason: 'seed' },
    {
      email,
      name: input.name,
      passwordHash: input.password ? await hashPassword(input.password) : null,
      roles: input.roles ?? [],
      memberships: (input.memberships ?? []).map((m) => ({
        unitId: new Types.ObjectId(String(m.unitId)),
        role: m.role,
        startDate: m.startDate ?? new Date('2024-08-01'),
      })),
    },
  );
  return { id: String(doc._id), created: true };
}

/**
 * Many people at once (the demo municipality): one read of the e-mails that exist, one insert of
 * the rest. Same rules as ensureUser: existing people are left unchanged; without a password the
 * account cannot log in. Returns each input's id, in order.
 */
export async function ensureUsers(inputs: readonly NewUser[]): Promise<Array<{ id: string; created: boolean }>> {
  const emails = inputs.map((i) => normaliseEmail(i.email));
  const existing = new Map<string, string>();
  for (let i = 0; i < emails.length; i += 500) {
    const found = await UserModel.find({ email: { $in: emails.slice(i, i + 500) } }, { _id: 1, email: 1 }).lean();
    for (const f of found) existing.set(f.email, String(f._id));
  }
  const fresh = inputs.filter((_, i) => !existing.has(emails[i]!) && emails.indexOf(emails[i]!) === i);
  for (const input of fresh) if (input.password) assertPasswordAcceptable(input.password);
  const identities = await Promise.all(
    fresh.map(async (input) => ({
      email: normaliseEmail(input.email),
      name: input.name,
      passwordHash: input.password ? await hashPassword(input.password) : null,
      roles: input.roles ?? [],
      memberships: (input.memberships ?? []).map((m) => ({ unitId: new Types.ObjectId(String(m.unitId)), role: m.role, startDate: m.startDate ?? new Date('2024-08-01') })),
    })),
  );
  // Seeding: the platform itself, through the identity service like every other path.
  const docs = await createIdentities({ kind: 'system', reason: 'seed' }, identities);
  const created = new Map(docs.map((d) => [d.email, String(d._id)]));
  return emails.map((e) => (created.has(e) ? { id: created.get(e)!, created: true } : { id: existing.get(e)!, created: false }));
}
