import { ForbiddenError, NotFoundError } from '../../lib/errors.js';
import { isObjectIdString } from '../../lib/ids.js';
import { assertCan } from '../../web/policy.js';
import type { SessionUser } from '../../web/session-user.js';
import { getUnit, type UnitView } from '../organisation/index.js';
import { activityStates, learningVersion, progressStateOf } from '../learning/index.js';
import { isActivityComplete, shownToLeaders } from '../../activities/index.js';
import { readRoster } from './maintain.js';
import type { ReportContext } from './context.js';
import { STATUS_OF_CODE, type RosterCell, type RosterEntry } from './roster.js';
import { assignmentsOfUnit, orgStructure, reportCatalogue } from './sources.js';
import { todayDateOnly } from '../../lib/dates.js';

/**
 * The leader's view of a unit they lead: everyone's status in every module, from the unit's roster
 * (one document). Reflections and notes are never read here: only whether each activity is done.
 */

export type CellStatus = 'completed' | 'inProgress' | 'expired' | 'notStarted' | 'overdue';

export interface MatrixCell {
  slug: string;
  status: CellStatus;
  /** Completed or expired: when completed. */
  completedAt: Date | null;
  /** Completed: when it stops counting; expired: when it stopped. */
  expiresAt: Date | null;
  percent: number | null;
  /** The deadline of the assignment that concerns this person, if any. */
  deadline: Date | null;
  assigned: boolean;
}

export interface MatrixRow {
  id: string;
  name: string;
  role: 'ansatt' | 'leder';
  cells: MatrixCell[];
  /** Completed among the modules counted for the unit's percentage. */
  completed: number;
}

export interface MatrixModule {
  slug: string;
  title: string;
  assigned: boolean;
  /** The earliest deadline among the module's assignments in the unit. */
  deadline: Date | null;
  completed: number;
  percent: number | null;
}

export const SORT_KEYS = ['navn', 'fullfort'] as const;

export interface UnitMatrix {
  unit: UnitView;
  modules: MatrixModule[];
  rows: MatrixRow[];
  /** Assigned modules when there are any, otherwise all: the modules the unit's percentage is over. */
  countedModules: string[];
  unitPercent: number | null;
  overdue: Array<{ personId: string; name: string; slug: string; title: string; deadline: Date }>;
  sort: { key: string; dir: 'asc' | 'desc' };
  generatedAt: Date;
}

async function ledUnit(ctx: ReportContext, actor: SessionUser, unitId: string): Promise<UnitView> {
  assertCan(actor, 'unit:lead', { unitId });
  if (!isObjectIdString(unitId)) throw new NotFoundError(`unit ${unitId}`);
  // From the organisation kept in memory for a minute; a unit created since is read directly.
  return (await orgStructure(ctx)).byId.get(unitId) ?? getUnit(unitId);
}

/** The unit's name for the audit log, without waiting for the dashboard's data. */
export async function unitName(ctx: ReportContext, unitId: string): Promise<string> {
  return (await orgStructure(ctx)).byId.get(unitId)?.name ?? unitId;
}

/** Lower ranks first when sorting a module column ascending: the people who need attention. */
const RANK: Record<CellStatus, number> = { overdue: 0, expired: 1, notStarted: 2, inProgress: 3, completed: 4 };

function cellOf(slug: string, cell: RosterCell | undefined, assignment: { deadline: Date | null } | undefined, today: Date): MatrixCell {
  const base = {
    slug,
    completedAt: cell?.c ? new Date(cell.c) : null,
    expiresAt: cell?.x ? new Date(cell.x) : null,
    percent: cell?.s === 'p' ? (cell.pc ?? 0) : null,
    deadline: assignment?.deadline ?? null,
    assigned: !!assignment,
  };
  const status = cell ? STATUS_OF_CODE[cell.s] : 'notStarted';
  const overdue = status !== 'completed' && !!assignment?.deadline && assignment.deadline < today;
  return { ...base, status: overdue ? 'overdue' : status };
}

/** The staff × modules matrix, sorted on the server (the page works without JavaScript). */
export async function unitMatrix(ctx: ReportContext, actor: SessionUser, unitId: string, sort: { key?: string | undefined; dir?: string | undefined } = {}): Promise<UnitMatrix> {
  const unit = await ledUnit(ctx, actor, unitId);
  const [roster, catalogue, assignments] = await Promise.all([readRoster(unitId), reportCatalogue(ctx), assignmentsOfUnit(unitId)]);
  const now = ctx.now();
  const today = todayDateOnly(now);

  // Per module: the assignment for everyone, and for named people (earliest deadline wins).
  const earlier = (a: Date | null, b: Date | null | undefined) => (b === undefined ? a : a && (!b || a < b) ? a : b);
  const forAll = new Map<string, Date | null>();
  const forPerson = new Map<string, Map<string, Date | null>>();
  for (const a of assignments) {
    if (a.userIds === null) forAll.set(a.moduleSlug, earlier(a.deadline, forAll.get(a.moduleSlug)));
    else
      for (const id of a.userIds) {
        const mine = forPerson.get(id) ?? new Map<string, Date | null>();
        forPerson.set(id, mine);
        mine.set(a.moduleSlug, earlier(a.deadline, mine.get(a.moduleSlug)));
      }
  }
  const assignedSlugs = new Set([...forAll.keys(), ...[...forPerson.values()].flatMap((m) => [...m.keys()])]);
  const moduleDeadline = (slug: string) => {
    let d: Date | null | undefined = forAll.get(slug);
    for (const m of forPerson.values()) if (m.has(slug)) d = earlier(m.get(slug)!, d);
    return d ?? null;
  };
  const ordered = [
    ...catalogue.modules.filter((m) => assignedSlugs.has(m.slug)).sort((a, b) => (moduleDeadline(a.slug)?.getTime() ?? Infinity) - (moduleDeadline(b.slug)?.getTime() ?? Infinity)),
    ...catalogue.modules.filter((m) => !assignedSlugs.has(m.slug)),
  ];
  const counted = assignedSlugs.size ? ordered.filter((m) => assignedSlugs.has(m.slug)).map((m) => m.slug) : ordered.map((m) => m.slug);
  const countedSet = new Set(counted);

  const members = Object.entries(roster.members).filter((e): e is [string, RosterEntry] => !e[1].gone);
  const rows: MatrixRow[] = members.map(([id, entry]) => {
    const cells = ordered.map((m) => {
      const personal = forPerson.get(id)?.get(m.slug);
      const assignment = forAll.has(m.slug) || personal !== undefined ? { deadline: earlier(forAll.get(m.slug) ?? null, personal) } : undefined;
      return cellOf(m.slug, entry.m[m.slug], assignment, today);
    });
    return { id, name: entry.n, role: entry.r, cells, completed: cells.filter((c) => countedSet.has(c.slug) && c.status === 'completed').length };
  });

  const key = sort.key && ((SORT_KEYS as readonly string[]).includes(sort.key) || ordered.some((m) => m.slug === sort.key)) ? sort.key : 'navn';
  const dir = sort.dir === 'desc' ? 'desc' : 'asc';
  const byName = (a: MatrixRow, b: MatrixRow) => a.name.localeCompare(b.name, 'nb') || a.id.localeCompare(b.id);
  const column = ordered.findIndex((m) => m.slug === key);
  const compare =
    key === 'navn'
      ? byName
      : key === 'fullfort'
        ? (a: MatrixRow, b: MatrixRow) => a.completed - b.completed || byName(a, b)
        : (a: MatrixRow, b: MatrixRow) => {
            const x = a.cells[column]!;
            const y = b.cells[column]!;
            return RANK[x.status] - RANK[y.status] || (x.percent ?? 0) - (y.percent ?? 0) || (x.completedAt?.getTime() ?? 0) - (y.completedAt?.getTime() ?? 0) || byName(a, b);
          };
  rows.sort((a, b) => (dir === 'asc' ? compare(a, b) : compare(b, a)));

  const staff = rows.length;
  const modules = ordered.map((m, i) => {
    const completed = rows.filter((r) => r.cells[i]!.status === 'completed').length;
    return { slug: m.slug, title: m.title, assigned: assignedSlugs.has(m.slug), deadline: moduleDeadline(m.slug), completed, percent: staff ? Math.round((1000 * completed) / staff) / 10 : null };
  });
  const completedPairs = rows.reduce((sum, r) => sum + r.completed, 0);
  const overdue = rows
    .flatMap((r) => r.cells.filter((c) => c.status === 'overdue').map((c) => ({ personId: r.id, name: r.name, slug: c.slug, title: modules.find((m) => m.slug === c.slug)!.title, deadline: c.deadline! })))
    .sort((a, b) => a.deadline.getTime() - b.deadline.getTime() || a.name.localeCompare(b.name, 'nb'));
  return {
    unit,
    modules,
    rows,
    countedModules: counted,
    unitPercent: staff && counted.length ? Math.round((1000 * completedPairs) / (staff * counted.length)) / 10 : null,
    overdue,
    sort: { key, dir },
    generatedAt: now,
  };
}

/** The units a person leads now, with names. */
export async function ledUnits(ctx: ReportContext, actor: SessionUser): Promise<UnitView[]> {
  const org = await orgStructure(ctx);
  return [...actor.leaderOf].map((id) => org.byId.get(id)).filter((u): u is UnitView => !!u).sort((a, b) => a.name.localeCompare(b.name, 'nb'));
}

export interface PersonProgressPage {
  unit: UnitView;
  person: { id: string; name: string; role: 'ansatt' | 'leder' };
  modules: Array<{
    slug: string;
    title: string;
    cell: MatrixCell;
    /** Activities of the major the person works or worked in: done or not, never what they wrote. */
    activities: Array<{ id: string; kind: string; lesson: string; required: boolean; done: boolean }>;
  }>;
}

/** One person's progress, module by module and activity by activity, for a leader of their unit. */
export async function personProgress(ctx: ReportContext, actor: SessionUser, unitId: string, personId: string): Promise<PersonProgressPage> {
  const unit = await ledUnit(ctx, actor, unitId);
  const roster = await readRoster(unitId);
  // An own property only: "__proto__" or "constructor" in the address must not find Object.prototype.
  const entry = Object.hasOwn(roster.members, personId) ? roster.members[personId] : undefined;
  // Only people of this unit: a leader must not reach others by changing the id in the address.
  if (!entry || entry.gone) throw new ForbiddenError(`${personId} is not in unit ${unitId}`);
  assertCan(actor, 'person:view-progress', { ownerId: personId, unitIds: [unitId] });
  const matrix = await unitMatrix(ctx, actor, unitId);
  const row = matrix.rows.find((r) => r.id === personId)!;
  const modules = await Promise.all(
    matrix.modules.map(async (m, i) => {
      const cell = row.cells[i]!;
      const major = entry.m[m.slug]?.mj ?? null;
      if (major === null) return { slug: m.slug, title: m.title, cell, activities: [] };
      const progress = await progressStateOf(personId, m.slug, major);
      const version = progress ? await learningVersion(`${m.slug}@${major}.${progress.minor}`) : null;
      if (!version) return { slug: m.slug, title: m.title, cell, activities: [] };
      const states = activityStates(version, progress?.activities ?? {});
      const lessonTitle = new Map(version.lessons.map((l) => [l.slug, l.title]));
      return {
        slug: m.slug,
        title: m.title,
        cell,
        activities: version.activities.filter((a) => shownToLeaders(a.kind)).map((a) => ({ id: a.id, kind: a.kind, lesson: lessonTitle.get(a.lesson) ?? a.lesson, required: a.required, done: isActivityComplete(a.kind, a.settings, states[a.id]) })),
      };
    }),
  );
  return { unit, person: { id: personId, name: entry.n, role: entry.r }, modules };
}
