export { UserModel, PLATFORM_ROLES, MEMBERSHIP_ROLES, type PlatformRole, type MembershipRole, type User } from './models.js';
export { toSessionUser } from './session-user.js';
export { createAuthenticator } from './passport.js';
export { PersonCache } from './person-cache.js';
export { accountRoutes } from './routes.js';
export { sessionRoutes } from './session-routes.js';
export { ensureUser, ensureUsers, normaliseEmail, sessionUserByEmail, type NewUser } from './accounts.service.js';
export { hashPassword } from './passwords.js';
export { safeReturnTo } from './return-to.js';
export { seedDemoUsers, DEMO_PASSWORD, DEMO_USERS } from './demo-seed.js';
export { sendActivation, requestPasswordReset } from './password.service.js';
export { LOGIN_LIMITS, sweepExpiredLoginLimits, forgetLoginLimitMemory } from './login-limits.js';
export {
  ANONYMISED_NAME,
  getPerson,
  findPerson,
  searchPeople,
  addMembership,
  endMembership,
  setPlatformRoles,
  setExternalId,
  setAccountStatus,
  anonymiseAccount,
  personalProfile,
  findPeopleByEmails,
  createPartnerAccount,
  findPersonIdsByExternalIds,
  staffImportChanges,
  applyStaffImportRow,
  staffImportRefusal,
  type PersonView,
  type MembershipView,
  type StaffImportRow,
  type StaffChange,
  type StaffRowResult,
} from './people.js';
export { unitMembers, peopleForDigest, contactOf, setDigestOptOut, type UnitMember, type DigestPerson } from './directory.js';
export { onMembershipChanged, personForReports, peopleForReports, type PersonForReports } from './events.js';
export { backfillUserStatus } from './migrations.js';
export {
  changeIdentity,
  createIdentity,
  identityTrail,
  IdentityChangeModel,
  type IdentityActor,
  type IdentityChangeView,
} from './identity.js';
export { IDENTITY_FIELDS, observeIdentityWrites, setIdentityGuardMode, IdentityWriteOutsideServiceError, type IdentityWrite } from './identity-guard.js';
export { floodGuard, FLOOD_IN_FLIGHT_PER_ADDRESS } from './flood-guard.js';
