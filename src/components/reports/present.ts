import type { TFunction } from 'i18next';
import { chartGeometry, type ChartGeometry } from './chart.js';
import type { Figure } from './report-model.js';
import type { TrendView } from './municipal.service.js';

/**
 * How figures look on pages and in exports. A suppressed count is always "<5", whether it is small
 * itself or hidden to protect a small one: two different marks would tell a reader which cells are
 * small. A percentage or a gap of a suppressed count is "*".
 */

export const SUPPRESSED = '<5';
export const SUPPRESSED_DERIVED = '*';

export interface Formatters {
  num(n: number | null): string;
  fig(f: Figure): string;
  pct(f: Figure): string;
  gap(f: Figure): string;
  percent(n: number | null): string;
  date(d: Date | null): string;
  dateTime(d: Date): string;
  month(key: string): string;
  /** The short name of the month alone ("jan.", "Jan"), for chart axes. */
  monthShort(key: string): string;
}

const cache = new Map<string, Formatters>();

/** Formatters per language, built once: Intl formatters are costly to create and a matrix needs hundreds of dates. */
export function formatters(lang: string): Formatters {
  const hit = cache.get(lang);
  if (hit) return hit;
  const locale = lang === 'en' ? 'en-GB' : 'nb-NO';
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const monthFormat = new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  const monthOnly = new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' });
  const monthDate = (key: string) => {
    const [y, m] = key.split('-').map(Number) as [number, number];
    return new Date(Date.UTC(y, m - 1, 1));
  };
  const dateFormat = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Oslo' });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Oslo' });
  const percent = (n: number | null) => (n === null ? '–' : `${number.format(n)} %`);
  const made: Formatters = {
    num: (n) => (n === null ? '–' : number.format(n)),
    fig: (f) => (f.suppressed ? SUPPRESSED : f.value === null ? '–' : number.format(f.value)),
    pct: (f) => (f.suppressed ? SUPPRESSED_DERIVED : percent(f.value)),
    gap: (f) => (f.suppressed ? SUPPRESSED_DERIVED : f.value === null ? '–' : `${number.format(f.value)}`),
    percent,
    date: (d) => (d ? dateFormat.format(d) : ''),
    dateTime: (d) => dateTime.format(d),
    month: (key) => monthFormat.format(monthDate(key)),
    monthShort: (key) => monthOnly.format(monthDate(key)),
  };
  cache.set(lang, made);
  return made;
}

export interface ChartView {
  geometry: ChartGeometry;
  title: string;
  description: string;
  rows: Array<{ month: string; completed: string; percent: string }>;
  /** Each drawn point's text ("des. 2026: 15,2 %"), in the order of geometry.dots, formatted as the table is. */
  dotTitles: string[];
  targetText: string | null;
}

/** The trend chart's geometry, its text alternative and its data table. */
export function chartFor(trend: TrendView, t: TFunction, fmt: Formatters, scope: string): ChartView {
  const points = trend.points.map((p) => ({ label: fmt.month(p.month), month: fmt.monthShort(p.month), year: p.month.slice(0, 4), value: p.percent.suppressed ? null : p.percent.value }));
  const shown = trend.points.filter((p) => !p.percent.suppressed && p.percent.value !== null);
  const first = shown[0];
  const last = shown[shown.length - 1];
  const targetText = trend.target ? t('reports:trend.target', { percent: fmt.num(trend.target.percent), date: fmt.date(new Date(`${trend.target.deadline}T00:00:00Z`)) }) : null;
  const description = [
    first && last
      ? t('reports:trend.describe', { from: fmt.month(first.month), fromPercent: fmt.pct(first.percent), to: fmt.month(last.month), toPercent: fmt.pct(last.percent) })
      : t('reports:trend.noData'),
    shown.length < trend.points.length ? t('reports:trend.gaps') : '',
    targetText ?? '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    geometry: chartGeometry(points, trend.target?.percent ?? null),
    title: t('reports:trend.title', { scope }),
    description,
    rows: trend.points.map((p) => ({ month: fmt.month(p.month), completed: fmt.fig(p.completed), percent: fmt.pct(p.percent) })),
    dotTitles: shown.map((p) => `${fmt.month(p.month)}: ${fmt.pct(p.percent)}`),
    targetText,
  };
}
