import { ConflictError, NotFoundError } from '../../lib/errors.js';
import { checkModules } from './checker.js';
import { parseVersion } from './format.js';
import { ModuleModel, ModuleVersionModel, versionId, type ModuleStatus, type Publisher, type VersionKind } from './models.js';
import type { ParsedModule } from './parser.js';
import type { Problem } from './problems.js';
import { readModulesDir, sourceHash, type ModuleSource } from './source.js';
import { storeSource, storedHash } from './store.js';

/**
 * Publishing: a version is an immutable snapshot of a module (rendered lessons, activity settings,
 * the source and a content hash). Publishing unchanged content does nothing; changed content
 * becomes the next version, minor or major.
 */

export interface PublishOutcome {
  slug: string;
  action: 'published' | 'unchanged' | 'invalid';
  versionId: string | null;
  kind: VersionKind | null;
  problems: Problem[];
  /** A browser draft with unpublished changes was left as it was (folder publishing only). */
  draftKept: boolean;
}

export interface VersionNumber {
  major: number;
  minor: number;
  kind: VersionKind;
}

/**
 * The number of the next version. The first version takes the front matter's number. After that a
 * requested kind decides; without one (publishing a folder), a front-matter MAJOR above the latest
 * major makes a major version, and anything else the next minor.
 */
export function nextVersion(latest: { major: number; minor: number } | null, frontMatterVersion: string, requested?: VersionKind): VersionNumber {
  const declared = parseVersion(frontMatterVersion);
  if (!latest) return { major: declared.major, minor: declared.minor, kind: 'major' };
  if (requested === 'major') return { major: latest.major + 1, minor: 0, kind: 'major' };
  if (requested === 'minor') return { major: latest.major, minor: latest.minor + 1, kind: 'minor' };
  if (declared.major > latest.major) return { major: declared.major, minor: 0, kind: 'major' };
  return { major: latest.major, minor: latest.minor + 1, kind: 'minor' };
}

export interface PublishOptions {
  by: Publisher;
  changeNote?: string;
  kind?: VersionKind;
  /** The number to use (browser publishing decides it before writing it into module.md). */
  number?: VersionNumber;
  /**
   * How the draft follows: `if-not-ahead` (folder) replaces it only when it holds no unpublished
   * browser changes; a number (browser) replaces it only if the draft is still at that revision.
   */
  draft: 'if-not-ahead' | number;
  now?: Date;
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number }).code === 11000;
}

/** Publishes a module that passed every check. */
export async function publishParsed(parsed: ParsedModule, source: ModuleSource, options: PublishOptions): Promise<PublishOutcome> {
  const now = options.now ?? new Date();
  const slug = parsed.slug;
  const existing = await ModuleModel.findById(slug).lean();
  const latest = existing?.latestMajor != null && existing.latestMinor != null ? { major: existing.latestMajor, minor: existing.latestMinor } : null;
  const number = options.number ?? nextVersion(latest, parsed.frontMatter.version, options.kind);
  const id = versionId(slug, number.major, number.minor);

  // Assets first, so a version never points at a file that is not stored.
  const files = await storeSource(source);
  const hash = storedHash(files);
  try {
    await ModuleVersionModel.create({
      _id: id,
      moduleSlug: slug,
      major: number.major,
      minor: number.minor,
      kind: number.kind,
      changeNote: (options.changeNote ?? '').trim(),
      publishedBy: options.by,
      publishedAt: now,
      contentHash: hash,
      title: parsed.frontMatter.title,
      frontMatter: parsed.frontMatter,
      introHtml: parsed.introHtml,
      introToc: parsed.introToc,
      lessons: parsed.lessons.map(({ number: n, slug: s, title, minutes, summary, html, toc, activityIds }) => ({ number: n, slug: s, title, minutes, summary, html, toc, activityIds })),
      activities: parsed.activities.map(({ id: activityId, kind, lessonSlug, required, settings, view }) => ({ id: activityId, kind, lessonSlug, required, settings, view })),
      assets: parsed.assets,
      files,
    });
  } catch (err) {
    // The version's _id is its number: two publishers racing for the same number, one wins.
    if (isDuplicateKey(err)) throw new ConflictError(`version ${id} was published by someone else just now`, 'authoring:errors.publishRace');
    throw err;
  }

  await ModuleModel.updateOne(
    { _id: { $eq: slug } },
    {
      $set: {
        title: parsed.frontMatter.title,
        latestVersionId: id,
        latestMajor: number.major,
        latestMinor: number.minor,
        publishedHash: hash,
        prerequisites: parsed.frontMatter.prerequisites,
      },
      $setOnInsert: { status: 'active', createdAt: now, draftFiles: [], draftHash: null, revision: 0 },
    },
    { upsert: true },
  );

  let draftKept = false;
  const draftUpdate = { $set: { draftFiles: files, draftHash: hash, draftUpdatedAt: now, draftUpdatedBy: options.by }, $inc: { revision: 1 } };
  if (options.draft === 'if-not-ahead') {
    const previous = existing?.publishedHash ?? null;
    const result = await ModuleModel.updateOne(
      { _id: { $eq: slug }, $or: [{ draftHash: null }, { draftHash: { $eq: previous } }, { draftHash: { $eq: hash } }] },
      draftUpdate,
    );
    draftKept = result.matchedCount === 0;
  } else {
    await ModuleModel.updateOne({ _id: { $eq: slug }, revision: { $eq: options.draft } }, draftUpdate);
  }
  return { slug, action: 'published', versionId: id, kind: number.kind, problems: [], draftKept };
}

/** Slugs of every module in the database (for prerequisites that live only there). */
export async function knownModuleSlugs(): Promise<Set<string>> {
  const modules = await ModuleModel.find({}, { _id: 1 }).lean();
  return new Set(modules.map((m) => String(m._id)));
}

/**
 * Publishes every module folder under `dir` (the `modules:publish` command and the development
 * seed). Hashes are compared first: when nothing changed, nothing is parsed or rendered.
 */
export async function publishFromFolder(dir: string, options: { by: Publisher; changeNote?: string; now?: Date }): Promise<PublishOutcome[]> {
  const sources = await readModulesDir(dir);
  const hashes = sources.map((s) => sourceHash(s));
  const modules = await Promise.all(sources.map((s) => ModuleModel.findById(s.slug, { publishedHash: 1, latestVersionId: 1 }).lean()));
  const changed = sources.filter((_s, i) => modules[i]?.publishedHash !== hashes[i]);
  const unchanged = (i: number): PublishOutcome => ({
    slug: sources[i]!.slug,
    action: 'unchanged',
    versionId: modules[i]?.latestVersionId ?? null,
    kind: null,
    problems: [],
    draftKept: false,
  });
  if (changed.length === 0) return sources.map((_s, i) => unchanged(i));

  // Cross-module rules need every module, so all are checked once something changed.
  const { results, problems } = checkModules(sources, { knownSlugs: await knownModuleSlugs() });
  const outcomes: PublishOutcome[] = [];
  for (const [i, source] of sources.entries()) {
    if (!changed.includes(source)) {
      outcomes.push(unchanged(i));
      continue;
    }
    const own = problems.filter((p) => p.file.startsWith(`${source.slug}/`));
    const parsed = results[i]!.module;
    if (own.length > 0 || !parsed) {
      outcomes.push({ slug: source.slug, action: 'invalid', versionId: null, kind: null, problems: own, draftKept: false });
      continue;
    }
    outcomes.push(await publishParsed(parsed, source, { by: options.by, changeNote: options.changeNote ?? '', draft: 'if-not-ahead', now: options.now }));
  }
  return outcomes;
}

/** Hides a module from the catalogue (kept for records), shows it again, or archives it. */
export async function setModuleStatus(slug: string, status: ModuleStatus): Promise<void> {
  const result = await ModuleModel.updateOne({ _id: { $eq: slug } }, { $set: { status } });
  if (result.matchedCount === 0) throw new NotFoundError(`module ${slug}`);
}

export interface CatalogueEntry {
  slug: string;
  title: string;
  versionId: string;
}

/** Modules staff can find: active and published. */
export async function listCatalogue(): Promise<CatalogueEntry[]> {
  const modules = await ModuleModel.find({ status: 'active', latestVersionId: { $ne: null } }, { title: 1, latestVersionId: 1 }).lean();
  return modules
    .map((m) => ({ slug: String(m._id), title: m.title, versionId: m.latestVersionId! }))
    .sort((a, b) => a.title.localeCompare(b.title, 'nb'));
}

export type ModuleVersionSnapshot = NonNullable<Awaited<ReturnType<typeof getModuleVersion>>>;

/** One published version, as stored (immutable). */
export async function getModuleVersion(id: string) {
  return ModuleVersionModel.findById(id, { files: 0 }).lean();
}
