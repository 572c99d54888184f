import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { isObjectIdString } from '../../lib/ids.js';
import { ALL_SHARDS, reportTotalsCollection } from './models.js';
import { buildReportModel, type Figure, type ReportModel, type StatusRow, type TrendPoint } from './report-model.js';
import { orgStructure, reportCatalogue, type OrgStructure } from './sources.js';
import { emptyMunicipalCaches, type AuditCosts, type ReportContext } from './context.js';
import { coreSetOf, readSettings, targetFor, type ReportSettings, type Target } from './settings.js';
import type { ShardData } from './maintain.js';
import { guardView, hideAll, type ViewSpec } from './view-audit.js';
import type { UnitTotals } from './roster.js';
import { MONTH_KEY, monthKey, monthRange } from './time.js';

/**
 * The municipality's measure-3 report: aggregates only. Nothing here reads a roster, so no name can
 * reach a municipal page or export: the counts come from the per-unit totals alone.
 */

export const TREND_MONTHS = 24;

// ---------------------------------------------------------------------------------------------
// Counts, read by version: the small head document says whether any shard moved since last time.

async function loadTotals(ctx: ReportContext): Promise<{ key: string; totals: Map<string, UnitTotals> }> {
  const caches = ctx.municipal;
  const head = await reportTotalsCollection.findOne({ _id: 'head' }, { projection: { shards: 1 } });
  const headKey = JSON.stringify(head?.shards ?? {});
  if (caches.totals && caches.totals.headKey === headKey && Date.now() - caches.totals.at < ctx.cacheMs) return caches.totals;
  const shards = await Promise.all(ALL_SHARDS.map((id) => reportTotalsCollection.findOne({ _id: id }, { projection: { v: 1, g: 1, data: 1 } })));
  const totals = new Map<string, UnitTotals>();
  for (const doc of shards) {
    if (!doc) continue;
    for (const [unitId, entry] of Object.entries((JSON.parse(doc.data as string) as ShardData).units)) totals.set(unitId, entry.t);
  }
  // Keyed by what was actually read (generation and version of each shard), not only by the head.
  const key = `${headKey}|${shards.map((d) => (d ? `${String(d.g)}:${String(d.v)}` : '-')).join(',')}`;
  caches.totals = { headKey, key, at: Date.now(), totals };
  return { key, totals };
}

/** Drops the cached counts, models and passed audits (the benchmark starts from nothing this way). */
export function forgetMunicipalCaches(ctx: ReportContext): void {
  const { costs } = ctx.municipal;
  Object.assign(ctx.municipal, emptyMunicipalCaches(), { costs });
}

/** Modules whose Utløpt can be above 0: those with a renewal rule. */
function renewableSlugs(settings: ReportSettings): Set<string> {
  return new Set(Object.entries(settings.rules).filter(([, rule]) => rule.renewAfterMonths !== null || rule.onNewMajor).map(([slug]) => slug));
}

interface Loaded {
  model: ReportModel;
  /** The data version the model was built from (audit results are cached under it). */
  key: string;
  renewable: ReadonlySet<string>;
  org: OrgStructure;
  modules: Array<{ slug: string; title: string; measures: number[] }>;
  settings: ReportSettings;
  core: string[];
  currentMonth: string;
}

async function load(ctx: ReportContext): Promise<Loaded> {
  const caches = ctx.municipal;
  const [catalogue, org, settings, totals] = await Promise.all([reportCatalogue(ctx), orgStructure(ctx), readSettings(), loadTotals(ctx)]);
  const currentMonth = monthKey(ctx.now());
  const renewable = renewableSlugs(settings.value);
  const key = `${totals.key}|${org.signature}|${catalogue.signature}|${currentMonth}|${[...renewable].sort().join(',')}`;
  if (!caches.model || caches.model.key !== key) {
    const units = org.units.map((u) => ({ id: u.id, name: u.name, type: u.type, districtId: u.districtId, districtName: u.districtName }));
    // The promise is cached, so requests arriving while the suppression is being proven share it.
    const model = buildReportModel({ units, totals: totals.totals, slugs: catalogue.modules.map((m) => m.slug), currentMonth, windowMonths: TREND_MONTHS, renewable }).then((built) => {
      caches.costs.model = { ...built.protection };
      if (built.protection.exhausted) ctx.logger.warn({ protection: built.protection }, 'report suppression could not be proven within its budget: every figure that is not public is hidden');
      caches.proven = { key, model: built, org };
      return built;
    });
    caches.model = { key, model };
    model.catch((err: unknown) => {
      if (caches.model?.model === model) caches.model = null;
      ctx.logger.error({ err }, 'report model could not be built; the last proven one is served');
    });
  }
  const base = { modules: catalogue.modules, settings: settings.value, renewable, core: coreSetOf(settings.value, catalogue.modules), currentMonth };
  // Proving a new model takes a while at scale. Outside tests (no caching there) the last proven
  // model is served meanwhile, with the organisation it was built from: figures a little older, never
  // unproven ones.
  const stale = caches.proven;
  if (ctx.cacheMs > 0 && stale && stale.key !== key && stale.model.window[stale.model.window.length - 1] === currentMonth) {
    return { ...base, model: stale.model, key: stale.key, org: stale.org };
  }
  return { ...base, model: await caches.model.model, key, org };
}

// ---------------------------------------------------------------------------------------------
// The disclosure audit of each view before it is sent.

export type { AuditCosts };

export function reportAuditCosts(ctx: ReportContext): AuditCosts {
  const { costs } = ctx.municipal;
  return { model: costs.model, views: { ...costs.views }, checked: costs.checked };
}

/** The next request of every view is audited again (the benchmark measures the audit this way). */
export function forgetPassedAudits(ctx: ReportContext): void {
  ctx.municipal.passed = { key: '', views: new Set() };
}

/**
 * Audits what a view is about to send (see `view-audit.ts`); a failure is logged as an error and the
 * view hides more. A view that passed is not audited again until the data change.
 */
async function audited(ctx: ReportContext, loaded: Loaded, view: string, q: ResolvedQuery, spec: ViewSpec): Promise<void> {
  const caches = ctx.municipal;
  caches.costs.checked += 1;
  if (caches.passed.key !== loaded.key) caches.passed = { key: loaded.key, views: new Set() };
  const passed = caches.passed;
  const id = `${view}|${q.set.join(',')}|${q.from}|${q.to}`;
  if (passed.views.has(id)) return;
  const units = loaded.org.units.map((u) => ({ id: u.id, name: u.name, type: u.type, districtId: u.districtId, districtName: u.districtName }));
  let outcome;
  try {
    outcome = await guardView(spec, { model: loaded.model, units, renewable: loaded.renewable }, (failures) => {
      ctx.logger.error({ view, hiddenCells: failures.map((f) => f.label) }, 'report disclosure audit failed: hidden figures could be worked out, so the view hides more');
    });
  } catch (err) {
    // An audit that cannot run proves nothing: the view is sent with every figure hidden.
    ctx.logger.error({ err, view }, 'report disclosure audit could not run; the view hides every figure');
    hideAll(spec);
    return;
  }
  caches.costs.views[view.split('|')[0]!] = { ms: Math.round(outcome.ms * 10) / 10, solves: outcome.audit.solves, hidden: outcome.audit.hidden.length, escalated: outcome.escalated.length };
  if (!outcome.escalated.length) passed.views.add(id);
}

// ---------------------------------------------------------------------------------------------
// Query: which modules and which months.

export interface ReportQuery {
  modules?: string[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface ResolvedQuery {
  set: string[];
  from: string;
  to: string;
  /** True when the set is the core set (the default). */
  isCore: boolean;
}

function resolveQuery(query: ReportQuery, loaded: Loaded): ResolvedQuery {
  const known = new Set(loaded.modules.map((m) => m.slug));
  const fields: Record<string, string> = {};
  let set = loaded.core;
  if (query.modules !== undefined) {
    const chosen = loaded.modules.map((m) => m.slug).filter((s) => query.modules!.includes(s));
    if (!chosen.length || query.modules.some((s) => !known.has(s))) fields.moduler = 'reports:errors.modules';
    else set = chosen;
  }
  const window = loaded.model.window;
  const first = window[0]!;
  const last = window[window.length - 1]!;
  // By default the last twelve months.
  const from = query.from ?? (window.length > 12 ? window[window.length - 12]! : first);
  const to = query.to ?? last;
  if (!MONTH_KEY.test(from) || from < first || from > last) fields.fra = 'reports:errors.from';
  if (!MONTH_KEY.test(to) || to < first || to > last) fields.til = 'reports:errors.to';
  if (!fields.fra && !fields.til && from > to) fields.til = 'reports:errors.toBeforeFrom';
  if (Object.keys(fields).length) throw new ValidationError('report query', fields);
  return { set, from, to, isCore: set.length === loaded.core.length && set.every((s, i) => s === loaded.core[i]) };
}

// ---------------------------------------------------------------------------------------------
// Views

export interface RowView extends StatusRow {
  label: string;
  href: string | null;
  target: Target | null;
  /** Percentage points short of the target (negative: ahead). */
  gap: Figure;
  /** Extra columns in the unit table. */
  districtName?: string;
  type?: string;
}

function withTarget(row: StatusRow, label: string, href: string | null, target: Target | null): RowView {
  const gap: Figure =
    target && row.percent.value !== null ? { value: Math.round((target.percent - row.percent.value) * 10) / 10, suppressed: row.percent.suppressed } : { value: null, suppressed: row.percent.suppressed };
  return { ...row, label, href, target, gap };
}

export interface TrendView {
  points: TrendPoint[];
  target: Target | null;
}

export interface MunicipalPage {
  query: ResolvedQuery;
  modules: Array<{ slug: string; title: string; inSet: boolean; core: boolean }>;
  months: string[];
  total: RowView;
  districts: RowView[];
  types: RowView[];
  trend: TrendView;
  targets: Target[];
  generatedAt: Date;
}

const byLabel = (a: RowView, b: RowView) => a.label.localeCompare(b.label, 'nb');

/** The municipal dashboard: the municipality, its districts and its unit types. */
export async function municipalReport(ctx: ReportContext, query: ReportQuery, typeLabel: (type: string) => string): Promise<MunicipalPage> {
  return municipalPage(ctx, await load(ctx), query, typeLabel);
}

async function municipalPage(ctx: ReportContext, loaded: Loaded, query: ReportQuery, typeLabel: (type: string) => string): Promise<MunicipalPage> {
  const q = resolveQuery(query, loaded);
  const { model, org, settings } = loaded;
  const all = targetFor(settings, null);
  const districtIds = [...new Set(org.units.map((u) => u.districtId))];
  const types = [...new Set(org.units.map((u) => u.type))];
  const params = queryString(q);
  const page: MunicipalPage = {
    query: q,
    modules: loaded.modules.map((m) => ({ slug: m.slug, title: m.title, inSet: q.set.includes(m.slug), core: loaded.core.includes(m.slug) })),
    months: model.window.slice(),
    total: withTarget(model.row('all', q.set), '', null, all),
    districts: districtIds.map((id) => withTarget(model.row(`d:${id}`, q.set), org.districts.get(id)?.name ?? '', `/kommune/rapport/bydel/${id}${params}`, all)).sort(byLabel),
    types: types.map((t) => withTarget(model.row(`t:${t}`, q.set), typeLabel(t), null, targetFor(settings, t))).sort(byLabel),
    trend: { points: model.trend('all', q.set, monthRange(q.from, q.to)), target: all },
    targets: settings.targets,
    generatedAt: ctx.now(),
  };
  await audited(ctx, loaded, 'municipal', q, {
    set: q.set,
    rows: [page.total, ...page.districts, ...page.types].map((row) => ({ key: row.scope, scope: row.scope, row, derived: [row.gap] })),
    trends: [{ key: 'trend all', scope: 'all', points: page.trend.points }],
  });
  return page;
}

export interface DistrictPage {
  query: ResolvedQuery;
  modules: MunicipalPage['modules'];
  months: string[];
  district: { id: string; name: string };
  total: RowView;
  units: RowView[];
  trend: TrendView;
}

/** One district: its units (aggregates only) and its trend. */
export async function districtReport(ctx: ReportContext, districtId: string, query: ReportQuery, typeLabel: (type: string) => string): Promise<DistrictPage> {
  const loaded = await load(ctx);
  const q = resolveQuery(query, loaded);
  const { model, org, settings } = loaded;
  const units = org.units.filter((u) => u.districtId === districtId);
  const district = org.districts.get(districtId);
  if (!isObjectIdString(districtId) || !district || !units.length) throw new NotFoundError(`district ${districtId} has no open units`);
  const all = targetFor(settings, null);
  const params = queryString(q);
  const page: DistrictPage = {
    query: q,
    modules: loaded.modules.map((m) => ({ slug: m.slug, title: m.title, inSet: q.set.includes(m.slug), core: loaded.core.includes(m.slug) })),
    months: model.window.slice(),
    district,
    total: withTarget(model.row(`d:${districtId}`, q.set), district.name, null, all),
    units: units
      .map((u) => ({ ...withTarget(model.row(`u:${u.id}`, q.set), u.name, `/kommune/rapport/enhet/${u.id}${params}`, targetFor(settings, u.type)), type: typeLabel(u.type) }))
      .sort(byLabel),
    trend: { points: model.trend(`d:${districtId}`, q.set, monthRange(q.from, q.to)), target: all },
  };
  await audited(ctx, loaded, `district|${districtId}`, q, {
    set: q.set,
    rows: [page.total, ...page.units].map((row) => ({ key: row.scope, scope: row.scope, row, derived: [row.gap] })),
    trends: [{ key: `trend d:${districtId}`, scope: `d:${districtId}`, points: page.trend.points }],
  });
  return page;
}

export interface UnitAggregatePage {
  query: ResolvedQuery;
  unit: { id: string; name: string; type: string; districtId: string; districtName: string };
  total: RowView;
  modules: Array<RowView & { slug: string }>;
}

/** One unit as the municipality sees it: counts per module, never names. */
export async function unitAggregateReport(ctx: ReportContext, unitId: string, query: ReportQuery): Promise<UnitAggregatePage> {
  const loaded = await load(ctx);
  const q = resolveQuery(query, loaded);
  const unit = loaded.org.units.find((u) => u.id === unitId);
  if (!isObjectIdString(unitId) || !unit) throw new NotFoundError(`unit ${unitId}`);
  const target = targetFor(loaded.settings, unit.type);
  const page: UnitAggregatePage = {
    query: q,
    unit: { id: unit.id, name: unit.name, type: unit.type, districtId: unit.districtId, districtName: unit.districtName },
    total: withTarget(loaded.model.row(`u:${unitId}`, q.set), unit.name, null, target),
    modules: loaded.modules
      .filter((m) => q.set.includes(m.slug))
      .map((m) => ({ ...withTarget(loaded.model.moduleRow(`u:${unitId}`, m.slug), m.title, null, target), slug: m.slug })),
  };
  await audited(ctx, loaded, `unit|${unitId}`, q, {
    set: q.set,
    rows: [{ key: `u:${unitId}`, scope: `u:${unitId}`, row: page.total, derived: [page.total.gap] }],
    moduleRows: page.modules.map((row) => ({ key: `u:${unitId} ${row.slug}`, scope: `u:${unitId}`, slug: row.slug, row, derived: [row.gap] })),
  });
  return page;
}

export interface ExportTable {
  rows: Array<{ level: 'municipality' | 'district' | 'type' | 'unit'; row: RowView }>;
  query: ResolvedQuery;
  moduleTitles: string[];
  generatedAt: Date;
}

/** Every row of the report (municipality, districts, unit types, units) for CSV and XLSX. */
export async function municipalExport(ctx: ReportContext, query: ReportQuery, typeLabel: (type: string) => string, municipalityLabel: string): Promise<ExportTable> {
  // One load for the whole export: a second one could already return the next proven model, and the
  // rows of two models together were never proven (nor do they add up).
  const loaded = await load(ctx);
  const page = await municipalPage(ctx, loaded, query, typeLabel);
  const { model, org, settings } = loaded;
  const units = org.units
    .map((u) => ({ ...withTarget(model.row(`u:${u.id}`, page.query.set), u.name, null, targetFor(settings, u.type)), districtName: org.districts.get(u.districtId)?.name ?? '', type: typeLabel(u.type) }))
    .sort((a, b) => (a.districtName ?? '').localeCompare(b.districtName ?? '', 'nb') || byLabel(a, b));
  // The export is one publication: every row of it together with the dashboard's trend.
  await audited(ctx, loaded, 'export', page.query, {
    set: page.query.set,
    rows: [page.total, ...page.districts, ...page.types, ...units].map((row) => ({ key: row.scope, scope: row.scope, row, derived: [row.gap] })),
    trends: [{ key: 'trend all', scope: 'all', points: page.trend.points }],
  });
  return {
    query: page.query,
    moduleTitles: loaded.modules.filter((m) => page.query.set.includes(m.slug)).map((m) => m.title),
    generatedAt: page.generatedAt,
    rows: [
      { level: 'municipality', row: { ...page.total, label: municipalityLabel } },
      ...page.districts.map((row) => ({ level: 'district' as const, row })),
      ...page.types.map((row) => ({ level: 'type' as const, row })),
      ...units.map((row) => ({ level: 'unit' as const, row })),
    ],
  };
}

/** The query as URL parameters (links keep the chosen set and period). */
export function queryString(q: ResolvedQuery): string {
  const params = new URLSearchParams();
  if (!q.isCore) for (const s of q.set) params.append('moduler', s);
  params.set('fra', q.from);
  params.set('til', q.to);
  return `?${params.toString()}`;
}
