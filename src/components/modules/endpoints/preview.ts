import { z } from 'zod';
import { endpoint, type PageReply } from '../../../web/endpoints.js';
import { previewDraft, type LessonPreview } from '../authoring.service.js';
import { BASE, author, slugParams } from './shared.js';

/** The draft as staff will see it, with the same partials they get. */

function previewPage(slug: string, preview: LessonPreview): PageReply {
  return { view: 'pages/authoring/preview', model: { title: preview.lesson ? preview.lesson.title : preview.moduleTitle, slug, preview, problemCount: preview.problems.length } };
}

export const previewEndpoints = [
  endpoint({
    method: 'get',
    path: `${BASE}/:slug/forhandsvis`,
    summary: "The draft's introduction and lessons, as staff will see them",
    access: author,
    params: slugParams,
    handle: async (context) => previewPage(context.params.slug, await previewDraft(context.params.slug, null)),
  }),
  endpoint({
    method: 'get',
    path: `${BASE}/:slug/forhandsvis/:lesson`,
    summary: 'One lesson of the draft, with the same partials staff get',
    access: author,
    params: slugParams.extend({ lesson: z.string().regex(/^[a-z0-9-]{1,80}$/) }),
    handle: async (context) => previewPage(context.params.slug, await previewDraft(context.params.slug, context.params.lesson)),
  }),
];
