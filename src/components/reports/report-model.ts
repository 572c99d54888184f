import { CellTable, isSmall, SMALL } from './suppression.js';
import { protectTable } from './protect.js';
import type { UnitTotals } from './roster.js';
import { monthRange, shiftMonth } from './time.js';

/**
 * The municipal report as one system of counts (pure): every unit, district, unit type and the
 * municipality, per module and status, plus the monthly trend of districts, types and the
 * municipality. Suppression is decided once for the whole system, per module, so every page, export
 * and drill-down shows the same cells hidden, and no view can be subtracted from another.
 *
 * A chosen set of modules is then read from it: a set total is shown only when every module in it is
 * shown. That keeps totals for different sets from revealing anything the per-module figures hide.
 *
 * The suppression is proven, not only chosen: `protect.ts` runs the disclosure auditor over every
 * per-module cell of the whole system (what all pages, sets and exports can show together) and hides
 * more until no hidden cell can be narrowed below the protection rule.
 */

export interface OrgUnit {
  id: string;
  name: string;
  type: string;
  districtId: string;
  districtName: string;
}

/** The units of each district and of each unit type: the aggregate rows every report table has. */
export function unitsByDistrictAndType(units: readonly OrgUnit[]): { districts: Map<string, OrgUnit[]>; types: Map<string, OrgUnit[]> } {
  const districts = new Map<string, OrgUnit[]>();
  const types = new Map<string, OrgUnit[]>();
  for (const unit of units) {
    if (!districts.has(unit.districtId)) districts.set(unit.districtId, []);
    districts.get(unit.districtId)!.push(unit);
    if (!types.has(unit.type)) types.set(unit.type, []);
    types.get(unit.type)!.push(unit);
  }
  return { districts, types };
}

export const STATUS_KEYS = ['c', 'p', 'e', 'n'] as const;
export type StatusKey = (typeof STATUS_KEYS)[number];

export interface ModelInput {
  units: readonly OrgUnit[];
  totals: ReadonlyMap<string, UnitTotals>;
  /** Every module counted (the catalogue); sets are chosen from these. */
  slugs: readonly string[];
  /** `YYYY-MM` of today: the trend's last month equals today's status. */
  currentMonth: string;
  /** How many months back the trend goes (the current month included). */
  windowMonths: number;
  /**
   * Modules with a renewal rule. Without one, Utløpt is always 0 and every reader knows it, so those
   * cells are treated as known (never hidden, never a complement, and part of the reader's knowledge).
   */
  renewable: ReadonlySet<string>;
}

/** A figure as pages and exports show it: null value means "not applicable". */
export interface Figure {
  value: number | null;
  suppressed: boolean;
}

export interface StatusRow {
  scope: string;
  staff: Figure;
  completed: Figure;
  inProgress: Figure;
  expired: Figure;
  notStarted: Figure;
  /** Completed person-module pairs per 100 (one decimal). */
  percent: Figure;
}

export interface TrendPoint {
  month: string;
  completed: Figure;
  percent: Figure;
}

export interface ReportModel {
  readonly window: readonly string[];
  readonly slugs: readonly string[];
  /** Scope names: `u:<unitId>`, `d:<districtId>`, `t:<type>`, `all`. */
  row(scope: string, set: readonly string[]): StatusRow;
  moduleRow(scope: string, slug: string): StatusRow;
  trend(scope: string, set: readonly string[], months: readonly string[]): TrendPoint[];
  /** What proving the suppression cost: audit rounds, solver runs (of which integer programs), hidden cells. */
  readonly protection: { rounds: number; solves: number; integerSolves: number; hidden: number; ms: number; exhausted: boolean };
}

const EMPTY: UnitTotals = { s: 0, m: {}, h: {} };

export async function buildReportModel(input: ModelInput): Promise<ReportModel> {
  const started = performance.now();
  const window = monthRange(shiftMonth(input.currentMonth, -(input.windowMonths - 1)), input.currentMonth);
  const table = new CellTable();
  const value = new Map<string, number>();
  const cell = (name: string, v: number, group: number, hidden = false, known = false) => {
    value.set(name, v);
    // A never-shown cell (new completions in a month) is no published figure, so never primary.
    return table.cell(name, v, { primary: !known && isSmall(v, group), hidden, known });
  };

  // Status cells of one scope from the units it contains; returns the staff count.
  const statusCells = (scope: string, members: readonly UnitTotals[]): number => {
    const staff = members.reduce((sum, t) => sum + t.s, 0);
    // A staff count of 5 or more is public knowledge (each unit's page shows it, and the units are
    // listed with their people): it is known, never hidden, never a complement — unless the scope
    // holds a unit of 1–4 people, whose count must stay hidden and so cannot be the difference of
    // known ones. A scope of no one is known too (nothing to protect).
    const known = (staff === 0 || staff >= SMALL) && members.every((t) => t.s === 0 || t.s >= SMALL);
    const staffCell = cell(`${scope}|s`, staff, staff, false, known);
    for (const slug of input.slugs) {
      let c = 0;
      let p = 0;
      let e = 0;
      for (const t of members) {
        const counts = t.m[slug];
        if (!counts) continue;
        c += counts[0];
        p += counts[1];
        e += counts[2];
      }
      const parts = [cell(`${scope}|${slug}|c`, c, staff), cell(`${scope}|${slug}|p`, p, staff), cell(`${scope}|${slug}|e`, e, staff, false, e === 0 && !input.renewable.has(slug)), cell(`${scope}|${slug}|n`, staff - c - p - e, staff)];
      table.equation(staffCell, parts);
    }
    return staff;
  };

  // The trend of one aggregate scope: cumulative completions at each month's end, and the new ones.
  const trendCells = (scope: string, members: readonly UnitTotals[], staff: number) => {
    for (const slug of input.slugs) {
      const perMonth = new Map<string, number>();
      let before = 0;
      for (const t of members) {
        for (const [month, n] of Object.entries(t.h[slug] ?? {})) {
          if (month < window[0]!) before += n;
          else perMonth.set(month, (perMonth.get(month) ?? 0) + n);
        }
      }
      let cum = before;
      let previous = -1;
      window.forEach((month, i) => {
        const added = perMonth.get(month) ?? 0;
        cum += added;
        const last = i === window.length - 1;
        // Today's cumulative figure is today's "completed": one cell, not two.
        const cumCell = last ? table.id(`${scope}|${slug}|c`)! : cell(`${scope}|${slug}|cum|${month}`, cum, staff);
        const incCell = cell(`${scope}|${slug}|inc|${month}`, added, staff, true);
        if (previous >= 0) table.equation(cumCell, [previous, incCell]);
        previous = cumCell;
      });
    }
  };

  const totalsOf = (unitId: string) => input.totals.get(unitId) ?? EMPTY;
  for (const unit of input.units) statusCells(`u:${unit.id}`, [totalsOf(unit.id)]);

  const kinds = (withTrend: boolean) => {
    const names = ['s'];
    for (const slug of input.slugs) {
      for (const k of STATUS_KEYS) names.push(`${slug}|${k}`);
      if (withTrend) {
        for (const month of window.slice(0, -1)) names.push(`${slug}|cum|${month}`);
        for (const month of window) names.push(`${slug}|inc|${month}`);
      }
    }
    return names;
  };
  const unitKinds = kinds(false);
  const aggregateKinds = kinds(true);

  const aggregate = (scope: string, units: readonly OrgUnit[]) => {
    const members = units.map((u) => totalsOf(u.id));
    const staff = statusCells(scope, members);
    trendCells(scope, members, staff);
    for (const kind of unitKinds) table.equation(table.id(`${scope}|${kind}`)!, units.map((u) => table.id(`u:${u.id}|${kind}`)!));
  };

  const { districts, types } = unitsByDistrictAndType(input.units);
  for (const [id, units] of districts) aggregate(`d:${id}`, units);
  for (const [type, units] of types) aggregate(`t:${type}`, units);
  aggregate('all', input.units);
  // The municipality is also the sum of its districts and of its unit types, month by month.
  for (const groups of [[...districts.keys()].map((id) => `d:${id}`), [...types.keys()].map((t) => `t:${t}`)]) {
    for (const kind of aggregateKinds) table.equation(table.id(`all|${kind}`)!, groups.map((g) => table.id(`${g}|${kind}`)!));
  }

  const protection = await protectTable(table);
  const isSuppressed = (name: string) => {
    const id = table.id(name);
    return id === undefined ? true : protection.out[id]!;
  };
  const figure = (name: string): Figure => ({ value: value.get(name) ?? 0, suppressed: isSuppressed(name) });
  const sum = (names: string[]): Figure => ({
    value: names.reduce((s, n) => s + (value.get(n) ?? 0), 0),
    suppressed: names.some((n) => isSuppressed(n)),
  });
  const percent = (completed: Figure, staff: Figure, modules: number): Figure => {
    const pairs = (staff.value ?? 0) * modules;
    if (pairs === 0) return { value: null, suppressed: completed.suppressed || staff.suppressed };
    return { value: Math.round((1000 * (completed.value ?? 0)) / pairs) / 10, suppressed: completed.suppressed || staff.suppressed };
  };
  const known = new Set(input.slugs);
  const only = (set: readonly string[]) => set.filter((s) => known.has(s));

  return {
    window,
    slugs: input.slugs,
    protection: { rounds: protection.rounds, solves: protection.solves, integerSolves: protection.integerSolves, hidden: protection.out.filter(Boolean).length, ms: Math.round(performance.now() - started), exhausted: protection.exhausted },
    row(scope, set) {
      const slugs = only(set);
      const staff = figure(`${scope}|s`);
      const of = (k: StatusKey) => sum(slugs.map((s) => `${scope}|${s}|${k}`));
      const completed = of('c');
      return { scope, staff, completed, inProgress: of('p'), expired: of('e'), notStarted: of('n'), percent: percent(completed, staff, slugs.length) };
    },
    moduleRow(scope, slug) {
      const staff = figure(`${scope}|s`);
      const completed = figure(`${scope}|${slug}|c`);
      return { scope, staff, completed, inProgress: figure(`${scope}|${slug}|p`), expired: figure(`${scope}|${slug}|e`), notStarted: figure(`${scope}|${slug}|n`), percent: percent(completed, staff, 1) };
    },
    trend(scope, set, months) {
      const slugs = only(set);
      const staff = figure(`${scope}|s`);
      const last = window[window.length - 1];
      return months
        .filter((m) => window.includes(m))
        .map((month) => {
          const completed = sum(slugs.map((s) => (month === last ? `${scope}|${s}|c` : `${scope}|${s}|cum|${month}`)));
          return { month, completed, percent: percent(completed, staff, slugs.length) };
        });
    },
  };
}
