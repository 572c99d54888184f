import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';
import { BusyError } from '../../lib/errors.js';

/** OWASP minimum for Argon2id: m = 19 MiB, t = 2, p = 1. */
const ARGON2_OPTIONS = { algorithm: 2 /* Argon2id (a const enum, not importable under isolatedModules) */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/**
 * Argon2 is the most expensive thing the app does (about 20 MiB and tens of milliseconds of a core
 * each), and anonymous visitors can ask for it (login, reset and activation forms). So at most one
 * hash per two cores runs at once, a short queue waits behind them, and beyond that the request is
 * refused with 503 and Retry-After instead of piling up: the rest of the app keeps its CPU.
 */
export const HASH_LIMITS = {
  // Half the cores at most, so pages keep at least half the machine while hashes run.
  concurrency: Math.max(1, Math.floor(availableParallelism() / 2)),
  queue: Math.max(1, availableParallelism()) * 4,
  retryAfterSeconds: 5,
} as const;

const limit = pLimit(HASH_LIMITS.concurrency);

/** Argon2 computations started since the process began (tests and the flood benchmark read it). */
export const hashCounters = { hashes: 0, verifications: 0 };

/** How many hashes run and wait now (for tests and metrics). */
export function hashQueueState(): { active: number; waiting: number } {
  return { active: limit.activeCount, waiting: limit.pendingCount };
}

function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (limit.activeCount >= HASH_LIMITS.concurrency && limit.pendingCount >= HASH_LIMITS.queue) {
    return Promise.reject(new BusyError('password hashing queue full', HASH_LIMITS.retryAfterSeconds));
  }
  return limit(work);
}

export function hashPassword(password: string): Promise<string> {
  return bounded(() => {
    hashCounters.hashes += 1;
    return hash(password, ARGON2_OPTIONS);
  });
}

// A fixed hash to verify against when the e-mail is unknown, so both cases take the same time
// and the response reveals nothing about which e-mails exist. Made lazily, once per process.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    dummyHash ??= hash('dummy-password-for-timing', ARGON2_OPTIONS);
    const known = await dummyHash;
    await bounded(() => {
      hashCounters.verifications += 1;
      return verify(known, password).catch(() => false);
    });
    return false;
  }
  return bounded(() => {
    hashCounters.verifications += 1;
    return verify(passwordHash, password).catch(() => false);
  });
}
