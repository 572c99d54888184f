import { randomUUID } from 'node:crypto';
import type { ReportContext } from './context.js';
import { reportDueCollection, ReportRosterModel, ReportStateModel, ReportTotalsModel, reportTotalsCollection, shardOf } from './models.js';
import { readJson, updateJson, type Codec } from './json-store.js';
import { applyEntry, decodeRoster, encodeRoster, goneEntry, personEntries, unitTotals, type RosterData, type UnitTotals } from './roster.js';
import { accountOf, learningFactsOf, reportCatalogue } from './sources.js';
import { readSettings, rulesMap } from './settings.js';
import { dayKey, dueDayKey } from './time.js';

/**
 * Keeping the summaries in step with events: a person's contribution is recomputed from the sources
 * (their account and their learning, each read by `_id`) whenever something about them changes, and
 * written into the rosters of their units; each roster write then rewrites that unit's counts.
 *
 * Why it cannot double count: a unit's counts are never incremented, they are recomputed from its
 * roster and stored with the roster version they came from, and a stored count is only replaced by one
 * from a newer roster. A roster entry is only replaced by one computed from a later read. So a retry,
 * a duplicate event or two events at once all end in the same numbers. A crash between a roster write
 * and its counts leaves that unit's counts one version behind until its next change or
 * `npm run reports:rebuild`, which reports such drift and repairs it.
 */

// Per process by design, like the write turns of json-store.ts: with the time and the pid it makes
// the order keys of every writer in this process unique, whichever app instance it belongs to.
let orderCounter = 0;

/**
 * A key that orders recomputations by when they started reading (real time, then a per-process
 * counter), so a later one always wins, whatever the simulated clock says.
 */
export function nextOrder(): string {
  orderCounter = (orderCounter + 1) % 1e9;
  return `${String(Date.now()).padStart(15, '0')}.${String(orderCounter).padStart(9, '0')}.${process.pid}`;
}

export const ROSTER_CODEC: Codec<RosterData> = { encode: encodeRoster, decode: decodeRoster };

/** A unit's roster as stored (an empty one when the unit has none yet). */
export async function readRoster(unitId: string): Promise<RosterData> {
  return (await readJson<RosterData>(ReportRosterModel, unitId, ROSTER_CODEC))?.value ?? { members: {} };
}

export interface ShardData {
  units: Record<string, { rv: number; t: UnitTotals }>;
}

/** Replaces a unit's counts if they come from a newer roster version than the stored ones. */
export async function writeUnitTotals(unitId: string, rosterVersion: number, totals: UnitTotals): Promise<void> {
  const shard = shardOf(unitId);
  const written = await updateJson<ShardData>(
    ReportTotalsModel,
    shard,
    (current) => {
      const data = current ?? { units: {} };
      const stored = data.units[unitId];
      if (stored && stored.rv >= rosterVersion) return undefined;
      data.units[unitId] = { rv: rosterVersion, t: totals };
      return data;
    },
    { onInsert: () => ({ g: randomUUID() }) },
  );
  if (written) await reportTotalsCollection.updateOne({ _id: 'head' }, { $max: { [`shards.${shard}`]: written.v } }, { upsert: true });
}

/** Writes one member's entry into a unit's roster, then that unit's counts. */
async function applyToRoster(unitId: string, userId: string, entry: RosterData['members'][string], slugs: readonly string[], nowMs: number): Promise<void> {
  const written = await updateJson<RosterData>(
    ReportRosterModel,
    unitId,
    (current) => {
      const roster = current ?? { members: {} };
      return applyEntry(roster, userId, entry, nowMs) ? roster : undefined;
    },
    { codec: ROSTER_CODEC },
  );
  if (written) await writeUnitTotals(unitId, written.v, unitTotals(written.value, slugs));
}

async function scheduleCheck(userId: string, at: Date): Promise<void> {
  const bucket = dueDayKey(at);
  const existing = await reportDueCollection.findOne({ _id: bucket }, { projection: { [`people.${userId}`]: 1 } });
  if ((existing?.people as Record<string, unknown> | undefined)?.[userId]) return;
  await reportDueCollection.updateOne({ _id: bucket }, { $set: { [`people.${userId}`]: 1 } }, { upsert: true });
}

/**
 * Recomputes one person's contribution to every unit they have or had a membership in. `hint` is the
 * module the triggering event was about (so its completion is looked up even if the person's summary
 * does not show it yet).
 */
export async function recomputePerson(ctx: ReportContext, userId: string, hint?: ModuleHint | readonly ModuleHint[]): Promise<void> {
  const order = nextOrder();
  const at = ctx.now();
  const hints = hint === undefined ? [] : Array.isArray(hint) ? (hint as readonly ModuleHint[]) : [hint as ModuleHint];
  const [account, facts, catalogue, settings] = await Promise.all([accountOf(userId), learningFactsOf(userId, hints), reportCatalogue(ctx), readSettings()]);
  if (!account) return;
  const { units, entries, nextChangeAt } = personEntries({ ...account, facts }, order, catalogue.modules, rulesMap(settings.value), at);
  const slugs = catalogue.modules.map((m) => m.slug);
  for (const unitId of units) await applyToRoster(unitId, userId, entries.get(unitId) ?? goneEntry(order), slugs, Date.now());
  if (nextChangeAt) await scheduleCheck(userId, nextChangeAt);
}

export interface ModuleHint {
  slug: string;
  major: number;
}

/** Recomputations asked for in this turn of the event loop, by report service and person, not started yet. */
const soonByService = new WeakMap<ReportContext, Map<string, { hints: ModuleHint[]; done: Promise<void> }>>();

/**
 * Recomputes a person once for every event about them raised in the same turn of the event loop: a
 * learner's first action raises "started" and "updated" (and "completion" on the last one) together,
 * and each used to read and write the person's rosters on its own. The recomputation starts on the
 * next turn and reads everything then, so it includes every change made before any of the calls; a
 * call after it has started gets a recomputation of its own.
 */
export function recomputePersonSoon(ctx: ReportContext, userId: string, hint?: ModuleHint): Promise<void> {
  let soon = soonByService.get(ctx);
  if (!soon) {
    soon = new Map();
    soonByService.set(ctx, soon);
  }
  let pending = soon.get(userId);
  if (!pending) {
    const hints: ModuleHint[] = [];
    const waiting = soon;
    const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      waiting.delete(userId);
      return recomputePerson(ctx, userId, hints);
    });
    pending = { hints, done };
    soon.set(userId, pending);
  }
  if (hint && !pending.hints.some((h) => h.slug === hint.slug && h.major === hint.major)) pending.hints.push(hint);
  return pending.done;
}

/** Listener wrapper: a summary failure is logged and never fails the action that triggered it. */
export async function safely(ctx: ReportContext, what: string, userId: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    ctx.logger.error({ err, userId, event: what }, 'report summary update failed (npm run reports:rebuild repairs it)');
  }
}

export interface SweepState {
  /** The last day whose bucket was processed (`YYYY-MM-DD`). */
  lastDay: string | null;
  /** The catalogue signature and rules version every roster was last computed with. */
  catalogue: string | null;
  rulesVersion: number;
}

export const SWEEP_ID = 'sweep';

export async function readSweepState(): Promise<SweepState | null> {
  return (await readJson<SweepState>(ReportStateModel, SWEEP_ID))?.value ?? null;
}

export async function writeSweepState(state: SweepState): Promise<void> {
  await updateJson<SweepState>(ReportStateModel, SWEEP_ID, () => state);
}

/** Recomputes the people whose status changes by time on the days from `fromDay` to `toDay`. */
export async function processDueDays(ctx: ReportContext, fromDay: string, toDay: string): Promise<number> {
  let people = 0;
  for (let day = new Date(`${fromDay}T00:00:00Z`); dayKey(day) <= toDay; day = new Date(day.getTime() + 86_400_000)) {
    const id = dayKey(day);
    const bucket = await reportDueCollection.findOne({ _id: id });
    if (!bucket) continue;
    const ids = Object.keys((bucket.people as Record<string, unknown> | undefined) ?? {});
    for (const userId of ids) await safely(ctx, 'sweep', userId, () => recomputePerson(ctx, userId));
    people += ids.length;
    await reportDueCollection.deleteOne({ _id: id });
  }
  return people;
}

