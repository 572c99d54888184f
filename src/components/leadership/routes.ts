import { can } from '../../web/policy.js';
import { addNavEntry } from '../../web/navigation.js';
import { anyPermission, endpoint, endpointRouter, signedInUser } from '../../web/endpoints.js';
import { unitsByIds } from '../organisation/index.js';
import type { SessionUser } from '../../web/session-user.js';
import type { MunicipalHome, UnitOverview, Formatters } from '../reports/index.js';
import type { SessionView } from '../teams/index.js';
import { leaderAreaLinks, leaderUnitLinks, addLeaderAreaLink } from './links.js';

/** The leader's area is for people who lead a unit now, and for the municipality's administrators. */
const LEADER_AREA = ['unit:lead-any', 'assignments:municipal'] as const;
export const mayUseLeaderArea = (user: SessionUser): boolean => LEADER_AREA.some((action) => can(user, action));

/**
 * What the landing page shows besides links, handed in by the composition root (app.ts) so this
 * component needs neither the reports nor the team sessions component: each unit's figures (the
 * unit dashboard's own source), the next team session per unit, and the municipality's figures.
 */
export interface LeaderHomeSources {
  unitOverviews: (user: SessionUser) => Promise<UnitOverview[]>;
  nextSession: (user: SessionUser, unitId: string) => Promise<SessionView | null>;
  municipalHome: (user: SessionUser, typeLabel: (type: string) => string, municipalityLabel: string) => Promise<MunicipalHome>;
  /** The number, percent and date formats the report pages use. */
  formatters: (lang: string) => Formatters;
}

/** The leader's landing page, as a declared endpoint. */
export function leadershipEndpoints(sources: LeaderHomeSources) {
  return [
    // GET /leder — one unit: its overview straight away; several: a compact table; municipal admins: measure 3.
    endpoint({
      method: 'get',
      path: '/leder',
      summary: 'Each unit the person leads at a glance, and the municipality’s figures for its administrators',
      access: anyPermission(...LEADER_AREA),
      async handle(context) {
        const { t, lang } = context;
        const user = signedInUser(context);
        const leads = can(user, 'unit:lead-any');
        const municipal = can(user, 'reports:municipal');
        const [units, overviews, municipalFigures] = await Promise.all([
          unitsByIds([...user.leaderOf]),
          leads ? sources.unitOverviews(user) : Promise.resolve([] as UnitOverview[]),
          municipal ? sources.municipalHome(user, (type) => t(`organisation:types.${type}`), t('reports:municipal.scope')) : Promise.resolve(null),
        ]);
        const open = [...units.values()].filter((u) => !u.closed).sort((a, b) => a.name.localeCompare(b.name, 'nb'));
        const sessions = await Promise.all(open.map((u) => sources.nextSession(user, u.id)));
        const byUnit = new Map(overviews.map((o) => [o.unit.id, o]));
        return {
          view: 'pages/leadership/index',
          model: {
            title: t('leadership:title'),
            units: open.map((u, i) => ({ id: u.id, name: u.name, type: u.type, links: leaderUnitLinks(u.id), overview: byUnit.get(u.id) ?? null, nextSession: sessions[i] ?? null })),
            municipal: municipalFigures,
            areaLinks: leaderAreaLinks().filter((l) => can(user, l.visibleTo)),
            fmt: sources.formatters(lang),
          },
        };
      },
    }),
  ];
}

export function leadershipRoutes(sources: LeaderHomeSources) {
  addNavEntry({ href: '/leder', label: 'leadership:nav', visibleTo: mayUseLeaderArea });
  addLeaderAreaLink({ label: 'leadership:municipalAssignments', href: '/kommune/tildelinger', visibleTo: 'assignments:municipal' });
  return endpointRouter(leadershipEndpoints(sources));
}
