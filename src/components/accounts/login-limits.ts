import { createHash } from 'node:crypto';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { DatabaseRateLimiter } from '../../lib/rate-limiter-store.js';
import { atMostEvery } from '../../lib/periodic.js';
import { normaliseEmail } from './accounts.service.js';

/**
 * Failed-login limits, kept in the database so they hold across app instances. The account
 * limit counts by e-mail whether or not the address exists, so its behaviour reveals nothing
 * about which addresses are registered; the IP limit stops one source trying many addresses.
 */
export const LOGIN_LIMITS = {
  account: { failures: 10, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
  ip: { failures: 50, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
  // A burst limit per address: twenty failures in a minute is more than a staff room of people
  // mistyping (and more than one person locking their own account, at ten), and it keeps a scripted
  // flood to twenty password checks a minute (each one costs Argon2). It blocks only for the rest of
  // its minute, so a school behind one address is not locked out for long.
  ipBurst: { failures: 20, windowSeconds: 60 },
} as const;

const COLLECTION = 'login_limits';

/**
 * A limiter of `points` per `windowSeconds` for one kind of key, counted in the database (so the
 * limit holds across instances) and, once a key is over it, refused from this process's memory
 * without a database write. Per process on purpose: the flood guard reads those blocks before any
 * app work, and an address that floods this process is refused by every app in it.
 */
function limiter(keyPrefix: string, points: number, windowSeconds: number, blockSeconds?: number): DatabaseRateLimiter {
  return new DatabaseRateLimiter({
    collectionName: COLLECTION,
    keyPrefix,
    points,
    duration: windowSeconds,
    ...(blockSeconds === undefined ? {} : { blockDuration: blockSeconds }),
    inMemoryBlockOnConsumed: points + 1,
  });
}

const accountLimiter = limiter('account', LOGIN_LIMITS.account.failures, LOGIN_LIMITS.account.windowSeconds, LOGIN_LIMITS.account.blockSeconds);
const ipLimiter = limiter('ip', LOGIN_LIMITS.ip.failures, LOGIN_LIMITS.ip.windowSeconds, LOGIN_LIMITS.ip.blockSeconds);
const ipBurstLimiter = limiter('ip-burst', LOGIN_LIMITS.ipBurst.failures, LOGIN_LIMITS.ipBurst.windowSeconds);

/**
 * The new-password form behind mailed links (reset and activation) is open to anyone who guesses a
 * URL, and a valid post costs Argon2 work: posts are limited per address and per link.
 */
export const NEW_PASSWORD_LIMITS = {
  ip: { posts: 30, windowSeconds: 15 * 60 },
  token: { posts: 10, windowSeconds: 60 * 60 },
} as const;

const newPasswordIpLimiter = limiter('newpw-ip', NEW_PASSWORD_LIMITS.ip.posts, NEW_PASSWORD_LIMITS.ip.windowSeconds);
const newPasswordTokenLimiter = limiter('newpw-token', NEW_PASSWORD_LIMITS.token.posts, NEW_PASSWORD_LIMITS.token.windowSeconds);

const ALL_LIMITERS = [accountLimiter, ipLimiter, ipBurstLimiter, newPasswordIpLimiter, newPasswordTokenLimiter];

/**
 * Forgets the in-memory blocks of this process (the database keeps the counts, so a key still over
 * its limit is blocked again at its next attempt). Done with every sweep, so no block outlives the
 * counter it came from, and by tests that empty the database.
 */
export function forgetLoginLimitMemory(): void {
  for (const limiter of ALL_LIMITERS) limiter.deleteInMemoryBlockedAll();
}

async function sweepAll(now: Date): Promise<number> {
  const removed = await accountLimiter.sweep(now);
  forgetLoginLimitMemory();
  return removed;
}

const sweepIfDue = atMostEvery(5 * 60 * 1000, sweepAll);

/** A hash, so the limits collection holds no e-mail addresses. */
function accountKey(email: string): string {
  return createHash('sha256').update(normaliseEmail(email)).digest('hex');
}

export type LoginLimitState = { blocked: false } | { blocked: true; retryAfterSeconds: number };

function stateOf(entries: Array<{ res: RateLimiterRes | null; limit: number }>): LoginLimitState {
  const ms = Math.max(0, ...entries.map(({ res, limit }) => (res && res.consumedPoints >= limit ? res.msBeforeNext : 0)));
  return ms > 0 ? { blocked: true, retryAfterSeconds: Math.ceil(ms / 1000) } : { blocked: false };
}

/** Takes one attempt from a limiter in one atomic step; `over` when the limit was already used up. */
async function take(limiter: DatabaseRateLimiter, key: string): Promise<{ res: RateLimiterRes; over: boolean }> {
  try {
    return { res: await limiter.consume(key), over: false };
  } catch (err) {
    // Refused: counted past the limit in the database, or blocked in this process's memory.
    if (err instanceof RateLimiterRes) return { res: err, over: true };
    throw err;
  }
}

const blockedFor = (...taken: Array<{ res: RateLimiterRes; over: boolean }>): LoginLimitState => {
  const ms = Math.max(1000, ...taken.filter((t) => t.over).map((t) => t.res.msBeforeNext));
  return taken.some((t) => t.over) ? { blocked: true, retryAfterSeconds: Math.ceil(ms / 1000) } : { blocked: false };
};

/**
 * Takes an attempt for this e-mail from this address before the password is checked. The counter
 * is increased atomically first (one `$inc`), so a hundred simultaneous attempts get the numbers
 * 1 to 100 and only the first ten (and fifty per address) ever reach the expensive password check;
 * reading the counter first and counting afterwards would let every simultaneous one through. The
 * address is taken first: once it is over its limit it is refused from memory, without a database
 * write, so a flood from one address costs almost nothing.
 */
export async function startLoginAttempt(email: string, ip: string): Promise<LoginLimitState> {
  await sweepIfDue();
  const burst = await take(ipBurstLimiter, ip);
  if (burst.over) return blockedFor(burst);
  const source = await take(ipLimiter, ip);
  if (source.over) return blockedFor(source);
  return blockedFor(source, await take(accountLimiter, accountKey(email)));
}

/** The attempt failed: the failure that used up a limit starts the block. */
export async function loginAttemptFailed(email: string, ip: string): Promise<LoginLimitState> {
  const check = async (limiter: DatabaseRateLimiter, key: string, limit: number, blockSeconds: number) => {
    const res = await limiter.get(key);
    if (res && res.consumedPoints === limit) return limiter.block(key, blockSeconds);
    return res;
  };
  const [account, source] = await Promise.all([
    check(accountLimiter, accountKey(email), LOGIN_LIMITS.account.failures, LOGIN_LIMITS.account.blockSeconds),
    check(ipLimiter, ip, LOGIN_LIMITS.ip.failures, LOGIN_LIMITS.ip.blockSeconds),
  ]);
  return stateOf([
    { res: account, limit: LOGIN_LIMITS.account.failures },
    { res: source, limit: LOGIN_LIMITS.ip.failures },
  ]);
}

/** The attempt succeeded: the account starts again from zero, and the address gets its attempt back. */
export async function loginAttemptSucceeded(email: string, ip: string): Promise<void> {
  await Promise.all([accountLimiter.delete(accountKey(email)), ipLimiter.reward(ip, 1), ipBurstLimiter.reward(ip, 1)]);
}

/** After a successful login or a new password: the person starts again with a clean slate. */
export async function resetAccountLoginLimit(email: string): Promise<void> {
  await accountLimiter.delete(accountKey(email));
}

/** Removes expired counters now (the same sweep normal traffic runs every few minutes). */
export function sweepExpiredLoginLimits(now = new Date()): Promise<number> {
  return sweepAll(now);
}

/** Takes one post of the new-password form, per address and per link (the link only as a hash). */
export async function takeNewPasswordAttempt(token: string, ip: string): Promise<LoginLimitState> {
  await sweepIfDue();
  const source = await take(newPasswordIpLimiter, ip);
  if (source.over) return blockedFor(source);
  return blockedFor(source, await take(newPasswordTokenLimiter, createHash('sha256').update(token).digest('hex')));
}

/**
 * How long this process still refuses the address from memory for the form at `path` (0 when not
 * blocked): the login form and the new-password form. Read without the database, for the flood
 * guard in front of sessions and body parsing.
 */
export function floodBlockMs(method: string, path: string, ip: string): number {
  if (method !== 'POST') return 0;
  if (path === '/logg-inn') return Math.max(ipLimiter.inMemoryBlockMs(ip), ipBurstLimiter.inMemoryBlockMs(ip));
  return path.startsWith('/passord/ny/') ? newPasswordIpLimiter.inMemoryBlockMs(ip) : 0;
}
