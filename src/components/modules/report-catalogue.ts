import { ModuleModel, ModuleVersionModel } from './models.js';

/** What reports need of a module: whether staff can take it, its action-plan measures, and when each major appeared. */
export interface ModuleForReports {
  slug: string;
  title: string;
  /** Active and published: in the catalogue staff see. */
  listed: boolean;
  /** The latest version's front matter `measures`. */
  measures: number[];
  /** Per major: when its first version was published (renewal rules expire older majors from then). */
  releases: Array<{ major: number; publishedAt: Date }>;
}

/**
 * Every module with its majors. Reads all versions' headers, so callers keep the result for a while
 * (reports do, for a minute); versions never change, and a new one is rare.
 */
export async function modulesForReports(): Promise<ModuleForReports[]> {
  const [modules, versions] = await Promise.all([
    ModuleModel.find({}, { title: 1, status: 1, latestVersionId: 1 }).lean(),
    ModuleVersionModel.find({}, { moduleSlug: 1, major: 1, publishedAt: 1, 'frontMatter.measures': 1 }).lean(),
  ]);
  const firstOfMajor = new Map<string, Map<number, Date>>();
  const measuresOf = new Map<string, number[]>();
  for (const v of versions) {
    const majors = firstOfMajor.get(v.moduleSlug) ?? new Map<number, Date>();
    firstOfMajor.set(v.moduleSlug, majors);
    const seen = majors.get(v.major);
    if (!seen || v.publishedAt < seen) majors.set(v.major, v.publishedAt);
    measuresOf.set(String(v._id), ((v.frontMatter as { measures?: number[] } | undefined)?.measures ?? []).map(Number));
  }
  return modules
    .map((m) => ({
      slug: String(m._id),
      title: m.title,
      listed: m.status === 'active' && !!m.latestVersionId,
      measures: m.latestVersionId ? (measuresOf.get(m.latestVersionId) ?? []) : [],
      releases: [...(firstOfMajor.get(String(m._id)) ?? new Map<number, Date>())].map(([major, publishedAt]) => ({ major, publishedAt })).sort((a, b) => a.major - b.major),
    }))
    .sort((a, b) => a.title.localeCompare(b.title, 'nb'));
}
