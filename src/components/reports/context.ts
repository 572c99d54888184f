import type { Logger } from '../../lib/logger.js';
import type { Clock } from '../../lib/clock.js';
import type { ReportModel } from './report-model.js';
import type { UnitTotals } from './roster.js';
import type { OrgStructure } from './sources.js';

/** What the audits cost, for `npm run bench:reports` and the logs. */
export interface AuditCosts {
  /** Proving the model's suppression (once per data version). */
  model: { ms: number; rounds: number; solves: number; integerSolves: number; hidden: number; exhausted: boolean } | null;
  /** The last audit of each kind of view (only when it actually ran: passes are cached per data version). */
  views: Record<string, { ms: number; solves: number; hidden: number; escalated: number }>;
  /** Views checked before sending since start (audited, or found among this data version's passes). */
  checked: number;
}

/** What the municipal report keeps between requests (see `municipal.service.ts`). */
export interface MunicipalCaches {
  totals: { headKey: string; key: string; at: number; totals: Map<string, UnitTotals> } | null;
  model: { key: string; model: Promise<ReportModel> } | null;
  /** The newest model whose suppression is proven, with the organisation it was built from. */
  proven: { key: string; model: ReportModel; org: OrgStructure } | null;
  /** The views that passed their disclosure audit for this data version. */
  passed: { key: string; views: Set<string> };
  costs: AuditCosts;
}

export function emptyMunicipalCaches(): MunicipalCaches {
  return { totals: null, model: null, proven: null, passed: { key: '', views: new Set() }, costs: { model: null, views: {}, checked: 0 } };
}

/**
 * What every report function is given by the one `ReportService` of an app: its logger, its clock,
 * how long structure may be cached, and the caches themselves. Two apps built in one process (tests)
 * each have their own, so neither sees the other's time or cached figures.
 */
export interface ReportContext {
  readonly logger: Logger;
  /** Everything that evaluates statuses asks this clock (tests move it). */
  readonly now: Clock;
  /** How long structure (and parsed counts whose version has not moved) may be reused; 0 in tests. */
  readonly cacheMs: number;
  /** Module catalogue and organisation structure, read in full and kept for `cacheMs`. */
  readonly structure: Map<string, { at: number; value: Promise<unknown> }>;
  readonly municipal: MunicipalCaches;
  /** The recomputation started by the last renewal-rule change (each waits for the one before). */
  pending: Promise<unknown>;
}
