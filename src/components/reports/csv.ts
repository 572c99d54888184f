/**
 * CSV for spreadsheets used in Norway (pure): semicolon-separated (the comma is the decimal sign),
 * CRLF line ends, UTF-8 with a byte-order mark so Excel reads æøå right.
 *
 * Formula injection: a spreadsheet runs a text cell that starts with =, +, -, @, tab or carriage
 * return as a formula. Text cells (names come from people's own input) get a leading apostrophe, which
 * spreadsheets show as text. Numbers the report computes are written as numbers.
 */

export type CsvValue = string | number | null | undefined;

const DANGEROUS_START = /^[=+\-@\t\r]/;

/** Makes a text cell safe to open in a spreadsheet. */
export function neutraliseFormula(text: string): string {
  return DANGEROUS_START.test(text) ? `'${text}` : text;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 10) / 10).replace('.', ',');
}

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? formatNumber(value) : '') : neutraliseFormula(value);
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: ReadonlyArray<ReadonlyArray<CsvValue>>): string {
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(';')).join('\r\n')}\r\n`;
}
