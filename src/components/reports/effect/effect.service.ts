import { CHANGED_PRACTICE_FROM, effectAnswers, followUpAnswers, type EffectAnswer } from '../../learning/index.js';
import { NotFoundError } from '../../../lib/errors.js';
import type { ReportContext } from '../context.js';
import { readRoster } from '../maintain.js';
import { orgStructure, type OrgStructure } from '../sources.js';
import { monthKey, monthRange, shiftMonth } from '../time.js';
import { buildEffectModel, type EffectModel, type EffectRow, type EffectTrendPoint, type UnitEffect } from './model.js';

/**
 * The effect figures for a set of modules: who is staff of which unit (the report rosters, read by
 * `_id`), what each person answered (learning's effect answers: one scan; the follow-up answers'
 * scales: one scan of a small collection), aggregated per unit with
 * each person once, then proven by `buildEffectModel`. Per set and organisation, a model is kept for
 * EFFECT_MAX_AGE_MS (answers given after a completion move no report version, so age bounds it).
 *
 * The scan is slow on the embedded database (measured: 47 s for 180,000 progress records at 15,000
 * staff, as FerretDB filters outside SQLite), so outside tests a request never waits for it: the last
 * proven model is served while the next is built, and before the first one is ready the section says
 * the figures are being calculated. One build per set runs at a time. Only counts and means leave
 * this file, never a person.
 */

export const EFFECT_TREND_MONTHS = 12;
export const EFFECT_MAX_AGE_MS = 30 * 60_000;

interface Entry {
  key: string;
  at: number;
  model: Promise<EffectModel>;
  proven: EffectModel | null;
}

const caches = new WeakMap<ReportContext, Map<string, Entry>>();

/** What the last effect model cost: reading the answers and rosters, and proving it (for `npm run bench:reports`). */
export interface EffectCosts {
  readMs: number;
  answers: number;
  protection: EffectModel['protection'];
}
const lastCosts = new WeakMap<ReportContext, EffectCosts>();

export function effectCosts(ctx: ReportContext): EffectCosts | null {
  return lastCosts.get(ctx) ?? null;
}

/** Waits for the effect models being built (the benchmark measures the dashboard with its section this way). */
export async function effectModelsBuilt(ctx: ReportContext): Promise<void> {
  await Promise.allSettled([...(caches.get(ctx)?.values() ?? [])].map((e) => e.model));
}

/** Drops the cached effect models of this report service (the benchmark starts from nothing). */
export function forgetEffectModels(ctx: ReportContext): void {
  caches.delete(ctx);
}

/** Per person over the set: the mean of their changes per statement, the first after answer, and their evaluation means. */
interface PersonEffect {
  change: { sum: number; pairs: number; at: string } | null;
  evaluations: Array<{ usefulness: number; relevance: number; recommend: boolean }>;
  /** The three-month follow-up: null when not answered for any module of the set; else whether any answer reports changed practice. */
  followUp: { changed: boolean } | null;
}

/** One person's follow-up answer for one module (the scale only). */
export interface FollowUpScale {
  userId: string;
  scale: number;
}

export function perPerson(answers: readonly EffectAnswer[], followUps: readonly FollowUpScale[] = []): Map<string, PersonEffect> {
  const people = new Map<string, PersonEffect>();
  for (const f of followUps) {
    const p = people.get(f.userId) ?? { change: null, evaluations: [], followUp: null };
    people.set(f.userId, p);
    p.followUp = { changed: (p.followUp?.changed ?? false) || f.scale >= CHANGED_PRACTICE_FROM };
  }
  for (const a of answers) {
    const p = people.get(a.userId) ?? { change: null, evaluations: [], followUp: null };
    people.set(a.userId, p);
    if (a.change) {
      p.change = p.change
        ? { sum: p.change.sum + a.change.sum, pairs: p.change.pairs + a.change.pairs, at: a.change.at < p.change.at ? a.change.at : p.change.at }
        : { ...a.change };
    }
    if (a.evaluation) p.evaluations.push(a.evaluation);
  }
  return people;
}

export function unitEffect(memberIds: readonly string[], people: ReadonlyMap<string, PersonEffect>): UnitEffect {
  const e: UnitEffect = { staff: memberIds.length, respondents: 0, changeSum: 0, evaluators: 0, usefulnessSum: 0, relevanceSum: 0, recommendSum: 0, followUps: 0, changed: 0, months: {} };
  for (const id of memberIds) {
    const p = people.get(id);
    if (!p) continue;
    if (p.change && p.change.pairs > 0) {
      const change = p.change.sum / p.change.pairs;
      e.respondents += 1;
      e.changeSum += change;
      const month = monthKey(new Date(p.change.at));
      const m = (e.months[month] ??= { respondents: 0, changeSum: 0 });
      m.respondents += 1;
      m.changeSum += change;
    }
    if (p.evaluations.length) {
      const n = p.evaluations.length;
      e.evaluators += 1;
      e.usefulnessSum += p.evaluations.reduce((s, v) => s + v.usefulness, 0) / n;
      e.relevanceSum += p.evaluations.reduce((s, v) => s + v.relevance, 0) / n;
      e.recommendSum += p.evaluations.filter((v) => v.recommend).length / n;
    }
    if (p.followUp) {
      e.followUps += 1;
      if (p.followUp.changed) e.changed += 1;
    }
  }
  return e;
}

async function build(ctx: ReportContext, org: OrgStructure, set: readonly string[], currentMonth: string): Promise<EffectModel> {
  const started = performance.now();
  const [answers, followUps, rosters] = await Promise.all([effectAnswers(set), followUpAnswers(set), Promise.all(org.units.map(async (u) => [u.id, await readRoster(u.id)] as const))]);
  const readMs = Math.round(performance.now() - started);
  const people = perPerson(answers, followUps);
  const effects = new Map<string, UnitEffect>();
  for (const [unitId, roster] of rosters) {
    const members = Object.entries(roster.members)
      .filter(([, entry]) => !entry.gone)
      .map(([id]) => id);
    effects.set(unitId, unitEffect(members, people));
  }
  const units = org.units.map((u) => ({ id: u.id, name: u.name, type: u.type, districtId: u.districtId, districtName: u.districtName }));
  const model = await buildEffectModel({ units, effects, window: monthRange(shiftMonth(currentMonth, -(EFFECT_TREND_MONTHS - 1)), currentMonth) });
  lastCosts.set(ctx, { readMs, answers: answers.length, protection: model.protection });
  if (model.protection.exhausted) ctx.logger.warn({ protection: model.protection }, 'effect suppression could not be proven within its budget: every figure that is not public is hidden');
  return model;
}

/** The proven effect model for a set of modules (see the file's comment on caching); null while the first one is built (outside tests). */
export async function effectModel(ctx: ReportContext, set: readonly string[]): Promise<{ model: EffectModel; org: OrgStructure } | null> {
  const org = await orgStructure(ctx);
  const currentMonth = monthKey(ctx.now());
  const setKey = [...set].sort().join(',');
  const key = `${org.signature}|${currentMonth}`;
  let byCtx = caches.get(ctx);
  if (!byCtx) caches.set(ctx, (byCtx = new Map()));
  let entry = byCtx.get(setKey);
  const fresh = entry && entry.key === key && ctx.cacheMs > 0 && Date.now() - entry.at < EFFECT_MAX_AGE_MS;
  if (!entry || !fresh) {
    const previous = entry?.key === key ? entry.proven : null;
    const model = build(ctx, org, set, currentMonth);
    const next: Entry = { key, at: Date.now(), model, proven: previous };
    byCtx.set(setKey, next);
    model.then(
      (built) => {
        next.proven = built;
      },
      (err: unknown) => {
        if (byCtx.get(setKey) === next) byCtx.delete(setKey);
        ctx.logger.error({ err }, 'effect model could not be built');
      },
    );
    entry = next;
  }
  // Outside tests the last proven model is served while a newer one is proven, and nothing before the first.
  if (ctx.cacheMs > 0) return entry.proven ? { model: entry.proven, org } : null;
  return { model: await entry.model, org };
}

export interface EffectRowView extends EffectRow {
  label: string;
  level: 'municipality' | 'district' | 'type' | 'unit';
  districtName?: string;
  type?: string;
}

export interface EffectSection {
  total: EffectRowView;
  districts: EffectRowView[];
  types: EffectRowView[];
  trend: EffectTrendPoint[];
  /** Only in exports: every unit. */
  units: EffectRowView[];
}

const byLabel = (a: EffectRowView, b: EffectRowView) => a.label.localeCompare(b.label, 'nb');

/** The effect section of the municipal report for a set and months; with `withUnits`, every unit too (exports). */
export async function municipalEffect(ctx: ReportContext, set: readonly string[], months: readonly string[], typeLabel: (type: string) => string, municipalityLabel: string, withUnits = false): Promise<EffectSection | null> {
  const loaded = await effectModel(ctx, set);
  if (!loaded) return null;
  const { model, org } = loaded;
  const districtIds = [...new Set(org.units.map((u) => u.districtId))];
  const types = [...new Set(org.units.map((u) => u.type))];
  return {
    total: { ...model.row('all'), label: municipalityLabel, level: 'municipality' },
    districts: districtIds.map((id) => ({ ...model.row(`d:${id}`), label: org.districts.get(id)?.name ?? '', level: 'district' as const })).sort(byLabel),
    types: types.map((t) => ({ ...model.row(`t:${t}`), label: typeLabel(t), level: 'type' as const })).sort(byLabel),
    trend: model.trend(months),
    units: withUnits
      ? org.units
          .map((u) => ({ ...model.row(`u:${u.id}`), label: u.name, level: 'unit' as const, districtName: org.districts.get(u.districtId)?.name ?? '', type: typeLabel(u.type) }))
          .sort((a, b) => (a.districtName ?? '').localeCompare(b.districtName ?? '', 'nb') || byLabel(a, b))
      : [],
  };
}

/** One unit's effect figures (a leader's page): the unit's row of the same proven model. */
export async function unitEffectRow(ctx: ReportContext, unitId: string, set: readonly string[]): Promise<EffectRow | null> {
  const org = await orgStructure(ctx);
  if (!org.units.some((u) => u.id === unitId)) throw new NotFoundError(`unit ${unitId}`);
  return (await effectModel(ctx, set))?.model.row(`u:${unitId}`) ?? null;
}
