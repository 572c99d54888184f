import { Types } from 'mongoose';
import { UserModel, type MembershipRole, type UserStatus } from './models.js';
import { isObjectIdString } from '../../lib/ids.js';

/**
 * What accounts tell other components: a person's memberships, status or name may have changed
 * (reports keep each unit's roster and counts from this). Listeners are awaited, so the change is
 * reflected when the request that made it answers; they must be idempotent and must not throw — a
 * listener logs its own failures, and its own rebuild repairs what it missed. The person's change
 * itself stands either way.
 */

type MembershipListener = (userId: string) => Promise<void>;

// Per process, as the mongoose model whose writes they follow: the report service binds to it once (reports.service.ts).
const listeners: MembershipListener[] = [];

export function onMembershipChanged(listener: MembershipListener): void {
  if (!listeners.includes(listener)) listeners.push(listener);
}

export async function notifyMembershipChanged(userId: string): Promise<void> {
  for (const listener of listeners) {
    try {
      await listener(userId);
    } catch {
      // See above: the listener has logged it, and a summary is not a reason to undo the change.
    }
  }
}

/** A person as reports count them: every membership with its dates, current or not. */
export interface PersonForReports {
  id: string;
  name: string;
  status: UserStatus;
  memberships: Array<{ unitId: string; role: MembershipRole; startDate: Date; endDate: Date | null }>;
}

interface StoredForReports {
  _id: Types.ObjectId;
  name: string;
  status?: string | null;
  memberships?: Array<{ unitId: Types.ObjectId; role: string; startDate: Date; endDate?: Date | null }>;
}

function toPersonForReports(u: StoredForReports): PersonForReports {
  return {
    id: String(u._id),
    name: u.name,
    status: (u.status ?? 'active') as UserStatus,
    memberships: (u.memberships ?? []).map((m) => ({ unitId: String(m.unitId), role: m.role as MembershipRole, startDate: m.startDate, endDate: m.endDate ?? null })),
  };
}

const PROJECTION = { name: 1, status: 1, memberships: 1 } as const;

/** One person by id, or null. */
export async function personForReports(id: string): Promise<PersonForReports | null> {
  if (!isObjectIdString(id)) return null;
  const u = (await UserModel.findOne({ _id: { $eq: new Types.ObjectId(id) } }, PROJECTION).lean()) as StoredForReports | null;
  return u ? toPersonForReports(u) : null;
}

/** Everyone who has or had a membership (the reports' rebuild reads them once). */
export async function* peopleForReports(): AsyncGenerator<PersonForReports> {
  const cursor = UserModel.find({}, PROJECTION).lean().cursor({ batchSize: 1000 });
  for await (const raw of cursor) {
    const person = toPersonForReports(raw as unknown as StoredForReports);
    if (person.memberships.length) yield person;
  }
}
