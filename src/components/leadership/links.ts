import type { Action } from '../../web/policy.js';

/**
 * Pages other components offer leaders (the unit dashboard, the municipal reports). They register a
 * link here and the leader's landing page and unit menu show it, so no component has to know
 * another's routes.
 */
export interface UnitLink {
  /** i18n key of the label. */
  label: string;
  href: (unitId: string) => string;
}

export interface AreaLink {
  label: string;
  href: string;
  /** Shown to people who may do this. */
  visibleTo: Action;
}

// Per process: a declarative registry, filled once by each component's routes (deduplicated), the same for every app.
const unitLinks: UnitLink[] = [];
const areaLinks: AreaLink[] = [];

export function addLeaderUnitLink(link: UnitLink): void {
  if (!unitLinks.some((l) => l.label === link.label)) unitLinks.push(link);
}

export function addLeaderAreaLink(link: AreaLink): void {
  if (!areaLinks.some((l) => l.href === link.href)) areaLinks.push(link);
}

export function leaderUnitLinks(unitId: string): Array<{ label: string; href: string }> {
  return unitLinks.map((l) => ({ label: l.label, href: l.href(unitId) }));
}

export function leaderAreaLinks(): readonly AreaLink[] {
  return areaLinks;
}
