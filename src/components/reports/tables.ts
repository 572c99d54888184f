import type { TFunction } from 'i18next';
import { toCsv, type CsvValue } from './csv.js';
import type { Figure } from './report-model.js';
import type { ExportTable } from './municipal.service.js';
import type { MatrixCell, UnitMatrix } from './unit.service.js';
import { SUPPRESSED, SUPPRESSED_DERIVED, type Formatters } from './present.js';

/** The rows of the exports: the same figures the pages show, suppression applied. */

const count = (f: Figure): CsvValue => (f.suppressed ? SUPPRESSED : f.value);
const derived = (f: Figure): CsvValue => (f.suppressed ? SUPPRESSED_DERIVED : f.value);

export const MUNICIPAL_HEADER_KEYS = [
  'reports:columns.level',
  'reports:columns.name',
  'reports:columns.district',
  'reports:columns.type',
  'reports:columns.staff',
  'reports:columns.completed',
  'reports:columns.inProgress',
  'reports:columns.expired',
  'reports:columns.notStarted',
  'reports:columns.percent',
  'reports:columns.target',
  'reports:columns.gap',
] as const;

export function municipalRows(table: ExportTable, t: TFunction, _fmt: Formatters): CsvValue[][] {
  return table.rows.map(({ level, row }) => [
    t(`reports:levels.${level}`),
    row.label,
    row.districtName ?? '',
    row.type ?? '',
    count(row.staff),
    count(row.completed),
    count(row.inProgress),
    count(row.expired),
    count(row.notStarted),
    derived(row.percent),
    row.target ? row.target.percent : null,
    row.target ? derived(row.gap) : null,
  ]);
}

/** `more`: further sections appended after the completion rows (the effect section). */
export function municipalCsv(table: ExportTable, t: TFunction, fmt: Formatters, more: CsvValue[][] = []): string {
  return toCsv([
    [t('reports:print.title')],
    [t('reports:export.modules', { modules: table.moduleTitles.join(', ') })],
    [t('reports:export.generated', { date: fmt.dateTime(table.generatedAt) })],
    [t('reports:suppression.rule')],
    [],
    MUNICIPAL_HEADER_KEYS.map((k) => t(k)),
    ...municipalRows(table, t, fmt),
    ...more,
  ]);
}

/** A matrix cell as words (status) and a detail (date, percent or deadline). */
export function cellText(cell: MatrixCell, t: TFunction, fmt: Formatters): [string, string] {
  const status = t(`reports:status.${cell.status}`);
  switch (cell.status) {
    case 'completed':
      return [status, cell.expiresAt ? t('reports:unit.completedUntil', { date: fmt.date(cell.completedAt), until: fmt.date(cell.expiresAt) }) : fmt.date(cell.completedAt)];
    case 'inProgress':
      return [status, fmt.percent(cell.percent ?? 0)];
    case 'expired':
      return [status, t('reports:unit.expiredOn', { date: fmt.date(cell.expiresAt) })];
    case 'overdue':
      return [status, t('reports:unit.deadlineWas', { date: fmt.date(cell.deadline) })];
    default:
      return [status, cell.deadline ? t('reports:unit.deadline', { date: fmt.date(cell.deadline) }) : ''];
  }
}

export function unitHeader(matrix: UnitMatrix, t: TFunction): string[] {
  return [t('reports:columns.name'), t('reports:columns.role'), t('reports:columns.completedCount'), ...matrix.modules.flatMap((m) => [m.title, `${m.title} – ${t('reports:columns.detail')}`])];
}

export function unitRows(matrix: UnitMatrix, t: TFunction, fmt: Formatters): CsvValue[][] {
  return matrix.rows.map((r) => [r.name, t(`people:membershipRoles.${r.role}`), r.completed, ...r.cells.flatMap((c) => cellText(c, t, fmt))]);
}

export function unitCsv(matrix: UnitMatrix, t: TFunction, fmt: Formatters): string {
  return toCsv([
    [t('reports:unit.title', { unit: matrix.unit.name })],
    [t('reports:export.generated', { date: fmt.dateTime(matrix.generatedAt) })],
    [],
    unitHeader(matrix, t),
    ...unitRows(matrix, t, fmt),
  ]);
}
