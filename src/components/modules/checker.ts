import { editorialProblems, type EditorialOptions, type ReviewStatus } from './editorial.js';
import { parseModule, type ModuleMeta, type ParseOptions, type ParseResult } from './parser.js';
import { problem, sortProblems, type Problem } from './problems.js';
import { readModulesDir, type ModuleSource } from './source.js';

/**
 * Checks across modules: prerequisites and translations must name modules that exist, and the
 * prerequisites must not form a cycle (nobody could ever start a module in one).
 */
export function crossModuleProblems(metas: ReadonlyArray<ModuleMeta>, knownSlugs: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const graph = new Map<string, string[]>();
  for (const meta of metas) {
    const edges: string[] = [];
    for (const prerequisite of meta.prerequisites) {
      if (prerequisite.slug === meta.slug) problems.push(problem(meta.file, prerequisite.line, 'prerequisite.self'));
      else if (!knownSlugs.has(prerequisite.slug)) problems.push(problem(meta.file, prerequisite.line, 'prerequisite.unknown', { slug: prerequisite.slug }));
      else edges.push(prerequisite.slug);
    }
    graph.set(meta.slug, edges);
    if (meta.translationOf && !knownSlugs.has(meta.translationOf.slug)) {
      problems.push(problem(meta.file, meta.translationOf.line, 'translationOf.unknown', { slug: meta.translationOf.slug }));
    }
  }

  // Depth-first search; each cycle is reported once, in every module that is part of it.
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (slug: string) => {
    state.set(slug, 'visiting');
    stack.push(slug);
    for (const next of graph.get(slug) ?? []) {
      if (state.get(next) === 'visiting') {
        const cycle = stack.slice(stack.indexOf(next));
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          const start = cycle.indexOf([...cycle].sort()[0]!);
          const ordered = [...cycle.slice(start), ...cycle.slice(0, start)];
          const text = [...ordered, ordered[0]].join(' → ');
          for (const member of ordered) {
            const meta = metas.find((m) => m.slug === member)!;
            const successor = ordered[(ordered.indexOf(member) + 1) % ordered.length];
            const line = meta.prerequisites.find((p) => p.slug === successor)?.line ?? 1;
            problems.push(problem(meta.file, line, 'prerequisite.cycle', { cycle: text }));
          }
        }
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(slug, 'done');
  };
  for (const slug of [...graph.keys()].sort()) if (!state.has(slug)) visit(slug);
  return problems;
}

export interface CheckResult {
  results: ParseResult[];
  problems: Problem[];
  /** The review trail of each module the editorial rules ran on (only with `editorial`). */
  reviews: ReviewStatus[];
}

export interface CheckOptions {
  knownSlugs?: ReadonlySet<string>;
  parse?: ParseOptions;
  /** Adds the editorial rules (modules:check); publishing needs only the format. */
  editorial?: EditorialOptions;
}

/** Parses every module and adds the cross-module checks; problems sorted by file and line. */
export function checkModules(sources: ReadonlyArray<ModuleSource>, options: CheckOptions = {}): CheckResult {
  const results = sources.map((source) => parseModule(source, options.parse));
  const known = new Set([...sources.map((s) => s.slug), ...(options.knownSlugs ?? [])]);
  const cross = crossModuleProblems(results.map((r) => r.meta), known);
  const problems = [...results.flatMap((r) => r.problems), ...cross];
  let reviews: ReviewStatus[] = [];
  if (options.editorial) {
    const crossFiles = new Set(cross.map((p) => p.file));
    const skip = new Set(results.filter((r) => r.problems.length > 0 || crossFiles.has(r.meta.file)).map((r) => r.meta.slug));
    const editorial = editorialProblems(sources, results, skip, options.editorial);
    problems.push(...editorial.problems);
    reviews = editorial.reviews;
  }
  return { results, problems: sortProblems(problems), reviews };
}

/** Checks every module folder under `dir` (the `modules:check` command adds the editorial rules). */
export async function checkModulesDir(dir: string, options: Pick<CheckOptions, 'editorial'> = {}): Promise<CheckResult> {
  return checkModules(await readModulesDir(dir), options);
}
