import { EventEmitter } from 'node:events';
import { registry, countsForCompletion } from '../../activities/index.js';
import { splitActivityMarkers, type LessonPart, type TocEntry } from '../../lib/markdown.js';
import { getModuleVersion, listCatalogue, type ModuleFrontMatter, type ModuleVersionSnapshot } from '../modules/index.js';
import type { VersionForLearning } from './progress.service.js';

/**
 * Published module versions as learning uses them, and the catalogue of what staff can take.
 *
 * A published version never changes, so it is read from the database once per process and kept
 * in memory (bounded); pages and actions then need no lookup for it at all. The catalogue (which
 * version is the latest of each module) can change at any time, so it is kept only briefly.
 */

export interface LearningActivity {
  id: string;
  kind: string;
  lesson: string;
  settings: { required?: boolean } & Record<string, unknown>;
  /** Counts towards completing the module. */
  required: boolean;
  /** publicSettings: all that may reach the learner's page before they act. */
  view: Record<string, unknown>;
  partial: string;
  initialState: unknown;
  /** The only action a learner may take on it (see ActivityKind.learnerAction); null when a leader records it. */
  learnerAction: string | null;
}

export interface LearningLesson {
  number: number;
  slug: string;
  title: string;
  minutes: number | null;
  /** "Kort fortalt": the author's plain-language summary, or null. */
  summary: string | null;
  toc: TocEntry[];
  /** The lesson's HTML split at its activity markers, computed once per version. */
  parts: LessonPart[];
  /** The implicit reading activity, shown at the end of the lesson. */
  readingId: string;
  /** Every activity of the lesson in page order, reading last. */
  activityIds: string[];
}

export interface LearningVersion extends VersionForLearning {
  activities: LearningActivity[];
  activityById: ReadonlyMap<string, LearningActivity>;
  lessons: LearningLesson[];
  lessonBySlug: ReadonlyMap<string, LearningLesson>;
  summary: string;
  audience: string[];
  themes: string[];
  measures: number[];
  language: string;
  prerequisites: string[];
  goals: string[];
  sources: string[];
  translationOf: string | null;
  introHtml: string;
  publishedAt: Date;
  changeNote: string;
  /** Review trail (issue 16): subject owner, last subject review, last legal check; null in older versions. */
  owner: string | null;
  reviewed: string | null;
  legalCheck: string | null;
  glossary: Array<{ term: string; forms: string[]; explanation: string }>;
}

interface StoredLesson {
  number: number;
  slug: string;
  title: string;
  minutes: number | null;
  summary?: string | null;
  html: string;
  toc: TocEntry[];
  activityIds: string[];
}

interface StoredActivity {
  id: string;
  kind: string;
  lessonSlug: string;
  required: boolean;
  settings: Record<string, unknown>;
  view: Record<string, unknown>;
}

/** The adapter from the modules component's snapshot to what learning needs. */
export function toLearningVersion(snapshot: ModuleVersionSnapshot): LearningVersion {
  const front = snapshot.frontMatter as ModuleFrontMatter;
  const activities: LearningActivity[] = (snapshot.activities as StoredActivity[]).map((a) => {
    const kind = registry.get(a.kind);
    if (!kind) throw new Error(`version ${snapshot._id} has an activity of unknown kind ${a.kind}`);
    return {
      id: a.id,
      kind: a.kind,
      lesson: a.lessonSlug,
      settings: a.settings,
      required: countsForCompletion(a.kind, a.settings),
      view: a.view ?? {},
      partial: kind.partial,
      initialState: kind.initialState(),
      learnerAction: kind.learnerAction ?? null,
    };
  });
  const lessons: LearningLesson[] = (snapshot.lessons as StoredLesson[]).map((l) => {
    const readingId = `lesson:${l.slug}`;
    return {
      number: l.number,
      slug: l.slug,
      title: l.title,
      minutes: l.minutes ?? null,
      summary: l.summary ?? null,
      toc: l.toc ?? [],
      parts: splitActivityMarkers(l.html),
      readingId,
      activityIds: [...l.activityIds, readingId],
    };
  });
  return {
    id: String(snapshot._id),
    slug: snapshot.moduleSlug,
    major: snapshot.major,
    minor: snapshot.minor,
    title: snapshot.title,
    minutes: front.minutes,
    activities,
    activityById: new Map(activities.map((a) => [a.id, a])),
    lessons,
    lessonBySlug: new Map(lessons.map((l) => [l.slug, l])),
    summary: front.summary,
    audience: [...front.audience],
    themes: [...front.themes],
    measures: [...front.measures],
    language: front.language,
    prerequisites: [...(front.prerequisites ?? [])],
    goals: [...front.goals],
    sources: [...front.sources],
    translationOf: front.translationOf ?? null,
    introHtml: snapshot.introHtml ?? '',
    publishedAt: snapshot.publishedAt,
    changeNote: snapshot.changeNote ?? '',
    owner: front.owner ?? null,
    reviewed: front.reviewed ?? null,
    legalCheck: front.legalCheck ?? null,
    glossary: (front.glossary ?? []).map((g) => ({ term: g.term, forms: [...(g.forms ?? [])], explanation: g.explanation })),
  };
}

const MAX_CACHED_VERSIONS = 500;
// One per process on purpose: a published version never changes, so every app may share what any
// app read (tests, which reuse version ids in an emptied database, clear it: clearLearningCaches).
const versions = new Map<string, Promise<LearningVersion | null>>();

/** A published version by id (`<slug>@<major>.<minor>`), from memory after the first read. */
export function learningVersion(id: string): Promise<LearningVersion | null> {
  const cached = versions.get(id);
  if (cached) return cached;
  const loading = getModuleVersion(id).then((snapshot) => (snapshot ? toLearningVersion(snapshot) : null));
  versions.set(id, loading);
  // Only what exists is kept: a wrong id typed into a URL must not fill the cache.
  loading.then(
    (v) => {
      if (!v) versions.delete(id);
    },
    () => versions.delete(id),
  );
  if (versions.size > MAX_CACHED_VERSIONS) versions.delete(versions.keys().next().value!);
  return loading;
}

export interface CatalogueItem {
  slug: string;
  title: string;
  latest: LearningVersion;
  /** Slugs of this module's translations, by language (`nn` → `medvirkning-nn`). */
  translations: Record<string, string>;
}

export interface Catalogue {
  items: CatalogueItem[];
  bySlug: ReadonlyMap<string, CatalogueItem>;
}

export const CATALOGUE_TTL_MS = 5000;

/**
 * "Every catalogue cache of this process, forget": the test helpers empty the database under every
 * app at once. One per process, as the apps it reaches; each cache listens only weakly.
 */
const forgetEveryCatalogue = new EventEmitter().setMaxListeners(0);

/**
 * The published catalogue, kept for at most `ttlMs`: one per learning service, so each app built
 * in a process keeps its own (the composition root builds it).
 */
export class CatalogueCache {
  private cached: { at: number; value: Promise<Catalogue> } | null = null;

  constructor(private readonly ttlMs = CATALOGUE_TTL_MS) {
    const self = new WeakRef(this);
    const listener = () => {
      const cache = self.deref();
      if (cache) cache.forget();
      else forgetEveryCatalogue.off('forget', listener);
    };
    forgetEveryCatalogue.on('forget', listener);
  }

  /** Published, active modules with their latest version; at most `ttlMs` old. */
  get(now = Date.now()): Promise<Catalogue> {
    if (!this.cached || now - this.cached.at > this.ttlMs) {
      const value = loadCatalogue();
      this.cached = { at: now, value };
      value.catch(() => {
        if (this.cached?.value === value) this.cached = null;
      });
    }
    return this.cached.value;
  }

  /** How old the cached catalogue is, in ms (Infinity when there is none). */
  age(now = Date.now()): number {
    return this.cached ? now - this.cached.at : Infinity;
  }

  /** Drops the cached catalogue, so the next read sees a publication at once. */
  forget(): void {
    this.cached = null;
  }
}

async function loadCatalogue(): Promise<Catalogue> {
  const entries = await listCatalogue();
  const loaded = await Promise.all(entries.map(async (e) => ({ entry: e, version: await learningVersion(e.versionId) })));
  const items: CatalogueItem[] = loaded.filter((l) => l.version).map(({ entry, version }) => ({ slug: entry.slug, title: entry.title, latest: version!, translations: {} }));
  const bySlug = new Map(items.map((i) => [i.slug, i]));
  for (const item of items) {
    const base = item.latest.translationOf ? bySlug.get(item.latest.translationOf) : undefined;
    if (base) base.translations[item.latest.language] = item.slug;
  }
  return { items, bySlug };
}

/**
 * The catalogue cache of what reads the catalogue without an app's learning service (the effect
 * answers read for reports, and tests that stand in for one): one per process.
 */
const sharedCatalogue = new CatalogueCache();

/** Published, active modules with their latest version; at most CATALOGUE_TTL_MS old. */
export function catalogue(now = Date.now()): Promise<Catalogue> {
  return sharedCatalogue.get(now);
}

/** Drops every cached catalogue of this process (each app's and the shared one), so the next page sees a publication at once (tests). */
export function forgetCatalogue(): void {
  forgetEveryCatalogue.emit('forget');
}

/**
 * Drops every cache. Only for tests: they empty the database between cases and publish different
 * content under the same version ids, which never happens to a real, immutable version.
 */
export function clearLearningCaches(): void {
  forgetCatalogue();
  versions.clear();
  frozenMajors.clear();
}

/**
 * The newest version of one major. For the latest major that is the catalogue's; an older major is
 * frozen once a newer one exists (minors are only published on the latest major), so its newest
 * minor is found by probing ids upwards once and then remembered.
 */
// Per process like `versions`: an older major is frozen, so what was found for it stays true.
const frozenMajors = new Map<string, Promise<LearningVersion | null>>();
export async function newestOfMajor(item: CatalogueItem, major: number, knownMinor: number): Promise<LearningVersion | null> {
  if (major === item.latest.major) return item.latest;
  const key = `${item.slug}@${major}`;
  let found = frozenMajors.get(key);
  if (!found) {
    found = (async () => {
      let best = await learningVersion(`${key}.${knownMinor}`);
      for (let minor = knownMinor + 1; best; minor += 1) {
        const next = await learningVersion(`${key}.${minor}`);
        if (!next) break;
        best = next;
      }
      return best;
    })();
    frozenMajors.set(key, found);
    found.then((v) => {
      if (!v) frozenMajors.delete(key);
    }, () => frozenMajors.delete(key));
  }
  return found;
}
