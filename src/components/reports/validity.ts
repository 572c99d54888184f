import { startOfDayMonthsAfter } from './time.js';

/**
 * How long a completion counts (pure). A municipal admin sets, per module, that staff must renew
 * after a number of months, and/or that a new major version makes completions of older majors
 * expire (after an optional grace period). A completion counts from the moment it was recorded until
 * the start of its expiry day.
 */

export interface RenewalRule {
  /** Renew this many months after completing; null: a completion does not age. */
  renewAfterMonths: number | null;
  /** A new major version makes completions of older majors expire. */
  onNewMajor: boolean;
  /** Months after the new major's publication before older completions expire (with onNewMajor). */
  graceMonths: number;
}

export const NO_RENEWAL: RenewalRule = Object.freeze({ renewAfterMonths: null, onNewMajor: false, graceMonths: 0 });

/** When the first version of a major was published. */
export interface MajorRelease {
  major: number;
  publishedAt: Date;
}

/** What one person did in one major version of a module. */
export interface MajorFacts {
  startedAt: Date | null;
  completedAt: Date | null;
}

export type ModuleStatus = 'completed' | 'inProgress' | 'expired' | 'notStarted';

export interface ModuleStatusAt {
  status: ModuleStatus;
  /** The major the status is about: the counting completion's, the one in progress, or the expired one's. */
  major: number | null;
  /** Of the completion that counts (completed) or the one that expired (expired). */
  completedAt: Date | null;
  /** When the counting completion stops counting (completed) or stopped (expired); null: never. */
  expiresAt: Date | null;
  /** When the person started the major in progress. */
  startedAt: Date | null;
  /** The next moment this status can change by time alone; null: only an event can change it. */
  nextChangeAt: Date | null;
}

/** The start of the day a completion stops counting, or null if it never does. */
export function completionExpiry(major: number, completedAt: Date, rule: RenewalRule, releases: readonly MajorRelease[]): Date | null {
  let expiry: Date | null = null;
  if (rule.renewAfterMonths !== null && rule.renewAfterMonths > 0) expiry = startOfDayMonthsAfter(completedAt, rule.renewAfterMonths);
  if (rule.onNewMajor) {
    const newer = releases.filter((r) => r.major > major).sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime())[0];
    if (newer) {
      const byMajor = startOfDayMonthsAfter(newer.publishedAt, Math.max(0, rule.graceMonths));
      if (!expiry || byMajor < expiry) expiry = byMajor;
    }
  }
  return expiry;
}

function earliest(dates: Array<Date | null>): Date | null {
  let best: Date | null = null;
  for (const d of dates) if (d && (!best || d < best)) best = d;
  return best;
}

/**
 * The status of one person in one module at `at`:
 * - completed: a completion counts at `at` (the one that counts longest is reported);
 * - inProgress: no completion counts, and a major was started but not completed — unless that major
 *   is not newer than an expired completion (then the person has not begun renewing: expired);
 * - expired: a completion existed but none counts any more;
 * - notStarted: nothing at all.
 */
export function moduleStatusAt(facts: ReadonlyMap<number, MajorFacts>, rule: RenewalRule, releases: readonly MajorRelease[], at: Date): ModuleStatusAt {
  const future: Array<Date | null> = [];
  const completions: Array<{ major: number; completedAt: Date; expiresAt: Date | null }> = [];
  const started: Array<{ major: number; startedAt: Date }> = [];
  for (const [major, f] of facts) {
    if (f.completedAt && f.completedAt <= at) completions.push({ major, completedAt: f.completedAt, expiresAt: completionExpiry(major, f.completedAt, rule, releases) });
    else if (f.completedAt) future.push(f.completedAt);
    const startedAt = f.startedAt ?? f.completedAt;
    if (startedAt && startedAt <= at && !(f.completedAt && f.completedAt <= at)) started.push({ major, startedAt });
    else if (startedAt && startedAt > at) future.push(startedAt);
  }
  const nextFact = earliest(future);

  const valid = completions.filter((c) => !c.expiresAt || at < c.expiresAt);
  if (valid.length) {
    // The completion that counts longest; among never-expiring ones, the newest major.
    const best = valid.sort((a, b) => (b.expiresAt?.getTime() ?? Infinity) - (a.expiresAt?.getTime() ?? Infinity) || b.major - a.major)[0]!;
    return { status: 'completed', major: best.major, completedAt: best.completedAt, expiresAt: best.expiresAt, startedAt: null, nextChangeAt: earliest([best.expiresAt, nextFact]) };
  }
  const expired = completions.sort((a, b) => b.major - a.major || b.completedAt.getTime() - a.completedAt.getTime())[0];
  const renewing = started.filter((s) => !expired || s.major > expired.major).sort((a, b) => b.major - a.major)[0];
  if (renewing) return { status: 'inProgress', major: renewing.major, completedAt: null, expiresAt: null, startedAt: renewing.startedAt, nextChangeAt: nextFact };
  if (expired) return { status: 'expired', major: expired.major, completedAt: expired.completedAt, expiresAt: expired.expiresAt, startedAt: null, nextChangeAt: nextFact };
  return { status: 'notStarted', major: null, completedAt: null, expiresAt: null, startedAt: null, nextChangeAt: nextFact };
}
