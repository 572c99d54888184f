import type { AppConfig } from '../../config/index.js';
import type { Logger } from '../../lib/logger.js';
import { isoDate, todayDateOnly } from '../../lib/dates.js';
import { osloWeekStart, weeklyMomentPassed } from '../../lib/oslo-time.js';
import { followUpsToAsk, type LearningService, type ProgressService } from '../learning/index.js';
import { allAssignmentRecords, assignmentsFor } from '../assignments/index.js';
import { peopleForDigest, type DigestPerson } from '../accounts/index.js';
import { unitsByIds } from '../organisation/index.js';
import type { Mailer } from '../mail/index.js';
import { DigestRunModel, reminderId } from './models.js';
import { assignedState, moduleTitle } from './status.js';
import { claimAndSend } from './reminders.service.js';
import { digestMail } from './mail-templates.js';
import { unsubscribeToken } from './unsubscribe.js';

/** Staff are told about deadlines this many days ahead. */
export const DIGEST_HORIZON_DAYS = 14;

export interface DigestReport {
  /** The week's Monday (Oslo), the digest's once-a-week key. */
  week: string;
  people: number;
  sent: number;
  /** Already had this week's digest. */
  skipped: number;
  optedOut: number;
  /** Nothing due within the horizon and no overdue staff to report: no mail. */
  nothingToSay: number;
  failed: number;
}

interface Upcoming {
  moduleSlug: string;
  deadline: Date;
}

/**
 * The weekly digest. Staff with deadlines in the next 14 days get their modules and dates; leaders
 * get, for the units they lead and only those, how many are overdue and who, per module; anyone who
 * completed a module three to six months ago and has not answered its follow-up gets a link to it
 * («Har du endret noe i praksis?»). One mail
 * per person and week however often it runs (the `_id` of the sent-log entry is per week), and none
 * to people who switched it off.
 *
 * Cost: one pass over the people who work somewhere, with a few `_id` reads each (their assignment
 * targets, their learning summary, and a follow-up answer per module due for one) — a weekly job, not a request path.
 */
/** What the digest is sent with: the app's services (its learning service for the catalogue). */
export interface DigestDeps {
  progress: ProgressService;
  learning: Pick<LearningService, 'catalogue'>;
  logger: Logger;
  mailer: Mailer;
  secret: string;
}

export async function runDigest(deps: DigestDeps, now = new Date()): Promise<DigestReport> {
  const week = osloWeekStart(now);
  const today = todayDateOnly(now);
  const horizon = new Date(today.getTime() + DIGEST_HORIZON_DAYS * 86_400_000);
  const [records, cat] = await Promise.all([allAssignmentRecords(), deps.learning.catalogue()]);
  const recordById = new Map(records.map((r) => [r.id, r]));

  const people: DigestPerson[] = [];
  const upcomingOf = new Map<string, Upcoming[]>();
  /** Modules completed three to six months ago whose follow-up the person has not answered. */
  const followUpsOf = new Map<string, string[]>();
  const slugs = cat.items.map((i) => i.slug);
  /** unitId → moduleSlug → names of people behind. */
  const overdueIn = new Map<string, Map<string, string[]>>();

  for await (const person of peopleForDigest(now)) {
    people.push(person);
    const [assignments, summary] = await Promise.all([assignmentsFor({ id: person.id, memberOf: person.memberOf }), deps.progress.summary(person.id)]);
    const followUps = await followUpsToAsk(person.id, summary, slugs, now);
    if (followUps.length) followUpsOf.set(person.id, followUps);
    const assigned = assignments.filter((a) => a.deadline && a.deadline.getTime() <= horizon.getTime());
    if (!assigned.length) continue;
    for (const a of assigned) {
      if (assignedState(summary, cat, a.moduleSlug).state === 'completed') continue;
      if (a.deadline!.getTime() >= today.getTime()) {
        upcomingOf.set(person.id, [...(upcomingOf.get(person.id) ?? []), { moduleSlug: a.moduleSlug, deadline: a.deadline! }]);
        continue;
      }
      // Overdue: counted in the unit the assignment came through (or whose leader chose the person).
      const unitId = a.unitId ?? recordById.get(a.id)?.unitId ?? null;
      if (!unitId || !person.memberOf.includes(unitId)) continue;
      const byModule = overdueIn.get(unitId) ?? new Map<string, string[]>();
      byModule.set(a.moduleSlug, [...(byModule.get(a.moduleSlug) ?? []), person.name]);
      overdueIn.set(unitId, byModule);
    }
  }

  const unitNames = await unitsByIds([...new Set(people.flatMap((p) => p.leaderOf))]);
  const report: DigestReport = { week, people: people.length, sent: 0, skipped: 0, optedOut: 0, nothingToSay: 0, failed: 0 };
  for (const person of people) {
    const upcoming = upcomingOf.get(person.id) ?? [];
    const units = person.leaderOf
      .filter((u) => overdueIn.has(u) && unitNames.has(u) && !unitNames.get(u)!.closed)
      .map((u) => {
        const modules = [...overdueIn.get(u)!].map(([slug, names]) => ({ moduleTitle: moduleTitle(cat, slug), people: [...names].sort((a, b) => a.localeCompare(b, 'nb')) }));
        return { unitName: unitNames.get(u)!.name, overdue: new Set(modules.flatMap((m) => m.people)).size, modules };
      });
    const followUps = followUpsOf.get(person.id) ?? [];
    if (!upcoming.length && !units.length && !followUps.length) {
      report.nothingToSay += 1;
      continue;
    }
    if (person.digestOptOut) {
      report.optedOut += 1;
      continue;
    }
    const outcome = await claimAndSend(
      { id: reminderId(person.id, 'digest', 'week', week), userId: person.id, kind: 'digest', ref: 'week', day: week },
      () =>
        deps.mailer.send({
          to: person.email,
          template: digestMail,
          params: {
            name: person.name,
            upcoming: upcoming.sort((a, b) => a.deadline.getTime() - b.deadline.getTime()).map((u) => ({ moduleTitle: moduleTitle(cat, u.moduleSlug), deadline: isoDate(u.deadline) })),
            units,
            followUps: followUps.map((slug) => ({ moduleTitle: moduleTitle(cat, slug), link: deps.mailer.absoluteUrl(`/moduler/${slug}/oppfolging`) })),
            myCoursesLink: deps.mailer.absoluteUrl('/mine-kurs'),
            leaderLink: deps.mailer.absoluteUrl('/leder'),
            settingsLink: deps.mailer.absoluteUrl('/varsler'),
            unsubscribeLink: deps.mailer.absoluteUrl(`/varsler/avmeld/${unsubscribeToken(deps.secret, person.id)}`),
          },
        }),
      now,
      deps.logger,
    );
    report[outcome] += 1;
  }
  deps.logger.info({ ...report }, 'weekly digest');
  return report;
}

/**
 * Runs this week's digest if its moment (weekday and hour, Oslo time) has passed and it has not
 * finished yet. Several instances may call this at once: each person's mail is still sent once.
 */
export async function runDigestIfDue(deps: DigestDeps & { schedule: { weekday: number; hour: number } }, now = new Date()): Promise<DigestReport | null> {
  if (!weeklyMomentPassed(now, deps.schedule)) return null;
  const week = osloWeekStart(now);
  const run = await DigestRunModel.findById(week).lean();
  if (run?.finishedAt) return null;
  await DigestRunModel.updateOne({ _id: { $eq: week } }, { $setOnInsert: { startedAt: now, finishedAt: null, report: null } }, { upsert: true });
  const report = await runDigest(deps, now);
  await DigestRunModel.updateOne({ _id: { $eq: week } }, { $set: { finishedAt: new Date(), report } });
  return report;
}

/**
 * The digest's schedule inside the server process: a check every few minutes whether this week's
 * digest is due. A plain timer rather than `atMostEvery` (which runs on traffic): the digest must go
 * out on a quiet Monday morning too. Returns a function that stops it (graceful shutdown).
 */
export function startDigestSchedule(config: Pick<AppConfig, 'digest' | 'sessionSecret'>, deps: Omit<DigestDeps, 'secret'>, intervalMs = 10 * 60 * 1000): () => void {
  const log = deps.logger.child({ component: 'digest' });
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = runDigestIfDue({ progress: deps.progress, learning: deps.learning, logger: log, mailer: deps.mailer, secret: config.sessionSecret, schedule: config.digest })
      .catch((err: unknown) => log.error({ err }, 'weekly digest failed; the next check tries again'))
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(tick, 30_000);
  const timer = setInterval(tick, intervalMs);
  first.unref();
  timer.unref();
  log.info({ weekday: config.digest.weekday, hour: config.digest.hour }, 'weekly digest scheduled');
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}

/** When the weekly digest last finished, on any instance (for /metrics); null when it never has. */
export async function lastDigestFinishedAt(): Promise<Date | null> {
  const run = await DigestRunModel.findOne({ finishedAt: { $ne: null } }, { finishedAt: 1 }).sort({ finishedAt: -1 }).lean<{ finishedAt: Date } | null>();
  return run?.finishedAt ?? null;
}
