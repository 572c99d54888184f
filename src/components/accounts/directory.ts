import { Types } from 'mongoose';
import { UserModel, type MembershipRole, type UserStatus } from './models.js';
import { NotFoundError } from '../../lib/errors.js';
import { isObjectIdString } from '../../lib/ids.js';
import { inEffect } from '../../lib/dates.js';

/**
 * What leaders' pages, reminders and the weekly digest need to know about people: who works in a
 * unit now, how to reach them, and whether they want the digest. Deactivated and anonymised
 * accounts are never returned: nobody should be reminded or counted who has left.
 */

export interface UnitMember {
  id: string;
  name: string;
  email: string;
  role: MembershipRole;
  status: UserStatus;
}

export interface DigestPerson {
  id: string;
  name: string;
  email: string;
  digestOptOut: boolean;
  memberOf: string[];
  leaderOf: string[];
}

interface StoredPerson {
  _id: Types.ObjectId;
  name: string;
  email: string;
  status?: string | null;
  digestOptOut?: boolean | null;
  memberships: Array<{ unitId: Types.ObjectId; role: string; startDate: Date; endDate?: Date | null }>;
}

const REACHABLE: readonly UserStatus[] = ['active', 'invited'];


/** The people with a current membership in a unit (staff and leaders), sorted by name. */
export async function unitMembers(unitId: string, now = new Date()): Promise<UnitMember[]> {
  if (!isObjectIdString(unitId)) return [];
  const users = (await UserModel.find(
    { 'memberships.unitId': new Types.ObjectId(unitId), status: { $in: [...REACHABLE] } },
    { name: 1, email: 1, status: 1, memberships: 1 },
  ).lean()) as StoredPerson[];
  return users
    .flatMap((u) => {
      const m = u.memberships.find((x) => String(x.unitId) === unitId && inEffect(x, now));
      return m ? [{ id: String(u._id), name: u.name, email: u.email, role: m.role as MembershipRole, status: (u.status ?? 'active') as UserStatus }] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'nb') || a.id.localeCompare(b.id));
}

/** Everyone who works somewhere now and can be reached by e-mail, for the weekly digest. */
export async function* peopleForDigest(now = new Date()): AsyncGenerator<DigestPerson> {
  const cursor = UserModel.find({ status: { $in: [...REACHABLE] } }, { name: 1, email: 1, digestOptOut: 1, memberships: 1 })
    .lean()
    .cursor({ batchSize: 500 });
  for await (const raw of cursor) {
    const u = raw as unknown as StoredPerson;
    const current = u.memberships.filter((m) => inEffect(m, now));
    if (!current.length) continue;
    yield {
      id: String(u._id),
      name: u.name,
      email: u.email,
      digestOptOut: !!u.digestOptOut,
      memberOf: [...new Set(current.map((m) => String(m.unitId)))],
      leaderOf: [...new Set(current.filter((m) => m.role === 'leder').map((m) => String(m.unitId)))],
    };
  }
}

/** Name, address and digest choice of one reachable person, or null. */
export async function contactOf(personId: string): Promise<{ id: string; name: string; email: string; digestOptOut: boolean } | null> {
  if (!isObjectIdString(personId)) return null;
  const u = await UserModel.findOne({ _id: { $eq: new Types.ObjectId(personId) }, status: { $in: [...REACHABLE] } }, { name: 1, email: 1, digestOptOut: 1 }).lean();
  return u ? { id: String(u._id), name: u.name, email: u.email, digestOptOut: !!u.digestOptOut } : null;
}

/** Switches the weekly digest off (true) or on (false) for one person. */
export async function setDigestOptOut(personId: string, optOut: boolean): Promise<void> {
  if (!isObjectIdString(personId)) throw new NotFoundError(`person ${personId}`);
  const result = await UserModel.updateOne({ _id: { $eq: new Types.ObjectId(personId) } }, { $set: { digestOptOut: optOut } });
  if (result.matchedCount === 0) throw new NotFoundError(`person ${personId}`);
}
