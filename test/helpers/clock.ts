import type { Clock } from '../../src/lib/clock.js';

/** A clock a test can move: the system time until `set`, and again after `set(null)`. */
export interface TestClock extends Clock {
  set(at: Date | (() => Date) | null): void;
}

export function testClock(): TestClock {
  let fixed: (() => Date) | null = null;
  const clock = (() => (fixed ? fixed() : new Date())) as TestClock;
  clock.set = (at) => {
    fixed = at === null ? null : typeof at === 'function' ? at : () => at;
  };
  return clock;
}
