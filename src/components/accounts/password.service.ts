import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Mailer } from '../mail/index.js';
import { ConflictError, NotFoundError, TooManyRequestsError, ValidationError } from '../../lib/errors.js';
import { parseOrThrow } from '../../lib/validation.js';
import { DatabaseRateLimiter } from '../../lib/rate-limiter-store.js';
import type { Language } from '../../web/i18n.js';
import { UserModel } from './models.js';
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from './passwords.js';
import { assertPasswordAcceptable, normaliseEmail } from './accounts.service.js';
import { claimToken, inspectToken, issueToken, revokeTokensOf, type TokenPurpose } from './tokens.js';
import { resetAccountLoginLimit, takeNewPasswordAttempt } from './login-limits.js';
import { activationMail, passwordResetMail } from './mail-templates.js';

/** The path of the page a mailed token leads to. */
export const NEW_PASSWORD_PATH = '/passord/ny';

/**
 * At most five reset mails per address an hour: enough for someone who lost one, too few to
 * flood an inbox. Past the limit the request is answered as usual but no mail goes out.
 */
const resetMailLimiter = new DatabaseRateLimiter({ collectionName: 'login_limits', keyPrefix: 'reset-mail', points: 5, duration: 60 * 60 });

function emailKey(email: string): string {
  return createHash('sha256').update(email).digest('hex');
}

async function mailToken(mailer: Mailer, user: { _id: Types.ObjectId; email: string; name: string }, purpose: TokenPurpose, lang: Language): Promise<void> {
  const token = await issueToken(user._id, purpose);
  await mailer.send({
    to: user.email,
    template: purpose === 'reset' ? passwordResetMail : activationMail,
    params: { name: user.name, link: mailer.absoluteUrl(`${NEW_PASSWORD_PATH}/${token}`) },
    lang,
  });
}

/**
 * "Forgot password": mails a reset link if the address belongs to an active account, or an
 * activation link if the person has not activated yet. The caller answers the same whatever
 * happens here, so nobody learns which addresses exist.
 */
export async function requestPasswordReset(mailer: Mailer, input: { email: string; lang: Language }): Promise<void> {
  const email = normaliseEmail(input.email);
  const user = await UserModel.findOne({ email: { $eq: email } }, { email: 1, name: 1, status: 1 }).lean();
  if (!user || (user.status !== 'active' && user.status !== 'invited')) return;
  try {
    await resetMailLimiter.consume(emailKey(email));
  } catch {
    return;
  }
  await mailToken(mailer, user, user.status === 'invited' ? 'activation' : 'reset', input.lang);
}

/**
 * Mails an activation link to a registered person who has no password yet (status invited).
 * For administration and imports; the link is valid for seven days.
 */
export async function sendActivation(mailer: Mailer, userId: string, options: { lang?: Language } = {}): Promise<void> {
  if (!Types.ObjectId.isValid(userId)) throw new NotFoundError(`no user ${userId}`);
  const user = await UserModel.findById(userId, { email: 1, name: 1, status: 1 }).lean();
  if (!user) throw new NotFoundError(`no user ${userId}`);
  if (user.status !== 'invited') throw new ConflictError(`user ${userId} is ${user.status}, not invited`, 'accounts:activation.notInvited');
  await mailToken(mailer, user, 'activation', options.lang ?? 'nb');
}

export type PasswordLinkState = { status: 'valid'; purpose: TokenPurpose } | { status: 'invalid' | 'expired' | 'used' };

/** Whether a mailed link can still be used (to show the form or explain why not). */
export async function checkPasswordLink(token: string): Promise<PasswordLinkState> {
  const state = await inspectToken(token);
  return state.status === 'valid' ? { status: 'valid', purpose: state.purpose } : state;
}

/**
 * Sets a new password with a mailed link: uses the token (once), activates an invited account,
 * ends the person's other sessions (they logged in before `passwordChangedAt`), kills their other
 * links and lifts a failed-login block.
 */
export async function setPasswordWithToken(input: { token: string; password: string }): Promise<PasswordLinkState> {
  assertPasswordAcceptable(input.password);
  // Cheap checks first: a made-up or spent link costs one `_id` lookup, never an Argon2 hash.
  const link = await inspectToken(input.token);
  if (link.status !== 'valid') return link;
  const current = await UserModel.findById(link.userId, { passwordHash: 1 }).lean();
  if (current?.passwordHash && (await verifyPassword(current.passwordHash, input.password))) {
    throw new ValidationError('new password equals the current one', { password: 'accounts:password.sameAsCurrent' });
  }
  const passwordHash = await hashPassword(input.password);
  const claimed = await claimToken(input.token);
  if (claimed.status !== 'valid') return claimed;
  const now = new Date();
  const user = await UserModel.findOneAndUpdate(
    { _id: new Types.ObjectId(claimed.userId), status: { $in: ['active', 'invited'] } },
    { $set: { passwordHash, passwordChangedAt: now, status: 'active' } },
  ).lean();
  if (!user) return { status: 'invalid' };
  await revokeTokensOf(claimed.userId, now);
  await resetAccountLoginLimit(user.email);
  return { status: 'valid', purpose: claimed.purpose };
}

/** The new-password form's rules, with the messages shown by its fields. */
export const newPasswordForm = z
  .object({
    password: z.string().min(PASSWORD_MIN, 'accounts:password.length').max(PASSWORD_MAX, 'accounts:password.length'),
    passwordConfirm: z.string().max(1024, 'accounts:password.length'),
  })
  .refine((v) => v.password === v.passwordConfirm, { path: ['passwordConfirm'], message: 'accounts:password.mismatch' });

/**
 * The new-password form sent with a mailed link. The post is counted first (per address and per
 * link, so hammering a link costs no lookup and no hashing past the limit); a link that cannot be
 * used is said so whatever was typed; only then are the form's rules checked (a ValidationError with
 * field messages) and the password set. Returns the link's state: valid (with its purpose) when the
 * password was set.
 */
export async function submitNewPassword(input: { token: string; ip: string; password: string; passwordConfirm: string }): Promise<PasswordLinkState> {
  const limit = await takeNewPasswordAttempt(input.token, input.ip);
  if (limit.blocked) throw new TooManyRequestsError('new-password posts over the limit', 'accounts:link.tooMany', limit.retryAfterSeconds);
  const link = await checkPasswordLink(input.token);
  if (link.status !== 'valid') return link;
  const { password } = parseOrThrow(newPasswordForm, input, 'invalid new-password form');
  try {
    return await setPasswordWithToken({ token: input.token, password });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    // The same link posted twice at once: the first request's password is by now "the current one"
    // for the second, whose link is in fact used, which is what it should be told.
    const after = await checkPasswordLink(input.token);
    if (after.status !== 'valid') return after;
    throw err;
  }
}
