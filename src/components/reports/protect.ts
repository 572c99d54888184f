import { auditPublication, type AuditResult, type Publication } from './disclosure-audit.js';
import type { CellTable } from './suppression.js';

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
    // A never-shown cell (new completions in a month) is only a target when it is small itself.
    if (table.hidden[i] && !table.primary[i]) continue;
    cells.push({ label: table.names[i]!, vars: [i], value: table.values[i]!, shown: !out[i] && !table.hidden[i] });
  }
  return { variables: table.values.length, relations, cells, truth: table.values };
}

export interface ProtectOutcome {
  out: boolean[];
  rounds: number;
  /** Solver runs over all rounds (of which integer programs). */
  solves: number;
  integerSolves: number;
  /** The final audit (it passed). */
  audit: AuditResult;
}

export async function protectTable(table: CellTable, maxRounds = 30): Promise<ProtectOutcome> {
  const n = table.values.length;
  const extra = new Array<boolean>(n).fill(false);
  const equationsOf: number[][] = Array.from({ length: n }, () => []);
  table.equations.forEach((eq, e) => {
    equationsOf[eq.total]!.push(e);
    for (const p of eq.parts) equationsOf[p]!.push(e);
  });
  const idOf = new Map(table.names.map((name, i) => [name, i]));
  let out = table.suppressed();
  let solves = 0;
  let integerSolves = 0;
  for (let round = 1; ; round += 1) {
    const audit = await auditPublication(tablePublication(table, out));
    solves += audit.solves;
    integerSolves += audit.integerSolves;
    if (!audit.failures.length) return { out, rounds: round, solves, integerSolves, audit };
    // One cell per relation at first (the least hidden); from the third round whole relations, so a
    // stubborn case ends in a few rounds.
    const whole = round > 2;
    for (const failure of audit.failures) {
      const cell = idOf.get(failure.label)!;
      // Widen the smallest relation the cell is a part of (a status's own row before a column of
      // units; a staff count's columns, since its rows cannot reveal it less), with another part:
      // hiding a total (a staff count) would tie every module's table together. A total is hidden
      // only when no relation of the cell has a shown part left.
      const free = (c: number) => !out[c] && !extra[c] && !table.known[c];
      const asPart = (x: number) => (table.equations[x]!.total === cell ? 1 : 0);
      const bySize = equationsOf[cell]!.slice().sort((a, b) => asPart(a) - asPart(b) || table.equations[a]!.parts.length - table.equations[b]!.parts.length);
      const e = bySize.find((x) => table.equations[x]!.parts.some(free));
      if (e === undefined) {
        const total = bySize.map((x) => table.equations[x]!.total).find(free);
        if (total !== undefined) extra[total] = true;
        continue;
      }
      const parts = table.equations[e]!.parts.filter(free);
      if (whole) for (const c of parts) extra[c] = true;
      // The largest shown part gives the most uncertainty for the fewest cells hidden.
      else extra[parts.sort((a, b) => table.values[b]! - table.values[a]!)[0]!] = true;
    }
    if (round >= maxRounds) {
      // Never publish an unproven cell: hide everything that is not known anyway.
      for (let i = 0; i < n; i += 1) if (!table.known[i]) extra[i] = true;
    }
    out = table.suppressed(extra);
  }
}
