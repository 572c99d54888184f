import type { DraftCheck, DraftStatus, LessonPreview } from './authoring.service.js';
import { ASSET_TYPES } from './format.js';
import { extensionOf } from './asset-types.js';
import type { StoredFile } from './models.js';
import { defaultAssetUrl } from './parser.js';
import type { Problem } from './problems.js';

/**
 * View-models for the authoring pages: plain data shaped for the templates. Problems carry their
 * code and parameters, and the templates show them with `authoring:problems.<code>` in the
 * reader's language.
 */

export interface ProblemView {
  file: string;
  line: number;
  code: string;
  params: Record<string, string | number>;
  /** The editor page for the file, when there is one. */
  href: string | null;
}

export function problemViews(slug: string, problems: ReadonlyArray<Problem>): ProblemView[] {
  return problems.map((p) => {
    const lesson = /^lessons\/(\d{2}-[a-z0-9-]+\.md)$/.exec(p.file)?.[1];
    const href = lesson ? `/forfatter/moduler/${slug}/leksjoner/${lesson}` : p.file === 'module.md' ? `/forfatter/moduler/${slug}/innstillinger` : null;
    return { file: p.file, line: p.line, code: p.code, params: p.params, href };
  });
}

export function statusView(status: DraftStatus, version: string | null): { key: string; version: string | null; badge: string } {
  const badge = { draft: 'neutral', published: 'ok', draftNewer: 'warn', unpublished: 'neutral', archived: 'neutral' }[status];
  return { key: status, version, badge };
}

export function formatDate(date: Date | string | null | undefined, lang: string): string {
  if (!date) return '';
  const locale = lang === 'en' ? 'en-GB' : `${lang}-NO`;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Oslo' }).format(new Date(date));
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export interface ModuleOverview {
  slug: string;
  title: string;
  status: ReturnType<typeof statusView>;
  revision: number;
  moduleStatus: string;
  updatedAt: string;
  updatedBy: string;
  lessons: Array<{ file: string; number: number; title: string; problemCount: number }>;
  assets: Array<{ name: string; size: string; kind: string; url: string; snippet: string }>;
  problems: ProblemView[];
  canPublish: boolean;
}

export function moduleOverview(check: DraftCheck, status: DraftStatus, lang: string): ModuleOverview {
  const { module, result, problems } = check;
  const titles = new Map(result.rendered.lessons.map((l) => [l.file, l.title]));
  const lessons = module.draftFiles
    .filter((f) => /^lessons\/\d{2}-[a-z0-9-]+\.md$/.test(f.path))
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map((f) => ({
      file: f.path.slice(8),
      number: Number(f.path.slice(8, 10)),
      title: titles.get(f.path) || f.path.slice(8),
      problemCount: problems.filter((p) => p.file === f.path).length,
    }));
  return {
    slug: module._id,
    title: module.title,
    status: statusView(status, module.latestMajor != null ? `${module.latestMajor}.${module.latestMinor}` : null),
    revision: module.revision,
    moduleStatus: module.status,
    updatedAt: formatDate(module.draftUpdatedAt, lang),
    updatedBy: module.draftUpdatedBy?.name ?? '',
    lessons,
    assets: module.draftFiles.filter((f) => f.path.startsWith('assets/')).map((f) => assetView(f)),
    problems: problemViews(module._id, problems),
    canPublish: problems.length === 0 && status !== 'published' && status !== 'archived',
  };
}

function assetView(file: StoredFile): ModuleOverview['assets'][number] {
  const name = file.path.slice(7);
  const kind = ASSET_TYPES[extensionOf(name)]?.kind ?? 'other';
  const snippet = kind === 'image' ? `![Beskriv bildet](assets/${name})` : `assets/${name}`;
  return { name, size: formatSize(file.size), kind, url: defaultAssetUrl(file.sha256, name), snippet };
}

export type { LessonPreview };
