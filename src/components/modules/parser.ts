import path from 'node:path';
import { lessonReadingKind, registry } from '../../activities/index.js';
import type { ViewContext } from '../../activities/index.js';
import { renameActivityMarkers, renderMarkdown, type RenderedMarkdown, type TocEntry } from '../../lib/markdown.js';
import type { GlossaryRenderOptions } from '../../lib/markdown-glossary.js';
import { extensionOf, matchesType } from './asset-types.js';
import {
  ASSET_NAME,
  ASSET_TYPES,
  LESSON_FILE,
  MAX_ASSET_BYTES,
  MAX_FILES,
  MAX_TEXT_BYTES,
  SLUG,
  lessonFrontMatterSchema,
  moduleFrontMatterSchema,
  type ModuleFrontMatter,
} from './format.js';
import { problem, zodProblems, type Problem } from './problems.js';
import { sha256, sourceHash, type ModuleSource } from './source.js';
import { parseYaml } from './yaml-source.js';

/**
 * Reads a module's files (from a folder, a zip or a browser draft) into a typed ParsedModule,
 * reporting every problem with its file and line. Nothing here runs author code: front matter and
 * activity settings are YAML parsed as plain data and validated with zod.
 */

export interface ParsedAsset {
  path: string;
  name: string;
  sha256: string;
  size: number;
  contentType: string;
}

export interface ParsedActivity {
  id: string;
  kind: string;
  lessonSlug: string;
  file: string;
  line: number;
  required: boolean;
  /** Validated settings (what the server grades against). */
  settings: Record<string, unknown>;
  /** publicSettings: what may reach a learner's page. */
  view: Record<string, unknown>;
}

export interface ParsedLesson {
  number: number;
  slug: string;
  file: string;
  title: string;
  minutes: number | null;
  /** "Kort fortalt": the lesson's plain-language summary, when the author wrote one. */
  summary: string | null;
  /** Rendered HTML with `<!--activity:<id>-->` markers where activities go. */
  html: string;
  toc: TocEntry[];
  activityIds: string[];
}

export interface ParsedModule {
  slug: string;
  frontMatter: ModuleFrontMatter;
  introHtml: string;
  introToc: TocEntry[];
  lessons: ParsedLesson[];
  activities: ParsedActivity[];
  assets: ParsedAsset[];
  contentHash: string;
}

/** What the cross-module checks need, read even from a module that has other problems. */
export interface ModuleMeta {
  slug: string;
  file: string;
  prerequisites: Array<{ slug: string; line: number }>;
  translationOf: { slug: string; line: number } | undefined;
}

export interface ParseResult {
  /** Set only when there are no problems: what can be published. */
  module: ParsedModule | undefined;
  /** Whatever could be rendered, problems or not: the author's preview. */
  rendered: { title: string; introHtml: string; lessons: ParsedLesson[]; activities: ParsedActivity[]; glossaryTerms: string[] };
  meta: ModuleMeta;
  problems: Problem[];
}

export interface ParseOptions {
  /** Prefix of problem file paths; the module's slug by default (paths relative to the modules folder). */
  filePrefix?: string;
  /** Served URL of an asset. */
  assetUrl?: (hash: string, name: string) => string;
  /** URL of a lesson, relative to another lesson's page. */
  lessonHref?: (lessonSlug: string) => string;
  /** URL of the module's introduction, relative to a lesson's page. */
  introHref?: string;
  /** URL of the module's glossary page, relative to a lesson's page (word explanations link there). */
  glossaryHref?: string;
}

/** Lesson slugs that would collide with the module's own pages (`/moduler/<slug>/ordliste`). */
export const RESERVED_LESSON_SLUGS: ReadonlySet<string> = new Set(['ordliste']);
export const GLOSSARY_PAGE = 'ordliste';

export const READING_ID_PREFIX = 'lesson:';
export const defaultAssetUrl = (hash: string, name: string) => `/moduler/filer/${hash}/${encodeURIComponent(name)}`;
// Lesson pages are siblings (`…/<module>/<lesson-slug>`), so a link between lessons is just the slug.
const defaultLessonHref = (lessonSlug: string) => lessonSlug;

interface FrontMatterSplit {
  yaml: string | undefined;
  body: string;
  /** Lines before the body (front matter and its fences). */
  bodyOffset: number;
  problem?: { line: number; code: 'frontMatter.missing' | 'frontMatter.code' | 'frontMatter.unclosed'; opener?: string };
}

/**
 * Front matter is YAML between two `---` lines. Anything else after the opening dashes (`---js`,
 * `---coffee`) is a request to run code in other tools; here it is refused and the block ignored.
 */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const lines = text.split('\n');
  const first = lines[0] ?? '';
  if (!first.startsWith('---')) return { yaml: undefined, body: text, bodyOffset: 0, problem: { line: 1, code: 'frontMatter.missing' } };
  const close = lines.findIndex((line, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(line));
  if (!/^---\s*$/.test(first)) {
    const bodyOffset = close > 0 ? close + 1 : 1;
    return { yaml: undefined, body: lines.slice(bodyOffset).join('\n'), bodyOffset, problem: { line: 1, code: 'frontMatter.code', opener: first.trim().slice(0, 20) } };
  }
  if (close < 0) return { yaml: undefined, body: '', bodyOffset: lines.length, problem: { line: 1, code: 'frontMatter.unclosed' } };
  return { yaml: lines.slice(1, close).join('\n'), body: lines.slice(close + 1).join('\n'), bodyOffset: close + 1 };
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Lines outside fenced code that open a `:::` container (a syntax other tools use for activities). */
function containerLines(body: string, offset: number): Array<{ line: number; kind: string }> {
  const found: Array<{ line: number; kind: string }> = [];
  let fence: string | undefined;
  body.split('\n').forEach((line, i) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker) {
      if (!fence) fence = marker[0]!.repeat(marker.length);
      else if (line.trim().startsWith(fence)) fence = undefined;
      return;
    }
    if (fence) return;
    const m = /^\s{0,3}:::+\s*([a-z][a-z0-9-]*)?/.exec(line);
    if (m && m[1]) found.push({ line: i + 1 + offset, kind: m[1] });
  });
  return found;
}

// A fence whose info string is one lowercase word and whose first line is `id: …` is meant as an
// activity; common data languages are left alone as code examples.
const CODE_LANGUAGES = new Set(['yaml', 'yml', 'json', 'text', 'txt', 'md', 'markdown', 'plain']);
function looksLikeActivity(info: string, content: string): boolean {
  const firstLine = content.split('\n').find((l) => l.trim() !== '') ?? '';
  return /^[a-z][a-z0-9-]*$/.test(info) && !CODE_LANGUAGES.has(info) && /^id:\s*\S/.test(firstLine);
}

export function parseModule(source: ModuleSource, options: ParseOptions = {}): ParseResult {
  const prefix = options.filePrefix ?? source.slug;
  const at = (file: string) => (prefix ? `${prefix}/${file}` : file);
  const assetUrl = options.assetUrl ?? defaultAssetUrl;
  const lessonHref = options.lessonHref ?? defaultLessonHref;
  const introHref = options.introHref ?? './';
  const glossaryHref = options.glossaryHref ?? GLOSSARY_PAGE;
  const problems: Problem[] = [];
  const meta: ModuleMeta = { slug: source.slug, file: at('module.md'), prerequisites: [], translationOf: undefined };

  if (!SLUG.test(source.slug)) problems.push(problem(at('module.md'), 1, 'module.slug', { slug: source.slug }));
  if (source.files.length > MAX_FILES) problems.push(problem(at('module.md'), 1, 'file.tooMany', { count: source.files.length, max: MAX_FILES }));

  // 1. Sort the files into module.md, lessons and assets.
  const files = new Map(source.files.map((f) => [f.path, f.data]));
  const lessonFiles: Array<{ file: string; number: number; slug: string }> = [];
  const assets = new Map<string, ParsedAsset>();
  let textBytes = 0;
  for (const { path: file, data, stored } of source.files) {
    if (file.endsWith('.md')) textBytes += data.length;
    if (file === 'module.md') continue;
    const [dir, name, ...rest] = file.split('/');
    if (dir === 'lessons' && name && rest.length === 0) {
      const m = LESSON_FILE.exec(name);
      if (m && RESERVED_LESSON_SLUGS.has(m[2]!)) problems.push(problem(at(file), 1, 'lesson.reservedSlug', { name, slug: m[2]! }));
      else if (m) lessonFiles.push({ file, number: Number(m[1]), slug: m[2]! });
      else problems.push(problem(at(file), 1, 'lesson.fileName', { name }));
      continue;
    }
    if (dir === 'assets' && name && rest.length === 0) {
      const ext = extensionOf(name);
      if (!ASSET_NAME.test(name)) problems.push(problem(at(file), 1, 'asset.name', { name }));
      else if (!(ext in ASSET_TYPES)) problems.push(problem(at(file), 1, 'asset.type', { name, ext: ext || name, allowed: Object.keys(ASSET_TYPES).join(' ') }));
      else if ((stored?.size ?? data.length) > MAX_ASSET_BYTES) {
        problems.push(problem(at(file), 1, 'asset.tooLarge', { name, size: ((stored?.size ?? data.length) / 1048576).toFixed(1), max: MAX_ASSET_BYTES / 1048576 }));
      } else if (!stored && !matchesType(ext, data)) problems.push(problem(at(file), 1, 'asset.content', { name, ext }));
      assets.set(file, {
        path: file,
        name,
        sha256: stored?.sha256 ?? sha256(data),
        size: stored?.size ?? data.length,
        contentType: ASSET_TYPES[ext]?.contentType ?? 'application/octet-stream',
      });
      continue;
    }
    problems.push(problem(at(file), 1, 'file.unexpected', { file }));
  }
  if (textBytes > MAX_TEXT_BYTES) {
    problems.push(problem(at('module.md'), 1, 'module.tooLarge', { size: Math.ceil(textBytes / 1024), max: MAX_TEXT_BYTES / 1024 }));
  }

  // 2. Lessons in order, numbered without gaps.
  lessonFiles.sort((a, b) => a.number - b.number || a.slug.localeCompare(b.slug));
  const lessonBySlug = new Map<string, { file: string; number: number; slug: string }>();
  lessonFiles.forEach((lesson, i) => {
    const previous = lessonFiles[i - 1];
    if (previous && previous.number === lesson.number) {
      problems.push(problem(at(lesson.file), 1, 'lesson.duplicateNumber', { number: String(lesson.number).padStart(2, '0') }));
    }
    lessonBySlug.set(lesson.slug, lesson);
  });
  const numbers = new Set(lessonFiles.map((l) => l.number));
  const highest = Math.max(0, ...numbers);
  for (let n = 1; n < highest; n += 1) {
    if (!numbers.has(n)) {
      const next = lessonFiles.find((l) => l.number > n)!;
      problems.push(problem(at(next.file), 1, 'lesson.missing', { number: String(n).padStart(2, '0') }));
    }
  }
  if (lessonFiles.length === 0 && files.has('module.md')) problems.push(problem(at('module.md'), 1, 'lesson.none'));
  const lessonFileSet = new Map(lessonFiles.map((l) => [l.file, l]));

  // 3. Resolving paths inside the module, for links, images and activity settings.
  const pendingAnchors: Array<{ file: string; line: number; href: string; target: string; fragment: string }> = [];
  const headingIds = new Map<string, Set<string>>();

  function resolvePath(fromFile: string, raw: string): string | undefined {
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (decoded.includes('\\') || decoded.includes('\0')) return undefined;
    const candidates = [path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), decoded)), path.posix.normalize(decoded)];
    return candidates.find((c) => !c.startsWith('../') && !path.posix.isAbsolute(c) && files.has(c));
  }

  const resolverFor = (fromFile: string) => (href: string, kind: 'link' | 'image'): string | undefined => {
    const hashAt = href.indexOf('#');
    const pathPart = (hashAt >= 0 ? href.slice(0, hashAt) : href).replace(/\?.*$/, '');
    const fragment = hashAt >= 0 ? href.slice(hashAt + 1) : '';
    if (pathPart === '') return kind === 'link' ? href : undefined;
    const target = resolvePath(fromFile, pathPart);
    if (!target) return undefined;
    if (kind === 'image') {
      const asset = assets.get(target);
      return asset && ASSET_TYPES[extensionOf(asset.name)]?.kind === 'image' ? assetUrl(asset.sha256, asset.name) : undefined;
    }
    const asset = assets.get(target);
    if (asset) return assetUrl(asset.sha256, asset.name);
    const lesson = lessonFileSet.get(target);
    if (fragment) pendingAnchors.push({ file: fromFile, line: 0, href, target, fragment });
    if (lesson) return lessonHref(lesson.slug) + (fragment ? `#${fragment}` : '');
    if (target === 'module.md') return introHref + (fragment ? `#${fragment}` : '');
    return undefined;
  };

  const rootResolver = resolverFor('module.md');
  const language = (() => {
    const text = files.get('module.md')?.toString('utf8') ?? '';
    return /^language:\s*(nb|nn|en)\s*$/m.exec(text)?.[1] ?? 'nb';
  })();
  const viewContext: ViewContext = {
    assetUrl: (file) => {
      const target = resolvePath('module.md', file);
      const asset = target ? assets.get(target) : undefined;
      return asset ? assetUrl(asset.sha256, asset.name) : undefined;
    },
    readText: (file) => {
      const target = resolvePath('module.md', file);
      return target && assets.has(target) ? files.get(target)?.toString('utf8') : undefined;
    },
    markdown: (text) => renderMarkdown(text, { resolveHref: rootResolver }).html,
    language,
  };

  /** Renders one Markdown body and reports its headings, links and images. */
  function renderBody(file: string, body: string, offset: number, glossary?: GlossaryRenderOptions): RenderedMarkdown {
    const rendered = renderMarkdown(body, { activityKinds: registry.kindNames, resolveHref: resolverFor(file), lineOffset: offset, glossary });
    const firstLineOf = new Map<string, number>();
    const ids = new Set<string>();
    for (const heading of rendered.headings) {
      if (heading.level === 1) problems.push(problem(at(file), heading.line, 'heading.level1'));
      if (heading.id) ids.add(heading.id);
      if (!heading.slug) continue;
      const first = firstLineOf.get(heading.slug);
      if (first !== undefined) problems.push(problem(at(file), heading.line, 'heading.duplicate', { id: heading.slug, first }));
      else firstLineOf.set(heading.slug, heading.line);
    }
    headingIds.set(file, ids);
    // Anchors recorded during this render get their line from the link list.
    for (const pending of pendingAnchors) {
      if (pending.line === 0 && pending.file === file) pending.line = rendered.links.find((l) => l.href === pending.href)?.line ?? 1;
    }
    for (const link of rendered.links) {
      if (link.kind === 'refused') problems.push(problem(at(file), link.line, 'link.refused', { href: link.href }));
      else if (!link.resolved) problems.push(problem(at(file), link.line, 'link.broken', { href: link.href }));
      else if (link.kind === 'fragment') pendingAnchors.push({ file, line: link.line, href: link.href, target: file, fragment: link.href.slice(1) });
    }
    for (const image of rendered.images) {
      const remote = /^[a-z][a-z0-9+.-]*:|^\/\//i.test(image.src);
      if (remote) problems.push(problem(at(file), image.line, 'image.remote', { src: image.src }));
      else if (!image.resolved) problems.push(problem(at(file), image.line, 'image.missing', { src: image.src }));
      if (!image.alt.trim()) problems.push(problem(at(file), image.line, 'image.alt', { src: image.src }));
    }
    for (const container of containerLines(body, offset)) {
      problems.push(problem(at(file), container.line, 'activity.container', { kind: container.kind }));
    }
    return rendered;
  }

  // 4. module.md: front matter and introduction.
  let frontMatter: ModuleFrontMatter | undefined;
  let introHtml = '';
  let introToc: TocEntry[] = [];
  const moduleText = files.get('module.md')?.toString('utf8');
  if (moduleText === undefined) {
    problems.push(problem(at('module.md'), 1, 'module.missingFile'));
  } else {
    const split = splitFrontMatter(moduleText);
    if (split.problem) problems.push(problem(at('module.md'), split.problem.line, split.problem.code, { opener: split.problem.opener ?? '' }));
    if (split.yaml !== undefined) {
      const parsed = parseYaml(split.yaml, 2);
      for (const e of parsed.errors) problems.push(problem(at('module.md'), e.line, 'yaml.syntax', { detail: e.message }));
      if (parsed.errors.length === 0) {
        const raw = parsed.data;
        if (isMapping(raw)) {
          const prerequisites = stringList(raw.prerequisites) ?? [];
          meta.prerequisites = prerequisites.map((slug, i) => ({ slug, line: parsed.lineOf(['prerequisites', i]) }));
          if (typeof raw.translationOf === 'string') meta.translationOf = { slug: raw.translationOf, line: parsed.lineOf(['translationOf']) };
        }
        const result = moduleFrontMatterSchema.safeParse(raw ?? {});
        if (result.success) frontMatter = result.data;
        else problems.push(...zodProblems(result.error.issues, raw, at('module.md'), parsed.lineOf, 'front matter'));
      }
    }
    const rendered = renderBody('module.md', split.body, split.bodyOffset);
    for (const fence of rendered.fences.filter((f) => f.activity)) {
      // Activities belong in lessons, where a learner's progress is recorded.
      problems.push(problem(at('module.md'), fence.line, 'file.unexpected', { file: `module.md (\`\`\`${fence.info})` }));
    }
    introHtml = rendered.html;
    introToc = rendered.toc;
  }

  // 5. Lessons and their activities.
  const lessons: ParsedLesson[] = [];
  const activities: ParsedActivity[] = [];
  const activityAt = new Map<string, { file: string; line: number }>();
  for (const lessonFile of lessonFiles) {
    const { file } = lessonFile;
    const text = files.get(file)!.toString('utf8');
    const split = splitFrontMatter(text);
    if (split.problem) problems.push(problem(at(file), split.problem.line, split.problem.code, { opener: split.problem.opener ?? '' }));
    let title = '';
    let minutes: number | null = null;
    let summary: string | null = null;
    if (split.yaml !== undefined) {
      const parsed = parseYaml(split.yaml, 2);
      for (const e of parsed.errors) problems.push(problem(at(file), e.line, 'yaml.syntax', { detail: e.message }));
      if (parsed.errors.length === 0) {
        const result = lessonFrontMatterSchema.safeParse(parsed.data ?? {});
        if (result.success) {
          title = result.data.title;
          minutes = result.data.minutes ?? null;
          summary = result.data.summary ?? null;
        } else {
          problems.push(...zodProblems(result.error.issues, parsed.data, at(file), parsed.lineOf, 'front matter'));
        }
      }
    }
    const glossary = frontMatter && frontMatter.glossary.length > 0 ? { terms: frontMatter.glossary, href: glossaryHref } : undefined;
    const rendered = renderBody(file, split.body, split.bodyOffset, glossary);
    const idsInOrder: Array<string | undefined> = [];
    for (const fence of rendered.fences) {
      if (!fence.activity) {
        if (looksLikeActivity(fence.info, fence.content)) {
          problems.push(problem(at(file), fence.line, 'activity.unknownKind', { kind: fence.info, kinds: [...registry.authoredKinds].join(', ') }));
        }
        continue;
      }
      const definition = registry.get(fence.info)!;
      idsInOrder[fence.index] = undefined;
      if (!definition.authored) {
        problems.push(problem(at(file), fence.line, 'activity.implicit', { kind: fence.info }));
        continue;
      }
      const parsed = parseYaml(fence.content, fence.line + 1);
      for (const e of parsed.errors) problems.push(problem(at(file), e.line, 'yaml.syntax', { detail: e.message }));
      if (parsed.errors.length > 0) continue;
      if (!isMapping(parsed.data)) {
        problems.push(problem(at(file), fence.line, 'yaml.notMapping'));
        continue;
      }
      const rawId = typeof parsed.data.id === 'string' ? parsed.data.id : undefined;
      const where = rawId ? `${fence.info} "${rawId}"` : `${fence.info} block`;
      if (rawId) {
        const earlier = activityAt.get(rawId);
        if (earlier) {
          problems.push(problem(at(file), parsed.lineOf(['id']), 'activity.duplicateId', { id: rawId, otherFile: at(earlier.file), otherLine: earlier.line }));
        } else {
          activityAt.set(rawId, { file, line: fence.line });
        }
      }
      const result = definition.settingsSchema.safeParse(parsed.data);
      if (!result.success) {
        problems.push(...zodProblems(result.error.issues, parsed.data, at(file), parsed.lineOf, where));
        continue;
      }
      const settings = result.data;
      let filesOk = true;
      for (const ref of definition.files?.(settings) ?? []) {
        const target = resolvePath('module.md', ref.file) ?? resolvePath(file, ref.file);
        const line = parsed.lineOf(ref.path);
        const field = ref.path.join('.');
        if (!target || !assets.has(target)) {
          problems.push(problem(at(file), line, 'file.missing', { where, field, target: ref.file }));
          filesOk = false;
        } else if (!ref.extensions.includes(extensionOf(target))) {
          problems.push(problem(at(file), line, 'file.wrongType', { where, field, target: ref.file, extensions: ref.extensions.join(' or ') }));
          filesOk = false;
        }
      }
      if (!filesOk) continue;
      idsInOrder[fence.index] = settings.id;
      activities.push({
        id: settings.id,
        kind: definition.kind,
        lessonSlug: lessonFile.slug,
        file: at(file),
        line: fence.line,
        required: settings.required,
        settings: settings as unknown as Record<string, unknown>,
        view: definition.publicSettings(settings, viewContext),
      });
    }
    const readingId = `${READING_ID_PREFIX}${lessonFile.slug}`;
    activities.push({ id: readingId, kind: lessonReadingKind, lessonSlug: lessonFile.slug, file: at(file), line: 1, required: true, settings: { id: readingId, required: true }, view: {} });
    lessons.push({
      number: lessonFile.number,
      slug: lessonFile.slug,
      file,
      title,
      minutes,
      summary,
      html: renameActivityMarkers(rendered.html, (i) => idsInOrder[i]),
      toc: rendered.toc,
      activityIds: idsInOrder.filter((id): id is string => !!id),
    });
  }

  // 6. Links to headings, checked once every file's heading ids are known.
  for (const anchor of pendingAnchors) {
    if (!headingIds.has(anchor.target)) continue;
    if (!headingIds.get(anchor.target)!.has(anchor.fragment)) problems.push(problem(at(anchor.file), anchor.line || 1, 'link.anchor', { href: anchor.href }));
  }

  const module: ParsedModule | undefined =
    problems.length === 0 && frontMatter
      ? {
          slug: source.slug,
          frontMatter,
          introHtml,
          introToc,
          lessons,
          activities,
          assets: [...assets.values()],
          contentHash: sourceHash(source),
        }
      : undefined;
  const rendered = { title: frontMatter?.title ?? source.slug, introHtml, lessons, activities, glossaryTerms: (frontMatter?.glossary ?? []).map((entry) => entry.term) };
  return { module, rendered, meta, problems };
}
