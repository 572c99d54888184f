import { moduleStatusAt, NO_RENEWAL, type MajorFacts, type MajorRelease, type ModuleStatus, type RenewalRule } from './validity.js';
import { monthKey } from './time.js';
import { inEffect, osloStartOf } from '../../lib/dates.js';

/**
 * From one person's facts to what each of their units counts (pure). The same functions serve the
 * event-driven update, the periodic sweep and the full rebuild, so they cannot disagree.
 */

export type PersonStatus = 'active' | 'invited' | 'deactivated' | 'anonymised';
export type MembershipRole = 'ansatt' | 'leder';

export interface MembershipRecord {
  unitId: string;
  role: MembershipRole;
  /** ISO timestamps (midnight UTC of the calendar day). */
  startDate: string;
  endDate: string | null;
}

/** `facts[slug][major]`: started, completed (ISO) and the percentage done, per major version. */
export type PersonFacts = Record<string, Record<string, { st?: string; c?: string; pc?: number }>>;

/** Everything a person's contribution depends on, read from accounts and learning. */
export interface PersonRecord {
  name: string;
  status: PersonStatus;
  memberships: MembershipRecord[];
  facts: PersonFacts;
}

/** A module as reports see it. */
export interface ReportModule {
  slug: string;
  title: string;
  measures: number[];
  releases: MajorRelease[];
}

export type StatusCode = 'c' | 'p' | 'e' | 'n';
export const STATUS_CODE: Record<ModuleStatus, StatusCode> = { completed: 'c', inProgress: 'p', expired: 'e', notStarted: 'n' };
export const STATUS_OF_CODE: Record<StatusCode, ModuleStatus> = { c: 'completed', p: 'inProgress', e: 'expired', n: 'notStarted' };

/** One module of one member. Dates are ISO; absent from `m`: not started. */
export interface RosterCell {
  s: Exclude<StatusCode, 'n'>;
  mj: number | null;
  /** Completed (the counting or the expired completion). */
  c: string | null;
  /** Expires (completed) or expired (expired); null: never. */
  x: string | null;
  /** Started (in progress). */
  st: string | null;
  /** Percent done (in progress). */
  pc: number | null;
}

/**
 * One member of a unit's roster. `o` orders concurrent updates: each recomputation takes a key from
 * the moment it started reading, and an entry replaces a stored one only if its key is greater, so a
 * slow computation from older facts can never overwrite a newer one. `gone` keeps that order when
 * someone leaves.
 */
export interface RosterEntry {
  n: string;
  r: MembershipRole;
  o: string;
  gone?: true;
  m: Record<string, RosterCell>;
}

export interface RosterData {
  members: Record<string, RosterEntry>;
}

/** Counts of one unit: staff, per module [completed, inProgress, expired], and per module the
 * number of counting completions made in each month (the trend). */
export interface UnitTotals {
  s: number;
  m: Record<string, [number, number, number]>;
  h: Record<string, Record<string, number>>;
}

const COUNTED: ReadonlySet<PersonStatus> = new Set(['active', 'invited']);

/** The membership that makes the person staff of `unitId` at `at`, if any (leader wins over staff). */
export function membershipAt(person: Pick<PersonRecord, 'status' | 'memberships'>, unitId: string, at: Date): MembershipRecord | null {
  if (!COUNTED.has(person.status)) return null;
  const current = person.memberships.filter((m) => m.unitId === unitId && inEffect({ startDate: new Date(m.startDate), endDate: m.endDate ? new Date(m.endDate) : null }, at));
  return current.find((m) => m.role === 'leder') ?? current[0] ?? null;
}

/** Rosters store minutes; entries are made at that precision so a stored one compares equal. */
function minuteIso(date: Date | null): string | null {
  return date ? new Date(Math.round(date.getTime() / 60_000) * 60_000).toISOString() : null;
}

function factsOf(person: PersonRecord, slug: string): Map<number, MajorFacts> {
  const majors = new Map<number, MajorFacts>();
  for (const [major, f] of Object.entries(person.facts[slug] ?? {})) {
    majors.set(Number(major), { startedAt: f.st ? new Date(f.st) : null, completedAt: f.c ? new Date(f.c) : null });
  }
  return majors;
}

export interface PersonEntries {
  /** Every unit the person has or had a membership in: each of their rosters may need a change. */
  units: string[];
  /** The entry per unit where the person counts at `at`. */
  entries: Map<string, RosterEntry>;
  /** The next moment something changes by time alone (a membership starts or ends, a completion expires). */
  nextChangeAt: Date | null;
}

/** What each of the person's units counts for them at `at`. */
export function personEntries(person: PersonRecord, order: string, modules: readonly ReportModule[], rules: ReadonlyMap<string, RenewalRule>, at: Date): PersonEntries {
  const iso = at.toISOString();
  let next: string | null = null;
  const later = (candidate: string | null | undefined) => {
    if (candidate && candidate > iso && (next === null || candidate < next)) next = candidate;
  };
  const cells: Record<string, RosterCell> = {};
  for (const module of modules) {
    const facts = factsOf(person, module.slug);
    if (!facts.size) continue;
    const status = moduleStatusAt(facts, rules.get(module.slug) ?? NO_RENEWAL, module.releases, at);
    later(status.nextChangeAt?.toISOString());
    if (status.status === 'notStarted') continue;
    const percent = status.status === 'inProgress' && status.major !== null ? (person.facts[module.slug]?.[String(status.major)]?.pc ?? null) : null;
    cells[module.slug] = {
      s: STATUS_CODE[status.status] as RosterCell['s'],
      mj: status.major,
      c: minuteIso(status.completedAt),
      x: minuteIso(status.expiresAt),
      st: minuteIso(status.startedAt),
      pc: percent,
    };
  }
  const units = [...new Set(person.memberships.map((m) => m.unitId))];
  const entries = new Map<string, RosterEntry>();
  for (const unitId of units) {
    const membership = membershipAt(person, unitId, at);
    if (membership) entries.set(unitId, { n: person.name, r: membership.role, o: order, m: cells });
  }
  if (COUNTED.has(person.status)) {
    for (const m of person.memberships) {
      // Calendar dates take effect when their day begins in Norway.
      later(osloStartOf(new Date(m.startDate)).toISOString());
      if (m.endDate) later(osloStartOf(new Date(m.endDate)).toISOString());
    }
  }
  return { units, entries, nextChangeAt: next === null ? null : new Date(next) };
}

/** The entry to store when the person no longer counts in a unit. */
export function goneEntry(order: string): RosterEntry {
  return { n: '', r: 'ansatt', o: order, gone: true, m: {} };
}

/** Whether two entries say the same thing (ignoring when they were computed). */
export function sameEntry(a: RosterEntry | undefined, b: RosterEntry | undefined): boolean {
  const shown = (e: RosterEntry | undefined) => (!e || e.gone ? null : JSON.stringify([e.n, e.r, Object.entries(e.m).sort(([x], [y]) => (x < y ? -1 : 1))]));
  return shown(a) === shown(b);
}

/** Tombstones older than this are dropped: no computation started that long ago can still arrive. */
export const TOMBSTONE_MS = 7 * 86_400_000;

/** The order key's time part (ms since 1970), for pruning tombstones. */
export function orderTime(order: string): number {
  return Number(order.slice(0, 15)) || 0;
}

/** Sets one member's entry if it is newer and says something new; returns whether the roster changed. */
export function applyEntry(roster: RosterData, userId: string, entry: RosterEntry, nowMs: number): boolean {
  const stored = roster.members[userId];
  if (stored && stored.o >= entry.o) return false;
  if (entry.gone && (!stored || stored.gone)) return false;
  if (stored && sameEntry(stored, entry)) {
    // Same content: only the order moves on, so an older computation still cannot overwrite it.
    stored.o = entry.o;
    return true;
  }
  roster.members[userId] = entry;
  for (const [id, e] of Object.entries(roster.members)) {
    if (e.gone && nowMs - orderTime(e.o) > TOMBSTONE_MS) delete roster.members[id];
  }
  return true;
}

/** The unit's counts, from its roster. */
export function unitTotals(roster: RosterData, slugs: readonly string[]): UnitTotals {
  const totals: UnitTotals = { s: 0, m: {}, h: {} };
  for (const slug of slugs) {
    totals.m[slug] = [0, 0, 0];
    totals.h[slug] = {};
  }
  for (const entry of Object.values(roster.members)) {
    if (entry.gone) continue;
    totals.s += 1;
    for (const slug of slugs) {
      const cell = entry.m[slug];
      if (!cell) continue;
      const counts = totals.m[slug]!;
      if (cell.s === 'c') {
        counts[0] += 1;
        if (cell.c) {
          const month = monthKey(new Date(cell.c));
          const h = totals.h[slug]!;
          h[month] = (h[month] ?? 0) + 1;
        }
      } else if (cell.s === 'p') counts[1] += 1;
      else counts[2] += 1;
    }
  }
  return totals;
}

export function sameTotals(a: UnitTotals | undefined, b: UnitTotals | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

// ---------------------------------------------------------------------------------------------
// Storage form: compact, because the embedded database reads every roster on each roster write.

type StoredCell = 0 | [string, number | null, number | null, number | null, number | null, number | null];
type StoredMember = [string, 0 | 1, string, 0 | 1, StoredCell[]];
interface StoredRoster {
  mods: string[];
  mem: Record<string, StoredMember>;
}

const MINUTE = 60_000;
const toMinutes = (iso: string | null) => (iso ? Math.round(Date.parse(iso) / MINUTE) : null);
const fromMinutes = (n: number | null) => (n === null ? null : new Date(n * MINUTE).toISOString());

export function encodeRoster(roster: RosterData): string {
  const mods = [...new Set(Object.values(roster.members).flatMap((e) => Object.keys(e.m)))].sort();
  const mem: Record<string, StoredMember> = {};
  for (const [id, e] of Object.entries(roster.members)) {
    const cells: StoredCell[] = mods.map((slug) => {
      const c = e.m[slug];
      return c ? [c.s, c.mj, toMinutes(c.c), toMinutes(c.x), toMinutes(c.st), c.pc] : 0;
    });
    while (cells.length && cells[cells.length - 1] === 0) cells.pop();
    mem[id] = [e.n, e.r === 'leder' ? 1 : 0, e.o, e.gone ? 1 : 0, cells];
  }
  return JSON.stringify({ mods, mem } satisfies StoredRoster);
}

export function decodeRoster(text: string): RosterData {
  const stored = JSON.parse(text) as StoredRoster;
  const members: Record<string, RosterEntry> = {};
  for (const [id, [n, r, o, gone, cells]] of Object.entries(stored.mem)) {
    const m: Record<string, RosterCell> = {};
    cells.forEach((cell, i) => {
      if (cell === 0) return;
      m[stored.mods[i]!] = { s: cell[0] as RosterCell['s'], mj: cell[1], c: fromMinutes(cell[2]), x: fromMinutes(cell[3]), st: fromMinutes(cell[4]), pc: cell[5] };
    });
    members[id] = { n, r: r === 1 ? 'leder' : 'ansatt', o, m, ...(gone ? { gone: true as const } : {}) };
  }
  return { members };
}
