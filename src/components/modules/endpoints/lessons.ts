import { z } from 'zod';
import { endpoint, type EndpointContext, type PageReply } from '../../../web/endpoints.js';
import { ValidationError } from '../../../lib/errors.js';
import { addAsset, addLesson, getLesson, moveLesson, previewLessonText, removeAsset, removeLesson, saveLesson } from '../authoring.service.js';
import { problemViews } from '../authoring.view.js';
import { lessonBlocks } from '../activity-authoring.service.js';
import { sanitiseAssetName } from '../asset-types.js';
import { BASE, author, flag, lessonParams, overviewReturns, publisher, revisionField, slugParams, uploadAsset } from './shared.js';

/** Lessons and files of a module's draft: add, move, remove, edit with live preview; upload and remove files. */

const LESSON_TEXT_MAX = 95_000;

async function editorPage(
  context: Pick<EndpointContext<unknown, unknown, unknown>, 't'>,
  slug: string,
  file: string,
  extra: { text?: string; conflict?: boolean; saved?: boolean } = {},
): Promise<PageReply> {
  const lesson = await getLesson(slug, file);
  return {
    view: 'pages/authoring/lesson',
    model: {
      title: context.t('authoring:lesson.title', { file }),
      slug,
      moduleTitle: lesson.module.title,
      file,
      lessonTitle: lesson.result.rendered.lessons.find((l) => l.file === lesson.path)?.title || file,
      text: extra.text ?? lesson.text,
      savedText: extra.conflict ? lesson.text : null,
      savedBy: extra.conflict ? (lesson.module.draftUpdatedBy?.name ?? '') : '',
      revision: lesson.module.revision,
      conflict: extra.conflict ?? false,
      saved: extra.saved ?? false,
      problems: problemViews(slug, lesson.problems.filter((p) => p.file === lesson.path)),
      otherProblems: lesson.problems.filter((p) => p.file !== lesson.path).length,
      // The module's images, for the toolbar's «Sett inn bilde» (written relative to the module, as the overview's snippets).
      images: lesson.module.draftFiles.filter((f) => IMAGE_FILE.test(f.path)).map((f) => f.path),
      // The module's glossary terms, for the toolbar's «Sett inn ord»: the first use in a lesson gets its explanation.
      glossaryTerms: [...lesson.result.rendered.glossaryTerms].sort((a, b) => a.localeCompare(b, 'nb')),
      // Edit links name blocks of the saved text, which is what the activity form reads and writes.
      activities: lessonBlocks(lesson.text).map((b) => ({
        index: b.index,
        line: b.line,
        kindName: context.t(`activities:form.${b.kind}.name`),
        name: typeof b.data?.title === 'string' ? b.data.title : typeof b.data?.id === 'string' ? b.data.id : '',
      })),
      scripts: ['js/authoring-preview.js', 'js/markdown-toolbar.js', 'js/activity-insert.js'],
    },
  };
}

const IMAGE_FILE = /^assets\/[^/]+\.(?:png|jpe?g|webp|svg)$/i;

const assetParams = slugParams.extend({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/) });

export const lessonEndpoints = [
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/leksjoner`,
    summary: 'Adds a lesson at the end',
    access: author,
    params: slugParams,
    body: z.object({ revision: revisionField, title: z.string().max(200).default('') }),
    async handle(context) {
      await addLesson({ slug: context.params.slug, revision: context.body.revision, title: context.body.title, by: publisher(context) });
      return overviewReturns.saved(context.params.slug);
    },
    invalid: (context, errors) => overviewReturns.invalid(context, errors, context.body.title),
    conflict: (context, error) => overviewReturns.conflict(context, error.messageKey),
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/leksjoner/:file/flytt`,
    summary: 'Moves a lesson up or down',
    access: author,
    params: lessonParams,
    body: z.object({ revision: revisionField, direction: z.enum(['up', 'down']) }),
    async handle(context) {
      const { slug, file } = context.params;
      await moveLesson({ slug, file, revision: context.body.revision, direction: context.body.direction, by: publisher(context) });
      return overviewReturns.saved(slug);
    },
    invalid: (context, errors) => overviewReturns.invalid(context, errors),
    conflict: (context, error) => overviewReturns.conflict(context, error.messageKey),
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/leksjoner/:file/slett`,
    summary: 'Removes a lesson (the others are renumbered)',
    access: author,
    params: lessonParams,
    body: z.object({ revision: revisionField }),
    async handle(context) {
      const { slug, file } = context.params;
      await removeLesson({ slug, file, revision: context.body.revision, by: publisher(context) });
      return overviewReturns.saved(slug);
    },
    invalid: (context, errors) => overviewReturns.invalid(context, errors),
    conflict: (context, error) => overviewReturns.conflict(context, error.messageKey),
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/filer`,
    summary: 'Uploads a picture, captions or a transcript to assets/',
    access: author,
    upload: uploadAsset,
    params: slugParams,
    body: z.object({ revision: revisionField }),
    async handle(context) {
      if (!context.file) throw new ValidationError('no file', { file: 'authoring:assets.noFile' });
      const name = sanitiseAssetName(context.file.originalname);
      if (!name) throw new ValidationError('bad name', { file: 'authoring:assets.badName' });
      await addAsset({ slug: context.params.slug, revision: context.body.revision, name, data: context.file.buffer, by: publisher(context) });
      return overviewReturns.saved(context.params.slug);
    },
    invalid: (context, errors) => overviewReturns.invalid(context, errors),
    conflict: (context, error) => overviewReturns.conflict(context, error.messageKey),
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/filer/:name/slett`,
    summary: 'Removes a file from assets/',
    access: author,
    params: assetParams,
    body: z.object({ revision: revisionField }),
    async handle(context) {
      await removeAsset({ slug: context.params.slug, revision: context.body.revision, name: context.params.name, by: publisher(context) });
      return overviewReturns.saved(context.params.slug);
    },
    invalid: (context, errors) => overviewReturns.invalid(context, errors),
    conflict: (context, error) => overviewReturns.conflict(context, error.messageKey),
  }),
  endpoint({
    method: 'get',
    path: `${BASE}/:slug/leksjoner/:file`,
    summary: 'The lesson editor',
    access: author,
    params: lessonParams,
    query: z.object({ lagret: flag }),
    handle: (context) => editorPage(context, context.params.slug, context.params.file, { saved: context.query.lagret }),
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/leksjoner/:file`,
    summary: 'Saves the lesson text (refused if someone else saved first), then back to the editor or on to the preview',
    access: author,
    params: lessonParams,
    body: z.object({ revision: revisionField, text: z.string().max(LESSON_TEXT_MAX), then: z.enum(['edit', 'preview']).default('edit') }),
    async handle(context) {
      const { slug, file } = context.params;
      await saveLesson({ slug, file, revision: context.body.revision, text: context.body.text, by: publisher(context) });
      if (context.body.then === 'preview') {
        const lesson = (await getLesson(slug, file)).result.rendered.lessons.find((l) => l.file === `lessons/${file}`);
        return { redirect: lesson ? `${BASE}/${slug}/forhandsvis/${lesson.slug}` : `${BASE}/${slug}/forhandsvis` };
      }
      return { redirect: `${BASE}/${slug}/leksjoner/${file}?lagret=1` };
    },
    // Someone else saved first: keep what this author typed, and show both.
    conflict: (context) => editorPage(context, context.params.slug, context.params.file, { text: context.body.text, conflict: true }),
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/leksjoner/:file/forhandsvisning`,
    summary: "Live preview of unsaved text (JSON, for the editor's script)",
    access: author,
    params: lessonParams,
    body: z.object({ text: z.string().max(LESSON_TEXT_MAX) }),
    async handle(context) {
      const preview = await previewLessonText(context.params.slug, context.params.file, context.body.text);
      const html = preview.lesson ? await context.render('partials/lesson-content', { parts: preview.lesson.parts }) : '';
      return { json: { html, problems: preview.problems.map((p) => ({ line: p.line, message: context.t(`authoring:problems.${p.code}`, p.params) })) } };
    },
  }),
];
