import { UserModel, type User } from './models.js';
import { normaliseEmail } from './accounts.service.js';
import { toSessionUser } from './session-user.js';
import type { SessionUser } from '../../web/session-user.js';
import { createIdentity, linkExternalId, type StoredIdentity } from './identity.js';

/** What the identity provider told us about the person, reduced to what matching needs. */
export interface OidcIdentity {
  /** The value of the configured identifying claim (OIDC_ID_CLAIM). */
  externalId: string;
  email?: string | undefined;
  emailVerified: boolean;
  name?: string | undefined;
}

export type OidcLoginResult =
  | { kind: 'ok'; user: SessionUser; created: boolean; linked: boolean }
  /** Nobody matches and accounts are not created at first login. */
  | { kind: 'not-registered' }
  /** The matching account is deactivated or anonymised. */
  | { kind: 'deactivated' }
  /** The e-mail belongs to an account already tied to another identity at the provider. */
  | { kind: 'conflict' };

/** Reads the identifying claim and the person's e-mail and name from ID token and userinfo claims. */
export function identityFromClaims(claims: Record<string, unknown>, idClaim: string): OidcIdentity | null {
  const id = claims[idClaim];
  if ((typeof id !== 'string' && typeof id !== 'number') || String(id).length === 0 || String(id).length > 256) return null;
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  const given = typeof claims.given_name === 'string' ? claims.given_name : '';
  const family = typeof claims.family_name === 'string' ? claims.family_name : '';
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : `${given} ${family}`.trim() || undefined;
  return { externalId: String(id), email, emailVerified: claims.email_verified === true || claims.email_verified === 'true', name };
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}

/**
 * Finds the person an SSO login belongs to: by external id first, then by a verified e-mail
 * (which then stores the external id, so the next login matches directly). Unknown people get an
 * account only when `autoCreate` is on and the provider vouches for their e-mail.
 */
export async function resolveOidcLogin(identity: OidcIdentity, options: { autoCreate: boolean }): Promise<OidcLoginResult> {
  const email = identity.email && identity.emailVerified ? normaliseEmail(identity.email) : undefined;
  let user: User | null = await UserModel.findOne({ externalId: { $eq: identity.externalId } }).lean();
  let linked = false;
  let created = false;

  if (!user && email) {
    const byEmail = await UserModel.findOne({ email: { $eq: email } }).lean();
    if (byEmail?.externalId) return { kind: 'conflict' };
    if (byEmail && (byEmail.status === 'active' || byEmail.status === 'invited')) {
      // A bulk path: never links an account holding a platform role (another admin links those).
      if (byEmail.roles.length > 0) return { kind: 'conflict' };
      if (!(await linkExternalId({ kind: 'sso' }, byEmail as unknown as StoredIdentity, identity.externalId))) return { kind: 'conflict' };
      user = { ...byEmail, externalId: identity.externalId };
      linked = true;
    } else if (byEmail) {
      user = byEmail;
    }
  }

  if (!user) {
    if (!options.autoCreate || !email) return { kind: 'not-registered' };
    try {
      user = (await createIdentity({ kind: 'sso' }, { email, name: identity.name ?? email, externalId: identity.externalId, status: 'active' })) as unknown as User;
      created = true;
    } catch (err) {
      // The same person logging in twice at once: the other request created the account.
      if (!isDuplicateKey(err)) throw err;
      user = await UserModel.findOne({ email: { $eq: email } }).lean();
      if (!user || user.externalId !== identity.externalId) return { kind: 'conflict' };
    }
  }

  if (user.status === 'deactivated' || user.status === 'anonymised') return { kind: 'deactivated' };
  // Signing in through the municipality's login proves who an invited person is: that activates them.
  const now = new Date();
  await UserModel.updateOne({ _id: user._id }, { $set: { lastLoginAt: now, ...(user.status === 'invited' ? { status: 'active' } : {}) } });
  return { kind: 'ok', user: toSessionUser(user), created, linked };
}
