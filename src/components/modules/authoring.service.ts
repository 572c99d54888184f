import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { slugifyHeading, splitActivityMarkers } from '../../lib/markdown.js';
import { registry } from '../../activities/index.js';
import { isAllowedAssetName } from './asset-types.js';
import { checkModuleFile } from './content-check.js';
import { crossModuleProblems } from './checker.js';
import { editorialProblems } from './editorial.js';
import { LESSON_FILE, MAX_ASSET_BYTES, SLUG } from './format.js';
import { ModuleModel, ModuleVersionModel, versionId, type ModuleStatus, type Publisher, type StoredFile, type VersionKind } from './models.js';
import { parseModule, type ParsedActivity, type ParseResult } from './parser.js';
import { sortProblems, type Problem } from './problems.js';
import { nextVersion, publishParsed } from './publishing.service.js';
import { formFromModuleMd, glossaryOf, moduleMdFromForm, newLessonMd, newModuleMd, withGlossary, withVersion, type SettingsForm } from './settings-form.js';
import { sha256, normaliseFile, type ModuleSource } from './source.js';
import { loadSource, saveAsset, storedHash } from './store.js';
import { parseYaml } from './yaml-source.js';

/**
 * Authoring in the browser. The draft lives in the Module document (its files and a `revision`);
 * every change is one conditional update on `{ _id, revision }`, so two authors saving the same
 * draft can never overwrite each other silently: the second save is refused with a ConflictError.
 */

export type DraftStatus = 'draft' | 'published' | 'draftNewer' | 'unpublished' | 'archived';

export interface ModuleListRow {
  slug: string;
  title: string;
  status: DraftStatus;
  version: string | null;
  draftUpdatedAt: Date | null;
}

interface ModuleDoc {
  _id: string;
  title: string;
  status: ModuleStatus;
  latestVersionId: string | null;
  latestMajor: number | null;
  latestMinor: number | null;
  publishedHash: string | null;
  draftFiles: StoredFile[];
  draftHash: string | null;
  revision: number;
  draftUpdatedAt: Date | null;
  draftUpdatedBy: Publisher | null;
}

export function statusOf(module: Pick<ModuleDoc, 'status' | 'latestVersionId' | 'draftHash' | 'publishedHash'>): DraftStatus {
  if (module.status === 'archived') return 'archived';
  if (!module.latestVersionId) return 'draft';
  if (module.status === 'unpublished') return 'unpublished';
  return module.draftHash !== module.publishedHash ? 'draftNewer' : 'published';
}

const versionLabel = (m: Pick<ModuleDoc, 'latestMajor' | 'latestMinor'>) => (m.latestMajor != null ? `${m.latestMajor}.${m.latestMinor}` : null);

export async function listModulesForAuthoring(): Promise<ModuleListRow[]> {
  const modules = (await ModuleModel.find({}, { draftFiles: 0 }).lean()) as unknown as ModuleDoc[];
  return modules
    .map((m) => ({ slug: m._id, title: m.title, status: statusOf(m), version: versionLabel(m), draftUpdatedAt: m.draftUpdatedAt }))
    .sort((a, b) => a.title.localeCompare(b.title, 'nb'));
}

async function loadModule(slug: string): Promise<ModuleDoc> {
  if (!SLUG.test(slug)) throw new NotFoundError(`module ${slug}`);
  const module = (await ModuleModel.findById(slug).lean()) as unknown as ModuleDoc | null;
  if (!module) throw new NotFoundError(`module ${slug}`);
  return module;
}

/** The prerequisites written in a module.md, for the cross-module checks of other drafts. */
function prerequisitesOf(files: ReadonlyArray<StoredFile>): string[] {
  const text = files.find((f) => f.path === 'module.md')?.text ?? '';
  const yaml = /^---\n([\s\S]*?)\n---/.exec(text)?.[1];
  const data = yaml ? parseYaml(yaml, 2).data : undefined;
  const value = data && typeof data === 'object' ? (data as Record<string, unknown>).prerequisites : undefined;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function titleOf(files: ReadonlyArray<StoredFile>, fallback: string): string {
  const text = files.find((f) => f.path === 'module.md')?.text ?? '';
  const yaml = /^---\n([\s\S]*?)\n---/.exec(text)?.[1];
  const data = yaml ? parseYaml(yaml, 2).data : undefined;
  const title = data && typeof data === 'object' ? (data as Record<string, unknown>).title : undefined;
  return typeof title === 'string' && title.trim() ? title.trim().slice(0, 120) : fallback;
}

export interface DraftCheck {
  module: ModuleDoc;
  source: ModuleSource;
  result: ParseResult;
  problems: Problem[];
}

/** Parses the draft (or a variant of it) and runs the cross-module checks against the other modules. */
async function checkDraft(module: ModuleDoc, files: ReadonlyArray<StoredFile> = module.draftFiles, binary: 'load' | 'skip' = 'skip'): Promise<DraftCheck> {
  // Pages that show the draft skip pictures and videos (every arrival path checked them); the
  // check before publishing reads every file again, so nothing unchecked is ever published.
  const source = await loadSource(module._id, files, { binary });
  // Word explanations link to the module's glossary page by its full address, so they also work
  // from the preview's pages (whose own address for "ordliste" would be a lesson).
  const result = parseModule(source, { filePrefix: '', glossaryHref: `/moduler/${module._id}/ordliste` });
  const others = await ModuleModel.find({ _id: { $ne: module._id } }, { prerequisites: 1 }).lean();
  const metas = [
    { ...result.meta, file: 'module.md' },
    ...others.map((o) => ({
      slug: String(o._id),
      file: `${String(o._id)}/module.md`,
      prerequisites: ((o as { prerequisites?: string[] }).prerequisites ?? []).map((s) => ({ slug: s, line: 1 })),
      translationOf: undefined,
    })),
  ];
  const known = new Set([module._id, ...others.map((o) => String(o._id))]);
  const cross = crossModuleProblems(metas, known).filter((p) => p.file === 'module.md');
  return { module, source, result, problems: sortProblems([...result.problems, ...cross]) };
}

export async function getDraft(slug: string): Promise<DraftCheck> {
  return checkDraft(await loadModule(slug));
}

/**
 * Applies a change to the draft's files, as one conditional update on the revision the author
 * saw. Returns the new revision; a stale revision is refused with ConflictError.
 */
async function changeDraft(slug: string, revision: number, by: Publisher, change: (files: StoredFile[]) => StoredFile[] | Promise<StoredFile[]>): Promise<number> {
  const module = await loadModule(slug);
  if (module.status === 'archived') throw new ConflictError(`module ${slug} is archived`, 'authoring:errors.archived');
  if (module.revision !== revision) throw new ConflictError(`stale revision ${revision} of ${slug} (now ${module.revision})`, 'authoring:errors.staleRevision');
  const files = (await change(module.draftFiles.map((f) => ({ ...f })))).sort((a, b) => (a.path < b.path ? -1 : 1));
  const result = await ModuleModel.updateOne(
    { _id: { $eq: slug }, revision: { $eq: revision } },
    {
      $set: {
        draftFiles: files,
        draftHash: storedHash(files),
        draftUpdatedAt: new Date(),
        draftUpdatedBy: by,
        title: titleOf(files, module.title),
        prerequisites: prerequisitesOf(files),
      },
      $inc: { revision: 1 },
    },
  );
  if (result.matchedCount === 0) throw new ConflictError(`stale revision ${revision} of ${slug}`, 'authoring:errors.staleRevision');
  return revision + 1;
}

function textFile(path: string, text: string): StoredFile {
  const data = normaliseFile(path, Buffer.from(text, 'utf8'));
  return { path, text: data.toString('utf8'), sha256: sha256(data), size: data.length };
}

function putFile(files: StoredFile[], file: StoredFile): StoredFile[] {
  return [...files.filter((f) => f.path !== file.path), file];
}

export async function createModule(input: { slug: string; title: string; by: Publisher }): Promise<string> {
  const slug = input.slug.trim();
  const title = input.title.trim();
  const fields: Record<string, string> = {};
  if (!SLUG.test(slug) || slug.length > 80) fields.slug = 'authoring:create.slugInvalid';
  if (title.length < 3 || title.length > 120) fields.title = 'authoring:create.titleInvalid';
  if (Object.keys(fields).length) throw new ValidationError('invalid new module', fields);
  const files = [textFile('lessons/01-innledning.md', newLessonMd('Innledning')), textFile('module.md', newModuleMd(title))];
  try {
    await ModuleModel.create({
      _id: slug,
      title,
      status: 'active',
      draftFiles: files,
      draftHash: storedHash(files),
      revision: 1,
      draftUpdatedAt: new Date(),
      draftUpdatedBy: input.by,
      prerequisites: [],
      createdAt: new Date(),
    });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new ConflictError(`module ${slug} exists`, 'authoring:errors.slugTaken');
    throw err;
  }
  return slug;
}

/* ---------------------------------------------------------------- settings */

export async function getSettings(slug: string): Promise<DraftCheck & { form: SettingsForm; version: string; moduleMd: string }> {
  const check = await getDraft(slug);
  const text = check.module.draftFiles.find((f) => f.path === 'module.md')?.text ?? '';
  return { ...check, ...formFromModuleMd(text), moduleMd: text };
}

export async function saveSettings(input: { slug: string; revision: number; form: SettingsForm; by: Publisher }): Promise<number> {
  return changeDraft(input.slug, input.revision, input.by, (files) => {
    const current = files.find((f) => f.path === 'module.md')?.text ?? '';
    const { version } = formFromModuleMd(current);
    return putFile(files, textFile('module.md', moduleMdFromForm(input.form, version, current)));
  });
}

/* ---------------------------------------------------------------- glossary */

/** The module's glossary (its terms as module.md writes them) and the checker's problems with it. */
export async function getGlossary(slug: string): Promise<{ module: ModuleDoc; glossary: unknown[]; problems: Problem[] }> {
  const check = await getDraft(slug);
  const text = check.module.draftFiles.find((f) => f.path === 'module.md')?.text ?? '';
  const problems = check.problems.filter((p) => p.file === 'module.md' && String(p.params.field ?? '').split('.')[0] === 'glossary');
  return { module: check.module, glossary: glossaryOf(text), problems };
}

/** Writes the glossary into module.md, the rest of the file unchanged; refused when its front matter cannot be read. */
export async function saveGlossary(input: { slug: string; revision: number; glossary: readonly unknown[]; by: Publisher }): Promise<number> {
  return changeDraft(input.slug, input.revision, input.by, (files) => {
    const next = withGlossary(files.find((f) => f.path === 'module.md')?.text ?? '', input.glossary);
    if (next === null) throw new ValidationError('module.md front matter unreadable', { '': 'authoring:glossary.unreadable' });
    return putFile(files, textFile('module.md', next));
  });
}

/* ----------------------------------------------------------------- lessons */

export function lessonPath(file: string): string {
  if (!LESSON_FILE.test(file)) throw new NotFoundError(`lesson ${file}`);
  return `lessons/${file}`;
}

export async function getLesson(slug: string, file: string): Promise<DraftCheck & { text: string; path: string }> {
  const path = lessonPath(file);
  const check = await getDraft(slug);
  const stored = check.module.draftFiles.find((f) => f.path === path);
  if (!stored) throw new NotFoundError(`lesson ${slug}/${path}`);
  return { ...check, text: stored.text ?? '', path };
}

export async function saveLesson(input: { slug: string; file: string; revision: number; text: string; by: Publisher }): Promise<number> {
  const path = lessonPath(input.file);
  return changeDraft(input.slug, input.revision, input.by, (files) => {
    if (!files.some((f) => f.path === path)) throw new NotFoundError(`lesson ${path}`);
    return putFile(files, textFile(path, input.text));
  });
}

interface LessonRef {
  path: string;
  number: number;
  name: string;
}

function lessonsOf(files: ReadonlyArray<StoredFile>): LessonRef[] {
  return files
    .flatMap((f) => {
      const m = f.path.startsWith('lessons/') ? LESSON_FILE.exec(f.path.slice(8)) : null;
      return m ? [{ path: f.path, number: Number(m[1]), name: m[2]! }] : [];
    })
    .sort((a, b) => a.number - b.number || a.name.localeCompare(b.name));
}

/** Renames lessons to 01, 02, … in the given order (their slugs, and so their activity ids, stay). */
function renumber(files: StoredFile[], order: LessonRef[]): StoredFile[] {
  const renamed = new Map(order.map((l, i) => [l.path, `lessons/${String(i + 1).padStart(2, '0')}-${l.name}.md`]));
  return files.map((f) => (renamed.has(f.path) ? { ...f, path: renamed.get(f.path)! } : f));
}

export async function addLesson(input: { slug: string; revision: number; title: string; by: Publisher }): Promise<{ revision: number; file: string }> {
  const title = input.title.trim();
  if (title.length < 1 || title.length > 120) throw new ValidationError('invalid lesson title', { title: 'authoring:lessons.titleInvalid' });
  const name = slugifyHeading(title).slice(2) || 'leksjon';
  let file = '';
  const revision = await changeDraft(input.slug, input.revision, input.by, (files) => {
    const lessons = lessonsOf(files);
    if (lessons.length >= 99) throw new ValidationError('too many lessons', { title: 'authoring:lessons.tooMany' });
    if (lessons.some((l) => l.name === name)) throw new ValidationError('lesson slug taken', { title: 'authoring:lessons.nameTaken' });
    file = `${String(lessons.length + 1).padStart(2, '0')}-${name}.md`;
    return [...renumber(files, lessons), textFile(`lessons/${file}`, newLessonMd(title))];
  });
  return { revision, file };
}

export async function moveLesson(input: { slug: string; revision: number; file: string; direction: 'up' | 'down'; by: Publisher }): Promise<number> {
  const path = lessonPath(input.file);
  return changeDraft(input.slug, input.revision, input.by, (files) => {
    const lessons = lessonsOf(files);
    const i = lessons.findIndex((l) => l.path === path);
    if (i < 0) throw new NotFoundError(`lesson ${path}`);
    const j = input.direction === 'up' ? i - 1 : i + 1;
    if (j >= 0 && j < lessons.length) [lessons[i], lessons[j]] = [lessons[j]!, lessons[i]!];
    return renumber(files, lessons);
  });
}

export async function removeLesson(input: { slug: string; revision: number; file: string; by: Publisher }): Promise<number> {
  const path = lessonPath(input.file);
  return changeDraft(input.slug, input.revision, input.by, (files) => {
    if (!files.some((f) => f.path === path)) throw new NotFoundError(`lesson ${path}`);
    const rest = files.filter((f) => f.path !== path);
    return renumber(rest, lessonsOf(rest));
  });
}

/* ------------------------------------------------------------------ assets */

/**
 * Adds an uploaded file to assets/. The name must already be sanitised; the type is checked by
 * extension and by content, and the size against the per-file limit.
 */
export async function addAsset(input: { slug: string; revision: number; name: string; data: Buffer; by: Publisher }): Promise<number> {
  if (!isAllowedAssetName(input.name)) throw new ValidationError('asset type not allowed', { file: 'authoring:assets.typeNotAllowed' });
  if (input.data.length > MAX_ASSET_BYTES) throw new ValidationError('asset too large', { file: 'authoring:assets.tooLarge' });
  const data = normaliseFile(input.name, input.data);
  const problem = checkModuleFile(`assets/${input.name}`, data);
  if (problem) throw new ValidationError(`asset refused: ${problem}`, { file: problem === 'asset.content' ? 'authoring:assets.wrongContent' : 'authoring:assets.typeNotAllowed' });
  const hash = await saveAsset(input.name, data);
  const path = `assets/${input.name}`;
  return changeDraft(input.slug, input.revision, input.by, (files) => putFile(files, { path, text: null, sha256: hash, size: data.length }));
}

export async function removeAsset(input: { slug: string; revision: number; name: string; by: Publisher }): Promise<number> {
  const path = `assets/${input.name}`;
  return changeDraft(input.slug, input.revision, input.by, (files) => {
    if (!files.some((f) => f.path === path)) throw new NotFoundError(`asset ${path}`);
    return files.filter((f) => f.path !== path);
  });
}

/** Refuses a whole zip when any of its files fails the content check (before anything is created or stored). */
export function assertFilesAllowed(source: ModuleSource): void {
  const refused = source.files.flatMap((f) => {
    const problem = checkModuleFile(f.path, f.data);
    return problem ? [`${f.path} (${problem})`] : [];
  });
  if (refused.length) throw new ValidationError(`zip refused: ${refused.join(', ')}`, { zip: 'authoring:import.badFiles' });
}

/**
 * Replaces the whole draft (a zip import). The zip reader checked paths and sizes; every file gets
 * the same content check as a single upload before anything is stored, so a refused zip leaves no
 * file behind (not even one served by its hash).
 */
export async function replaceDraft(input: { slug: string; revision: number; source: ModuleSource; by: Publisher }): Promise<number> {
  assertFilesAllowed(input.source);
  const stored: StoredFile[] = [];
  for (const file of input.source.files) {
    if (file.path === 'module.md' || file.path.startsWith('lessons/')) stored.push(textFile(file.path, file.data.toString('utf8')));
    else stored.push({ path: file.path, text: null, sha256: await saveAsset(file.path, file.data), size: file.data.length });
  }
  return changeDraft(input.slug, input.revision, input.by, () => stored);
}

/* ----------------------------------------------------------------- preview */

export interface PreviewActivity {
  id: string;
  kind: string;
  required: boolean;
  view: Record<string, unknown>;
  partial: string;
  initialState: unknown;
}

export type PreviewPart = { type: 'html'; html: string } | { type: 'activity'; activity: PreviewActivity };

function partsOf(html: string, activities: ReadonlyArray<ParsedActivity>): PreviewPart[] {
  const byId = new Map(activities.map((a) => [a.id, a]));
  return splitActivityMarkers(html).flatMap((part): PreviewPart[] => {
    if (part.type === 'html') return [part];
    const activity = byId.get(part.key);
    const definition = activity ? registry.get(activity.kind) : undefined;
    if (!activity || !definition) return [];
    return [{ type: 'activity', activity: { id: activity.id, kind: activity.kind, required: activity.required, view: activity.view, partial: definition.partial, initialState: definition.initialState() } }];
  });
}

export interface LessonPreview {
  moduleTitle: string;
  lessons: Array<{ slug: string; title: string; file: string }>;
  lesson: { slug: string; title: string; file: string; minutes: number | null; toc: Array<{ level: number; id: string; text: string }>; parts: PreviewPart[]; reading: PreviewActivity } | null;
  introHtml: string;
  problems: Problem[];
}

function previewOf(check: DraftCheck, lessonSlug: string | null): LessonPreview {
  const rendered = check.result.rendered;
  const lessons = rendered.lessons.map((l) => ({ slug: l.slug, title: l.title || l.file, file: l.file.slice(8) }));
  let lesson: LessonPreview['lesson'] = null;
  if (lessonSlug !== null) {
    const found = rendered.lessons.find((l) => l.slug === lessonSlug);
    if (!found) throw new NotFoundError(`lesson ${lessonSlug}`);
    const reading = partsOf(`<!--activity:lesson:${found.slug}-->`, rendered.activities)[0];
    lesson = {
      slug: found.slug,
      title: found.title || found.file,
      file: found.file.slice(8),
      minutes: found.minutes,
      toc: found.toc,
      parts: partsOf(found.html, rendered.activities),
      reading: (reading as { activity: PreviewActivity }).activity,
    };
  }
  return { moduleTitle: rendered.title, lessons, lesson, introHtml: rendered.introHtml, problems: check.problems };
}

export async function previewDraft(slug: string, lessonSlug: string | null): Promise<LessonPreview> {
  return previewOf(await getDraft(slug), lessonSlug);
}

/** The live preview: the draft with one lesson's text replaced by what is in the editor now. */
export async function previewLessonText(slug: string, file: string, text: string): Promise<LessonPreview> {
  const path = lessonPath(file);
  const module = await loadModule(slug);
  const files = putFile(module.draftFiles.map((f) => ({ ...f })), textFile(path, text));
  const check = await checkDraft(module, files);
  const lesson = check.result.rendered.lessons.find((l) => l.file === path);
  return { ...previewOf(check, lesson ? lesson.slug : null), problems: check.problems.filter((p) => p.file === path) };
}

/**
 * The problems of unsaved lesson text with the editorial rules of `modules:check` too (a quiz's
 * right answer always the longest, fewer than four options …), for an author checking a block
 * before saving it. Only the lesson's own file; none while the module has format problems (the
 * editorial rules read a module that parses).
 */
export async function lessonTextProblems(slug: string, file: string, text: string, today = new Date()): Promise<Problem[]> {
  const path = lessonPath(file);
  const module = await loadModule(slug);
  const files = putFile(module.draftFiles.map((f) => ({ ...f })), textFile(path, text));
  const check = await checkDraft(module, files);
  // The editorial rules name files as modules:check does, under the module's folder.
  const editorial = check.problems.length === 0 ? editorialProblems([check.source], [check.result], new Set(), { today }).problems.map((p) => ({ ...p, file: p.file.startsWith(`${slug}/`) ? p.file.slice(slug.length + 1) : p.file })) : [];
  return sortProblems([...check.problems, ...editorial]).filter((p) => p.file === path);
}

/* -------------------------------------------------------------- publishing */

export async function publishDraft(input: { slug: string; revision: number; kind: VersionKind; changeNote: string; by: Publisher }): Promise<string> {
  const module = await loadModule(input.slug);
  if (module.status === 'archived') throw new ConflictError(`module ${input.slug} is archived`, 'authoring:errors.archived');
  if (module.revision !== input.revision) throw new ConflictError('stale revision', 'authoring:errors.staleRevision');
  if (module.latestVersionId && module.draftHash === module.publishedHash) throw new ConflictError('nothing changed', 'authoring:errors.nothingToPublish');
  const moduleMd = module.draftFiles.find((f) => f.path === 'module.md')?.text ?? '';
  const latest = module.latestMajor != null && module.latestMinor != null ? { major: module.latestMajor, minor: module.latestMinor } : null;
  const number = nextVersion(latest, formFromModuleMd(moduleMd).version, latest ? input.kind : undefined);
  // The published module.md says which version it is, so an export is the same folder as in Git.
  const files = putFile(module.draftFiles.map((f) => ({ ...f })), textFile('module.md', withVersion(moduleMd, `${number.major}.${number.minor}`)));
  const check = await checkDraft(module, files, 'load');
  if (check.problems.length > 0 || !check.result.module) throw new ValidationError('the draft has problems', { draft: 'authoring:publish.hasProblems' });
  const outcome = await publishParsed(check.result.module, check.source, { by: input.by, changeNote: input.changeNote, number, draft: input.revision });
  return outcome.versionId!;
}

export async function setStatus(slug: string, status: ModuleStatus): Promise<void> {
  await loadModule(slug);
  await ModuleModel.updateOne({ _id: { $eq: slug } }, { $set: { status } });
}

/* ---------------------------------------------------------------- versions */

export interface VersionRow {
  id: string;
  version: string;
  kind: VersionKind;
  changeNote: string;
  publishedBy: string;
  publishedAt: Date;
}

export async function listVersions(slug: string): Promise<{ module: ModuleDoc; versions: VersionRow[] }> {
  const module = await loadModule(slug);
  const versions = await ModuleVersionModel.find({ moduleSlug: { $eq: slug } }, { major: 1, minor: 1, kind: 1, changeNote: 1, publishedBy: 1, publishedAt: 1 }).lean();
  return {
    module,
    versions: versions
      .map((v) => ({
        id: String(v._id),
        version: `${v.major}.${v.minor}`,
        kind: v.kind as VersionKind,
        changeNote: v.changeNote,
        publishedBy: v.publishedBy.name,
        publishedAt: v.publishedAt,
        order: v.major * 10000 + v.minor,
      }))
      .sort((a, b) => b.order - a.order)
      .map(({ order: _order, ...row }) => row),
  };
}

export async function versionFiles(slug: string, version: string): Promise<{ id: string; files: StoredFile[] }> {
  if (!/^\d{1,3}\.\d{1,3}$/.test(version)) throw new NotFoundError(`version ${version}`);
  const [major, minor] = version.split('.').map(Number) as [number, number];
  const id = versionId(slug, major, minor);
  const found = await ModuleVersionModel.findById(id, { files: 1 }).lean();
  if (!found) throw new NotFoundError(`version ${id}`);
  return { id, files: found.files as StoredFile[] };
}

export async function draftFilesOf(slug: string): Promise<{ module: ModuleDoc; source: ModuleSource }> {
  const module = await loadModule(slug);
  return { module, source: await loadSource(slug, module.draftFiles) };
}

