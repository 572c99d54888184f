import highsPackage from 'highs';
import type { Highs } from 'highs';
import { SMALL } from './suppression.js';

/**
 * The disclosure auditor (pure apart from the solver): given exactly what a report publishes, it
 * works out, for every hidden cell, the smallest and largest value the cell can have — as a reader
 * with the whole publication, a pencil and a linear-programming solver could. It is the audit
 * statistical offices run on their protected tables (τ-ARGUS's "audit"), and it is separate from the
 * suppressor on purpose: it does not trust how cells were chosen, only what is shown.
 *
 * The reader's unknowns are non-negative integers (counts). What the reader knows:
 * - relations that hold by construction (a row adds up to its staff count, units add up to their
 *   district, a category that is always zero, …) — `relations`;
 * - every shown cell: the sum of its unknowns equals the value — `cells` with `shown`;
 * - every shown percentage: `round(1000·N / (factor·D)) / 10 = value`, which is an interval for N
 *   given D, and linear in (N, D) together — `percents`.
 * For each hidden cell the auditor minimises and maximises the sum of its unknowns subject to all of
 * that, with HiGHS (loaded once per process). Integrality is honoured: a bound from the LP relaxation
 * is accepted only when the optimum it found is an integer point, otherwise the bound is solved again
 * as an integer program.
 */

/**
 * The protection rule, stated once: a hidden cell is protected when the values a reader cannot rule
 * out span at least 5 (they cannot tell the value) and reach 5 or more (they cannot tell that it is
 * under the threshold).
 */
export function isProtected(lo: number, hi: number): boolean {
  return hi - lo >= SMALL && hi >= SMALL;
}

export interface Relation {
  /** [unknown, coefficient] pairs. */
  terms: ReadonlyArray<readonly [number, number]>;
  lower: number;
  upper: number;
}

export interface PublishedCell {
  label: string;
  /** The unknowns whose sum the cell is. */
  vars: readonly number[];
  /** The true value (used only to check the publication is consistent and to report). */
  value: number;
  shown: boolean;
  /**
   * Whether the cell is one the threshold protects (its true value is small: 1–4, or any count in a
   * group of fewer than 5 people). Default true. A hidden cell that is not small was hidden only to
   * protect others: working it out reveals nothing an unsuppressed table would not have shown, so it
   * is no target of the audit (its unknowns still take part in every relation).
   */
  sensitive?: boolean;
}

export interface PublishedPercent {
  label: string;
  numerator: readonly number[];
  denominator: readonly number[];
  /** How many modules the denominator is multiplied by (person-module pairs). */
  factor: number;
  /** As shown: one decimal; null shown as "–" (no pairs). */
  value: number | null;
  shown: boolean;
}

export interface Publication {
  /** Number of unknowns (non-negative integers), numbered from 0. */
  variables: number;
  relations: readonly Relation[];
  cells: readonly PublishedCell[];
  percents?: readonly PublishedPercent[];
  /**
   * The true value of every unknown, when the publisher has it: one integer solution for free. It is
   * checked against every row and only ever used as a witness (a value the reader cannot rule out).
   */
  truth?: readonly number[];
}

export interface CellBounds {
  label: string;
  value: number;
  lo: number;
  /** Infinity when nothing published bounds the cell from above. */
  hi: number;
  /** Fixed by the relations alone (a category that is always zero): hiding it protects nobody. */
  structural: boolean;
  protected: boolean;
}

export interface AuditResult {
  /** Every hidden cell with the interval a reader can narrow it to. */
  hidden: CellBounds[];
  /** Hidden cells that break the protection rule (structural cells never do). */
  failures: CellBounds[];
  solves: number;
  /** Of which integer programs (an LP optimum was fractional). */
  integerSolves: number;
  components: number;
  /** Unknowns in the largest program solved. */
  largestComponent: number;
}

/** The audit ran past its deadline (`AuditOptions.deadline`): it proved nothing. */
export class AuditDeadlineError extends Error {}

export interface AuditOptions {
  /** A `performance.now()` time after which the audit stops with `AuditDeadlineError`. */
  deadline?: number;
  /**
   * Exact: every hidden cell gets its true smallest and largest value. Otherwise (the default on the
   * request path) a cell is settled as soon as two integer solutions the solver found on the way
   * prove it protected; only the others are optimised. The verdict is the same either way.
   */
  exact?: boolean;
}

// Lazily, once per process: the WebAssembly runtime is stateless between solves and costly to load.
let solver: Promise<Highs> | null = null;

/** The HiGHS WebAssembly runtime, instantiated once per process and reused. */
export function loadSolver(): Promise<Highs> {
  // The package's types describe its CommonJS build (the loader under `.default`); under ESM the
  // loader is the default export itself.
  const exported = highsPackage as unknown as { default?: typeof highsPackage.default };
  const load = exported.default ?? (highsPackage as unknown as typeof highsPackage.default);
  solver ??= load();
  return solver;
}

const EPS = 1e-6;
/** How long the audit runs before it lets the event loop in (one solve can take tens of milliseconds). */
const YIELD_EVERY_MS = 15;
const isIntegral = (x: number) => Math.abs(x - Math.round(x)) < EPS;

interface Row {
  terms: Array<[number, number]>;
  lower: number;
  upper: number;
}

export class InconsistentPublicationError extends Error {}

/** Rows a reader can write down from the publication. */
function rowsOf(publication: Publication): Row[] {
  const rows: Row[] = publication.relations.map((r) => ({ terms: r.terms.map(([v, c]) => [v, c] as [number, number]), lower: r.lower, upper: r.upper }));
  for (const cell of publication.cells) {
    if (cell.shown) rows.push({ terms: cell.vars.map((v) => [v, 1] as [number, number]), lower: cell.value, upper: cell.value });
  }
  for (const p of publication.percents ?? []) {
    if (!p.shown) continue;
    if (p.value === null) {
      rows.push({ terms: p.denominator.map((v) => [v, 1] as [number, number]), lower: 0, upper: 0 });
      continue;
    }
    // round(1000N/(kD)) = q  ⇔  (2q−1)·k·D ≤ 2000·N ≤ (2q+1)·k·D − 1 for integers N, D ≥ 1.
    const q = Math.round(p.value * 10);
    const terms = (dCoef: number): Array<[number, number]> => {
      const merged = new Map<number, number>();
      for (const v of p.numerator) merged.set(v, (merged.get(v) ?? 0) + 2000);
      for (const v of p.denominator) merged.set(v, (merged.get(v) ?? 0) - dCoef);
      return [...merged].filter(([, c]) => c !== 0);
    };
    rows.push({ terms: terms((2 * q - 1) * p.factor), lower: 0, upper: Infinity });
    rows.push({ terms: terms((2 * q + 1) * p.factor), lower: -Infinity, upper: -1 });
    rows.push({ terms: p.denominator.map((v) => [v, 1] as [number, number]), lower: 1, upper: Infinity });
  }
  return rows;
}

/**
 * Unknowns pinned by equalities with one free unknown left (subtraction), repeated to a fixed point.
 * Sound: such an unknown has exactly that value in every solution.
 */
function propagate(rows: readonly Row[], n: number): Map<number, number> {
  const fixed = new Map<number, number>();
  const rowsOf: number[][] = Array.from({ length: n }, () => []);
  rows.forEach((row, r) => {
    for (const [v] of row.terms) rowsOf[v]!.push(r);
  });
  const queue = rows.map((_, r) => r);
  const queued = new Uint8Array(rows.length).fill(1);
  while (queue.length) {
    const r = queue.pop()!;
    queued[r] = 0;
    const row = rows[r]!;
    if (row.lower !== row.upper) continue;
    let free = -1;
    let freeCoef = 0;
    let freeCount = 0;
    let rest = 0;
    for (const [v, c] of row.terms) {
      const value = fixed.get(v);
      if (value === undefined) {
        if (free !== v) freeCount += 1;
        free = v;
        freeCoef += c;
      } else rest += c * value;
    }
    if (freeCount !== 1 || freeCoef === 0) continue;
    const value = (row.lower - rest) / freeCoef;
    fixed.set(free, value);
    for (const other of rowsOf[free]!) {
      if (!queued[other]) {
        queued[other] = 1;
        queue.push(other);
      }
    }
  }
  return fixed;
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!;
      x = this.parent[x]!;
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[ra] = rb;
  }
}

/** Audits a publication: the interval of every hidden cell, and the cells that break the rule. */
export async function auditPublication(publication: Publication, options: AuditOptions = {}): Promise<AuditResult> {
  if (publication.cells.every((c) => c.shown || c.sensitive === false)) return { hidden: [], failures: [], solves: 0, integerSolves: 0, components: 0, largestComponent: 0 };
  if (options.deadline !== undefined && performance.now() > options.deadline) throw new AuditDeadlineError('audit: past its deadline');
  const highs = await loadSolver();
  const n = publication.variables;
  const structuralFixed = propagate(
    publication.relations.map((r) => ({ terms: r.terms.map(([v, c]) => [v, c] as [number, number]), lower: r.lower, upper: r.upper })),
    n,
  );
  const rows = rowsOf(publication);
  const fixed = propagate(rows, n);

  const hidden: CellBounds[] = [];
  const open: Array<{ bounds: CellBounds; vars: number[] }> = [];
  for (const cell of publication.cells) {
    if (cell.shown || cell.sensitive === false) continue;
    const structural = cell.vars.every((v) => structuralFixed.has(v));
    const bounds: CellBounds = { label: cell.label, value: cell.value, lo: 0, hi: Infinity, structural, protected: true };
    hidden.push(bounds);
    const free = cell.vars.filter((v) => !fixed.has(v));
    const base = cell.vars.reduce((s, v) => s + (fixed.get(v) ?? 0), 0);
    if (!free.length) {
      bounds.lo = base;
      bounds.hi = base;
      bounds.protected = structural;
      continue;
    }
    open.push({ bounds, vars: cell.vars.slice() });
  }

  // Components of the free unknowns, joined by the rows and by each hidden cell's own unknowns.
  const uf = new UnionFind(n);
  const liveRows: Row[] = [];
  for (const row of rows) {
    const free = row.terms.filter(([v]) => !fixed.has(v));
    if (!free.length) continue;
    liveRows.push(row);
    for (let i = 1; i < free.length; i += 1) uf.union(free[0]![0], free[i]![0]);
  }
  for (const target of open) {
    const free = target.vars.filter((v) => !fixed.has(v));
    for (let i = 1; i < free.length; i += 1) uf.union(free[0]!, free[i]!);
  }
  const targetsOf = new Map<number, typeof open>();
  for (const target of open) {
    const root = uf.find(target.vars.find((v) => !fixed.has(v))!);
    if (!targetsOf.has(root)) targetsOf.set(root, []);
    targetsOf.get(root)!.push(target);
  }
  const rowsOfComponent = new Map<number, Row[]>();
  for (const row of liveRows) {
    const root = uf.find(row.terms.find(([v]) => !fixed.has(v))![0]);
    if (!targetsOf.has(root)) continue;
    if (!rowsOfComponent.has(root)) rowsOfComponent.set(root, []);
    rowsOfComponent.get(root)!.push(row);
  }

  let solves = 0;
  let integerSolves = 0;
  let largest = 0;
  let lastYield = performance.now();
  const truth = publication.truth;
  const truthHolds =
    !!truth &&
    truth.length === n &&
    rows.every((row) => {
      const value = row.terms.reduce((sum, [v, c]) => sum + c * truth[v]!, 0);
      return value >= row.lower - EPS && value <= row.upper + EPS;
    });
  for (const [root, targets] of targetsOf) {
    const componentRows = rowsOfComponent.get(root) ?? [];
    const columns = new Map<number, number>();
    const column = (v: number) => {
      let c = columns.get(v);
      if (c === undefined) {
        c = columns.size;
        columns.set(v, c);
      }
      return c;
    };
    for (const row of componentRows) for (const [v] of row.terms) if (!fixed.has(v)) column(v);
    for (const t of targets) for (const v of t.vars) if (!fixed.has(v)) column(v);
    largest = Math.max(largest, columns.size);
    // The raw C-style model: on these small programs its run is several times cheaper than the
    // throwing wrapper's, and presolve costs more than it saves.
    const model = highs.raw.createModel();
    try {
      model.setOptionValue('output_flag', false);
      model.setOptionValue('presolve', 'off');
      model.addVars(new Float64Array(columns.size), new Float64Array(columns.size).fill(highs.infinity));
      for (const row of componentRows) {
        const merged = new Map<number, number>();
        let constant = 0;
        for (const [v, c] of row.terms) {
          const value = fixed.get(v);
          if (value === undefined) merged.set(column(v), (merged.get(column(v)) ?? 0) + c);
          else constant += c * value;
        }
        const entries = [...merged].filter(([, c]) => c !== 0).sort((a, b) => a[0] - b[0]);
        const lower = row.lower === -Infinity ? -highs.infinity : row.lower - constant;
        const upper = row.upper === Infinity ? highs.infinity : row.upper - constant;
        model.addRow(lower, upper, { indices: Int32Array.from(entries.map((e) => e[0])), values: Float64Array.from(entries.map((e) => e[1])) });
      }
      const seenLo = new Map<CellBounds, number>();
      const seenHi = new Map<CellBounds, number>();
      const record = (x: Float64Array) => {
        // Only integer points are real alternatives a reader cannot rule out.
        if (!x.every(isIntegral)) return;
        for (const t of targets) {
          const value = t.vars.reduce((s, v) => s + (fixed.get(v) ?? Math.round(x[columns.get(v)!]!)), 0);
          seenLo.set(t.bounds, Math.min(seenLo.get(t.bounds) ?? Infinity, value));
          seenHi.set(t.bounds, Math.max(seenHi.get(t.bounds) ?? -Infinity, value));
        }
      };
      if (truthHolds) {
        const x = new Float64Array(columns.size);
        for (const [v, c] of columns) x[c] = publication.truth![v]!;
        record(x);
      }
      const costs = new Float64Array(columns.size);
      const optimise = (t: (typeof targets)[number], sense: 'min' | 'max'): number => {
        costs.fill(0);
        for (const v of t.vars) if (!fixed.has(v)) costs[columns.get(v)!]! += 1;
        model.changeColsCost({ kind: 'range', from: 0, to: columns.size - 1 }, costs);
        model.changeObjectiveSense(sense === 'min' ? highs.constants.objectiveSense.minimize : highs.constants.objectiveSense.maximize);
        const base = t.vars.reduce((s, v) => s + (fixed.get(v) ?? 0), 0);
        // Off the exact path, a large program whose optimum is fractional is not re-solved as an
        // integer program (costly): the cell then counts as unproven, and more is hidden. Sound.
        const integerAllowed = options.exact || columns.size <= 400;
        for (const integer of [false, true]) {
          if (integer && !integerAllowed) {
            // The widest integer points seen so far (the true figures are one): a narrower interval
            // than the real one, so the verdict errs only towards hiding more.
            const seen = sense === 'max' ? seenHi.get(t.bounds) : seenLo.get(t.bounds);
            return seen ?? t.bounds.value;
          }
          if (integer) model.changeColsIntegrality({ kind: 'range', from: 0, to: columns.size - 1 }, new Int32Array(columns.size).fill(highs.constants.variableType.integer));
          model.run();
          solves += 1;
          if (integer) integerSolves += 1;
          const status = model.getModelStatus();
          const optimal = status === highs.constants.modelStatus.optimal;
          const x = optimal ? (model.getSolution().value?.colValue ?? null) : null;
          const objective = optimal ? model.getObjectiveValue() : NaN;
          if (integer) model.changeColsIntegrality({ kind: 'range', from: 0, to: columns.size - 1 }, new Int32Array(columns.size).fill(highs.constants.variableType.continuous));
          // The true figures satisfy every row, so "unbounded or infeasible" can only be unbounded.
          if (status === highs.constants.modelStatus.unbounded || status === highs.constants.modelStatus.unboundedOrInfeasible) return sense === 'max' ? Infinity : -Infinity;
          if (!x) throw new InconsistentPublicationError(`audit: solver status ${status} for ${t.bounds.label} (the publication contradicts itself)`);
          record(x);
          if (integer || x.every(isIntegral)) return base + Math.round(objective);
        }
        throw new Error('unreachable');
      };
      if (!options.exact && targets.length > 4) {
        // Witness directions: maximise the uncertified cells with alternating signs (a fixed
        // pattern, so audits are reproducible). Each optimum is a vertex, usually integral, that moves
        // many cells at once; a handful settles most cells of a large component.
        for (let direction = 0; direction < 6; direction += 1) {
          const open = targets.filter((t) => {
            const lo = seenLo.get(t.bounds);
            const hi = seenHi.get(t.bounds);
            return lo === undefined || hi === undefined || !isProtected(lo, hi);
          });
          if (open.length <= 2) break;
          costs.fill(0);
          open.forEach((t, i) => {
            const sign = ((i * 2654435761 + direction * 40503) >>> 7) & 1 ? 1 : -1;
            for (const v of t.vars) if (!fixed.has(v)) costs[columns.get(v)!]! += direction === 0 ? 1 : direction === 1 ? -1 : sign;
          });
          model.changeColsCost({ kind: 'range', from: 0, to: columns.size - 1 }, costs);
          model.changeObjectiveSense(highs.constants.objectiveSense.maximize);
          model.run();
          solves += 1;
          if (model.getModelStatus() !== highs.constants.modelStatus.optimal) continue;
          const x = model.getSolution().value?.colValue;
          if (x) record(x);
        }
      }
      for (const t of targets) {
        // Each solve is synchronous WebAssembly: let the event loop answer other requests between
        // them, so a long proof (a municipality of many small units) never stalls the server.
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = performance.now();
          if (options.deadline !== undefined && lastYield > options.deadline) throw new AuditDeadlineError('audit: past its deadline');
        }
        if (!options.exact) {
          const lo = seenLo.get(t.bounds);
          const hi = seenHi.get(t.bounds);
          if (lo !== undefined && hi !== undefined && isProtected(lo, hi)) {
            // Proven by two integer solutions; the true interval is at least this wide.
            t.bounds.lo = lo;
            t.bounds.hi = hi;
            continue;
          }
        }
        t.bounds.hi = optimise(t, 'max');
        if (!options.exact) {
          const lo = seenLo.get(t.bounds);
          // Settled either way: proven by an integer point, or under 5 whatever its minimum is.
          if ((lo !== undefined && isProtected(lo, t.bounds.hi)) || t.bounds.hi < SMALL) {
            t.bounds.lo = Math.min(lo ?? t.bounds.value, t.bounds.hi);
            continue;
          }
        }
        t.bounds.lo = optimise(t, 'min');
      }
    } finally {
      model.dispose();
    }
  }
  for (const b of hidden) b.protected = b.structural || isProtected(b.lo, b.hi);
  return { hidden, failures: hidden.filter((b) => !b.protected), solves, integerSolves, components: targetsOf.size, largestComponent: largest };
}
