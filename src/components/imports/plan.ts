import type { Problem } from './csv.js';

/** One row of a preview: what will happen to it, and why. Stored as is in the import document. */
export interface PlannedRow {
  line: number;
  action: 'create' | 'update' | 'unchanged' | 'rejected';
  /** What the admin sees in the preview table (the row's own values, tidied). */
  display: Record<string, string>;
  /** The typed values applying needs (ids resolved); empty for rejected rows. */
  data: Record<string, string | null>;
  changes: Array<{ field: string; from: string; to: string }>;
  reasons: Problem[];
}

/** Marks every row whose value in `key` also occurs in another row, naming all the lines. */
export function rejectDuplicates<T extends { line: number; reasons: Problem[] }>(rows: T[], valueOf: (row: T) => string | null | undefined, reasonKey: string): void {
  const lines = new Map<string, number[]>();
  for (const row of rows) {
    const value = valueOf(row);
    if (value) lines.set(value, [...(lines.get(value) ?? []), row.line]);
  }
  for (const row of rows) {
    const value = valueOf(row);
    const seen = value ? lines.get(value) : undefined;
    if (value && seen && seen.length > 1) row.reasons.push({ key: reasonKey, params: { value, lines: seen.join(', ') } });
  }
}

export function requireValue(values: Record<string, string>, key: string, column: string, reasons: Problem[]): string {
  const value = values[key] ?? '';
  if (!value) reasons.push({ key: 'imports:reason.missingValue', params: { column } });
  return value;
}

export function maxLength(value: string, max: number, column: string, reasons: Problem[]): void {
  if (value.length > max) reasons.push({ key: 'imports:reason.tooLong', params: { column, max } });
}
