import { randomUUID } from 'node:crypto';
import { isRecordedByLeader } from '../../activities/index.js';
import { ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { isoDate, parseDateOnly, todayDateOnly } from '../../lib/dates.js';
import { osloDateAndTime, osloDateTime } from '../../lib/oslo-time.js';
import { assertCan, can } from '../../web/policy.js';
import { PrerequisitesNotMetError, type LearnerNotice, type LearningService } from '../learning/index.js';
import { unitMembers, type UnitMember } from '../accounts/index.js';
import type { SessionUser } from '../../web/session-user.js';
import { MissedSessionModel, missedSessionCollection, TeamSessionModel, type MissedItem } from './models.js';

/** How far back a session can be registered (one held without the platform) and how far ahead planned. */
const MAX_DAYS_BACK = 365;
const MAX_DAYS_AHEAD = 2 * 365;
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Guide {
  title: string;
  minutes: number;
  purposeHtml: string;
  preparation: string[];
  steps: Array<{ title: string; minutes: number; descriptionHtml: string; from: number; to: number }>;
  questions: string[];
  followUpHtml: string | null;
}

export interface TeamActivityChoice {
  /** `<module slug>/<activity id>`, the form value. */
  value: string;
  moduleTitle: string;
  title: string;
  minutes: number;
}

export interface SessionView {
  id: string;
  unitId: string;
  moduleSlug: string;
  moduleTitle: string;
  lessonSlug: string;
  activityId: string;
  title: string;
  startsAt: Date;
  place: string;
  facilitator: string;
  plannedBy: string;
  attendance: { recordedAt: Date; recordedBy: string; present: string[]; roster: Array<{ id: string; name: string }> } | null;
}

export interface PlanInput {
  activity: string;
  date: string;
  time: string;
  place: string;
  facilitator: string;
}

export interface AttendanceResult {
  present: number;
  absent: number;
  /** People whose attendance changed in their progress now (ticked, or a mistaken tick taken back). */
  changed: number;
  /** People for whom this completed the whole module. */
  completedModule: number;
  /** People whose progress could not take the attendance (their module version lacks this session, or its prerequisites are not met). */
  failed: number;
}

type StoredSession = {
  _id: string;
  unitId: string;
  moduleSlug: string;
  moduleTitle: string;
  lessonSlug: string;
  activityId: string;
  guide: Omit<Guide, 'steps'> & { steps: Array<{ title: string; minutes: number; descriptionHtml: string }> };
  startsAt: Date;
  place: string;
  facilitator: string;
  plannedBy: { id: string; name: string };
  attendance?: { recordedAt: Date; recordedBy: { id: string; name: string }; present: string[]; roster: Array<{ id: string; name: string }> } | null;
};

function toView(s: StoredSession): SessionView {
  return {
    id: s._id,
    unitId: s.unitId,
    moduleSlug: s.moduleSlug,
    moduleTitle: s.moduleTitle,
    lessonSlug: s.lessonSlug,
    activityId: s.activityId,
    title: s.guide.title,
    startsAt: s.startsAt,
    place: s.place,
    facilitator: s.facilitator,
    plannedBy: s.plannedBy.name,
    attendance: s.attendance
      ? { recordedAt: s.attendance.recordedAt, recordedBy: s.attendance.recordedBy.name, present: [...s.attendance.present], roster: s.attendance.roster.map((r) => ({ id: r.id, name: r.name })) }
      : null,
  };
}

/** The guide with each step's place in the running time ("0–20 min"), so the facilitator can keep time. */
function withTimes(guide: StoredSession['guide']): Guide {
  let at = 0;
  const steps = guide.steps.map((step) => {
    const from = at;
    at += step.minutes;
    return { title: step.title, minutes: step.minutes, descriptionHtml: step.descriptionHtml, from, to: at };
  });
  return { title: guide.title, minutes: guide.minutes, purposeHtml: guide.purposeHtml, preparation: [...guide.preparation], steps, questions: [...guide.questions], followUpHtml: guide.followUpHtml ?? null };
}

function guideFromView(view: Record<string, unknown>): StoredSession['guide'] {
  const steps = Array.isArray(view.steps) ? (view.steps as Array<{ title?: unknown; minutes?: unknown; descriptionHtml?: unknown }>) : [];
  return {
    title: String(view.title ?? ''),
    minutes: Number(view.minutes ?? 0),
    purposeHtml: String(view.purposeHtml ?? ''),
    preparation: Array.isArray(view.preparation) ? view.preparation.map(String) : [],
    steps: steps.map((s) => ({ title: String(s.title ?? ''), minutes: Number(s.minutes ?? 0), descriptionHtml: String(s.descriptionHtml ?? '') })),
    questions: Array.isArray(view.questions) ? view.questions.map(String) : [],
    followUpHtml: typeof view.followUpHtml === 'string' ? view.followUpHtml : null,
  };
}

/** Team sessions for leaders, and what staff who were absent are shown. */
export class TeamSessionService {
  constructor(
    private readonly learning: Pick<LearningService, 'recordTeamAttendance' | 'catalogue'>,
    private readonly logger: Logger,
  ) {}

  /** Every team-session activity of the published modules, for the planning form. */
  async activities(): Promise<TeamActivityChoice[]> {
    const cat = await this.learning.catalogue();
    return cat.items.flatMap((item) =>
      item.latest.activities
        .filter((a) => isRecordedByLeader(a.kind))
        .map((a) => ({ value: `${item.slug}/${a.id}`, moduleTitle: item.title, title: String(a.view.title ?? a.id), minutes: Number(a.view.minutes ?? 0) })),
    );
  }

  private async load(unitId: string, id: string): Promise<StoredSession> {
    const doc = SESSION_ID.test(id) ? await TeamSessionModel.findById(id).lean<StoredSession>() : null;
    if (!doc || doc.unitId !== unitId) throw new NotFoundError(`team session ${id} in unit ${unitId}`);
    return doc;
  }

  /** A leader plans a session for one of the unit's modules. Returns its id. */
  async plan(actor: SessionUser, unitId: string, input: PlanInput, now = new Date(), id: string = randomUUID()): Promise<string> {
    assertCan(actor, 'unit:lead', { unitId });
    const fields: FieldErrors = {};
    const [slug, activityId] = input.activity.split('/');
    const item = slug ? (await this.learning.catalogue()).bySlug.get(slug) : undefined;
    const activity = item?.latest.activities.find((a) => a.id === activityId && isRecordedByLeader(a.kind));
    if (!item || !activity) fields.activity = 'teams:errors.activity';
    const day = parseDateOnly(input.date.trim());
    const today = todayDateOnly(now);
    if (!input.date.trim()) fields.date = 'teams:errors.dateRequired';
    else if (!day) fields.date = 'teams:errors.dateInvalid';
    else if (day.getTime() < today.getTime() - MAX_DAYS_BACK * 86_400_000) fields.date = 'teams:errors.dateTooOld';
    else if (day.getTime() > today.getTime() + MAX_DAYS_AHEAD * 86_400_000) fields.date = 'teams:errors.dateTooFar';
    if (!input.time.trim()) fields.time = 'teams:errors.timeRequired';
    const startsAt = day ? osloDateTime(input.date, input.time) : null;
    if (!fields.time && !startsAt && day) fields.time = 'teams:errors.timeInvalid';
    const place = input.place.trim();
    if (!place) fields.place = 'teams:errors.placeRequired';
    else if (place.length > 200) fields.place = 'teams:errors.placeTooLong';
    const facilitator = input.facilitator.trim();
    if (!facilitator) fields.facilitator = 'teams:errors.facilitatorRequired';
    else if (facilitator.length > 200) fields.facilitator = 'teams:errors.facilitatorTooLong';
    if (Object.keys(fields).length || !item || !activity || !startsAt) throw new ValidationError('invalid team session', fields);

    await TeamSessionModel.create({
      _id: id,
      unitId,
      moduleSlug: item.slug,
      moduleTitle: item.title,
      lessonSlug: activity.lesson,
      activityId: activity.id,
      guide: guideFromView(activity.view),
      startsAt,
      place,
      facilitator,
      plannedBy: { id: actor.id, name: actor.name },
      createdAt: now,
      attendance: null,
    });
    this.logger.info({ unitId, sessionId: id, module: item.slug, activityId: activity.id }, 'team session planned');
    return id;
  }

  /** The unit's sessions: coming ones (soonest first) and those held or past (latest first). */
  async forUnit(actor: SessionUser, unitId: string, now = new Date()): Promise<{ upcoming: SessionView[]; past: SessionView[] }> {
    assertCan(actor, 'unit:lead', { unitId });
    const sessions = (await TeamSessionModel.find({ unitId: { $eq: unitId } }).lean<StoredSession[]>()).map(toView);
    const startOfToday = osloDateTime(isoDate(todayDateOnly(now)), '00:00')!.getTime();
    const upcoming = sessions.filter((s) => !s.attendance && s.startsAt.getTime() >= startOfToday).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    const past = sessions.filter((s) => !upcoming.includes(s)).sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime());
    return { upcoming, past };
  }

  /**
   * One session for its leader: the guide, and the unit's staff with who is ticked as present
   * (as recorded, or nobody yet) and, once recorded, who was absent.
   */
  async forLeader(actor: SessionUser, unitId: string, id: string, now = new Date()) {
    assertCan(actor, 'unit:lead', { unitId });
    const stored = await this.load(unitId, id);
    const session = toView(stored);
    const members = await unitMembers(unitId, now);
    const present = new Set(session.attendance?.present ?? []);
    const absent = session.attendance ? session.attendance.roster.filter((r) => !present.has(r.id)) : [];
    return {
      session,
      guide: withTimes(stored.guide),
      staff: members.map((m) => ({ id: m.id, name: m.name, present: present.has(m.id) })),
      absent,
      canRecord: this.mayRecordYet(stored, now),
      dateValue: osloDateAndTime(stored.startsAt),
    };
  }

  /** Attendance can be recorded from the day of the session (not for one that has not happened). */
  private mayRecordYet(session: Pick<StoredSession, 'startsAt'>, now: Date): boolean {
    return osloDateAndTime(session.startsAt).date <= isoDate(todayDateOnly(now));
  }

  /**
   * Records who was there. Attendance completes the team-session activity for each person present
   * (through learning, so the module completes when it was the last required activity). Recording the
   * same again changes nothing. Untick a mistaken tick and the person's activity is taken back unless
   * another session counts for them; a completed module stays completed (completion never regresses).
   */
  async recordAttendance(actor: SessionUser, unitId: string, id: string, presentIds: readonly string[], now = new Date()): Promise<AttendanceResult> {
    assertCan(actor, 'unit:lead', { unitId });
    const stored = await this.load(unitId, id);
    if (!this.mayRecordYet(stored, now)) throw new ValidationError('session has not happened', { attendance: 'teams:errors.notYet' });
    const members: UnitMember[] = await unitMembers(unitId, now);
    const memberIds = new Set(members.map((m) => m.id));
    const present = new Set(presentIds);
    if ([...present].some((p) => !memberIds.has(p))) throw new ValidationError('not in unit', { attendance: 'teams:errors.notInUnit' });
    const before = new Set(stored.attendance?.present ?? []);
    const untick = [...before].filter((p) => !present.has(p) && memberIds.has(p));
    const elsewhere = await this.presentElsewhere(stored, [...members.map((m) => m.id)]);

    let changed = 0;
    let completedModule = 0;
    let failed = 0;
    const record = async (personId: string, attended: boolean) => {
      try {
        const result = await this.learning.recordTeamAttendance(actor, { personId, slug: stored.moduleSlug, activityId: stored.activityId, attended, now });
        if (result.applied) changed += 1;
        if (result.completedNow) completedModule += 1;
      } catch (err) {
        // Someone still working in an older major version without this activity, or who has not
        // completed the module's prerequisites (attendance must not start a locked module): the
        // others are recorded, and the leader is told how many could not be.
        if (!(err instanceof NotFoundError) && !(err instanceof PrerequisitesNotMetError)) throw err;
        failed += 1;
        this.logger.warn({ sessionId: id, personId, reason: err.message }, 'team session attendance not recorded for a person');
      }
    };
    for (const m of members) {
      if (present.has(m.id)) await record(m.id, true);
    }
    for (const personId of untick) {
      if (!elsewhere.has(personId)) await record(personId, false);
    }

    const roster = members.map((m) => ({ id: m.id, name: m.name }));
    const sameAsStored = stored.attendance && before.size === present.size && [...present].every((p) => before.has(p)) && sameRoster(stored.attendance.roster, roster);
    if (!sameAsStored) {
      await TeamSessionModel.updateOne(
        { _id: { $eq: stored._id } },
        { $set: { attendance: { recordedAt: now, recordedBy: { id: actor.id, name: actor.name }, present: [...present], roster } } },
      );
    }
    await this.updateMissed(stored, members, present, elsewhere);
    this.logger.info({ unitId, sessionId: id, present: present.size, absent: members.length - present.size, changed }, 'team session attendance saved');
    return { present: present.size, absent: members.length - present.size, changed, completedModule, failed };
  }

  /** Of these people, those recorded present at another session of the same activity. */
  private async presentElsewhere(session: StoredSession, personIds: string[]): Promise<Set<string>> {
    const others = await TeamSessionModel.find(
      { moduleSlug: { $eq: session.moduleSlug }, activityId: { $eq: session.activityId }, _id: { $ne: session._id }, 'attendance.present': { $in: personIds } },
      { 'attendance.present': 1 },
    ).lean<Array<Pick<StoredSession, 'attendance'>>>();
    const wanted = new Set(personIds);
    return new Set(others.flatMap((o) => o.attendance?.present ?? []).filter((p) => wanted.has(p)));
  }

  /**
   * Absent people are told what they missed (until they attend a session of the same activity);
   * people present have every missed session of that activity cleared.
   */
  private async updateMissed(session: StoredSession, members: UnitMember[], present: Set<string>, elsewhere: Set<string>): Promise<void> {
    const item: MissedItem = { moduleSlug: session.moduleSlug, activityId: session.activityId, title: session.guide.title, startsAt: session.startsAt, unitId: session.unitId };
    for (const m of members) {
      if (present.has(m.id) || elsewhere.has(m.id)) {
        const doc = await MissedSessionModel.findById(m.id).lean<{ items?: Record<string, MissedItem> }>();
        const clear = Object.entries(doc?.items ?? {})
          .filter(([sid, it]) => sid === session._id || (it.moduleSlug === session.moduleSlug && it.activityId === session.activityId))
          .map(([sid]) => `items.${sid}`);
        if (clear.length) await missedSessionCollection.updateOne({ _id: m.id }, { $unset: Object.fromEntries(clear.map((k) => [k, ''])) });
      } else {
        await missedSessionCollection.updateOne({ _id: m.id }, { $set: { [`items.${session._id}`]: item } }, { upsert: true });
      }
    }
  }

  /** Cancels a planned session; one with attendance recorded is part of the record and stays. */
  async cancel(actor: SessionUser, unitId: string, id: string): Promise<void> {
    assertCan(actor, 'unit:lead', { unitId });
    const stored = await this.load(unitId, id);
    if (stored.attendance) throw new ValidationError('attendance recorded', { cancel: 'teams:errors.cannotCancel' });
    await TeamSessionModel.deleteOne({ _id: { $eq: stored._id }, attendance: null });
  }

  /** "Du var ikke med på teammøtet …" for "Mine kurs" and the module page. */
  async missedNotices(learner: { id: string }): Promise<LearnerNotice[]> {
    const doc = await MissedSessionModel.findById(learner.id).lean<{ items?: Record<string, MissedItem> }>();
    return Object.entries(doc?.items ?? {})
      .sort(([, a], [, b]) => new Date(b.startsAt).getTime() - new Date(a.startsAt).getTime())
      .map(([sessionId, it]) => ({
        moduleSlug: it.moduleSlug,
        messageKey: 'teams:missed.notice',
        params: { title: it.title },
        date: new Date(it.startsAt),
        link: { href: `/teammoter/${sessionId}`, labelKey: 'teams:missed.link' },
      }));
  }

  /**
   * A session as a member of the unit sees it: what the group went through (the guide), when and
   * where. Open to the unit's staff and to anyone recorded in its roster (someone who has moved on).
   */
  async forMember(user: SessionUser, id: string) {
    const stored = SESSION_ID.test(id) ? await TeamSessionModel.findById(id).lean<StoredSession>() : null;
    if (!stored) throw new NotFoundError(`team session ${id}`);
    const inRoster = !!stored.attendance?.roster.some((r) => r.id === user.id);
    if (!inRoster && !can(user, 'unit:member', { unitId: stored.unitId })) throw new ForbiddenError(`${user.id} is not in unit ${stored.unitId}`);
    const session = toView(stored);
    const wasThere = !!session.attendance?.present.includes(user.id);
    return { session: { ...session, attendance: null }, guide: withTimes(stored.guide), recorded: !!session.attendance, wasThere };
  }
}

function sameRoster(a: ReadonlyArray<{ id: string; name: string }>, b: ReadonlyArray<{ id: string; name: string }>): boolean {
  return a.length === b.length && a.every((x, i) => x.id === b[i]!.id && x.name === b[i]!.name);
}

