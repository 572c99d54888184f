import type { Logger } from '../../lib/logger.js';
import { onCompletionRecorded, onProgressStarted, onProgressUpdated } from '../learning/index.js';
import { onMembershipChanged } from '../accounts/index.js';
import { recomputePerson, recomputePersonSoon, safely, setReportLogger } from './maintain.js';
import { setReportCacheTtl } from './sources.js';
import { forgetMunicipalCaches } from './municipal.service.js';

export { reportRoutes, type ReportRouteOptions } from './routes.js';
export { rebuildReports, sweepReports, type RebuildReport, type DriftLine } from './rebuild.js';
export { recomputePerson, setReportClock, reportNow } from './maintain.js';
export { whenReportsIdle, saveRenewalRules, saveReportSettings } from './settings.service.js';
export { clearReportCaches } from './sources.js';
export { forgetMunicipalCaches, forgetPassedAudits, reportAuditCosts, type AuditCosts } from './municipal.service.js';
export { unitOverviews, municipalHome, overviewOf, EXPIRING_WITHIN_DAYS, type UnitOverview, type MunicipalHome } from './home.service.js';
export { formatters, type Formatters } from './present.js';

let registered = false;

/**
 * Wires reports to the events of learning and accounts (once per process, however many apps are
 * built), and sets how long structure may be cached (none in tests, so each test sees its own data).
 */
export function configureReports(options: { logger: Logger; cacheMs: number }): void {
  setReportLogger(options.logger);
  setReportCacheTtl(options.cacheMs);
  forgetMunicipalCaches();
  if (registered) return;
  registered = true;
  // The events of one action arrive together and are recomputed as one (recomputePersonSoon).
  onProgressStarted((e) => safely('started', e.userId, () => recomputePersonSoon(e.userId, { slug: e.moduleSlug, major: e.major })));
  onCompletionRecorded((e) => safely('completion', e.userId, () => recomputePersonSoon(e.userId, { slug: e.moduleSlug, major: e.major })));
  onProgressUpdated((e) => safely('progress', e.userId, () => recomputePersonSoon(e.userId, { slug: e.moduleSlug, major: e.major })));
  onMembershipChanged((userId) => safely('membership', userId, () => recomputePerson(userId)));
}

/** The demo and a fresh database: builds the summaries once if they were never built. */
export { ensureReportSummaries } from './rebuild.js';
