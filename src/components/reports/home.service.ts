import type { SessionUser } from '../../web/session-user.js';
import type { UnitView } from '../organisation/index.js';
import { assertCan } from '../../web/policy.js';
import { recordAudit } from './audit.service.js';
import { ledUnits, unitMatrix, type UnitMatrix } from './unit.service.js';
import { municipalExport, municipalReport, type RowView } from './municipal.service.js';
import type { Figure } from './report-model.js';
import type { Target } from './settings.js';
import type { ReportContext } from './context.js';

/**
 * The figures the leader's and the municipality's landing pages open on. Nothing is computed here
 * that the dashboards do not already show: a unit's overview is read from its matrix (the unit
 * dashboard's one source), the municipality's from the measure-3 report and its export rows (with
 * their small-cell suppression), so the landing page and the dashboard can never disagree.
 */

/** Completions that stop counting within this many days are "expiring soon". */
export const EXPIRING_WITHIN_DAYS = 60;

export interface UnitOverview {
  unit: UnitView;
  staff: number;
  /** Modules the unit's percentage is over (assigned ones, or all when nothing is assigned). */
  countedModules: number;
  /** Whether anything is assigned: without assignments the percentage is over the whole catalogue. */
  assigned: boolean;
  /** Share of counted person-module pairs completed, as on the unit dashboard. */
  percent: number | null;
  completedPairs: number;
  /** Overdue person-module pairs with names (a leader may see their own unit). */
  overdue: UnitMatrix['overdue'];
  /** People with at least one overdue module. */
  overduePeople: number;
  /** Per module: completions that expire within EXPIRING_WITHIN_DAYS days, soonest first. */
  expiring: Array<{ slug: string; title: string; people: number; firstExpiry: Date }>;
  expiringWithinDays: number;
}

/** A unit's at-a-glance figures, from the same matrix the unit dashboard shows. */
export function overviewOf(matrix: UnitMatrix, now: Date, withinDays = EXPIRING_WITHIN_DAYS): UnitOverview {
  const horizon = now.getTime() + withinDays * 86_400_000;
  const counted = new Set(matrix.countedModules);
  const expiring = matrix.modules
    .map((m, i) => {
      const dates = matrix.rows
        .map((r) => r.cells[i]!)
        .filter((c) => c.status === 'completed' && c.expiresAt && c.expiresAt.getTime() >= now.getTime() && c.expiresAt.getTime() <= horizon)
        .map((c) => c.expiresAt!.getTime());
      return { slug: m.slug, title: m.title, people: dates.length, firstExpiry: new Date(dates.length ? Math.min(...dates) : 0) };
    })
    .filter((e) => e.people > 0)
    .sort((a, b) => a.firstExpiry.getTime() - b.firstExpiry.getTime());
  return {
    unit: matrix.unit,
    staff: matrix.rows.length,
    countedModules: counted.size,
    assigned: matrix.modules.some((m) => m.assigned),
    percent: matrix.unitPercent,
    completedPairs: matrix.rows.reduce((sum, r) => sum + r.completed, 0),
    overdue: matrix.overdue,
    overduePeople: new Set(matrix.overdue.map((o) => o.personId)).size,
    expiring,
    expiringWithinDays: withinDays,
  };
}

/**
 * The overview of every unit the person leads now, each view written to the audit log as a view of
 * that unit (the overview names the people who are overdue, as the dashboard does).
 */
export async function unitOverviews(ctx: ReportContext, actor: SessionUser): Promise<UnitOverview[]> {
  assertCan(actor, 'unit:lead-any');
  const units = await ledUnits(ctx, actor);
  const now = ctx.now();
  return Promise.all(
    units.map(async (unit) => {
      const [matrix] = await Promise.all([
        unitMatrix(ctx, actor, unit.id),
        recordAudit({ actor, action: 'view', scope: 'unit', scopeId: unit.id, scopeLabel: unit.name, format: 'html' }),
      ]);
      return overviewOf(matrix, now);
    }),
  );
}

export interface MunicipalHome {
  total: RowView;
  /** Every target with the municipality's or the unit type's figure against it. */
  targets: Array<{ target: Target; label: string; percent: Figure; gap: Figure }>;
  /** Units furthest behind by share (suppressed units cannot be ranked and are only counted). */
  behind: RowView[];
  suppressedUnits: number;
  /** The last two months of the trend: what changed since last month. */
  change: { month: string; previousMonth: string; percent: Figure; previousPercent: Figure; points: Figure; completed: Figure } | null;
  generatedAt: Date;
}

const difference = (a: Figure, b: Figure): Figure =>
  a.suppressed || b.suppressed ? { value: null, suppressed: true } : a.value === null || b.value === null ? { value: null, suppressed: false } : { value: Math.round((a.value - b.value) * 10) / 10, suppressed: false };

/** The municipal administrator's landing figures: measure 3 against its targets, who is behind, and the last month. */
export async function municipalHome(ctx: ReportContext, actor: SessionUser, typeLabel: (type: string) => string, municipalityLabel: string, behindCount = 5): Promise<MunicipalHome> {
  assertCan(actor, 'reports:municipal');
  const [page, table] = await Promise.all([
    municipalReport(ctx, {}, typeLabel),
    municipalExport(ctx, {}, typeLabel, municipalityLabel),
    recordAudit({ actor, action: 'view', scope: 'municipality', scopeId: null, scopeLabel: municipalityLabel, format: 'html' }),
  ]);
  const units = table.rows.filter((r) => r.level === 'unit').map((r) => r.row);
  const ranked = units.filter((u) => !u.percent.suppressed && u.percent.value !== null);
  const behind = ranked.sort((a, b) => a.percent.value! - b.percent.value! || a.label.localeCompare(b.label, 'nb')).slice(0, behindCount)
    .map((r) => ({ ...r, href: `/kommune/rapport/enhet/${r.scope.replace(/^u:/, '')}` }));
  const targets = page.targets.map((target) => {
    const row = target.scope === 'all' ? page.total : page.types.find((t) => t.label === typeLabel(target.scope));
    const percent = row?.percent ?? { value: null, suppressed: false };
    const gap: Figure = percent.value === null || percent.suppressed ? { value: null, suppressed: percent.suppressed } : { value: Math.round((target.percent - percent.value) * 10) / 10, suppressed: false };
    return { target, label: target.scope === 'all' ? municipalityLabel : typeLabel(target.scope), percent, gap };
  });
  const points = page.trend.points;
  const last = points[points.length - 1];
  const previous = points[points.length - 2];
  return {
    total: page.total,
    targets,
    behind,
    suppressedUnits: units.length - ranked.length,
    change:
      last && previous
        ? { month: last.month, previousMonth: previous.month, percent: last.percent, previousPercent: previous.percent, points: difference(last.percent, previous.percent), completed: difference(last.completed, previous.completed) }
        : null,
    generatedAt: page.generatedAt,
  };
}
