import type { Logger } from '../lib/logger.js';
import { completingAction } from '../activities/index.js';
import { prng, between, pick } from '../lib/prng.js';
import { isoDate, todayDateOnly } from '../lib/dates.js';
import { DEMO_ORGANISATION, findUnitIdsByName } from '../components/organisation/index.js';
import { DEMO_USERS, ensureUsers, toSessionUser, unitMembers, UserModel } from '../components/accounts/index.js';
import type { SessionUser } from '../web/session-user.js';
import { createAssignment } from '../components/assignments/index.js';
import { CatalogueCache, LearningService, ProgressService, type LearningVersion } from '../components/learning/index.js';
import { TeamSessionService } from '../components/teams/index.js';
import type { ReportService } from '../components/reports/index.js';

/**
 * A demo municipality that looks lived in: about 400 staff in 25 units with twelve months of history
 * (assignments with deadlines, completions spread over the year, some units far ahead and some
 * behind, people past the deadline, completions due for renewal, team sessions held with attendance).
 *
 * Everything goes through the services, with their `now` set to the day it happened, so summaries and
 * certificates are what real use would have left. Deterministic (a fixed seed and fixed name lists)
 * and idempotent: the generated people are the marker, and every step fills in only what is missing.
 */

const SEED = 2026;
const DAY = 86_400_000;

const FIRST_NAMES = [
  'Anne', 'Marius', 'Ingrid', 'Jonas', 'Sofie', 'Emil', 'Nora', 'Henrik', 'Ida', 'Magnus', 'Thea', 'Sander', 'Emma', 'Kristian', 'Maja', 'Tobias',
  'Sara', 'Andreas', 'Hanne', 'Eirik', 'Linnea', 'Mathias', 'Julie', 'Sindre', 'Tone', 'Ali', 'Fatima', 'Amir', 'Leila', 'Piotr', 'Agnieszka', 'Tomas',
  'Aino', 'Nils', 'Elin', 'Ole', 'Liv', 'Håkon', 'Mari', 'Trond', 'Silje', 'Bjørn', 'Karin', 'Yusuf', 'Hiba', 'Mikael', 'Vilde', 'Tor',
] as const;

const LAST_NAMES = [
  'Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen', 'Kristiansen', 'Jensen', 'Karlsen', 'Johnsen', 'Pettersen', 'Eriksen',
  'Berg', 'Haugen', 'Hagen', 'Johannessen', 'Andreassen', 'Jacobsen', 'Dahl', 'Jørgensen', 'Halvorsen', 'Henriksen', 'Lund', 'Sørensen', 'Jakobsen',
  'Moen', 'Gundersen', 'Iversen', 'Strand', 'Solberg', 'Svendsen', 'Eide', 'Knutsen', 'Martinsen', 'Paulsen', 'Bakken', 'Kristoffersen', 'Mathisen',
  'Lie', 'Rasmussen', 'Amundsen', 'Lunde', 'Ahmed', 'Khan', 'Nowak', 'Ali', 'Hussein', 'Kowalski', 'Nguyen',
] as const;

/** Staff per unit type (inclusive range); together about 400 people. */
const SIZES: Record<string, readonly [number, number]> = { barnehage: [11, 17], skole: [22, 32], sfo: [6, 11], ppt: [9, 9] };

/** The module each unit type works on next, besides the common one. */
const SECOND_MODULE: Record<string, string> = { barnehage: 'medvirkning', skole: 'bekymringsfullt-skolefravaer', sfo: 'samspill-og-forebygging', ppt: 'laget-rundt-barnet' };
const COMMON_MODULE = 'inkluderende-fellesskap';

export const DEMO_STAFF_DOMAIN = 'demo.fellesskap.example';

const slugOf = (name: string) =>
  name
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

interface PlannedPerson {
  email: string;
  name: string;
  unit: string;
  role: 'ansatt' | 'leder';
}

interface PlannedUnit {
  name: string;
  type: string;
  /** How far along the unit is: the chance each person has completed an assigned module. */
  pace: number;
}

/** The generated people and the units' pace, the same on every machine. */
export function demoMunicipalityPlan(): { units: PlannedUnit[]; people: PlannedPerson[] } {
  const random = prng(SEED);
  const led = new Set(DEMO_USERS.flatMap((u) => (u.memberships ?? []).filter((m) => m.role === 'leder').map((m) => m.unit)));
  const units: PlannedUnit[] = [];
  const people: PlannedPerson[] = [];
  const used = new Set<string>();
  let n = 0;
  const person = (unit: string, role: 'ansatt' | 'leder') => {
    let name: string;
    do name = `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`;
    while (used.has(name) && used.size < FIRST_NAMES.length * LAST_NAMES.length);
    used.add(name);
    n += 1;
    people.push({ email: `${slugOf(name)}.${n}@${DEMO_STAFF_DOMAIN}`, name, unit, role });
  };
  const paces = [0.92, 0.8, 0.65, 0.5, 0.35, 0.2];
  for (const { units: list } of DEMO_ORGANISATION) {
    for (const unit of list) {
      units.push({ name: unit.name, type: unit.type, pace: pick(random, paces) });
      if (!led.has(unit.name)) person(unit.name, 'leder');
      const [min, max] = SIZES[unit.type] ?? [8, 12];
      for (let i = between(random, min, max); i > 0; i -= 1) person(unit.name, 'ansatt');
    }
  }
  // Solsikken barnehage is the styrer's demo unit: well under way, with some people behind.
  const solsikken = units.find((u) => u.name === 'Solsikken barnehage');
  if (solsikken) solsikken.pace = 0.65;
  return { units, people };
}

export interface DemoMunicipalityResult {
  people: number;
  assignments: number;
  completions: number;
  sessions: number;
}

/** Idempotent; returns what it created. `now` is the first start (history reaches twelve months back). */
export async function seedDemoMunicipality(logger: Logger, reports: ReportService, now = new Date()): Promise<DemoMunicipalityResult> {
  const result: DemoMunicipalityResult = { people: 0, assignments: 0, completions: 0, sessions: 0 };
  const plan = demoMunicipalityPlan();
  const last = plan.people[plan.people.length - 1];
  // The last generated person is created last: when it exists, the history was made before.
  if (!last || (await UserModel.exists({ email: { $eq: last.email } }))) return result;

  const today = todayDateOnly(now);
  const start = new Date(today.getTime() - 365 * DAY);
  const unitIds = await findUnitIdsByName(plan.units.map((u) => u.name));
  // Read once, afresh: the seed keeps no catalogue.
  const published = (await new CatalogueCache().get()).bySlug;
  const versions = new Map<string, LearningVersion>([...published].map(([slug, item]) => [slug, item.latest]));
  const random = prng(SEED + 1);

  // Measure 3 counts the common module, with a target by next summer.
  await reports.saveReportSettings({ kjerne: 'valgt', moduler: [COMMON_MODULE], 'mal-all-prosent': '80', 'mal-all-frist': `${today.getUTCFullYear() + (today.getUTCMonth() >= 6 ? 1 : 0)}-06-30` });

  // Assignments: the common module a year ago with a deadline three months back; each type's own
  // module four months ago with a deadline ahead. Solsikken keeps its own demo assignments and gets
  // one more that is past its deadline.
  const assignments: Array<{ unit: string; slug: string; createdAt: Date; deadline: Date }> = [];
  for (const unit of plan.units) {
    const unitId = unitIds.get(unit.name);
    if (!unitId) continue;
    const mine =
      unit.name === 'Solsikken barnehage'
        ? [{ slug: 'voksenrollen', createdAt: new Date(today.getTime() - 300 * DAY), deadline: new Date(today.getTime() - 40 * DAY) }]
        : [
            { slug: COMMON_MODULE, createdAt: new Date(today.getTime() - 340 * DAY), deadline: new Date(today.getTime() - 90 * DAY) },
            { slug: SECOND_MODULE[unit.type] ?? 'medvirkning', createdAt: new Date(today.getTime() - 120 * DAY), deadline: new Date(today.getTime() + 45 * DAY) },
          ];
    for (const a of mine) {
      if (!versions.has(a.slug)) continue;
      await createAssignment(
        { moduleSlug: a.slug, target: { kind: 'unit', unitId }, deadline: a.deadline, createdBy: { id: null, name: 'Demodata' } },
        { id: `demo-${slugOf(unit.name)}-${a.slug}`, now: a.createdAt },
      );
      assignments.push({ unit: unit.name, ...a });
      result.assignments += 1;
    }
    if (unit.name === 'Solsikken barnehage') {
      // Its own demo assignments (created with the other demo data) are on these two modules.
      for (const slug of [COMMON_MODULE, 'medvirkning']) assignments.push({ unit: unit.name, slug, createdAt: start, deadline: new Date(today.getTime() + 30 * DAY) });
    }
  }

  // People, then their history: each assigned module completed with the unit's pace, on a day
  // between the assignment and today (some after the deadline). Written in bulk: a first start
  // must stay quick on the embedded database, where every write is a round trip and a sync.
  const progress = new ProgressService(logger);
  const byUnit = new Map(plan.units.map((u) => [u.name, u]));
  const planned = plan.people.filter((p) => unitIds.has(p.unit));
  const ensured = await ensureUsers(
    planned.map((p) => ({ email: p.email, name: p.name, memberships: [{ unitId: unitIds.get(p.unit)!, role: p.role, startDate: new Date(start.getTime() - between(random, 30, 900) * DAY) }] })),
  );
  result.people = ensured.filter((e) => e.created).length;
  const completions: Parameters<ProgressService['completeManyAsOf']>[0][number][] = [];
  planned.forEach((p, i) => {
    const unitId = unitIds.get(p.unit)!;
    const pace = byUnit.get(p.unit)!.pace + (p.role === 'leder' ? 0.15 : 0);
    for (const a of assignments.filter((x) => x.unit === p.unit)) {
      const version = versions.get(a.slug);
      if (!version || random() >= pace) continue;
      const span = Math.max(DAY, today.getTime() - a.createdAt.getTime());
      // Never after `now`: a completion later today would only count from then on.
      const completedAt = new Date(Math.min(a.createdAt.getTime() + Math.floor(random() ** 1.3 * span) + between(random, 8, 15) * 3_600_000, now.getTime() - 60_000));
      const startedAt = new Date(Math.max(a.createdAt.getTime(), completedAt.getTime() - between(random, 2, 30) * DAY));
      completions.push({ userId: ensured[i]!.id, version, unitIds: [unitId], startedAt, completedAt });
    }
  });
  // Renewal every 12 months for the common module, so last year's first completions are due now.
  // Saved before the history: the summaries are rebuilt once at the end, over the whole history.
  if (versions.has(COMMON_MODULE)) await reports.saveRenewalRules({ [`mnd-${COMMON_MODULE}`]: '12' });
  await reports.whenIdle();
  // The history in bulk, without an event per record: the rebuild at the end counts it all at once.
  result.completions = await progress.completeManyAsOf(
    respectingPrerequisites(completions, (slug) => versions.get(slug)?.prerequisites ?? []),
    { announce: false },
  );

  // Some of those who have not finished the common module have started it: its first activities,
  // a few weeks ago.
  const common = versions.get(COMMON_MODULE);
  if (common && common.activities.length > 1) {
    const done = new Set(completions.filter((c) => c.version.slug === COMMON_MODULE).map((c) => c.userId));
    const started: typeof completions = [];
    for (const [i, p] of planned.entries()) {
      const id = ensured[i]!.id;
      if (done.has(id) || random() >= 0.4) continue;
      const at = new Date(today.getTime() - between(random, 3, 60) * DAY + between(random, 8, 15) * 3_600_000);
      started.push({ userId: id, version: common, unitIds: [unitIds.get(p.unit)!], startedAt: at, completedAt: at, activitiesDone: between(random, 1, common.activities.length - 1) });
    }
    await progress.completeManyAsOf(started, { announce: false });
  }

  // Only the demo's own people are marked present: a unit may hold others (the drill's learners).
  const demoPeople = new Set([...ensured.map((e) => e.id), ...(await UserModel.find({ email: { $in: DEMO_USERS.map((u) => u.email) } }, { _id: 1 }).lean()).map((u) => String(u._id))]);
  result.sessions = await heldTeamSessions(logger, now, unitIds, versions, demoPeople);
  // The demo staff member's own history: one module done over the autumn, with her reflections.
  await ownHistory(new LearningService(progress, logger, ''), now, versions);
  await reports.rebuild();
  return result;
}

/** Two team sessions held a few weeks ago, with attendance, by the demo leaders of their units. */
async function heldTeamSessions(logger: Logger, now: Date, unitIds: Map<string, string>, versions: Map<string, LearningVersion>, demoPeople: ReadonlySet<string>): Promise<number> {
  const sessions = new TeamSessionService(new LearningService(new ProgressService(logger), logger, ''), logger);
  const activity = (await sessions.activities()).find((a) => a.value.startsWith(`${COMMON_MODULE}/`));
  if (!activity || !versions.has(COMMON_MODULE)) return 0;
  const random = prng(SEED + 2);
  const held = [
    { id: '00000000-0000-4000-8000-00000000d311', unit: 'Solsikken barnehage', leader: 'styrer@fellesskap.example', daysAgo: 21, place: 'Personalrommet' },
    { id: '00000000-0000-4000-8000-00000000d312', unit: 'Nordbyen skole', leader: 'rektor@fellesskap.example', daysAgo: 35, place: 'Lærerværelset' },
  ];
  let count = 0;
  for (const s of held) {
    const unitId = unitIds.get(s.unit);
    const leaderDoc = await UserModel.findOne({ email: { $eq: s.leader } }).lean();
    if (!unitId || !leaderDoc) continue;
    const day = new Date(todayDateOnly(now).getTime() - s.daysAgo * DAY);
    const planned = new Date(day.getTime() - 14 * DAY);
    const leader: SessionUser = toSessionUser(leaderDoc, planned);
    await sessions.plan(leader, unitId, { activity: activity.value, date: isoDate(day), time: '14:00', place: s.place, facilitator: leaderDoc.name }, planned, s.id);
    const after = new Date(day.getTime() + 20 * 3_600_000);
    const members = await unitMembers(unitId, after);
    const present = members.filter((m) => demoPeople.has(m.id) && random() < 0.8).map((m) => m.id);
    await sessions.recordAttendance(toSessionUser(leaderDoc, after), unitId, s.id, present, after);
    count += 1;
  }
  return count;
}

/**
 * Kari Nordmann (ansatt@) completed Medvirkning in October, activity by activity, as a learner does:
 * through the learning service, which checks the learning rules (her styrer records the team session).
 */
async function ownHistory(learning: LearningService, now: Date, versions: Map<string, LearningVersion>): Promise<void> {
  const version = versions.get('medvirkning');
  const [kari, styrer] = await Promise.all(
    ['ansatt@fellesskap.example', 'styrer@fellesskap.example'].map((email) => UserModel.findOne({ email: { $eq: email } }).lean()),
  );
  if (!version || !kari || !styrer) return;
  let at = new Date(todayDateOnly(now).getTime() - 60 * DAY + 9 * 3_600_000);
  for (const [i, activity] of version.activities.entries()) {
    const { action, input } = completingAction(activity.kind, activity.settings);
    if (activity.learnerAction === action) {
      await learning.act(toSessionUser(kari, at), { slug: version.slug, lessonSlug: activity.lesson, activityId: activity.id, action, input, actionId: `demo-history-${i}`, now: at });
    } else {
      await learning.recordTeamAttendance(toSessionUser(styrer, at), { personId: String(kari._id), slug: version.slug, activityId: activity.id, attended: true, now: at });
    }
    at = new Date(at.getTime() + (i % 3 === 2 ? 7 * DAY : 20 * 60_000));
  }
}

/**
 * The history keeps the learning rules: a module with prerequisites is completed only by someone who
 * completed each of them earlier (in the order of the completion dates).
 */
function respectingPrerequisites<T extends { userId: string; version: { slug: string }; completedAt: Date }>(planned: readonly T[], prerequisitesOf: (slug: string) => readonly string[]): T[] {
  const done = new Map<string, Set<string>>();
  const kept: T[] = [];
  for (const c of [...planned].sort((a, b) => a.completedAt.getTime() - b.completedAt.getTime())) {
    const mine = done.get(c.userId) ?? new Set<string>();
    if (!prerequisitesOf(c.version.slug).every((p) => mine.has(p))) continue;
    mine.add(c.version.slug);
    done.set(c.userId, mine);
    kept.push(c);
  }
  return kept;
}
