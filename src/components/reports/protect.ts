import { AuditDeadlineError, auditPublication, type AuditResult, type Publication } from './disclosure-audit.js';
import { SMALL, type CellTable } from './suppression.js';

/**
 * Suppression that passes the audit (for the report model's table of per-module cells): the first
 * pass of `suppression.ts`, then the disclosure auditor over everything the table can publish, and
 * where a hidden cell can still be narrowed down, more cells of its relations are hidden — the
 * largest shown one of each relation first, then whole relations — until the audit passes. Hiding
 * everything always passes (nothing bounds a cell from above), so this ends.
 */

/** What the table publishes when `out` is hidden: every cell a page can show, and the never-shown cells that are small. */
export function tablePublication(table: CellTable, out: readonly boolean[]): Publication {
  const relations: Publication['relations'][number][] = table.equations.map((eq) => ({ terms: [[eq.total, 1] as const, ...eq.parts.map((p) => [p, -1] as const)], lower: 0, upper: 0 }));
  table.known.forEach((known, i) => {
    if (known) relations.push({ terms: [[i, 1]], lower: table.values[i]!, upper: table.values[i]! });
  });
  const cells: Publication['cells'][number][] = [];
  for (let i = 0; i < table.values.length; i += 1) {
    // Targets are the small cells that are hidden (primary); a complement that is not small may be
    // worked out, as it tells nothing the threshold protects, and a never-shown cell (new
    // completions in a month) is no published figure: it only takes part in the relations.
    const shown = !out[i] && !table.hidden[i];
    if (!shown && !table.primary[i]) continue;
    cells.push({ label: table.names[i]!, vars: [i], value: table.values[i]!, shown });
  }
  return { variables: table.values.length, relations, cells, truth: table.values };
}

export interface ProtectOutcome {
  out: boolean[];
  rounds: number;
  /** Solver runs over all rounds (of which integer programs). */
  solves: number;
  integerSolves: number;
  /** The final audit (it passed); empty when the budget ran out. */
  audit: AuditResult;
  /**
   * The budget ran out: everything that is not known was hidden without a final audit. That passes by
   * construction: a known staff count is 5 or more (or 0), so every hidden cell of its scope can be
   * anything from 0 to it, and a scope with a smaller unit has no known staff count to bound it.
   */
  exhausted: boolean;
}

/**
 * `maxRounds` and `budgetMs` bound the work: past either, everything that is not known anyway is
 * hidden (which always passes; see `exhausted`), also in the middle of an audit. On the demo municipality (25 units, 9 modules, 24 months) the proof
 * takes about 11 rounds and 4 s on the development machine.
 */
export async function protectTable(table: CellTable, maxRounds = 30, budgetMs = 20_000): Promise<ProtectOutcome> {
  const started = performance.now();
  const n = table.values.length;
  const extra = new Array<boolean>(n).fill(false);
  const equationsOf: number[][] = Array.from({ length: n }, () => []);
  table.equations.forEach((eq, e) => {
    equationsOf[eq.total]!.push(e);
    for (const p of eq.parts) equationsOf[p]!.push(e);
  });
  const idOf = new Map(table.names.map((name, i) => [name, i]));
  let out = table.suppressed();
  // Which cell to hide next, cheapest first: a district's or unit type's, then a unit's (many of them
  // would each lose their percentage), the municipality's last (the figure measure 3 is read for);
  // then one of 5 or more (it gives the hidden cell room to move), the smallest such (the least
  // information lost); among cells under 5, the largest.
  const level = (c: number) => {
    const name = table.names[c]!;
    return name.startsWith('all|') ? 2 : name.startsWith('u:') ? 1 : 0;
  };
  const byCost = (a: number, b: number) => {
    const va = table.values[a]!;
    const vb = table.values[b]!;
    const enough = (v: number) => (v >= SMALL ? 0 : 1);
    return level(a) - level(b) || enough(va) - enough(vb) || (va >= SMALL ? va - vb : vb - va) || a - b;
  };
  const headline = (c: number) => /^all\|[^|]+\|c$/.test(table.names[c]!);
  /** Of several cells, those of the cheapest level: a relation widened whole still spares the municipality's cells while others can be hidden. */
  const cheapestLevel = (cells: number[]): number[] => {
    const lowest = Math.min(...cells.map(level));
    return cells.filter((c) => level(c) === lowest);
  };
  /** The free cells closest to `start` over the relations (breadth first): the cheapest one, or all of them. */
  const nearestFree = (start: number, free: (c: number) => boolean, all: boolean): number[] => {
    const seen = new Set([start]);
    let frontier = [start];
    while (frontier.length) {
      const next: number[] = [];
      const found: number[] = [];
      for (const c of frontier) {
        for (const e of equationsOf[c]!) {
          for (const other of [table.equations[e]!.total, ...table.equations[e]!.parts]) {
            if (seen.has(other)) continue;
            seen.add(other);
            if (free(other)) found.push(other);
            else next.push(other);
          }
        }
      }
      if (found.length) return all ? cheapestLevel(found) : [found.sort(byCost)[0]!];
      frontier = next;
    }
    return [];
  };
  let solves = 0;
  /** How many rounds each cell has failed: one that keeps failing gets its relations widened whole. */
  const failedRounds: number[] = [];
  let integerSolves = 0;
  for (let round = 1; ; round += 1) {
    let audit: AuditResult;
    try {
      audit = await auditPublication(tablePublication(table, out), { deadline: started + budgetMs });
    } catch (err) {
      if (!(err instanceof AuditDeadlineError)) throw err;
      const everything = table.suppressed(table.known.map((known) => !known));
      const empty: AuditResult = { hidden: [], failures: [], solves: 0, integerSolves: 0, components: 0, largestComponent: 0 };
      return { out: everything, rounds: round, solves, integerSolves, audit: empty, exhausted: true };
    }
    solves += audit.solves;
    integerSolves += audit.integerSolves;
    if (!audit.failures.length) return { out, rounds: round, solves, integerSolves, audit, exhausted: false };
    // Everything that can be hidden was, and a cell is still pinned: by known figures alone, which
    // the suppression cannot change. Never loop; the caller serves nothing unproven.
    if (round > maxRounds) throw new Error(`suppression cannot protect ${audit.failures.map((f) => f.label).join(', ')}: known figures pin it`);
    // One cell per relation at first (the least hidden); from a cell's third failed round its whole
    // relations, so a persistent case ends in a few rounds without widening around the easy ones.
    for (const failure of audit.failures) {
      const cell = idOf.get(failure.label)!;
      failedRounds[cell] = (failedRounds[cell] ?? 0) + 1;
      const whole = failedRounds[cell]! > 2;
      // Widen the smallest relation the cell is a part of (a status's own row before a column of
      // units; a staff count's columns, since its rows cannot reveal it less), with another part:
      // hiding a total (a staff count) would tie every module's table together. A total is hidden
      // only when no relation of the cell has a shown part left.
      // Free: shown now, so hiding it changes what is published (a never-shown cell is not).
      const free = (c: number) => !out[c] && !extra[c] && !table.known[c] && !table.hidden[c];
      const asPart = (x: number) => (table.equations[x]!.total === cell ? 1 : 0);
      const bySize = equationsOf[cell]!.slice().sort((a, b) => asPart(a) - asPart(b) || table.equations[a]!.parts.length - table.equations[b]!.parts.length);
      const e = bySize.find((x) => table.equations[x]!.parts.some(free));
      if (e === undefined) {
        const total = bySize.map((x) => table.equations[x]!.total).find(free);
        if (total !== undefined) extra[total] = true;
        // Everything next to the cell is hidden already: the bound comes from further away (say,
        // the municipality minus the other districts). Widen at the nearest cells that are still
        // shown, so every round makes progress.
        // The municipality's completed figures (what measure 3 is read for) are spared while
        // anything else nearby can be hidden instead.
        else {
          const spared = nearestFree(cell, (x) => free(x) && !headline(x), whole);
          for (const c of spared.length ? spared : nearestFree(cell, free, whole)) extra[c] = true;
        }
        continue;
      }
      const parts = table.equations[e]!.parts.filter(free);
      if (whole) for (const c of cheapestLevel(parts)) extra[c] = true;
      else extra[parts.sort(byCost)[0]!] = true;
    }
    if (round >= maxRounds || performance.now() - started > budgetMs) {
      // Never publish an unproven cell: hide everything that is not known anyway.
      for (let i = 0; i < n; i += 1) if (!table.known[i]) extra[i] = true;
    }
    out = table.suppressed(extra);
    // Between rounds, let the event loop answer others (a round is synchronous work in parts).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
