import { createHash } from 'node:crypto';
import { modulesForReports } from '../modules/index.js';
import { listDistricts, listUnits, type UnitView } from '../organisation/index.js';
import { allCompletions, allLearnerModules, completionTimesOf, learnerModulesOf, type LearnerModules } from '../learning/index.js';
import { unitAssignmentRecords } from '../assignments/index.js';
import { personForReports, peopleForReports, type PersonForReports } from '../accounts/index.js';
import type { ReportContext } from './context.js';
import type { MembershipRecord, PersonFacts, PersonRecord, ReportModule } from './roster.js';

/**
 * What reports read from other components, through their index. Module and organisation structure
 * change rarely and are read in full, so they are kept in the app's report context for a short while
 * (configurable; none in tests): a unit renamed a moment ago may show its old name for that long.
 * Counts are never cached this way — they come from versioned summary documents.
 */

/** Drops the cached structure, so the next read sees a change made a moment ago. */
export function forgetStructure(ctx: ReportContext): void {
  ctx.structure.clear();
}

function cached<T>(ctx: ReportContext, key: string, load: () => Promise<T>): Promise<T> {
  const caches = ctx.structure;
  const now = Date.now();
  const hit = caches.get(key);
  if (hit && now - hit.at < ctx.cacheMs) return hit.value as Promise<T>;
  const value = load();
  caches.set(key, { at: now, value });
  value.catch(() => {
    if (caches.get(key)?.value === value) caches.delete(key);
  });
  return value;
}

export interface ReportCatalogue {
  /** Modules staff can take, by title: the ones counted. */
  modules: ReportModule[];
  /** Changes when a module is added, removed or gets a new major (then everyone is recomputed). */
  signature: string;
}

/** The modules reports count (active and published), with their majors' publication dates. */
export function reportCatalogue(ctx: ReportContext): Promise<ReportCatalogue> {
  return cached(ctx, 'catalogue', async () => {
    const modules = (await modulesForReports())
      .filter((m) => m.listed)
      .map((m) => ({ slug: m.slug, title: m.title, measures: m.measures, releases: m.releases }));
    const signature = createHash('sha256')
      .update(JSON.stringify(modules.map((m) => [m.slug, m.releases.map((r) => [r.major, r.publishedAt.toISOString()])])))
      .digest('hex')
      .slice(0, 16);
    return { modules, signature };
  });
}

export interface OrgStructure {
  /** Open units (the ones reported). */
  units: UnitView[];
  /** Every unit by id, closed ones included (names for leaders' lists). */
  byId: Map<string, UnitView>;
  districts: Map<string, { id: string; name: string }>;
  /** Changes when units or districts change (part of the key of the cached report model). */
  signature: string;
}

export function orgStructure(ctx: ReportContext): Promise<OrgStructure> {
  return cached(ctx, 'org', async () => {
    const [units, districts] = await Promise.all([listUnits({ status: 'all' }), listDistricts({ includeClosed: true })]);
    const open = units.filter((u) => !u.closed);
    const signature = createHash('sha256')
      .update(JSON.stringify(open.map((u) => [u.id, u.name, u.type, u.districtId])))
      .update(JSON.stringify(districts.map((d) => [d.id, d.name])))
      .digest('hex')
      .slice(0, 16);
    return { units: open, byId: new Map(units.map((u) => [u.id, u])), districts: new Map(districts.map((d) => [d.id, { id: d.id, name: d.name }])), signature };
  });
}

function memberships(person: PersonForReports): MembershipRecord[] {
  return person.memberships.map((m) => ({ unitId: m.unitId, role: m.role, startDate: m.startDate.toISOString(), endDate: m.endDate ? m.endDate.toISOString() : null }));
}

/** The person's name, status and memberships from accounts (null: no such person). */
export async function accountOf(userId: string): Promise<Pick<PersonRecord, 'name' | 'status' | 'memberships'> | null> {
  const person = await personForReports(userId);
  return person ? { name: person.name, status: person.status, memberships: memberships(person) } : null;
}

export async function* allAccounts(): AsyncGenerator<{ id: string } & Pick<PersonRecord, 'name' | 'status' | 'memberships'>> {
  for await (const person of peopleForReports()) yield { id: person.id, name: person.name, status: person.status, memberships: memberships(person) };
}

/**
 * Facts from the learner's own summary: started, completed and percent per module and major. A
 * completion counts if the summary or the append-only completion fact says so; the fact's time wins.
 */
function factsFromLearner(modules: LearnerModules | undefined): PersonFacts {
  const facts: PersonFacts = {};
  for (const [slug, majors] of Object.entries(modules ?? {})) {
    for (const [key, entry] of Object.entries(majors ?? {})) {
      const major = key.replace(/^m/, '');
      if (!/^\d+$/.test(major) || !entry) continue;
      const fact: { st?: string; c?: string; pc?: number } = {};
      if (entry.startedAt) fact.st = new Date(entry.startedAt).toISOString();
      if (entry.completedAt) fact.c = new Date(entry.completedAt).toISOString();
      if (typeof entry.percent === 'number') fact.pc = entry.percent;
      (facts[slug] ??= {})[major] = fact;
    }
  }
  return facts;
}

function addCompletion(facts: PersonFacts, slug: string, major: number | string, completedAt: Date): void {
  const fact = ((facts[slug] ??= {})[String(major)] ??= {});
  const iso = completedAt.toISOString();
  fact.c = iso;
  if (!fact.st || fact.st > iso) fact.st = iso;
}

/**
 * One person's facts from learning: their summary (one lookup), and for every major the summary does
 * not show as completed, the completion fact by its id — the summary is written just after the fact,
 * so a recomputation in between must not miss a completion.
 */
export async function learningFactsOf(userId: string, hints: ReadonlyArray<{ slug: string; major: number }> = []): Promise<PersonFacts> {
  const facts = factsFromLearner(await learnerModulesOf(userId));
  for (const hint of hints) (facts[hint.slug] ??= {})[String(hint.major)] ??= {};
  const open = Object.entries(facts).flatMap(([slug, majors]) => Object.entries(majors).filter(([, f]) => !f.c).map(([major]) => ({ slug, major: Number(major) })));
  const completedAt = await completionTimesOf(userId, open);
  completedAt.forEach((at, i) => {
    if (at) addCompletion(facts, open[i]!.slug, open[i]!.major, at);
  });
  return facts;
}

/** Every person's facts for the rebuild: the learners' summaries and all completion facts. */
export async function scanLearning(): Promise<Map<string, PersonFacts>> {
  const facts = new Map<string, PersonFacts>();
  for await (const learner of allLearnerModules()) facts.set(learner.userId, factsFromLearner(learner.modules));
  for await (const c of allCompletions()) {
    const person = facts.get(c.userId) ?? {};
    facts.set(c.userId, person);
    addCompletion(person, c.moduleSlug, c.major, c.completedAt);
  }
  return facts;
}

/** What a unit has been asked to take (module, deadline, everyone or named people). */
export async function assignmentsOfUnit(unitId: string): Promise<Array<{ moduleSlug: string; deadline: Date | null; userIds: string[] | null }>> {
  const records = await unitAssignmentRecords(unitId);
  return records.map((r) => ({ moduleSlug: r.moduleSlug, deadline: r.deadline, userIds: r.target.kind === 'unit' ? null : [...r.target.userIds] }));
}
