import type { TFunction } from 'i18next';
import type { CsvValue } from '../csv.js';
import type { Figure } from '../report-model.js';
import { SUPPRESSED, SUPPRESSED_DERIVED } from '../present.js';
import type { EffectRow, EffectTrendPoint } from './model.js';
import type { EffectRowView, EffectSection } from './effect.service.js';

/**
 * How effect figures look on pages and in exports: counts as the completion report shows them («<5»
 * when hidden), means and shares of hidden or too few answers as «*», none at all as «–».
 */

export interface EffectFormat {
  count(f: Figure): string;
  mean(f: Figure): string;
  change(f: Figure): string;
  percent(f: Figure): string;
}

const cache = new Map<string, EffectFormat>();

export function effectFormat(lang: string): EffectFormat {
  const hit = cache.get(lang);
  if (hit) return hit;
  const locale = lang === 'en' ? 'en-GB' : 'nb-NO';
  const whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const two = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const one = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const or = (f: Figure, mark: string, show: (v: number) => string) => (f.suppressed ? mark : f.value === null ? '–' : show(f.value));
  const made: EffectFormat = {
    count: (f) => or(f, SUPPRESSED, (v) => whole.format(v)),
    mean: (f) => or(f, SUPPRESSED_DERIVED, (v) => two.format(v)),
    change: (f) => or(f, SUPPRESSED_DERIVED, (v) => `${v > 0 ? '+' : ''}${two.format(v)}`),
    percent: (f) => or(f, SUPPRESSED_DERIVED, (v) => `${one.format(v)} %`),
  };
  cache.set(lang, made);
  return made;
}

export const EFFECT_HEADER_KEYS = [
  'reports:columns.level',
  'reports:columns.name',
  'reports:columns.district',
  'reports:columns.type',
  'effect:columns.respondents',
  'effect:columns.responseRate',
  'effect:columns.meanChange',
  'effect:columns.evaluators',
  'effect:columns.usefulness',
  'effect:columns.relevance',
  'effect:columns.recommend',
  'effect:columns.followUps',
  'effect:columns.changedPractice',
] as const;

const count = (f: Figure): CsvValue => (f.suppressed ? SUPPRESSED : f.value);
const derived = (f: Figure): CsvValue => (f.suppressed ? SUPPRESSED_DERIVED : f.value);

function values(row: EffectRow): CsvValue[] {
  return [count(row.respondents), derived(row.responseRate), derived(row.meanChange), count(row.evaluators), derived(row.usefulness), derived(row.relevance), derived(row.recommend), count(row.followUps), derived(row.changedPractice)];
}

/** Every effect row of the export (municipality, districts, unit types, units). */
export function effectRows(section: EffectSection | null, t: TFunction, levels: 'reports:levels' | 'effect:levels' = 'reports:levels'): CsvValue[][] {
  if (!section) return [[t('effect:unavailable')]];
  const rows: EffectRowView[] = [section.total, ...section.districts, ...section.types, ...section.units];
  return rows.map((row) => [t(`${levels}.${row.level}`), row.label, row.districtName ?? '', row.type ?? '', ...values(row)]);
}

/** The effect trend as export rows: month, respondents so far, their mean change. */
export function effectTrendRows(points: readonly EffectTrendPoint[]): CsvValue[][] {
  return points.map((p) => [p.month, count(p.respondents), derived(p.meanChange)]);
}

/** The effect section of the CSV: a heading, its rule, the table and the trend (appended after the completion rows). */
export function effectCsvRows(section: EffectSection | null, t: TFunction): CsvValue[][] {
  if (!section) return [[], [t('effect:heading')], [t('effect:unavailable')]];
  return [
    [],
    [t('effect:heading')],
    [t('effect:rule')],
    EFFECT_HEADER_KEYS.map((k) => t(k)),
    // Level names of their own («Effekt: enhet»), so filtering the CSV's level column never mixes
    // the effect rows with the completion rows above them.
    ...effectRows(section, t, 'effect:levels'),
    [],
    [t('effect:trendHeading')],
    [t('effect:columns.month'), t('effect:columns.respondentsSoFar'), t('effect:columns.meanChange')],
    ...effectTrendRows(section.trend),
  ];
}
