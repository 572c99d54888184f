/**
 * Small-cell suppression (pure). Primary: a count of 1–4 people is shown as "<5", and in a group of
 * fewer than 5 people every count is (zeros included: "none of the 3 in this unit" is about each of
 * them). Complementary: every additive relation a reader can see (a row adding up to its total, units
 * adding up to their district, last month's figure plus this month's new ones) is checked, and where
 * exactly one of its cells is hidden, one more is hidden, so subtraction cannot reveal the first.
 *
 * This is the first pass. It only looks at one relation at a time, so it cannot see what several
 * relations, zeros a reader knows, or rounded percentages reveal together; `report-model.ts` therefore
 * runs the disclosure auditor (`disclosure-audit.ts`) over the result and hides more until it passes.
 * Known cells (a category that is always zero, such as Utløpt when no renewal rule exists) count as
 * shown: hiding them protects nobody, so they are never chosen as a complement. A complement is the
 * smallest cell that gives real uncertainty: one that brings the hidden part of the relation to 5 or
 * more, if there is one.
 *
 * Cells are numbered; an equation says `total = sum(parts)`. Hidden cells (never shown, but derivable,
 * like the number of new completions in a month) take part like any other: when small they must stay
 * underivable. Linked cells are hidden together (the number of person-module pairs is staff × modules,
 * so it reveals the staff count).
 */

export const SMALL = 5;

/**
 * Whether a count is primary-suppressed: 1–4, or anything in a group of 1–4 people. A group of no
 * one (a unit without staff yet) is about no one: its zeros are shown.
 */
export function isSmall(value: number, groupSize: number): boolean {
  return (groupSize > 0 && groupSize < SMALL) || (value > 0 && value < SMALL);
}

export interface Equation {
  total: number;
  parts: readonly number[];
}

export interface SuppressionProblem {
  values: ArrayLike<number>;
  primary: ArrayLike<boolean>;
  /** Cells that are never shown (they only matter when derivable). */
  hidden?: ArrayLike<boolean>;
  /** Cells every reader knows without the report (always zero by rule): never hidden, never complements. */
  known?: ArrayLike<boolean>;
  equations: readonly Equation[];
  /** Groups of cells that are shown or hidden together. */
  links?: ReadonlyArray<readonly number[]>;
}

/**
 * Returns the suppressed cells. For an equation with exactly one suppressed cell, the complement is
 * the smallest other part (hidden cells first on a tie: hiding them costs nothing shown), and the
 * total only when no part is left. Runs to a fixed point; cells are only ever added.
 */
export function suppress(problem: SuppressionProblem): boolean[] {
  const n = problem.values.length;
  const known = problem.known;
  const out: boolean[] = Array.from({ length: n }, (_, i) => !!problem.primary[i] && !known?.[i]);
  const equationsOf: number[][] = Array.from({ length: n }, () => []);
  problem.equations.forEach((eq, e) => {
    equationsOf[eq.total]!.push(e);
    for (const p of eq.parts) equationsOf[p]!.push(e);
  });
  const linksOf = new Map<number, readonly number[]>();
  for (const group of problem.links ?? []) for (const cell of group) linksOf.set(cell, group);

  const queue: number[] = [];
  const queued = new Uint8Array(problem.equations.length);
  const enqueueCell = (cell: number) => {
    for (const e of equationsOf[cell]!) {
      if (!queued[e]) {
        queued[e] = 1;
        queue.push(e);
      }
    }
  };
  const mark = (cell: number) => {
    if (out[cell] || known?.[cell]) return;
    out[cell] = true;
    enqueueCell(cell);
    const group = linksOf.get(cell);
    if (group) for (const other of group) mark(other);
  };
  // Links first, so a primary cell hides its partners before equations are checked.
  for (let i = 0; i < n; i += 1) {
    if (out[i] && linksOf.has(i)) {
      out[i] = false;
      mark(i);
    }
  }
  for (let e = 0; e < problem.equations.length; e += 1) {
    queued[e] = 1;
    queue.push(e);
  }
  const hidden = problem.hidden;
  // `need`: how much the complement must add for the hidden part of the relation to reach SMALL.
  const better = (a: number, b: number, need: number) => {
    const va = problem.values[a]!;
    const vb = problem.values[b]!;
    const enoughA = va >= need;
    const enoughB = vb >= need;
    if (enoughA !== enoughB) return enoughA;
    if (va !== vb) return enoughA ? va < vb : va > vb;
    const ha = hidden?.[a] ? 1 : 0;
    const hb = hidden?.[b] ? 1 : 0;
    if (ha !== hb) return ha > hb;
    return a < b;
  };
  while (queue.length) {
    const e = queue.pop()!;
    queued[e] = 0;
    const eq = problem.equations[e]!;
    let count = out[eq.total] ? 1 : 0;
    let hiddenSum = 0;
    for (const p of eq.parts) {
      if (out[p]) {
        count += 1;
        hiddenSum += problem.values[p]!;
      }
    }
    if (count !== 1) continue;
    const need = SMALL - hiddenSum;
    let choice = -1;
    for (const p of eq.parts) if (!out[p] && !known?.[p] && (choice < 0 || better(p, choice, need))) choice = p;
    if (choice < 0 && !out[eq.total] && !known?.[eq.total]) choice = eq.total;
    if (choice >= 0) mark(choice);
  }
  return out;
}

/**
 * Builds a problem from named cells, so callers can think in "unit X, completed" and the solver in
 * numbers.
 */
export class CellTable {
  readonly values: number[] = [];
  readonly primary: boolean[] = [];
  readonly hidden: boolean[] = [];
  readonly known: boolean[] = [];
  readonly equations: Equation[] = [];
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  /** Adds a cell (or returns the existing one with the same name). */
  cell(name: string, value: number, options: { primary: boolean; hidden?: boolean; known?: boolean }): number {
    const existing = this.ids.get(name);
    if (existing !== undefined) return existing;
    const id = this.values.length;
    this.ids.set(name, id);
    this.names.push(name);
    this.values.push(value);
    this.primary.push(options.primary);
    this.hidden.push(!!options.hidden);
    this.known.push(!!options.known);
    return id;
  }

  id(name: string): number | undefined {
    return this.ids.get(name);
  }

  equation(total: number, parts: readonly number[]): void {
    if (parts.length) this.equations.push({ total, parts });
  }

  /** The first pass; `extra` are cells to hide on top of the primary ones (from a failed audit). */
  suppressed(extra?: ArrayLike<boolean>): boolean[] {
    const primary = extra ? this.primary.map((p, i) => p || !!extra[i]) : this.primary;
    return suppress({ values: this.values, primary, hidden: this.hidden, known: this.known, equations: this.equations });
  }

  solve(): (name: string) => boolean {
    const out = this.suppressed();
    return (name) => {
      const id = this.ids.get(name);
      return id === undefined ? true : out[id]!;
    };
  }
}
