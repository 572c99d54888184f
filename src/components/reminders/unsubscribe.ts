import { createHmac, timingSafeEqual } from 'node:crypto';
import { isObjectIdString } from '../../lib/ids.js';

/**
 * The digest's unsubscribe link carries a signed token, `<userId>.<signature>`, so it works without
 * logging in: people read this mail on their phones, often where they are not signed in (or sign in
 * through the municipality's SSO), and an unsubscribe that first demands a login is one people give
 * up on and then mark as spam. The token can do one thing only — switch that person's digest off —
 * and it does so through a confirmation button (a POST), so mail scanners that follow links cannot.
 * It does not expire: an old digest's link should still work. The key is derived from
 * SESSION_SECRET for this purpose alone; changing the secret invalidates old links (the mail also
 * links to the login-protected settings page).
 */

function key(secret: string): Buffer {
  return createHmac('sha256', secret).update('fellesskap:digest-unsubscribe:v1').digest();
}

function signature(secret: string, userId: string): string {
  return createHmac('sha256', key(secret)).update(userId).digest('base64url');
}

export function unsubscribeToken(secret: string, userId: string): string {
  return `${userId}.${signature(secret, userId)}`;
}

/** The user id the token was made for, or null when it is not one of ours. */
export function verifyUnsubscribeToken(secret: string, token: string): string | null {
  const [userId, given, ...rest] = token.split('.');
  if (rest.length || !userId || !given || !isObjectIdString(userId)) return null;
  const expected = Buffer.from(signature(secret, userId));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? userId : null;
}
