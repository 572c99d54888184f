import { activityStatistics, combinedStatistics, isActivityComplete, type ActivityStatistics } from '../../activities/index.js';
import { NotFoundError } from '../../lib/errors.js';
import { listVersions } from '../modules/index.js';
import { ProgressModel } from './models.js';
import { learningVersion } from './versions.js';

/**
 * What a module's authors may see about how it works for learners, per published version: the
 * lesson funnel and each activity's statistics (a quiz's item analysis, self-assessment means, the
 * evaluation's means and anonymous suggestions). Only counts, shares and means: nothing about a
 * person, and nothing at all while fewer than STATISTICS_MIN_LEARNERS learners are behind a figure.
 */

export const STATISTICS_MIN_LEARNERS = 5;

export interface ActivityStatisticsView {
  id: string;
  kind: string;
  title: string | null;
  lessonTitle: string;
  /** Figures across every activity of the kind together (before and after), not of one activity. */
  combined: boolean;
  /** Fewer answers than the minimum: nothing of it is shown. */
  tooFew: boolean;
  statistics: ActivityStatistics | null;
}

export interface ModuleStatistics {
  slug: string;
  title: string;
  /** The version shown, and every published version (newest first) to choose from. */
  version: string | null;
  versions: string[];
  /** People with progress in the version's major version (progress carries over minor versions). */
  learners: number;
  enough: boolean;
  funnel: Array<{ number: number; title: string; started: number; finished: number }>;
  /** Median days from starting to completing the module (one decimal), and how many completed; null below the minimum. */
  medianDays: number | null;
  completers: number;
  activities: ActivityStatisticsView[];
}

/** The median of some numbers (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

type StoredStates = { activities?: Record<string, unknown>; startedAt?: Date | null; completedAt?: Date | null };

export async function moduleStatistics(slug: string, requested: string | undefined): Promise<ModuleStatistics> {
  const { module, versions } = await listVersions(slug);
  const base = { slug, title: module.title, versions: versions.map((v) => v.version), learners: 0, enough: false, funnel: [], medianDays: null, completers: 0, activities: [] };
  if (versions.length === 0) return { ...base, version: null };
  const chosen = requested === undefined ? versions[0]! : versions.find((v) => v.version === requested);
  if (!chosen) throw new NotFoundError(`no version ${requested} of ${slug}`);
  const version = await learningVersion(`${slug}@${chosen.version}`);
  if (!version) throw new NotFoundError(`version ${slug}@${chosen.version} is not published`);
  // An author's page, not a hot path: it reads every progress document of the module's major version.
  const docs = await ProgressModel.find({ moduleSlug: { $eq: slug }, major: { $eq: version.major } }, { activities: 1, startedAt: 1, completedAt: 1 }).lean<StoredStates[]>();
  const learners = docs.length;
  if (learners < STATISTICS_MIN_LEARNERS) return { ...base, version: chosen.version, learners };
  const stateOf = (doc: StoredStates, id: string) => (doc.activities && Object.hasOwn(doc.activities, id) ? doc.activities[id] : undefined);
  const funnel = version.lessons.map((lesson) => {
    const counted = version.activities.filter((a) => a.lesson === lesson.slug && a.required);
    return {
      number: lesson.number,
      title: lesson.title,
      started: docs.filter((d) => lesson.activityIds.some((id) => stateOf(d, id) !== undefined)).length,
      finished: docs.filter((d) => counted.length > 0 && counted.every((a) => isActivityComplete(a.kind, a.settings, stateOf(d, a.id)))).length,
    };
  });
  const lessonTitle = new Map(version.lessons.map((l) => [l.slug, l.title]));
  const activities = version.activities.flatMap((a): ActivityStatisticsView[] => {
    const states = docs.flatMap((d) => {
      const state = stateOf(d, a.id);
      return state === undefined || state === null ? [] : [state];
    });
    const statistics = activityStatistics(a.kind, a.settings, states);
    if (!statistics) return [];
    const tooFew = statistics.answered < STATISTICS_MIN_LEARNERS;
    const title = typeof a.settings.title === 'string' ? a.settings.title : null;
    return [{ id: a.id, kind: a.kind, title, lessonTitle: lessonTitle.get(a.lesson) ?? a.lesson, combined: false, tooFew, statistics: tooFew ? null : statistics }];
  });
  // Kinds whose activities say more together (a self-assessment before and after) come first.
  const combined = [...new Set(version.activities.map((a) => a.kind))].flatMap((kind): ActivityStatisticsView[] => {
    const blocks = version.activities.filter((a) => a.kind === kind).map((a) => ({ settings: a.settings, stored: docs.map((d) => stateOf(d, a.id)) }));
    const statistics = combinedStatistics(kind, blocks);
    if (!statistics) return [];
    const tooFew = statistics.answered < STATISTICS_MIN_LEARNERS;
    return [{ id: `combined-${kind}`, kind, title: null, lessonTitle: '', combined: true, tooFew, statistics: tooFew ? null : statistics }];
  });
  // Time to complete: from the first action to the completion, only with enough completers behind it.
  const days = docs.flatMap((d) => (d.startedAt && d.completedAt ? [(d.completedAt.getTime() - d.startedAt.getTime()) / 86_400_000] : []));
  const middle = days.length >= STATISTICS_MIN_LEARNERS ? median(days) : null;
  const medianDays = middle === null ? null : Math.round(middle * 10) / 10;
  return { ...base, version: chosen.version, learners, enough: true, funnel, medianDays, completers: days.length, activities: [...combined, ...activities] };
}
