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
  for (let round = 1; ; round += 1) {
    const audit = await auditPublication(tablePublication(table, out));
    if (!audit.failures.length) return { out, rounds: round, audit };
    const whole = round > maxRounds / 2;
    for (const failure of audit.failures) {
      const cell = idOf.get(failure.label)!;
      // Widen the smallest relation the cell is in (its own row before a column of units), so the
      // hidden cells stay in small groups the reader cannot tie together.
      const candidatesOf = (e: number) => {
        const eq = table.equations[e]!;
        return [...eq.parts, eq.total].filter((c) => !out[c] && !extra[c] && !table.known[c]);
      };
      const e = equationsOf[cell]!.filter((x) => candidatesOf(x).length).sort((a, b) => table.equations[a]!.parts.length - table.equations[b]!.parts.length)[0];
      if (e === undefined) continue;
      const candidates = candidatesOf(e);
      if (whole) for (const c of candidates) extra[c] = true;
      else {
        // The largest shown part gives the most uncertainty for the fewest cells hidden.
        const total = table.equations[e]!.total;
        const parts = candidates.filter((c) => c !== total);
        const pick = (parts.length ? parts : candidates).sort((a, b) => table.values[b]! - table.values[a]!)[0]!;
        extra[pick] = true;
      }
    }
    if (round >= maxRounds) {
      // Never publish an unproven cell: hide everything that is not known anyway.
      for (let i = 0; i < n; i += 1) if (!table.known[i]) extra[i] = true;
    }
    out = table.suppressed(extra);
  }
}
