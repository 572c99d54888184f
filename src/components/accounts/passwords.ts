import { hash, verify } from '@node-rs/argon2';

/** OWASP minimum for Argon2id: m = 19 MiB, t = 2, p = 1. */
const ARGON2_OPTIONS = { algorithm: 2 /* Argon2id (a const enum, not importable under isolatedModules) */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

// A fixed hash to verify against when the e-mail is unknown, so both cases take the same time
// and the response reveals nothing about which e-mails exist.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    dummyHash ??= hashPassword('dummy-password-for-timing');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
