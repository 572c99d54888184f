import { auditPublication, type AuditResult, type Publication, type PublishedCell, type PublishedPercent, type Relation } from './disclosure-audit.js';
import type { Figure, OrgUnit, ReportModel, StatusRow, TrendPoint } from './report-model.js';
import { isSmall } from './suppression.js';

/**
 * The gate every municipal page, export and print goes through before it leaves the server: the
 * figures it is about to send, written as the reader sees them, audited by `disclosure-audit.ts`.
 *
 * The reader's unknowns are, for the chosen set of k modules, the set totals of every unit, district,
 * unit type and the municipality (staff S and the statuses C, P, E, N), the per-module counts where the
 * page shows them, and the cumulative completions of each trend month. What the reader knows without
 * the page: k·S = C + P + E + N for every scope; E = 0 when no module of the set has a renewal rule
 * (and E ≤ r·S with r such modules); a district, a unit type and the municipality are the sums of their
 * units (the unit lists are public); per module S = c + p + e + n; a cumulative count never falls and
 * ends at today's C. These are exact: any values meeting them come from some real set of people.
 *
 * The audit's targets are the hidden cells that are small (what the threshold protects); a hidden
 * cell that is not small was hidden to protect others and may be worked out.
 *
 * A hidden cell the audit can narrow below the protection rule is an error (the model's suppression
 * should have prevented it): it is logged, and its row is hidden too, then its staff count, then the
 * whole view, until the audit passes — the page shows less, never a leak.
 */

export interface ViewRow {
  /** Names the row in logs (no figures). */
  key: string;
  scope: string;
  row: StatusRow;
  /** Figures derived from the row (the gap to the target): hidden with its percentage. */
  derived?: Figure[];
}

export interface ViewModuleRow {
  key: string;
  scope: string;
  slug: string;
  row: StatusRow;
  derived?: Figure[];
}

export interface ViewTrend {
  key: string;
  scope: string;
  points: TrendPoint[];
}

export interface ViewSpec {
  set: readonly string[];
  rows: ViewRow[];
  moduleRows?: ViewModuleRow[];
  trends?: ViewTrend[];
}

export interface ViewContext {
  model: ReportModel;
  units: readonly OrgUnit[];
  renewable: ReadonlySet<string>;
}

const STATUS = ['completed', 'inProgress', 'expired', 'notStarted'] as const;

interface Built {
  publication: Publication;
  /** For each published cell (same order), its row and the figures to hide, step by step, when it fails. */
  owners: Array<{ key: string; hide: Figure[][] }>;
}

export function viewPublication(spec: ViewSpec, ctx: ViewContext): Built {
  const { model, units } = ctx;
  const set = spec.set;
  const k = set.length;
  const r = set.filter((s) => ctx.renewable.has(s)).length;
  const truth: number[] = [];
  const relations: Relation[] = [];
  const variable = (value: number) => truth.push(value) - 1;

  // Set totals of every scope (a scope's five unknowns, created on first use).
  const scopes = new Map<string, { s: number; c: number; p: number; e: number; n: number }>();
  const scopeVars = (scope: string) => {
    let vars = scopes.get(scope);
    if (!vars) {
      const row = model.row(scope, set);
      vars = { s: variable(row.staff.value ?? 0), c: variable(row.completed.value ?? 0), p: variable(row.inProgress.value ?? 0), e: variable(row.expired.value ?? 0), n: variable(row.notStarted.value ?? 0) };
      scopes.set(scope, vars);
      relations.push({ terms: [[vars.s, k], [vars.c, -1], [vars.p, -1], [vars.e, -1], [vars.n, -1]], lower: 0, upper: 0 });
      relations.push(r === 0 ? { terms: [[vars.e, 1]], lower: 0, upper: 0 } : { terms: [[vars.e, 1], [vars.s, -r]], lower: -Infinity, upper: 0 });
    }
    return vars;
  };
  const unitScopes = units.map((u) => `u:${u.id}`);
  for (const scope of unitScopes) scopeVars(scope);
  const aggregates = new Map<string, string[]>();
  for (const u of units) {
    for (const scope of [`d:${u.districtId}`, `t:${u.type}`, 'all']) {
      if (!aggregates.has(scope)) aggregates.set(scope, []);
      aggregates.get(scope)!.push(`u:${u.id}`);
    }
  }
  for (const [scope, members] of aggregates) {
    const total = scopeVars(scope);
    for (const key of ['s', 'c', 'p', 'e', 'n'] as const) {
      relations.push({ terms: [[total[key], 1], ...members.map((m) => [scopeVars(m)[key], -1] as [number, number])], lower: 0, upper: 0 });
    }
  }

  const cells: PublishedCell[] = [];
  const percents: PublishedPercent[] = [];
  const owners: Built['owners'] = [];
  const addRow = (key: string, row: StatusRow, vars: { s: number; c: number; p: number; e: number; n: number }, factor: number, derived: Figure[]) => {
    const figures = [row.completed, row.inProgress, row.expired, row.notStarted, row.percent, ...derived];
    const whole = [figures, [row.staff]];
    const staff = row.staff.value ?? 0;
    cells.push({ label: `${key} staff`, vars: [vars.s], value: staff, shown: !row.staff.suppressed, sensitive: isSmall(staff, staff) });
    owners.push({ key, hide: [[row.staff]] });
    STATUS.forEach((status, i) => {
      const f = row[status];
      cells.push({ label: `${key} ${status}`, vars: [[vars.c, vars.p, vars.e, vars.n][i]!], value: f.value ?? 0, shown: !f.suppressed, sensitive: isSmall(f.value ?? 0, staff) });
      owners.push({ key, hide: whole });
    });
    percents.push({ label: `${key} percent`, numerator: [vars.c], denominator: [vars.s], factor, value: row.percent.value, shown: !row.percent.suppressed });
  };
  for (const v of spec.rows) addRow(v.key, v.row, scopeVars(v.scope), k, v.derived ?? []);

  // Per-module rows (a unit's page): per module S = c + p + e + n, and the modules add up to the set.
  const byScope = new Map<string, ViewModuleRow[]>();
  for (const m of spec.moduleRows ?? []) {
    if (!byScope.has(m.scope)) byScope.set(m.scope, []);
    byScope.get(m.scope)!.push(m);
  }
  for (const [scope, moduleRows] of byScope) {
    const total = scopeVars(scope);
    const perModule = new Map<string, { s: number; c: number; p: number; e: number; n: number }>();
    for (const slug of set) {
      const row = model.moduleRow(scope, slug);
      const vars = { s: total.s, c: variable(row.completed.value ?? 0), p: variable(row.inProgress.value ?? 0), e: variable(row.expired.value ?? 0), n: variable(row.notStarted.value ?? 0) };
      perModule.set(slug, vars);
      relations.push({ terms: [[vars.s, 1], [vars.c, -1], [vars.p, -1], [vars.e, -1], [vars.n, -1]], lower: 0, upper: 0 });
      if (!ctx.renewable.has(slug)) relations.push({ terms: [[vars.e, 1]], lower: 0, upper: 0 });
    }
    for (const key of ['c', 'p', 'e', 'n'] as const) relations.push({ terms: [[total[key], 1], ...set.map((slug) => [perModule.get(slug)![key], -1] as [number, number])], lower: 0, upper: 0 });
    for (const m of moduleRows) {
      const vars = perModule.get(m.slug);
      if (vars) addRow(m.key, m.row, vars, 1, m.derived ?? []);
    }
  }

  // Trends: cumulative completions per month, never falling, ending at today's completed. With one
  // trend that is all a reader knows; with several (a union of views), every trend is also the sum
  // of its units' own sequences, which ties, say, the districts' trends to the municipality's.
  const window = model.window;
  const trends = spec.trends ?? [];
  const sequence = (totalC: number, values: readonly number[]) => {
    const cum = window.map((_, i) => (i === window.length - 1 ? totalC : variable(values[i] ?? 0)));
    for (let i = 1; i < window.length; i += 1) relations.push({ terms: [[cum[i - 1]!, 1], [cum[i]!, -1]], lower: -Infinity, upper: 0 });
    return cum;
  };
  const unitSequences = new Map<string, number[]>();
  if (trends.length > 1) {
    for (const u of units) {
      const scope = `u:${u.id}`;
      unitSequences.set(scope, sequence(scopeVars(scope).c, unitTrendTruth(model, scope, set, window)));
    }
  }
  for (const trend of trends) {
    const total = scopeVars(trend.scope);
    const all = model.trend(trend.scope, set, window);
    const cumList = sequence(total.c, all.map((p) => p.completed.value ?? 0));
    const members = aggregates.get(trend.scope) ?? [];
    if (unitSequences.size) {
      window.forEach((_, i) => {
        if (i === window.length - 1) return;
        relations.push({ terms: [[cumList[i]!, 1], ...members.map((m) => [unitSequences.get(m)![i]!, -1] as [number, number])], lower: 0, upper: 0 });
      });
    }
    const cum = new Map(window.map((month, i) => [month, cumList[i]!] as const));
    for (const point of trend.points) {
      const v = cum.get(point.month);
      if (v === undefined) continue;
      const key = `${trend.key} ${point.month}`;
      const staff = model.row(trend.scope, set).staff.value ?? 0;
      cells.push({ label: `${key} completed`, vars: [v], value: point.completed.value ?? 0, shown: !point.completed.suppressed, sensitive: isSmall(point.completed.value ?? 0, staff) });
      owners.push({ key, hide: [[point.completed, point.percent]] });
      percents.push({ label: `${key} percent`, numerator: [v], denominator: [total.s], factor: k, value: point.percent.value, shown: !point.percent.suppressed });
    }
  }
  return { publication: { variables: truth.length, relations, cells, percents, truth }, owners };
}

/**
 * A unit's true cumulative completions per month (the model keeps trends for aggregates only): the
 * smallest sequence consistent with it, today's completed at the end. Used only as the auditor's
 * witness, which checks it against every relation and ignores it if it does not fit.
 */
function unitTrendTruth(model: ReportModel, scope: string, set: readonly string[], window: readonly string[]): number[] {
  const completed = model.row(scope, set).completed.value ?? 0;
  return window.map((_, i) => (i === window.length - 1 ? completed : 0));
}

/** How long one view's audit may take (a municipality of hundreds of tiny units can take longer). */
export const VIEW_AUDIT_BUDGET_MS = 5_000;

export interface GuardOutcome {
  audit: AuditResult;
  /** Rows hidden beyond the model's suppression because the audit failed (should stay empty). */
  escalated: string[];
  ms: number;
}

/**
 * Audits a view and hides more until it passes (mutating the figures it was given). `onFailure` is
 * told about every failed audit before anything is hidden.
 */
export async function guardView(spec: ViewSpec, ctx: ViewContext, onFailure: (failures: AuditResult['failures']) => void): Promise<GuardOutcome> {
  const started = performance.now();
  const escalated: string[] = [];
  const figures = [...spec.rows, ...(spec.moduleRows ?? [])].flatMap((v) => [v.row.staff, v.row.completed, v.row.inProgress, v.row.expired, v.row.notStarted]);
  if (!figures.some((f) => f.suppressed) && !(spec.trends ?? []).some((t) => t.points.some((p) => p.completed.suppressed))) {
    // Nothing hidden, nothing to protect (the usual case for a large municipality's dashboard).
    return { audit: { hidden: [], failures: [], solves: 0, integerSolves: 0, components: 0, largestComponent: 0 }, escalated, ms: performance.now() - started };
  }
  const level = new Map<string, number>();
  for (let round = 0; ; round += 1) {
    const { publication, owners } = viewPublication(spec, ctx);
    // Past its budget the audit throws; the caller then hides the whole view (never an unproven figure).
    const audit = await auditPublication(publication, { deadline: started + VIEW_AUDIT_BUDGET_MS });
    if (!audit.failures.length) return { audit, escalated, ms: performance.now() - started };
    onFailure(audit.failures);
    const labelIndex = new Map(publication.cells.map((c, i) => [c.label, i] as const));
    for (const failure of audit.failures) {
      const owner = owners[labelIndex.get(failure.label)!]!;
      const step = level.get(owner.key) ?? 0;
      level.set(owner.key, step + 1);
      const groups = round > 20 ? owner.hide : owner.hide.slice(0, step + 1);
      for (const group of groups) for (const f of group) f.suppressed = true;
      escalated.push(owner.key);
    }
    // Never send an unproven figure: after many rounds, hide the whole view.
    if (round > 25) hideAll(spec);
  }
}

/** Hides every figure of a view (the last resort, also when the audit itself cannot run). */
export function hideAll(spec: ViewSpec): void {
  for (const v of [...spec.rows, ...(spec.moduleRows ?? [])]) for (const f of [v.row.staff, v.row.completed, v.row.inProgress, v.row.expired, v.row.notStarted, v.row.percent, ...(v.derived ?? [])]) f.suppressed = true;
  for (const t of spec.trends ?? []) for (const p of t.points) p.completed.suppressed = p.percent.suppressed = true;
}
