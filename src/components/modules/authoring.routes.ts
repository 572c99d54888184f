import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { ConflictError, ValidationError } from '../../lib/errors.js';
import { addNavEntry } from '../../web/navigation.js';
import { currentUser, requirePermission } from '../../web/policy.js';
import { clientUpload } from '../../web/uploads.js';
import { sanitiseAssetName } from './asset-types.js';
import {
  addAsset,
  addLesson,
  createModule,
  draftFilesOf,
  getDraft,
  getLesson,
  getSettings,
  listModulesForAuthoring,
  listVersions,
  moveLesson,
  previewDraft,
  previewLessonText,
  publishDraft,
  removeAsset,
  removeLesson,
  replaceDraft,
  assertFilesAllowed,
  saveLesson,
  saveSettings,
  setStatus,
  statusOf,
  versionFiles,
  type LessonPreview,
} from './authoring.service.js';
import { formatDate, moduleOverview, problemViews, statusView } from './authoring.view.js';
import { AUDIENCES, LANGUAGES, MAX_ASSET_BYTES, THEMES } from './format.js';
import { MODULE_STATUSES, type Publisher } from './models.js';
import { formFromModuleMd, settingsFieldOf, settingsFormSchema, type SettingsForm } from './settings-form.js';
import { diffVersions } from './version-diff.js';
import { exportZip, MAX_ZIP_BYTES, readZip } from './zip.js';
import { registerAnonymiser } from '../people/index.js';
import { anonymiseModuleAuthors } from './privacy.js';

/**
 * Authoring in the browser (role: author, policy action `modules:author`). Every page works
 * without JavaScript; the lesson editor adds a live preview with public/js/authoring-preview.js.
 */

const BASE = '/forfatter/moduler';

const slugParam = z.object({ slug: z.string().regex(/^[a-z0-9-]{1,80}$/) });
const lessonParams = slugParam.extend({ file: z.string().regex(/^\d{2}-[a-z0-9-]+\.md$/) });
const revisionField = z.coerce.number().int().min(0);

// Browsers send file names as raw UTF-8; multer would read them as latin1 ("pÃ¥" for "på").
const multerOptions = (fileSize: number): multer.Options => {
  const options = { storage: multer.memoryStorage(), limits: { fileSize, files: 1, fields: 10, parts: 12 }, defParamCharset: 'utf8' };
  return options;
};
const uploadAsset = clientUpload(multer(multerOptions(MAX_ASSET_BYTES)).single('file'));
const uploadZip = clientUpload(multer(multerOptions(MAX_ZIP_BYTES)).single('zip'));

function publisher(req: Request): Publisher {
  const user = currentUser(req)!;
  return { id: user.id, name: user.name };
}

function lang(res: Response): string {
  return String(res.locals.lang ?? 'nb');
}

function params<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const parsed = schema.safeParse(req.params);
  if (!parsed.success) throw new ValidationError('bad path');
  return parsed.data;
}

function body<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const parsed = schema.safeParse(req.body ?? {});
  if (!parsed.success) {
    const fields = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? 'form'), 'errors:validation']));
    throw new ValidationError('bad form', fields);
  }
  return parsed.data;
}

/** Renders a page to a string (the live preview sends the HTML as JSON). */
function renderToString(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => res.render(view, locals, (err, html) => (err ? reject(err) : resolve(html))));
}

export function authoringRoutes(): Router {
  const router = Router();
  registerAnonymiser('moduleAuthors', anonymiseModuleAuthors);
  addNavEntry({ href: BASE, label: 'authoring:nav', visibleTo: 'modules:author' });
  router.use('/forfatter', ...requirePermission('modules:author'));

  async function renderList(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}): Promise<void> {
    const modules = await listModulesForAuthoring();
    res.status(status).render('pages/authoring/list', {
      title: req.t('authoring:list.title'),
      modules: modules.map((m) => ({ ...m, status: statusView(m.status, m.version), updatedAt: formatDate(m.draftUpdatedAt, lang(res)) })),
      form: { slug: '', title: '' },
      errors: {},
      ...extra,
    });
  }

  // GET /forfatter/moduler — every module with its status, and the forms to create or import one.
  router.get(BASE, async (req, res) => {
    await renderList(req, res);
  });

  // POST /forfatter/moduler — creates a module in the browser (a draft with one lesson).
  router.post(BASE, async (req, res) => {
    const form = body(z.object({ slug: z.string().max(100).default(''), title: z.string().max(200).default('') }), req);
    try {
      const slug = await createModule({ slug: form.slug, title: form.title, by: publisher(req) });
      res.redirect(303, `${BASE}/${slug}`);
    } catch (err) {
      if (err instanceof ValidationError) return renderList(req, res, 400, { form, errors: err.fields });
      if (err instanceof ConflictError) return renderList(req, res, 409, { form, errors: { slug: err.messageKey } });
      throw err;
    }
  });

  // POST /forfatter/moduler/importer — a new module from a zip in the folder format.
  router.post(`${BASE}/importer`, uploadZip, async (req, res) => {
    try {
      if (!req.file) throw new ValidationError('no file', { zip: 'authoring:import.noFile' });
      const source = readZip(req.file.buffer);
      assertFilesAllowed(source);
      const slug = source.slug || z.string().regex(/^[a-z0-9-]{1,80}$/).catch('').parse(req.body?.slug);
      // The module's own title when its module.md has one (the draft's title follows module.md anyway).
      const moduleMd = source.files.find((f) => f.path === 'module.md')?.data.toString('utf8') ?? '';
      const title = formFromModuleMd(moduleMd).form.title.trim().slice(0, 120) || slug.padEnd(3, '-');
      await createModule({ slug, title: title.length >= 3 ? title : slug.padEnd(3, '-'), by: publisher(req) });
      await replaceDraft({ slug, revision: 1, source: { ...source, slug }, by: publisher(req) });
      res.redirect(303, `${BASE}/${slug}?importert=1`);
    } catch (err) {
      if (err instanceof ValidationError) return renderList(req, res, 400, { errors: err.fields });
      if (err instanceof ConflictError) return renderList(req, res, 409, { errors: { zip: 'authoring:import.exists' } });
      throw err;
    }
  });

  async function renderOverview(req: Request, res: Response, slug: string, status = 200, extra: Record<string, unknown> = {}): Promise<void> {
    const check = await getDraft(slug);
    const overview = moduleOverview(check, statusOf(check.module), lang(res));
    res.status(status).render('pages/authoring/module', {
      title: overview.title,
      module: overview,
      notice: typeof req.query.lagret === 'string' ? 'saved' : typeof req.query.importert === 'string' ? 'imported' : null,
      errors: {},
      lessonTitle: '',
      ...extra,
    });
  }

  // GET /forfatter/moduler/:slug — the module's lessons, files, problems and status.
  router.get(`${BASE}/:slug`, async (req, res) => {
    await renderOverview(req, res, params(slugParam, req).slug);
  });

  /** Runs a draft change from the overview page; problems with the input are shown on that page. */
  async function onOverview(req: Request, res: Response, slug: string, change: () => Promise<unknown>, extra: Record<string, unknown> = {}): Promise<void> {
    try {
      await change();
      res.redirect(303, `${BASE}/${slug}?lagret=1`);
    } catch (err) {
      if (err instanceof ValidationError) return renderOverview(req, res, slug, 400, { errors: err.fields, ...extra });
      if (err instanceof ConflictError) return renderOverview(req, res, slug, 409, { errors: { revision: err.messageKey }, ...extra });
      throw err;
    }
  }

  // POST /forfatter/moduler/:slug/leksjoner — adds a lesson at the end.
  router.post(`${BASE}/:slug/leksjoner`, async (req, res) => {
    const { slug } = params(slugParam, req);
    const form = body(z.object({ revision: revisionField, title: z.string().max(200).default('') }), req);
    await onOverview(req, res, slug, () => addLesson({ slug, revision: form.revision, title: form.title, by: publisher(req) }), { lessonTitle: form.title });
  });

  // POST /forfatter/moduler/:slug/leksjoner/:file/flytt — moves a lesson up or down.
  router.post(`${BASE}/:slug/leksjoner/:file/flytt`, async (req, res) => {
    const { slug, file } = params(lessonParams, req);
    const form = body(z.object({ revision: revisionField, direction: z.enum(['up', 'down']) }), req);
    await onOverview(req, res, slug, () => moveLesson({ slug, file, revision: form.revision, direction: form.direction, by: publisher(req) }));
  });

  // POST /forfatter/moduler/:slug/leksjoner/:file/slett — removes a lesson (the others are renumbered).
  router.post(`${BASE}/:slug/leksjoner/:file/slett`, async (req, res) => {
    const { slug, file } = params(lessonParams, req);
    const form = body(z.object({ revision: revisionField }), req);
    await onOverview(req, res, slug, () => removeLesson({ slug, file, revision: form.revision, by: publisher(req) }));
  });

  // POST /forfatter/moduler/:slug/filer — uploads a picture, captions or a transcript to assets/.
  router.post(`${BASE}/:slug/filer`, uploadAsset, async (req, res) => {
    const { slug } = params(slugParam, req);
    const form = body(z.object({ revision: revisionField }), req);
    await onOverview(req, res, slug, async () => {
      if (!req.file) throw new ValidationError('no file', { file: 'authoring:assets.noFile' });
      const name = sanitiseAssetName(req.file.originalname);
      if (!name) throw new ValidationError('bad name', { file: 'authoring:assets.badName' });
      return addAsset({ slug, revision: form.revision, name, data: req.file.buffer, by: publisher(req) });
    });
  });

  // POST /forfatter/moduler/:slug/filer/:name/slett — removes a file from assets/.
  router.post(`${BASE}/:slug/filer/:name/slett`, async (req, res) => {
    const { slug, name } = params(slugParam.extend({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/) }), req);
    const form = body(z.object({ revision: revisionField }), req);
    await onOverview(req, res, slug, () => removeAsset({ slug, revision: form.revision, name, by: publisher(req) }));
  });

  // POST /forfatter/moduler/:slug/importer — replaces the draft with a zip in the folder format.
  router.post(`${BASE}/:slug/importer`, uploadZip, async (req, res) => {
    const { slug } = params(slugParam, req);
    const form = body(z.object({ revision: revisionField }), req);
    await onOverview(req, res, slug, async () => {
      if (!req.file) throw new ValidationError('no file', { zip: 'authoring:import.noFile' });
      const source = readZip(req.file.buffer);
      if (source.slug && source.slug !== slug) throw new ValidationError('other module', { zip: 'authoring:import.otherModule' });
      return replaceDraft({ slug, revision: form.revision, source: { ...source, slug }, by: publisher(req) });
    });
  });

  // GET /forfatter/moduler/:slug/eksport — the draft as a zip in the folder format.
  router.get(`${BASE}/:slug/eksport`, async (req, res) => {
    const { slug } = params(slugParam, req);
    const { source } = await draftFilesOf(slug);
    const zip = exportZip(source);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="${slug}.zip"`);
    res.setHeader('Cache-Control', 'no-store');
    res.end(zip);
  });

  // POST /forfatter/moduler/:slug/status — hides the module from the catalogue, shows it again, or archives it.
  router.post(`${BASE}/:slug/status`, async (req, res) => {
    const { slug } = params(slugParam, req);
    const form = body(z.object({ status: z.enum(MODULE_STATUSES) }), req);
    await setStatus(slug, form.status);
    res.redirect(303, `${BASE}/${slug}?lagret=1`);
  });

  /* -------------------------------------------------------------- settings */

  async function renderSettings(req: Request, res: Response, slug: string, status = 200, extra: { form?: SettingsForm; conflict?: boolean; revision?: number } = {}): Promise<void> {
    const settings = await getSettings(slug);
    const raw = settings.problems.filter((p) => p.file === 'module.md');
    const problems = problemViews(slug, raw);
    // Each problem is shown next to the field it is about (or above the form when it has none).
    const byField: Record<string, typeof problems> = {};
    raw.forEach((p, i) => {
      const fieldName = settingsFieldOf(typeof p.params.field === 'string' ? p.params.field : undefined, p.line, settings.moduleMd);
      (byField[fieldName] ??= []).push(problems[i]!);
    });
    const others = (await listModulesForAuthoring()).filter((m) => m.slug !== slug);
    res.status(status).render('pages/authoring/settings', {
      title: req.t('authoring:settings.title', { title: settings.module.title }),
      slug,
      moduleTitle: settings.module.title,
      form: extra.form ?? settings.form,
      version: settings.version,
      revision: extra.revision ?? settings.module.revision,
      problemsByField: byField,
      problemCount: problems.length,
      conflict: extra.conflict ?? false,
      saved: typeof req.query.lagret === 'string',
      options: { audiences: AUDIENCES, themes: THEMES, languages: LANGUAGES, measures: [1, 2, 3, 4, 5, 6, 7], modules: others.map((m) => ({ slug: m.slug, title: m.title })) },
    });
  }

  // GET /forfatter/moduler/:slug/innstillinger — the module's settings (front matter) and introduction.
  router.get(`${BASE}/:slug/innstillinger`, async (req, res) => {
    await renderSettings(req, res, params(slugParam, req).slug);
  });

  // POST /forfatter/moduler/:slug/innstillinger — saves the settings; problems are shown next to the fields.
  router.post(`${BASE}/:slug/innstillinger`, async (req, res) => {
    const { slug } = params(slugParam, req);
    const form = body(settingsFormSchema.extend({ revision: revisionField }), req);
    try {
      await saveSettings({ slug, revision: form.revision, form, by: publisher(req) });
      res.redirect(303, `${BASE}/${slug}/innstillinger?lagret=1`);
    } catch (err) {
      // Someone else saved first: keep what this author typed, and let them save again knowingly.
      if (err instanceof ConflictError) return renderSettings(req, res, slug, 409, { form, conflict: true });
      throw err;
    }
  });

  /* --------------------------------------------------------------- lessons */

  async function renderEditor(req: Request, res: Response, slug: string, file: string, status = 200, extra: { text?: string; conflict?: boolean } = {}): Promise<void> {
    const lesson = await getLesson(slug, file);
    res.status(status).render('pages/authoring/lesson', {
      title: req.t('authoring:lesson.title', { file }),
      slug,
      moduleTitle: lesson.module.title,
      file,
      lessonTitle: lesson.result.rendered.lessons.find((l) => l.file === lesson.path)?.title || file,
      text: extra.text ?? lesson.text,
      savedText: extra.conflict ? lesson.text : null,
      savedBy: extra.conflict ? (lesson.module.draftUpdatedBy?.name ?? '') : '',
      revision: lesson.module.revision,
      conflict: extra.conflict ?? false,
      saved: typeof req.query.lagret === 'string',
      problems: problemViews(slug, lesson.problems.filter((p) => p.file === lesson.path)),
      otherProblems: lesson.problems.filter((p) => p.file !== lesson.path).length,
      scripts: ['js/authoring-preview.js'],
    });
  }

  // GET /forfatter/moduler/:slug/leksjoner/:file — the lesson editor.
  router.get(`${BASE}/:slug/leksjoner/:file`, async (req, res) => {
    const { slug, file } = params(lessonParams, req);
    await renderEditor(req, res, slug, file);
  });

  // POST /forfatter/moduler/:slug/leksjoner/:file — saves the lesson text (refused if someone else saved first).
  router.post(`${BASE}/:slug/leksjoner/:file`, async (req, res) => {
    const { slug, file } = params(lessonParams, req);
    const form = body(z.object({ revision: revisionField, text: z.string().max(95_000), then: z.enum(['edit', 'preview']).default('edit') }), req);
    try {
      await saveLesson({ slug, file, revision: form.revision, text: form.text, by: publisher(req) });
    } catch (err) {
      if (err instanceof ConflictError) return renderEditor(req, res, slug, file, 409, { text: form.text, conflict: true });
      throw err;
    }
    if (form.then === 'preview') {
      const lesson = (await getLesson(slug, file)).result.rendered.lessons.find((l) => l.file === `lessons/${file}`);
      return res.redirect(303, lesson ? `${BASE}/${slug}/forhandsvis/${lesson.slug}` : `${BASE}/${slug}/forhandsvis`);
    }
    res.redirect(303, `${BASE}/${slug}/leksjoner/${file}?lagret=1`);
  });

  // POST /forfatter/moduler/:slug/leksjoner/:file/forhandsvisning — live preview of unsaved text (JSON, for the editor's script).
  router.post(`${BASE}/:slug/leksjoner/:file/forhandsvisning`, async (req, res) => {
    const { slug, file } = params(lessonParams, req);
    const form = body(z.object({ text: z.string().max(95_000) }), req);
    const preview = await previewLessonText(slug, file, form.text);
    const html = preview.lesson ? await renderToString(res, 'partials/lesson-content', { parts: preview.lesson.parts }) : '';
    res.set('Cache-Control', 'no-store').json({
      html,
      problems: preview.problems.map((p) => ({ line: p.line, message: req.t(`authoring:problems.${p.code}`, p.params) })),
    });
  });

  /* --------------------------------------------------------------- preview */

  function renderPreview(req: Request, res: Response, slug: string, preview: LessonPreview): void {
    res.render('pages/authoring/preview', {
      title: preview.lesson ? preview.lesson.title : preview.moduleTitle,
      slug,
      preview,
      problemCount: preview.problems.length,
    });
  }

  // GET /forfatter/moduler/:slug/forhandsvis — the draft's introduction and lessons, as staff will see them.
  router.get(`${BASE}/:slug/forhandsvis`, async (req, res) => {
    const { slug } = params(slugParam, req);
    renderPreview(req, res, slug, await previewDraft(slug, null));
  });

  // GET /forfatter/moduler/:slug/forhandsvis/:lesson — one lesson of the draft, with the same partials staff get.
  router.get(`${BASE}/:slug/forhandsvis/:lesson`, async (req, res) => {
    const { slug, lesson } = params(slugParam.extend({ lesson: z.string().regex(/^[a-z0-9-]{1,80}$/) }), req);
    renderPreview(req, res, slug, await previewDraft(slug, lesson));
  });

  /* ------------------------------------------------------------ publishing */

  async function renderPublish(req: Request, res: Response, slug: string, status = 200, extra: Record<string, unknown> = {}): Promise<void> {
    const check = await getDraft(slug);
    const { module } = check;
    const latest = module.latestMajor != null ? { major: module.latestMajor, minor: module.latestMinor ?? 0 } : null;
    res.status(status).render('pages/authoring/publish', {
      title: req.t('authoring:publish.title', { title: module.title }),
      slug,
      moduleTitle: module.title,
      revision: module.revision,
      status: statusView(statusOf(module), latest ? `${latest.major}.${latest.minor}` : null),
      first: !latest,
      nextMinor: latest ? `${latest.major}.${latest.minor + 1}` : null,
      nextMajor: latest ? `${latest.major + 1}.0` : null,
      unchanged: !!latest && module.draftHash === module.publishedHash,
      problems: problemViews(slug, check.problems),
      form: { kind: 'minor', changeNote: '' },
      errors: {},
      ...extra,
    });
  }

  // GET /forfatter/moduler/:slug/publiser — choose minor or major and write a change note.
  router.get(`${BASE}/:slug/publiser`, async (req, res) => {
    await renderPublish(req, res, params(slugParam, req).slug);
  });

  // POST /forfatter/moduler/:slug/publiser — publishes the draft as a new version.
  router.post(`${BASE}/:slug/publiser`, async (req, res) => {
    const { slug } = params(slugParam, req);
    const raw = body(z.object({ revision: revisionField, kind: z.enum(['minor', 'major']).default('minor'), changeNote: z.string().max(2000).default('') }), req);
    const form = { kind: raw.kind, changeNote: raw.changeNote };
    if (raw.changeNote.trim().length < 3) return renderPublish(req, res, slug, 400, { form, errors: { changeNote: 'authoring:publish.noteRequired' } });
    try {
      const id = await publishDraft({ slug, revision: raw.revision, kind: raw.kind, changeNote: raw.changeNote, by: publisher(req) });
      res.redirect(303, `${BASE}/${slug}/versjoner?publisert=${encodeURIComponent(id)}`);
    } catch (err) {
      if (err instanceof ValidationError) return renderPublish(req, res, slug, 400, { form, errors: err.fields });
      if (err instanceof ConflictError) return renderPublish(req, res, slug, 409, { form, errors: { revision: err.messageKey } });
      throw err;
    }
  });

  // GET /forfatter/moduler/:slug/versjoner — version history: who published what, and when.
  router.get(`${BASE}/:slug/versjoner`, async (req, res) => {
    const { slug } = params(slugParam, req);
    const { module, versions } = await listVersions(slug);
    res.render('pages/authoring/versions', {
      title: req.t('authoring:versions.title', { title: module.title }),
      slug,
      moduleTitle: module.title,
      published: typeof req.query.publisert === 'string' ? req.query.publisert : null,
      versions: versions.map((v, i) => ({ ...v, publishedAt: formatDate(v.publishedAt, lang(res)), previous: versions[i + 1]?.version ?? null })),
    });
  });

  // GET /forfatter/moduler/:slug/versjoner/sammenlign?fra=1.0&til=1.1 — the lesson text changed between two versions.
  router.get(`${BASE}/:slug/versjoner/sammenlign`, async (req, res) => {
    const { slug } = params(slugParam, req);
    const query = z.object({ fra: z.string().regex(/^\d{1,3}\.\d{1,3}$/), til: z.string().regex(/^\d{1,3}\.\d{1,3}$/) }).safeParse(req.query);
    if (!query.success) throw new ValidationError('bad versions', { fra: 'authoring:diff.chooseVersions' });
    const [from, to] = await Promise.all([versionFiles(slug, query.data.fra), versionFiles(slug, query.data.til)]);
    const { module } = await listVersions(slug);
    res.render('pages/authoring/diff', {
      title: req.t('authoring:diff.title', { from: query.data.fra, to: query.data.til }),
      slug,
      moduleTitle: module.title,
      from: query.data.fra,
      to: query.data.til,
      files: diffVersions(from.files, to.files),
    });
  });

  return router;
}
