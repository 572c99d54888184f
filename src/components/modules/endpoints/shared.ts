import multer from 'multer';
import { z } from 'zod';
import { permission, type EndpointContext, type PageReply } from '../../../web/endpoints.js';
import { clientUpload } from '../../../web/uploads.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { getDraft, listModulesForAuthoring, statusOf } from '../authoring.service.js';
import { formatDate, moduleOverview, statusView } from '../authoring.view.js';
import { MAX_ASSET_BYTES } from '../format.js';
import type { Publisher } from '../models.js';
import { MAX_ZIP_BYTES } from '../zip.js';

/** What the authoring endpoints share: the base path, access, path schemas, uploads and the pages forms return to. */

export const BASE = '/forfatter/moduler';
export const author = permission('modules:author');

const SLUG = /^[a-z0-9-]{1,80}$/;
export const slugParams = z.object({ slug: z.string().regex(SLUG) });
export const lessonParams = slugParams.extend({ file: z.string().regex(/^\d{2}-[a-z0-9-]+\.md$/) });
export const revisionField = z.coerce.number().int().min(0);
/** A flag in the query (`?lagret=1`) after a redirect: present or not. */
export const flag = z.unknown().optional().transform((v) => typeof v === 'string');
export const slugOrEmpty = z.string().regex(SLUG).catch('');

// Browsers send file names as raw UTF-8; multer would read them as latin1 ("pÃ¥" for "på").
const multerOptions = (fileSize: number): multer.Options => ({ storage: multer.memoryStorage(), limits: { fileSize, files: 1, fields: 10, parts: 12 }, defParamCharset: 'utf8' });
export const uploadAsset = clientUpload(multer(multerOptions(MAX_ASSET_BYTES)).single('file'));
export const uploadZip = clientUpload(multer(multerOptions(MAX_ZIP_BYTES)).single('zip'));

type Context = EndpointContext<unknown, unknown, unknown>;

/** Who made a change to a draft (endpoints with `author` access always have a signed-in person). */
export function publisher(context: Pick<Context, 'user'>): Publisher {
  return { id: context.user!.id, name: context.user!.name };
}

/** Every module with its status, and the forms to create or import one. */
export async function listPage(context: Pick<Context, 't' | 'lang'>, extra: { form?: { slug: string; title: string }; errors?: FieldErrors } = {}): Promise<PageReply> {
  const modules = await listModulesForAuthoring();
  return {
    view: 'pages/authoring/list',
    model: {
      title: context.t('authoring:list.title'),
      modules: modules.map((m) => ({ ...m, status: statusView(m.status, m.version), updatedAt: formatDate(m.draftUpdatedAt, context.lang) })),
      form: extra.form ?? { slug: '', title: '' },
      errors: extra.errors ?? {},
    },
  };
}

/** A module's lessons, files, problems and status: where the changes made from it come back to. */
export async function overviewPage(
  context: Pick<Context, 'lang'>,
  slug: string,
  extra: { notice?: 'saved' | 'imported' | null; errors?: FieldErrors; lessonTitle?: string } = {},
): Promise<PageReply> {
  const check = await getDraft(slug);
  const overview = moduleOverview(check, statusOf(check.module), context.lang);
  return { view: 'pages/authoring/module', model: { title: overview.title, module: overview, notice: extra.notice ?? null, errors: extra.errors ?? {}, lessonTitle: extra.lessonTitle ?? '' } };
}

/** For a change made from the overview: back to it saved, or with the problem shown there. */
export const overviewReturns = {
  invalid: (context: Context & { params: { slug: string } }, errors: FieldErrors, lessonTitle?: string) => overviewPage(context, context.params.slug, { errors, lessonTitle }),
  conflict: (context: Context & { params: { slug: string } }, messageKey: string) => overviewPage(context, context.params.slug, { errors: { revision: messageKey } }),
  saved: (slug: string) => ({ redirect: `${BASE}/${slug}?lagret=1` }),
};
