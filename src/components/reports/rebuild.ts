import { randomUUID } from 'node:crypto';
import { reportDueCollection, ReportRosterModel, ReportTotalsModel, reportTotalsCollection, ALL_SHARDS, shardOf } from './models.js';
import { casJson, readJson, updateJson } from './json-store.js';
import { decodeRoster, personEntries, sameEntry, sameTotals, unitTotals, type RosterData, type UnitTotals } from './roster.js';
import { allAccounts, forgetStructure, reportCatalogue, scanLearning } from './sources.js';
import type { ReportContext } from './context.js';
import { readSettings, rulesMap } from './settings.js';
import { nextOrder, processDueDays, readSweepState, recomputePerson, ROSTER_CODEC, writeSweepState, type ShardData } from './maintain.js';
import { dayKey, dueDayKey } from './time.js';

/**
 * The full recomputation: every person's contribution from accounts and learning, every roster and
 * every unit's counts, compared with what is stored. Differences are the drift it reports (a missed
 * event, a crash between a roster write and its counts, a rule applied late) and then repairs.
 * Used by `npm run reports:rebuild`, after a renewal rule or the module catalogue changes, and to
 * build the summaries of a fresh database (the benchmark's seed goes through here too).
 */

export interface DriftLine {
  unitId: string;
  what: string;
  stored: number;
  actual: number;
}

export interface RebuildReport {
  people: number;
  units: number;
  /** Roster entries (person × unit) whose stored status differed from the recomputation. */
  entriesChanged: number;
  /** Units whose stored counts differed from counts of their recomputed roster. */
  unitsDrifted: number;
  /** The first differences found, for the command's output. */
  drift: DriftLine[];
  seconds: number;
}

const MAX_DRIFT_LINES = 50;

function totalsDrift(unitId: string, stored: UnitTotals | undefined, actual: UnitTotals): DriftLine[] {
  const lines: DriftLine[] = [];
  if ((stored?.s ?? 0) !== actual.s) lines.push({ unitId, what: 'staff', stored: stored?.s ?? 0, actual: actual.s });
  const slugs = new Set([...Object.keys(stored?.m ?? {}), ...Object.keys(actual.m)]);
  for (const slug of slugs) {
    const a = actual.m[slug] ?? [0, 0, 0];
    const s = stored?.m[slug] ?? [0, 0, 0];
    (['completed', 'inProgress', 'expired'] as const).forEach((what, i) => {
      if (a[i] !== s[i]) lines.push({ unitId, what: `${slug} ${what}`, stored: s[i]!, actual: a[i]! });
    });
  }
  if (!lines.length && !sameTotals(stored, actual)) lines.push({ unitId, what: 'trend months', stored: 0, actual: 0 });
  return lines;
}

/** Recomputes everything from the sources and writes what differs. */
export async function rebuildReports(ctx: ReportContext, options: { now?: Date } = {}): Promise<RebuildReport> {
  const started = Date.now();
  const at = options.now ?? ctx.now();
  forgetStructure(ctx);
  const [catalogue, settings, facts] = await Promise.all([reportCatalogue(ctx), readSettings(), scanLearning()]);
  const slugs = catalogue.modules.map((m) => m.slug);
  const rules = rulesMap(settings.value);
  const order = nextOrder();

  // Every person's entries, grouped by unit; and when each next changes by time.
  const rosters = new Map<string, RosterData>();
  const due = new Map<string, string[]>();
  let people = 0;
  for await (const account of allAccounts()) {
    people += 1;
    const { entries, nextChangeAt } = personEntries({ ...account, facts: facts.get(account.id) ?? {} }, order, catalogue.modules, rules, at);
    for (const [unitId, entry] of entries) {
      if (!rosters.has(unitId)) rosters.set(unitId, { members: {} });
      rosters.get(unitId)!.members[account.id] = entry;
    }
    if (nextChangeAt) {
      const bucket = dueDayKey(nextChangeAt);
      if (!due.has(bucket)) due.set(bucket, []);
      due.get(bucket)!.push(account.id);
    }
  }

  // Rosters: compare and write the ones that differ. A roster that changed under us (a live event)
  // is redone person by person through the ordinary path.
  const stored = new Map<string, { v: number; value: RosterData }>();
  for await (const doc of ReportRosterModel.collection.find({}, { projection: { v: 1, data: 1 } })) {
    stored.set(String(doc._id), { v: doc.v as number, value: decodeRoster(doc.data as string) });
  }
  let entriesChanged = 0;
  const rosterVersion = new Map<string, number>();
  const finalRosters = new Map<string, RosterData>();
  for (const unitId of new Set([...rosters.keys(), ...stored.keys()])) {
    const fresh = rosters.get(unitId) ?? { members: {} };
    const old = stored.get(unitId);
    let differs = !old;
    for (const id of new Set([...Object.keys(fresh.members), ...Object.keys(old?.value.members ?? {})])) {
      if (!sameEntry(fresh.members[id], old?.value.members[id])) {
        entriesChanged += 1;
        differs = true;
      }
    }
    if (!differs) {
      rosterVersion.set(unitId, old!.v);
      finalRosters.set(unitId, old!.value);
      continue;
    }
    if (await casJson(ReportRosterModel, unitId, old ? old.v : null, fresh, { codec: ROSTER_CODEC })) {
      rosterVersion.set(unitId, (old?.v ?? 0) + 1);
      finalRosters.set(unitId, fresh);
    } else {
      const members = new Set([...Object.keys(fresh.members), ...Object.keys(old?.value.members ?? {})]);
      for (const id of members) await recomputePerson(ctx, id);
      const now = await readJson<RosterData>(ReportRosterModel, unitId, ROSTER_CODEC);
      if (now) {
        rosterVersion.set(unitId, now.v);
        finalRosters.set(unitId, now.value);
      }
    }
  }

  // Counts: from the final rosters; stored counts that differ are drift. One write per shard.
  const shards = new Map<string, ShardData>();
  for (const shard of ALL_SHARDS) shards.set(shard, (await readJson<ShardData>(ReportTotalsModel, shard))?.value ?? { units: {} });
  const drift: DriftLine[] = [];
  let unitsDrifted = 0;
  const fresh = new Map<string, Map<string, { rv: number; t: UnitTotals }>>();
  for (const [unitId, roster] of finalRosters) {
    const shard = shardOf(unitId);
    if (!fresh.has(shard)) fresh.set(shard, new Map());
    fresh.get(shard)!.set(unitId, { rv: rosterVersion.get(unitId)!, t: unitTotals(roster, slugs) });
  }
  for (const shard of ALL_SHARDS) {
    const wanted = fresh.get(shard) ?? new Map<string, { rv: number; t: UnitTotals }>();
    const written = await updateJson<ShardData>(
      ReportTotalsModel,
      shard,
      (current) => {
        const data = current ?? { units: {} };
        let changed = !current;
        for (const [unitId, entry] of wanted) {
          const stored = data.units[unitId];
          // A live event may have written a newer roster version meanwhile: that one stays.
          if (stored && stored.rv > entry.rv) continue;
          if (!stored || stored.rv !== entry.rv || !sameTotals(stored.t, entry.t)) {
            data.units[unitId] = entry;
            changed = true;
          }
        }
        for (const unitId of Object.keys(data.units)) {
          if (!wanted.has(unitId)) {
            delete data.units[unitId];
            changed = true;
          }
        }
        return changed ? data : undefined;
      },
      { onInsert: () => ({ g: randomUUID() }) },
    );
    const before = shards.get(shard)!;
    for (const [unitId, entry] of wanted) {
      const stored = before.units[unitId];
      if (!stored) continue;
      const lines = totalsDrift(unitId, stored.t, entry.t);
      if (lines.length) {
        unitsDrifted += 1;
        drift.push(...lines.slice(0, Math.max(0, MAX_DRIFT_LINES - drift.length)));
      }
    }
    if (written) await reportTotalsCollection.updateOne({ _id: 'head' }, { $max: { [`shards.${shard}`]: written.v } }, { upsert: true });
  }

  // Time-driven changes: add every person's next change (stale entries only cost a recomputation).
  for (const [day, ids] of due) {
    await reportDueCollection.updateOne({ _id: day }, { $set: Object.fromEntries(ids.map((id) => [`people.${id}`, 1])) }, { upsert: true });
  }
  await writeSweepState({ lastDay: dayKey(at), catalogue: catalogue.signature, rulesVersion: settings.value.rulesVersion });
  return { people, units: finalRosters.size, entriesChanged, unitsDrifted, drift, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

/**
 * The periodic sweep: recomputes the people whose status changed by time since the last sweep, and
 * everything when the catalogue or the renewal rules changed since the summaries were computed (or
 * they were never computed, or the last sweep is too long ago to walk day by day).
 */
export async function sweepReports(ctx: ReportContext, now: Date = ctx.now()): Promise<{ rebuilt: boolean; people: number }> {
  const [state, catalogue, settings] = await Promise.all([readSweepState(), reportCatalogue(ctx), readSettings()]);
  const today = dayKey(now);
  const gapDays = state?.lastDay ? (Date.parse(today) - Date.parse(state.lastDay)) / 86_400_000 : Infinity;
  if (!state || state.catalogue !== catalogue.signature || state.rulesVersion !== settings.value.rulesVersion || gapDays > 62) {
    const report = await rebuildReports(ctx, { now });
    return { rebuilt: true, people: report.people };
  }
  // Today's bucket holds changes at today's midnight; once processed, nothing new can land in it.
  if (state.lastDay === today) return { rebuilt: false, people: 0 };
  const from = dayKey(new Date(Date.parse(state.lastDay!) + 86_400_000));
  const people = await processDueDays(ctx, from, today);
  await writeSweepState({ ...state, lastDay: today });
  return { rebuilt: false, people };
}

/** Builds the summaries from the sources if they were never built (a fresh or demo database). */
export async function ensureReportSummaries(ctx: ReportContext): Promise<RebuildReport | null> {
  return (await readSweepState()) ? null : rebuildReports(ctx);
}
