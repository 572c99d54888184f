import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { guardIdentityFields } from './identity-guard.js';
import { announcePersonChanges } from './person-cache.js';

import { PLATFORM_ROLES, type PlatformRole } from '../../web/session-user.js';

// The roles are named where the policy reads them (web/); the user document stores them.
export { PLATFORM_ROLES, type PlatformRole };

export const MEMBERSHIP_ROLES = ['ansatt', 'leder'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

export const USER_STATUSES = ['active', 'invited', 'deactivated', 'anonymised'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

const membershipSchema = new Schema(
  {
    unitId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    role: { type: String, enum: MEMBERSHIP_ROLES, required: true, default: 'ansatt' },
    startDate: { type: Date, required: true },
    /** Null while the membership is current; history is kept when people move. */
    endDate: { type: Date, default: null },
  },
  { _id: true },
);

const userSchema = new Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true, maxlength: 254 },
    name: { type: String, required: true, trim: true, maxlength: 160 },
    /** Argon2id hash; null for people who have not activated their account or use SSO only. */
    passwordHash: { type: String, default: null },
    /** When the password was last set: sessions that logged in before it are no longer accepted. */
    passwordChangedAt: { type: Date, default: null },
    roles: { type: [String], enum: PLATFORM_ROLES, default: [] },
    memberships: { type: [membershipSchema], default: [] },
    /** Identifier from the identity provider (OIDC `sub` or the configured claim). */
    externalId: { type: String, default: null },
    status: { type: String, enum: USER_STATUSES, default: 'active' },
    digestOptOut: { type: Boolean, default: false },
    lastLoginAt: { type: Date, default: null },
  },
  { timestamps: true },
);
// External id, e-mail, roles and memberships are written only by the identity service (identity.ts).
guardIdentityFields(userSchema);
// Every change to a person reaches the session caches of every instance (person-cache.ts).
announcePersonChanges(userSchema);
userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ externalId: 1 });
userSchema.index({ 'memberships.unitId': 1 });

export type User = InferSchemaType<typeof userSchema> & { _id: Types.ObjectId };

export const UserModel = mongoose.model('User', userSchema);
