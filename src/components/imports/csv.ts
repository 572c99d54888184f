import { parse } from 'csv-parse/sync';

/**
 * Reading an uploaded CSV file into rows with their line numbers, or one clear problem with the
 * whole file. Pure: no database, so every rejection reason has a plain unit test.
 *
 * Norwegian spreadsheets save CSV with `;` and often in Windows-1252; "CSV UTF-8" adds a BOM.
 * We accept UTF-8 with or without BOM and either separator, and say exactly what to do otherwise.
 */

/** The documented upload limit (README): large enough for every employee of a big municipality. */
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;
export const IMPORT_MAX_LABEL = '2 MB';

export interface Problem {
  /** i18n key (namespace `imports`). */
  key: string;
  params?: Record<string, string | number>;
}

export interface ColumnSpec {
  /** Key in the parsed row. */
  key: string;
  /** The name we document and show in messages. */
  name: string;
  /** Accepted header spellings, normalised (lower case, no spaces, hyphens, underscores or dots). */
  aliases: readonly string[];
  required: boolean;
}

export interface CsvRow {
  /** Line in the file where the record starts (the header is line 1). */
  line: number;
  values: Record<string, string>;
  /** Non-empty fields beyond the header's columns (usually a stray separator inside a value). */
  extraFields: number;
}

export type CsvReadResult = { ok: true; delimiter: ';' | ','; rows: CsvRow[] } | { ok: false; problem: Problem };

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** The 1-based line of the first byte sequence that is not valid UTF-8, or 0 when all is valid. */
export function firstInvalidUtf8Line(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  // Newline bytes (0x0A) never occur inside a multi-byte UTF-8 sequence, so lines can be checked alone.
  for (let i = 0; i <= bytes.length; i += 1) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line += 1;
      start = i + 1;
    }
  }
  return 0;
}

/** Header names compare without case, spaces, hyphens, underscores or dots ("E-post" = "epost"). */
export function normaliseHeader(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_.-]/g, '');
}

function countOutsideQuotes(line: string, ch: string): number {
  let inQuotes = false;
  let n = 0;
  for (const c of line) {
    if (c === '"') inQuotes = !inQuotes;
    else if (c === ch && !inQuotes) n += 1;
  }
  return n;
}

function decode(bytes: Uint8Array): { ok: true; text: string } | { ok: false; problem: Problem } {
  if (bytes.length === 0) return { ok: false, problem: { key: 'imports:file.empty' } };
  if (bytes.length > IMPORT_MAX_BYTES) return { ok: false, problem: { key: 'imports:file.tooLarge', params: { limit: IMPORT_MAX_LABEL } } };
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return { ok: false, problem: { key: 'imports:file.spreadsheet' } };
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) return { ok: false, problem: { key: 'imports:file.utf16' } };
  const body = startsWith(bytes, UTF8_BOM) ? bytes.subarray(3) : bytes;
  const badLine = firstInvalidUtf8Line(body);
  if (badLine) return { ok: false, problem: { key: 'imports:file.encoding', params: { line: badLine } } };
  const text = new TextDecoder('utf-8').decode(body);
  if (!text.trim()) return { ok: false, problem: { key: 'imports:file.empty' } };
  return { ok: true, text };
}

export function readCsv(bytes: Uint8Array, columns: readonly ColumnSpec[]): CsvReadResult {
  const decoded = decode(bytes);
  if (!decoded.ok) return decoded;
  let text = decoded.text;
  let lineOffset = 0;

  // Excel may write "sep=;" as the first line to announce the separator.
  let announced: string | undefined;
  const sepLine = /^sep=(.)\r?\n/i.exec(text);
  if (sepLine) {
    announced = sepLine[1];
    text = text.slice(sepLine[0].length);
    lineOffset = 1;
  }

  const headerLine = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const semicolons = countOutsideQuotes(headerLine, ';');
  const commas = countOutsideQuotes(headerLine, ',');
  const tabs = countOutsideQuotes(headerLine, '\t');
  if ((announced === '\t' || tabs > Math.max(semicolons, commas)) && announced !== ';' && announced !== ',') {
    return { ok: false, problem: { key: 'imports:file.tabSeparated' } };
  }
  const delimiter: ';' | ',' = announced === ';' || announced === ',' ? announced : semicolons >= commas && semicolons > 0 ? ';' : ',';

  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { delimiter, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (err) {
    const line = Number((err as { lines?: number }).lines ?? 0) + lineOffset;
    return { ok: false, problem: { key: 'imports:file.csvSyntax', params: { line } } };
  }

  const lineOf = (r: { record: string[]; info: { lines: number } }) =>
    r.info.lines - r.record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0) + lineOffset;
  const isBlank = (r: { record: string[] }) => r.record.every((f) => f.trim() === '');
  const nonBlank = records.filter((r) => !isBlank(r));
  const header = nonBlank[0];
  if (!header) return { ok: false, problem: { key: 'imports:file.empty' } };

  const headerNames = header.record.map((h) => normaliseHeader(h.replace(/^\uFEFF/, '')));
  const positions = new Map<string, number>();
  for (const column of columns) {
    const found = headerNames.flatMap((h, i) => (column.aliases.includes(h) ? [i] : []));
    if (found.length > 1) return { ok: false, problem: { key: 'imports:file.duplicateColumn', params: { column: column.name } } };
    if (found.length === 1) positions.set(column.key, found[0]!);
  }
  const missing = columns.filter((c) => c.required && !positions.has(c.key)).map((c) => c.name);
  if (missing.length) {
    return {
      ok: false,
      problem: {
        key: 'imports:file.missingColumns',
        params: { columns: missing.join(', '), found: header.record.map((h) => h.trim()).filter(Boolean).join(', ') || '–' },
      },
    };
  }

  const rows: CsvRow[] = nonBlank.slice(1).map((r) => {
    const values: Record<string, string> = {};
    for (const column of columns) {
      const at = positions.get(column.key);
      values[column.key] = at === undefined ? '' : (r.record[at] ?? '').trim();
    }
    const extraFields = r.record.slice(header.record.length).filter((f) => f.trim() !== '').length;
    return { line: lineOf(r), values, extraFields };
  });
  if (!rows.length) return { ok: false, problem: { key: 'imports:file.noRows' } };
  return { ok: true, delimiter, rows };
}
