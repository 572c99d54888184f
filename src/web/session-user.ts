/** Platform roles a person can hold besides being staff (everyone) and leader (from memberships). */
export const PLATFORM_ROLES = ['author', 'municipal-admin', 'system-admin'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/**
 * What the rest of the app knows about the person behind a request: enough for the policy
 * to decide, nothing more. Accounts builds it from the user document on every request.
 */
export interface SessionUser {
  id: string;
  name: string;
  email: string;
  roles: ReadonlySet<PlatformRole>;
  /** Units where the person has a current membership (any role). */
  memberOf: ReadonlySet<string>;
  /** Units where the person's current membership says leder. */
  leaderOf: ReadonlySet<string>;
}
