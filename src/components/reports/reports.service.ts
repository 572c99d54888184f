import type { Logger } from '../../lib/logger.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import type { SessionUser } from '../../web/session-user.js';
import { onCompletionRecorded, onProgressStarted, onProgressUpdated } from '../learning/index.js';
import { onMembershipChanged } from '../accounts/index.js';
import { emptyMunicipalCaches, type AuditCosts, type MunicipalCaches, type ReportContext } from './context.js';
import { recomputePerson, recomputePersonSoon, safely } from './maintain.js';
import { ensureReportSummaries, rebuildReports, sweepReports, type RebuildReport } from './rebuild.js';
import { forgetStructure } from './sources.js';
import { forgetMunicipalCaches, forgetPassedAudits, reportAuditCosts } from './municipal.service.js';
import { municipalHome, unitOverviews, type MunicipalHome, type UnitOverview } from './home.service.js';
import { saveRenewalRules, saveReportSettings } from './settings.service.js';

export interface ReportServiceOptions {
  logger: Logger;
  clock?: Clock | undefined;
  /** How long structure may be cached (0: none, as in tests, so each test sees its own data). */
  cacheMs: number;
}

/**
 * The completion reports of one app: built once by the composition root (`createServices` in
 * app.ts) with the app's logger and clock, it holds everything reports keep in memory, so two apps in
 * one process share neither caches nor time.
 */
export class ReportService implements ReportContext {
  readonly logger: Logger;
  readonly now: Clock;
  readonly cacheMs: number;
  readonly structure = new Map<string, { at: number; value: Promise<unknown> }>();
  readonly municipal: MunicipalCaches = emptyMunicipalCaches();
  pending: Promise<unknown> = Promise.resolve();

  constructor(options: ReportServiceOptions) {
    this.logger = options.logger;
    this.now = options.clock ?? systemClock;
    this.cacheMs = options.cacheMs;
  }

  /**
   * Keeps the summaries in step with learning's and accounts' events from now on. Those events are
   * announced per process, and one recomputation per event is what the summaries need: so one report
   * service in the process listens, the one that called this last (the app's, when it is built).
   */
  listen(): void {
    listenWith(this);
  }

  /** Recomputes one person's contribution to every unit they have or had a membership in. */
  recomputePerson(userId: string, hint?: { slug: string; major: number }): Promise<void> {
    return recomputePerson(this, userId, hint);
  }

  /** Recomputes every summary from the sources and repairs what drifted. */
  rebuild(options: { now?: Date } = {}): Promise<RebuildReport> {
    return rebuildReports(this, options);
  }

  /** The periodic sweep (statuses that change by time, and a rebuild when catalogue or rules changed). */
  sweep(now: Date = this.now()): Promise<{ rebuilt: boolean; people: number }> {
    return sweepReports(this, now);
  }

  /** The demo and a fresh database: builds the summaries once if they were never built. */
  ensureSummaries(): Promise<RebuildReport | null> {
    return ensureReportSummaries(this);
  }

  /** Resolves when a recomputation started by a rule change has finished (tests and the demo seed wait on it). */
  whenIdle(): Promise<unknown> {
    return this.pending;
  }

  saveReportSettings(body: Record<string, unknown>): Promise<void> {
    return saveReportSettings(this, body);
  }

  saveRenewalRules(body: Record<string, unknown>): Promise<void> {
    return saveRenewalRules(this, body);
  }

  unitOverviews(actor: SessionUser): Promise<UnitOverview[]> {
    return unitOverviews(this, actor);
  }

  municipalHome(actor: SessionUser, typeLabel: (type: string) => string, municipalityLabel: string): Promise<MunicipalHome> {
    return municipalHome(this, actor, typeLabel, municipalityLabel);
  }

  auditCosts(): AuditCosts {
    return reportAuditCosts(this);
  }

  /** Forgets the cached counts, models and passed audits (the benchmark measures the cold path). */
  forgetMunicipalCaches(): void {
    forgetMunicipalCaches(this);
  }

  /** Forgets the cached module catalogue and organisation (the next read sees a change at once). */
  forgetStructure(): void {
    forgetStructure(this);
  }

  /** The next request of every view is audited again. */
  forgetPassedAudits(): void {
    forgetPassedAudits(this);
  }
}

// The binding of the process's event announcements to the report service that answers them (see
// `listen`): the events are per process, so this is too, like the write turns of json-store.ts.
let listening: ReportContext | null = null;

function listenWith(ctx: ReportContext): void {
  const first = listening === null;
  listening = ctx;
  if (!first) return;
  const recompute = (what: string, userId: string, hint?: { slug: string; major: number }) => {
    const current = listening!;
    return safely(current, what, userId, () => recomputePerson(current, userId, hint));
  };
  // The events of one learner action arrive together and are recomputed as one (recomputePersonSoon).
  const recomputeSoon = (what: string, userId: string, hint: { slug: string; major: number }) => {
    const current = listening!;
    return safely(current, what, userId, () => recomputePersonSoon(current, userId, hint));
  };
  onProgressStarted((e) => recomputeSoon('started', e.userId, { slug: e.moduleSlug, major: e.major }));
  onCompletionRecorded((e) => recomputeSoon('completion', e.userId, { slug: e.moduleSlug, major: e.major }));
  onProgressUpdated((e) => recomputeSoon('progress', e.userId, { slug: e.moduleSlug, major: e.major }));
  onMembershipChanged((userId) => recompute('membership', userId));
}
