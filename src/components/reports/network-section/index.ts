import type { TFunction } from 'i18next';
import type { CsvValue } from '../csv.js';
import type { Figure, StatusRow } from '../report-model.js';
import { SUPPRESSED } from '../present.js';
import type { Logger } from '../../../lib/logger.js';
import { networkSection, type NetworkSection } from './section.js';

export { networkSection, protectedSection, type NetworkSection, type NetworkSectionRow } from './section.js';

/** Proven sections per owner (the app's ReportService), so two apps share no cache. */
const caches = new WeakMap<object, Map<string, NetworkSection>>();

/**
 * The network section for a measure-3 view: the unit types and published staff counts come from the
 * completion rows the same view shows (so the audit knows what the reader sees beside it). A section
 * proven for the same figures before is served again (about 0.2 s of solver work saved per view on the shared machine) (the owner, the app's ReportService, keeps them).
 */
export async function networkSectionFor(owner: object, rows: ReadonlyArray<Pick<StatusRow, 'scope' | 'staff'>>, t: TFunction, log: Pick<Logger, 'error'>): Promise<NetworkSection> {
  let cache = caches.get(owner);
  if (!cache) caches.set(owner, (cache = new Map()));
  const publishedStaff = new Map(rows.map((r) => [r.scope, r.staff.suppressed ? null : r.staff.value] as const));
  const types = rows.filter((r) => r.scope.startsWith('t:')).map((r) => r.scope.slice(2));
  return networkSection(types, {
    typeLabel: (type) => t(`organisation:types.${type}`),
    municipalityLabel: t('reports:municipal.scope'),
    publishedStaff,
    cache,
    onEscalation: (failures) => log.error({ failures: failures.map((f) => f.label) }, 'report disclosure audit failed: network section hides more'),
  });
}

const count = (f: Figure): CsvValue => (f.suppressed ? SUPPRESSED : f.value);

/**
 * The section's rows for the CSV and XLSX exports, after the completion rows (a blank row, a title, a
 * header). Their level names differ from the completion rows' («Nettverk: kommunen»), so filtering
 * the Nivå column never mixes the two tables.
 */
export function networkExportRows(section: NetworkSection, t: TFunction): CsvValue[][] {
  return [
    [],
    [t('reports:networks.heading')],
    [t('reports:networks.networks', { open: section.openNetworks }), section.networks],
    [t('reports:networks.gatheringsHeld'), section.gatheringsHeld],
    [t('reports:columns.level'), t('reports:columns.name'), t('reports:networks.participants'), t('reports:networks.attended'), t('reports:networks.completed')],
    ...[section.total, ...section.types].map((row) => [t(row.type ? 'reports:networks.levels.type' : 'reports:networks.levels.municipality'), row.label, count(row.participants), count(row.attended), count(row.completed)]),
  ];
}
