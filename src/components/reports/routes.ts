import { atMostEvery } from '../../lib/periodic.js';
import { endpointRouter } from '../../web/endpoints.js';
import { addNavEntry } from '../../web/navigation.js';
import { addLeaderAreaLink, addLeaderUnitLink } from '../leadership/index.js';
import { registerAnonymiser } from '../people/index.js';
import { anonymiseReportAudit } from './privacy.js';
import type { ReportService } from './reports.service.js';
import { leaderEndpoints } from './endpoints/leaders.js';
import { municipalEndpoints } from './endpoints/municipal.js';
import { settingsEndpoints } from './endpoints/settings.js';
import { effectEndpoints } from './effect/endpoints.js';

export interface ReportRouteOptions {
  /** How often a request may trigger the time-driven sweep (0: every request, in tests). */
  sweepIntervalMs: number;
}

/**
 * Leaders' unit dashboards (/leder/enheter), the municipal measure-3 report (/kommune/rapport), its
 * settings and the audit log, as declared endpoints (src/components/reports/endpoints/). Every view
 * and export is written to the audit log before it is sent.
 */
export function reportRoutes(reports: ReportService, options: ReportRouteOptions) {
  registerAnonymiser('reportAudit', anonymiseReportAudit);
  const sweep = atMostEvery(options.sweepIntervalMs, async (now) => {
    try {
      await reports.sweep(now);
    } catch (err) {
      reports.logger.error({ err }, 'report sweep failed; it runs again on a later request');
    }
  });
  const deps = { reports, fresh: () => sweep() };

  addNavEntry({ href: '/kommune/rapport', label: 'reports:nav.municipal', visibleTo: 'reports:municipal' });
  addLeaderUnitLink({ label: 'reports:leader.dashboardLink', href: (unitId) => `/leder/enheter/${unitId}` });
  addLeaderUnitLink({ label: 'effect:leader.link', href: (unitId) => `/leder/enheter/${unitId}/effekt` });
  addLeaderAreaLink({ label: 'reports:nav.municipal', href: '/kommune/rapport', visibleTo: 'reports:municipal' });

  return endpointRouter([...leaderEndpoints(deps), ...municipalEndpoints(deps), ...settingsEndpoints(deps), ...effectEndpoints(deps)]);
}
