/**
 * The stress script's counts. Every reply is checked against the request it answers:
 * - mismatched: the reply belongs to another request (wrong responseTo, another `_id`, a document
 *   from another collection, another person's name on a page);
 * - malformed: the reply lacks the shape its command promises (no cursor, no `n`, ok ≠ 1 without an
 *   error message, a listCollections entry without a name, a 5xx page);
 * - errors: a clean error (the server said ok: 0 with a message, a refused or timed-out connection).
 * A few examples of each are kept, so a failed run says what it saw.
 */
export type Verdict = 'mismatched' | 'malformed' | 'errors';

const SAMPLES_PER_KIND = 8;

export class Tally {
  replies = 0;
  mismatched = 0;
  malformed = 0;
  errors = 0;
  /** Requests sent that ask for no reply (OP_MSG moreToCome, the driver's w: 0). */
  unacknowledged = 0;
  readonly samples: Record<Verdict, string[]> = { mismatched: [], malformed: [], errors: [] };
  readonly byOp = new Map<string, number>();

  reply(op: string): void {
    this.replies += 1;
    this.byOp.set(op, (this.byOp.get(op) ?? 0) + 1);
  }

  bad(kind: Verdict, op: string, what: string): void {
    this[kind] += 1;
    if (this.samples[kind].length < SAMPLES_PER_KIND) this.samples[kind].push(`${op}: ${what}`.slice(0, 300));
  }

  add(other: Tally): void {
    this.replies += other.replies;
    this.mismatched += other.mismatched;
    this.malformed += other.malformed;
    this.errors += other.errors;
    this.unacknowledged += other.unacknowledged;
    for (const kind of ['mismatched', 'malformed', 'errors'] as const) {
      for (const s of other.samples[kind]) if (this.samples[kind].length < SAMPLES_PER_KIND) this.samples[kind].push(s);
    }
    for (const [op, n] of other.byOp) this.byOp.set(op, (this.byOp.get(op) ?? 0) + n);
  }

  get clean(): boolean {
    return this.mismatched === 0 && this.malformed === 0;
  }
}

/** Refuses any target that is not on this machine: the stress script sends traffic to loopback only. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) throw new Error(`stress: refusing a non-loopback target (${host}); loopback only`);
}
