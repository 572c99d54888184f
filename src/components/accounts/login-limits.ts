import { createHash } from 'node:crypto';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { DatabaseRateLimiter } from '../../lib/rate-limiter-store.js';
import { atMostEvery } from '../../lib/periodic.js';
import { normaliseEmail } from './service.js';

/**
 * Failed-login limits, kept in the database so they hold across app instances. The account
 * limit counts by e-mail whether or not the address exists, so its behaviour reveals nothing
 * about which addresses are registered; the IP limit stops one source trying many addresses.
 */
export const LOGIN_LIMITS = {
  account: { failures: 10, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
  ip: { failures: 50, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
} as const;

const COLLECTION = 'login_limits';

const accountLimiter = new DatabaseRateLimiter({
  collectionName: COLLECTION,
  keyPrefix: 'account',
  points: LOGIN_LIMITS.account.failures,
  duration: LOGIN_LIMITS.account.windowSeconds,
  blockDuration: LOGIN_LIMITS.account.blockSeconds,
});

const ipLimiter = new DatabaseRateLimiter({
  collectionName: COLLECTION,
  keyPrefix: 'ip',
  points: LOGIN_LIMITS.ip.failures,
  duration: LOGIN_LIMITS.ip.windowSeconds,
  blockDuration: LOGIN_LIMITS.ip.blockSeconds,
});

const sweepIfDue = atMostEvery(5 * 60 * 1000, (now) => accountLimiter.sweep(now));

/** A hash, so the limits collection holds no e-mail addresses. */
function accountKey(email: string): string {
  return createHash('sha256').update(normaliseEmail(email)).digest('hex');
}

export type LoginLimitState = { blocked: false } | { blocked: true; retryAfterSeconds: number };

function stateOf(entries: Array<{ res: RateLimiterRes | null; limit: number }>): LoginLimitState {
  const ms = Math.max(0, ...entries.map(({ res, limit }) => (res && res.consumedPoints >= limit ? res.msBeforeNext : 0)));
  return ms > 0 ? { blocked: true, retryAfterSeconds: Math.ceil(ms / 1000) } : { blocked: false };
}

/** Whether a login attempt for this e-mail from this address may be tried at all. */
export async function checkLoginAllowed(email: string, ip: string): Promise<LoginLimitState> {
  await sweepIfDue();
  const [account, source] = await Promise.all([accountLimiter.get(accountKey(email)), ipLimiter.get(ip)]);
  return stateOf([
    { res: account, limit: LOGIN_LIMITS.account.failures },
    { res: source, limit: LOGIN_LIMITS.ip.failures },
  ]);
}

/** Counts a failure on one limiter; the failure that reaches the limit starts the block. */
async function countFailure(limiter: DatabaseRateLimiter, key: string, limit: number, blockSeconds: number): Promise<RateLimiterRes> {
  let res: RateLimiterRes;
  try {
    res = await limiter.consume(key);
  } catch (err) {
    // Over the limit (simultaneous attempts): the library has already blocked the key.
    if (err instanceof RateLimiterRes) return err;
    throw err;
  }
  if (res.consumedPoints === limit) return limiter.block(key, blockSeconds);
  return res;
}

/** Records a failed login; says whether this failure has used up a limit. */
export async function recordLoginFailure(email: string, ip: string): Promise<LoginLimitState> {
  const [account, source] = await Promise.all([
    countFailure(accountLimiter, accountKey(email), LOGIN_LIMITS.account.failures, LOGIN_LIMITS.account.blockSeconds),
    countFailure(ipLimiter, ip, LOGIN_LIMITS.ip.failures, LOGIN_LIMITS.ip.blockSeconds),
  ]);
  return stateOf([
    { res: account, limit: LOGIN_LIMITS.account.failures },
    { res: source, limit: LOGIN_LIMITS.ip.failures },
  ]);
}

/** After a successful login or a new password: the person starts again with a clean slate. */
export async function resetAccountLoginLimit(email: string): Promise<void> {
  await accountLimiter.delete(accountKey(email));
}

/** Removes expired counters now (the same sweep normal traffic runs every few minutes). */
export function sweepExpiredLoginLimits(now = new Date()): Promise<number> {
  return accountLimiter.sweep(now);
}
