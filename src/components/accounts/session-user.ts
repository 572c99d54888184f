import type { Types } from 'mongoose';
import type { PlatformRole, User } from './models.js';
import type { SessionUser } from '../../web/session-user.js';
import { inEffect } from '../../lib/dates.js';


export function toSessionUser(user: Pick<User, 'name' | 'email' | 'roles' | 'memberships'> & { _id: Types.ObjectId }, now = new Date()): SessionUser {
  const current = user.memberships.filter((m) => inEffect(m, now));
  return {
    id: String(user._id),
    name: user.name,
    email: user.email,
    roles: new Set(user.roles as PlatformRole[]),
    memberOf: new Set(current.map((m) => String(m.unitId))),
    leaderOf: new Set(current.filter((m) => m.role === 'leder').map((m) => String(m.unitId))),
  };
}
