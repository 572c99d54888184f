import type { Types } from 'mongoose';
import type { PlatformRole, User } from './models.js';
import type { SessionUser } from '../../web/session-user.js';

function isCurrent(m: { startDate: Date; endDate?: Date | null }, now: Date): boolean {
  return m.startDate <= now && (!m.endDate || m.endDate > now);
}

export function toSessionUser(user: Pick<User, 'name' | 'email' | 'roles' | 'memberships'> & { _id: Types.ObjectId }, now = new Date()): SessionUser {
  const current = user.memberships.filter((m) => isCurrent(m, now));
  return {
    id: String(user._id),
    name: user.name,
    email: user.email,
    roles: new Set(user.roles as PlatformRole[]),
    memberOf: new Set(current.map((m) => String(m.unitId))),
    leaderOf: new Set(current.filter((m) => m.role === 'leder').map((m) => String(m.unitId))),
  };
}
