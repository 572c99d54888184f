import { randomUUID } from 'node:crypto';
import { activityFeedback, attendanceAction, isActivityComplete, isRecordedByLeader, journalEntry, lastTouchedAt, learnerView, listedAs, recordedAttendance } from '../../activities/index.js';
import { glossaryAnchor } from '../../lib/markdown-glossary.js';
import { ForbiddenError, NotFoundError } from '../../lib/errors.js';
import { todayDateOnly } from '../../lib/dates.js';
import type { Logger } from '../../lib/logger.js';
import { assertCan, can } from '../../web/policy.js';
import { assignmentsFor } from '../assignments/index.js';
import type { SessionUser } from '../../web/session-user.js';
import { personBasics, UnitDirectory } from './directory.js';
import { CertificateModel, CompletionModel, progressId, type LearnerModuleEntry } from './models.js';
import { completionOf, ProgressService, type ActionRequest, type ActionResult, type ProgressView } from './progress.service.js';
import { CatalogueCache, newestOfMajor, learningVersion, type Catalogue, type CatalogueItem, type LearningActivity, type LearningLesson, type LearningVersion } from './versions.js';
import { normaliseCertificateCode } from './certificate-code.js';
import { followUpOf, followUpState, saveFollowUp, type FollowUpAnswer, type FollowUpState } from './follow-up.js';

/**
 * The staff side of learning: "Mine kurs", module and lesson pages, learner actions, certificates
 * and the learning log. Every read on these paths is an `_id` lookup (progress, the person's
 * summary, assignments per target); module versions come from memory.
 */

/** Attendance at a team session or a network gathering, as recorded for one person. */
export interface AttendanceInput {
  personId: string;
  slug: string;
  activityId: string;
  attended: boolean;
  now?: Date;
}

/** The person behind a request, as far as learning needs them. */
export type Learner = Pick<SessionUser, 'id' | 'name' | 'memberOf'>;

type Summary = Record<string, Record<string, LearnerModuleEntry>>;

export type ModuleStatus =
  | { state: 'notStarted'; updated: false; previousCompletedAt: null }
  | { state: 'inProgress'; percent: number; major: number; lastLesson: string | null; updated: boolean; previousCompletedAt: Date | null }
  | { state: 'completed'; completedAt: Date; major: number; updated: boolean; previousCompletedAt: null };

interface MajorEntry extends LearnerModuleEntry {
  major: number;
}

function entriesOf(summary: Summary | null, slug: string): MajorEntry[] {
  return Object.entries(summary?.[slug] ?? {})
    .filter(([key]) => /^m\d+$/.test(key))
    .map(([key, entry]) => ({ ...entry, major: Number(key.slice(1)) }))
    .sort((a, b) => b.major - a.major);
}

/** An older major the person started and has not finished: they may finish it. */
function openOlderMajor(entries: MajorEntry[], latestMajor: number): MajorEntry | undefined {
  return entries.find((e) => e.major < latestMajor && !e.completedAt);
}

/** Where a person stands in a module, across its major versions. */
export function moduleStatus(summary: Summary | null, slug: string, latestMajor: number): ModuleStatus {
  const entries = entriesOf(summary, slug);
  const latest = entries.find((e) => e.major === latestMajor);
  const lastDone = entries.find((e) => e.major < latestMajor && e.completedAt);
  if (latest?.completedAt) return { state: 'completed', completedAt: new Date(latest.completedAt), major: latest.major, updated: false, previousCompletedAt: null };
  const inProgress = latest ?? openOlderMajor(entries, latestMajor);
  if (inProgress) {
    return {
      state: 'inProgress',
      percent: inProgress.percent,
      major: inProgress.major,
      lastLesson: inProgress.lastLesson,
      updated: !!lastDone && inProgress.major === latestMajor,
      previousCompletedAt: lastDone && inProgress.major === latestMajor ? new Date(lastDone.completedAt!) : null,
    };
  }
  if (lastDone) return { state: 'completed', completedAt: new Date(lastDone.completedAt!), major: lastDone.major, updated: true, previousCompletedAt: null };
  return { state: 'notStarted', updated: false, previousCompletedAt: null };
}

/** Completed in any major, in the module itself or one of its translations. */
function hasCompleted(summary: Summary | null, item: CatalogueItem | undefined, slug: string): boolean {
  const slugs = [slug, ...Object.values(item?.translations ?? {})];
  return slugs.some((s) => entriesOf(summary, s).some((e) => e.completedAt));
}

/** Thrown when a module's prerequisites are not completed; pages explain it and link to them. */
export class PrerequisitesNotMetError extends ForbiddenError {
  constructor(
    readonly slug: string,
    readonly missing: Array<{ slug: string; title: string }>,
  ) {
    super(`prerequisites of ${slug} not met: ${missing.map((m) => m.slug).join(', ')}`);
  }
}

export interface CourseCard {
  slug: string;
  title: string;
  summary: string;
  minutes: number;
  themes: string[];
  /** The module's own language (`nb` or `nn`), marked in the page where it differs from the page's. */
  language: string;
  status: ModuleStatus;
  /** Other languages of the module: `{ language: 'nn', slug: 'medvirkning-nn' }`. */
  translations: Array<{ language: string; slug: string }>;
  /** The three-month follow-up («Har du endret noe i praksis?») can be answered; and whether it has been. */
  followUpDue: boolean;
  followUpAnswered: boolean;
}

export interface AssignedCard extends CourseCard {
  deadline: Date | null;
  overdue: boolean;
  unitName: string | null;
}

export interface LessonRow {
  slug: string;
  number: number;
  title: string;
  minutes: number | null;
  required: number;
  done: number;
  state: 'notStarted' | 'inProgress' | 'completed';
}

export interface ActivityPart {
  type: 'activity';
  activity: Pick<LearningActivity, 'id' | 'kind' | 'required' | 'view' | 'partial' | 'initialState'>;
  state: unknown;
  complete: boolean;
  feedback: unknown;
  actionUrl: string | null;
  actionId: string;
}

export type PagePart = { type: 'html'; html: string } | ActivityPart;

export interface LearnerAction {
  slug: string;
  lessonSlug: string;
  activityId: string;
  action: string;
  input: unknown;
  actionId: string;
  now?: Date;
}

export interface CertificateData {
  code: string;
  holderName: string;
  moduleTitle: string;
  moduleSlug: string;
  version: string;
  minutes: number;
  completedAt: Date;
  units: string[];
  verifyUrl: string;
}

export interface LearningLogEntry {
  moduleSlug: string;
  moduleTitle: string;
  lessonSlug: string;
  lessonTitle: string;
  activityId: string;
  kind: string;
  /** i18n key of what the entry is ("Refleksjon"), given by the activity's kind. */
  label: string;
  title: string;
  /** The prompt or the task's report question, as the author wrote it (Markdown source). */
  prompt: string;
  text: string;
  tried: boolean | null;
  savedAt: Date | null;
}

/** Prefix of an activity's element ids in its partial (`act-<id>`; reading ids have a colon). */
export function activityBase(id: string): string {
  return `act-${id.replace(/[^a-z0-9-]/g, '-')}`;
}

/** Where a link to an activity lands: its heading. */
export function activityAnchor(id: string): string {
  return `${activityBase(id)}-title`;
}

export function actionUrl(slug: string, lessonSlug: string, activity: Pick<LearningActivity, 'id' | 'learnerAction'>): string | null {
  if (!activity.learnerAction) return null;
  return `/moduler/${slug}/${lessonSlug}/aktiviteter/${encodeURIComponent(activity.id)}/${activity.learnerAction}`;
}

interface Context {
  item: CatalogueItem;
  catalogue: Catalogue;
  version: LearningVersion;
  progress: ProgressView;
  summary: Summary | null;
  missing: Array<{ slug: string; title: string }>;
}

export class LearningService {
  constructor(
    private readonly progress: ProgressService,
    private readonly logger: Logger,
    private readonly baseUrl: string,
    /** This service's own catalogue cache (one per app). */
    private readonly catalogues: CatalogueCache = new CatalogueCache(),
  ) {}

  /** The names and types of units, kept for a few minutes by this service (one per app). */
  private readonly units = new UnitDirectory();

  /** Published, active modules with their latest version, from this service's cache. */
  catalogue(): Promise<Catalogue> {
    return this.catalogues.get();
  }

  private async item(slug: string): Promise<{ item: CatalogueItem; catalogue: Catalogue }> {
    let cat = await this.catalogues.get();
    // A module published a moment ago is found at once, without waiting for the cache to expire.
    if (!cat.bySlug.has(slug) && this.catalogues.age() > 1000) {
      this.catalogues.forget();
      cat = await this.catalogues.get();
    }
    const item = cat.bySlug.get(slug);
    if (!item) throw new NotFoundError(`module ${slug} is not in the catalogue`);
    return { item, catalogue: cat };
  }

  /**
   * The version the person works in and their progress there: the latest major, unless they have
   * started an older major and not finished it (they may finish what they began). The summary is
   * read only when it can matter: for prerequisites, or when older majors exist.
   */
  private async context(user: Learner, slug: string, alwaysSummary = false): Promise<Context> {
    const { item, catalogue: cat } = await this.item(slug);
    const needSummary = alwaysSummary || item.latest.major > 1 || item.latest.prerequisites.length > 0;
    const [summary, current] = await Promise.all([needSummary ? this.progress.summary(user.id) : Promise.resolve(null), this.progress.get(user.id, item.latest)]);
    let version: LearningVersion = item.latest;
    let progress = current;
    if (!current.startedAt && summary) {
      const open = openOlderMajor(entriesOf(summary, slug), item.latest.major);
      const older = open ? await newestOfMajor(item, open.major, open.minor) : null;
      if (older) {
        version = older;
        progress = await this.progress.get(user.id, older);
      }
    }
    // A prerequisite that is not published cannot be taken, so it cannot hold anyone back.
    const missing = version.prerequisites
      .filter((p) => cat.bySlug.has(p) && !hasCompleted(summary, cat.bySlug.get(p), p))
      .map((p) => ({ slug: p, title: cat.bySlug.get(p)!.title }));
    return { item, catalogue: cat, version, progress, summary, missing };
  }

  private assertUnlocked(ctx: Context): void {
    // Someone who already began (before a prerequisite was added) keeps going.
    if (ctx.missing.length > 0 && !ctx.progress.startedAt) throw new PrerequisitesNotMetError(ctx.item.slug, ctx.missing);
  }

  /**
   * The one place progress is written (a learner's action, a leader's attendance record, any path
   * added later): the learning rules are checked here, not in the routes that lead here.
   */
  private async write(ctx: Context, request: ActionRequest): Promise<ActionResult> {
    this.assertUnlocked(ctx);
    return this.progress.act(request);
  }

  /** The three-month follow-up of a module for this person: whether it is due, and their answer. */
  async followUp(user: Learner, slug: string, now: Date): Promise<{ module: { slug: string; title: string; language: string }; status: FollowUpState; answer: FollowUpAnswer | null }> {
    const { item } = await this.item(slug);
    const [summary, answer] = await Promise.all([this.progress.summary(user.id), followUpOf(user.id, slug)]);
    return { module: { slug, title: item.title, language: item.latest.language }, status: followUpState(summary, slug, now), answer };
  }

  /** Stores the person's follow-up answer when it is due (the caller shows the page otherwise); false when it is not. */
  async answerFollowUp(user: Learner, slug: string, input: { scale: number; text: string }, now: Date): Promise<boolean> {
    const { status } = await this.followUp(user, slug, now);
    if (status.state !== 'due') return false;
    await saveFollowUp({ userId: user.id, slug, major: status.major, scale: input.scale, text: input.text, now });
    return true;
  }

  /** "Mine kurs": what is assigned to me, then what is available for my kinds of unit. */
  async myCourses(user: Learner, options: { theme?: string | undefined; now?: Date } = {}) {
    const [cat, summary, assigned, units] = await Promise.all([this.catalogues.get(), this.progress.summary(user.id), assignmentsFor(user), this.units.unitsInfo(user.memberOf)]);
    const today = todayDateOnly(options.now);
    const card = (item: CatalogueItem): CourseCard => ({
      slug: item.slug,
      title: item.title,
      summary: item.latest.summary,
      minutes: item.latest.minutes,
      themes: item.latest.themes,
      language: item.latest.language,
      status: moduleStatus(summary, item.slug, item.latest.major),
      translations: Object.entries(item.translations).map(([language, slug]) => ({ language, slug })),
      followUpDue: followUpState(summary, item.slug, options.now ?? new Date()).state === 'due',
      followUpAnswered: false,
    });
    const unitName = new Map(units.map((u) => [u.id, u.name]));
    const assignedCards: AssignedCard[] = assigned.flatMap((a) => {
      const item = cat.bySlug.get(a.moduleSlug);
      if (!item) return [];
      const c = card(item);
      // Completing the module in another language counts for the assignment.
      if (c.status.state !== 'completed') {
        for (const slug of Object.values(item.translations)) {
          const other = cat.bySlug.get(slug);
          const status = other ? moduleStatus(summary, slug, other.latest.major) : null;
          if (status?.state === 'completed') c.status = status;
        }
      }
      const overdue = !!a.deadline && a.deadline.getTime() < today.getTime() && c.status.state !== 'completed';
      return [{ ...c, deadline: a.deadline, overdue, unitName: a.unitId ? (unitName.get(a.unitId) ?? null) : null }];
    });
    const assignedSlugs = new Set(assignedCards.map((c) => c.slug));
    const types = new Set(units.map((u) => u.type));
    // People without a unit (authors, administrators) see everything.
    const forMe = cat.items.filter((i) => !i.latest.translationOf && !assignedSlugs.has(i.slug) && (types.size === 0 || i.latest.audience.some((a) => types.has(a)) || summary[i.slug]));
    const themes = [...new Set(forMe.flatMap((i) => i.latest.themes))].sort();
    const theme = options.theme && themes.includes(options.theme) ? options.theme : null;
    const available = forMe.filter((i) => !theme || i.latest.themes.includes(theme)).map(card);
    // Whether a due follow-up is answered: one lookup by `_id` per due module.
    const due = [...assignedCards, ...available].filter((c) => c.followUpDue);
    const answers = await Promise.all(due.map((c) => followUpOf(user.id, c.slug)));
    due.forEach((c, i) => (c.followUpAnswered = answers[i] !== null));
    return { assigned: assignedCards, available, themes, theme, unitTypes: [...types].sort() };
  }

  private lessonRows(version: LearningVersion, states: Record<string, unknown>): LessonRow[] {
    return version.lessons.map((lesson) => {
      const required = lesson.activityIds.map((id) => version.activityById.get(id)!).filter((a) => a.required);
      const done = required.filter((a) => isActivityComplete(a.kind, a.settings, states[a.id])).length;
      const started = lesson.activityIds.some((id) => lastTouchedAt(version.activityById.get(id)!.kind, states[id]) !== undefined);
      const state = required.length > 0 && done === required.length ? 'completed' : done > 0 || started ? 'inProgress' : 'notStarted';
      return { slug: lesson.slug, number: lesson.number, title: lesson.title, minutes: lesson.minutes, required: required.length, done, state };
    });
  }

  /** The module page: what it is, whether it is open to me, my lessons and where to continue. */
  async modulePage(user: Learner, slug: string) {
    const ctx = await this.context(user, slug, true);
    const { version, progress, item, summary } = ctx;
    const lessons = this.lessonRows(version, progress.activities);
    const overall = completionOf(version, progress.activities);
    const continueAt = (progress.lastLesson && version.lessonBySlug.has(progress.lastLesson) ? progress.lastLesson : null) ?? lessons.find((l) => l.state !== 'completed')?.slug ?? lessons[0]?.slug ?? null;
    const status = moduleStatus(summary, slug, item.latest.major);
    const completedMajors = entriesOf(summary, slug).filter((e) => e.completedAt);
    const certificates = (
      await Promise.all(completedMajors.map((e) => CompletionModel.findById(progressId(user.id, slug, e.major)).lean()))
    ).flatMap((c) => (c ? [{ code: c.certificateCode, version: versionLabel(c.versionId), completedAt: c.completedAt, major: c.major }] : []));
    const prerequisites = version.prerequisites.map((p) => ({ slug: p, title: ctx.catalogue.bySlug.get(p)?.title ?? p, met: !ctx.missing.some((m) => m.slug === p) }));
    return {
      module: {
        slug,
        title: version.title,
        version: `${version.major}.${version.minor}`,
        summary: version.summary,
        minutes: version.minutes,
        goals: version.goals,
        measures: version.measures,
        themes: version.themes,
        audience: version.audience,
        sources: version.sources,
        introHtml: version.introHtml,
        language: version.language,
        translations: Object.entries(item.translations).map(([language, s]) => ({ language, slug: s })),
        translationOf: version.translationOf && ctx.catalogue.bySlug.has(version.translationOf) ? version.translationOf : null,
        owner: version.owner,
        reviewed: version.reviewed,
        legalCheck: version.legalCheck,
        hasGlossary: version.glossary.length > 0,
      },
      onOlderMajor: version.major !== item.latest.major,
      locked: ctx.missing.length > 0 && !progress.startedAt,
      prerequisites,
      lessons,
      percent: progress.completedAt ? 100 : overall.percent,
      required: overall.required,
      done: overall.done,
      started: !!progress.startedAt,
      completedAt: progress.completedAt,
      continueAt,
      status,
      certificates,
    };
  }

  /** A lesson page: its text with the activities in place, my state in each, and what is left. */
  async lessonPage(user: Learner, slug: string, lessonSlug: string, overrides: Record<string, unknown> = {}) {
    const ctx = await this.context(user, slug);
    this.assertUnlocked(ctx);
    const { version, progress } = ctx;
    const index = version.lessons.findIndex((l) => l.slug === lessonSlug);
    if (index < 0) throw new NotFoundError(`no lesson ${lessonSlug} in ${version.id}`);
    const lesson = version.lessons[index]!;
    const states = progress.activities;
    const part = (id: string): ActivityPart => {
      const a = version.activityById.get(id)!;
      const state = overrides[id] ? { ...(states[id] as object), ...(overrides[id] as object) } : states[id];
      return {
        type: 'activity',
        activity: { id: a.id, kind: a.kind, required: a.required, view: learnerView(a.kind, a.settings, a.view, states[id], { learnerKey: user.id }), partial: a.partial, initialState: a.initialState },
        state,
        complete: isActivityComplete(a.kind, a.settings, states[id]),
        feedback: activityFeedback(a.kind, a.settings, states[id]),
        actionUrl: actionUrl(slug, lesson.slug, a),
        actionId: randomUUID(),
      };
    };
    const parts: PagePart[] = lesson.parts.map((p) => (p.type === 'html' ? p : version.activityById.has(p.key) ? part(p.key) : { type: 'html', html: '' }));
    const remaining = lesson.activityIds
      .map((id) => version.activityById.get(id)!)
      .filter((a) => a.required && !isActivityComplete(a.kind, a.settings, states[a.id]))
      .map((a) => ({ id: a.id, anchor: activityAnchor(a.id), kind: a.kind, title: activityTitle(a), label: listedAs(a.kind, activityTitle(a)) }));
    const overall = completionOf(version, states);
    let certificateCode: string | null = null;
    if (progress.completedAt) {
      const fact = await CompletionModel.findById(progressId(user.id, slug, version.major), { certificateCode: 1 }).lean();
      certificateCode = fact?.certificateCode ?? null;
    }
    return {
      module: { slug, title: version.title, version: `${version.major}.${version.minor}`, language: version.language },
      lesson: { slug: lesson.slug, title: lesson.title, number: lesson.number, minutes: lesson.minutes, summary: lesson.summary, toc: lesson.toc },
      lessonCount: version.lessons.length,
      parts,
      reading: part(lesson.readingId),
      remaining,
      previous: lessonLink(version.lessons[index - 1]),
      next: lessonLink(version.lessons[index + 1]),
      percent: progress.completedAt ? 100 : overall.percent,
      completedAt: progress.completedAt,
      certificateCode,
    };
  }

  /**
   * A module's glossary (ordliste): every term with its explanation, in alphabetical order. Open
   * like the module page (its words are no secret, and a locked module still shows what it covers).
   */
  async glossaryPage(user: Learner, slug: string) {
    const { version } = await this.context(user, slug);
    const collator = new Intl.Collator(version.language === 'en' ? 'en' : 'nb');
    const terms = [...version.glossary]
      .sort((a, b) => collator.compare(a.term, b.term))
      .map((g) => ({ term: g.term, forms: g.forms, explanation: g.explanation, anchor: glossaryAnchor(g.term) }));
    return { module: { slug, title: version.title, language: version.language }, terms };
  }

  /**
   * A learner's action on an activity of a lesson. Only the learner's own actions of each kind are
   * accepted (attendance at a team session is recorded by a leader), and never in a locked module.
   */
  async act(user: Learner, request: LearnerAction): Promise<ActionResult & { activity: LearningActivity; version: LearningVersion }> {
    const ctx = await this.context(user, request.slug);
    const { version } = ctx;
    const activity = version.activityById.get(request.activityId);
    if (!version.lessonBySlug.has(request.lessonSlug) || !activity || activity.lesson !== request.lessonSlug) {
      throw new NotFoundError(`no activity ${request.activityId} in lesson ${request.lessonSlug} of ${version.id}`);
    }
    if (activity.learnerAction !== request.action) throw new ForbiddenError(`${request.action} on ${activity.kind} is not a learner's action`);
    const result = await this.write(ctx, {
      userId: user.id,
      version,
      activityId: activity.id,
      action: request.action,
      input: request.input,
      actionId: request.actionId,
      unitIds: [...user.memberOf],
      now: request.now,
      // The progress this request has just read: a repeat that changes nothing shown writes no summary.
      before: ctx.progress,
    });
    return { ...result, activity, version };
  }

  /**
   * A leader records whether a person took part in a team session (from the team-session pages).
   * Allowed for a leader of one of the person's current units. Recording what is already stored
   * changes nothing (no new write, no event), and recording someone absent who never attended
   * writes nothing at all: absence must not make a person look "started" in the reports.
   */
  async recordTeamAttendance(leader: SessionUser, input: AttendanceInput): Promise<ActionResult> {
    const person = await personBasics(input.personId);
    if (!person) throw new NotFoundError(`person ${input.personId}`);
    if (!person.unitIds.some((unitId) => can(leader, 'unit:lead', { unitId }))) throw new ForbiddenError(`${leader.id} leads none of ${person.id}'s units`);
    return this.recordAttendance(leader, person, input);
  }

  /**
   * A network coordinator records whether a participant came to a gathering whose programme is a
   * team-session activity: the same record as a unit's team session (prerequisites and completion
   * rules alike). The network says who coordinates and who takes part; only its participants count.
   */
  async recordGatheringAttendance(coordinator: SessionUser, input: AttendanceInput & { network: { coordinatorIds: readonly string[]; participantIds: readonly string[] } }): Promise<ActionResult> {
    assertCan(coordinator, 'network:coordinate', { coordinatorIds: input.network.coordinatorIds });
    if (!input.network.participantIds.includes(input.personId)) throw new ForbiddenError(`${input.personId} takes no part in the network`);
    const person = await personBasics(input.personId);
    if (!person) throw new NotFoundError(`person ${input.personId}`);
    return this.recordAttendance(coordinator, person, input);
  }

  private async recordAttendance(leader: SessionUser, person: NonNullable<Awaited<ReturnType<typeof personBasics>>>, input: AttendanceInput): Promise<ActionResult> {
    const ctx = await this.context({ id: person.id, name: person.name, memberOf: new Set(person.unitIds) }, input.slug);
    const activity = ctx.version.activityById.get(input.activityId);
    if (!activity || !isRecordedByLeader(activity.kind)) throw new NotFoundError(`no team session ${input.activityId} in ${ctx.version.id}`);
    if (recordedAttendance(activity.kind, ctx.progress.activities[activity.id]) === input.attended) return { progress: ctx.progress, applied: false, completedNow: false };
    const { action, input: recordInput } = attendanceAction(activity.kind, input.attended, leader.name);
    const result = await this.write(ctx, {
      userId: person.id,
      version: ctx.version,
      activityId: activity.id,
      action,
      input: recordInput,
      actionId: randomUUID(),
      unitIds: person.unitIds,
      now: input.now,
    });
    this.logger.info({ leaderId: leader.id, personId: person.id, versionId: ctx.version.id, activityId: activity.id }, 'team session attendance recorded');
    return result;
  }

  private async certificateData(code: string): Promise<{ data: CertificateData; ownerId: string } | null> {
    const certificate = await CertificateModel.findById(code).lean();
    const completion = certificate ? await CompletionModel.findById(certificate.completionId).lean() : null;
    if (!completion) return null;
    const [version, person, units] = await Promise.all([learningVersion(completion.versionId), personBasics(completion.userId), this.units.unitsInfo(completion.unitIds)]);
    return {
      ownerId: completion.userId,
      data: {
        code,
        holderName: person?.name ?? '',
        moduleTitle: version?.title ?? completion.moduleSlug,
        moduleSlug: completion.moduleSlug,
        version: versionLabel(completion.versionId),
        minutes: completion.minutes,
        completedAt: completion.completedAt,
        units: units.map((u) => u.name),
        verifyUrl: `${this.baseUrl}/bevis/${code}`,
      },
    };
  }

  /** A certificate for its owner to download; anyone else is refused, whatever their role. */
  async certificateForOwner(user: Learner, rawCode: string): Promise<CertificateData> {
    const code = normaliseCertificateCode(rawCode);
    const found = code ? await this.certificateData(code) : null;
    if (!found) throw new NotFoundError('no such certificate');
    assertCan(user as SessionUser, 'learning:certificate', { ownerId: found.ownerId });
    return found.data;
  }

  /** Public verification: exactly what the certificate itself shows, or null. */
  async verifyCertificate(rawCode: string): Promise<CertificateData | null> {
    const code = normaliseCertificateCode(rawCode);
    if (!code) return null;
    return (await this.certificateData(code))?.data ?? null;
  }

  /** Everything I have written across modules: reflections and workplace-task notes. Mine only. */
  async learningLog(user: Learner): Promise<LearningLogEntry[]> {
    assertCan(user as SessionUser, 'person:view-private', { ownerId: user.id });
    const summary = await this.progress.summary(user.id);
    const pairs = Object.entries(summary).flatMap(([slug, majors]) => entriesOf(summary, slug).map((e) => ({ slug, major: e.major, minor: e.minor, majors })));
    const perModule = await Promise.all(
      pairs.map(async ({ slug, major, minor }) => {
        const version = await learningVersion(`${slug}@${major}.${minor}`);
        if (!version) return [];
        const progress = await this.progress.get(user.id, version);
        return this.logEntries(version, progress.activities);
      }),
    );
    return perModule.flat().sort((a, b) => a.moduleTitle.localeCompare(b.moduleTitle, 'nb'));
  }

  /** Each activity's journal entry (see ActivityKind.journalEntry), in lesson and page order. */
  private logEntries(version: LearningVersion, states: Record<string, unknown>): LearningLogEntry[] {
    return version.lessons.flatMap((lesson) =>
      lesson.activityIds.flatMap((id) => {
        const a = version.activityById.get(id)!;
        const entry = journalEntry(a.kind, a.settings, states[id]);
        if (!entry) return [];
        return [{ moduleSlug: version.slug, moduleTitle: version.title, lessonSlug: lesson.slug, lessonTitle: lesson.title, activityId: a.id, kind: a.kind, title: activityTitle(a), ...entry }];
      }),
    );
  }
}

function lessonLink(lesson: LearningLesson | undefined): { slug: string; title: string } | null {
  return lesson ? { slug: lesson.slug, title: lesson.title } : null;
}

function activityTitle(a: Pick<LearningActivity, 'kind' | 'view'>): string {
  return typeof a.view.title === 'string' ? a.view.title : '';
}

/** `slug@1.2` → `1.2`. */
export function versionLabel(versionId: string): string {
  return versionId.slice(versionId.lastIndexOf('@') + 1);
}
