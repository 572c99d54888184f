import { z } from 'zod';
import { endpoint, formText } from '../../../web/endpoints.js';
import { ValidationError } from '../../../lib/errors.js';
import { assertFilesAllowed, createModule, draftFilesOf, replaceDraft, setStatus } from '../authoring.service.js';
import { MODULE_STATUSES } from '../models.js';
import { formFromModuleMd } from '../settings-form.js';
import { exportZip, readZip } from '../zip.js';
import { BASE, author, flag, listPage, overviewPage, overviewReturns, publisher, revisionField, slugOrEmpty, slugParams, uploadZip } from './shared.js';

/** Modules as a whole: the list, creating, importing, the overview, status and export. */

const newModuleForm = z.object({ slug: formText(100), title: formText(200) });

export const moduleEndpoints = [
  endpoint({
    method: 'get',
    path: BASE,
    summary: 'Every module with its status, and the forms to create or import one',
    access: author,
    handle: (context) => listPage(context),
  }),
  endpoint({
    method: 'post',
    path: BASE,
    summary: 'Creates a module in the browser (a draft with one lesson)',
    access: author,
    body: newModuleForm,
    async handle(context) {
      const slug = await createModule({ slug: context.body.slug, title: context.body.title, by: publisher(context) });
      return { redirect: `${BASE}/${slug}` };
    },
    invalid: (context, errors) => listPage(context, { form: context.body, errors }),
    conflict: (context, error) => listPage(context, { form: context.body, errors: { slug: error.messageKey } }),
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/importer`,
    summary: 'A new module from a zip in the folder format',
    access: author,
    upload: uploadZip,
    body: z.object({ slug: slugOrEmpty }),
    async handle(context) {
      if (!context.file) throw new ValidationError('no file', { zip: 'authoring:import.noFile' });
      const source = readZip(context.file.buffer);
      assertFilesAllowed(source);
      const slug = source.slug || context.body.slug;
      // The module's own title when its module.md has one (the draft's title follows module.md anyway).
      const moduleMd = source.files.find((f) => f.path === 'module.md')?.data.toString('utf8') ?? '';
      const title = formFromModuleMd(moduleMd).form.title.trim().slice(0, 120) || slug.padEnd(3, '-');
      await createModule({ slug, title: title.length >= 3 ? title : slug.padEnd(3, '-'), by: publisher(context) });
      await replaceDraft({ slug, revision: 1, source: { ...source, slug }, by: publisher(context) });
      return { redirect: `${BASE}/${slug}?importert=1` };
    },
    invalid: (context, errors) => listPage(context, { errors }),
    conflict: (context) => listPage(context, { errors: { zip: 'authoring:import.exists' } }),
  }),
  endpoint({
    method: 'get',
    path: `${BASE}/:slug`,
    summary: "The module's lessons, files, problems and status",
    access: author,
    params: slugParams,
    query: z.object({ lagret: flag, importert: flag }),
    handle: (context) => overviewPage(context, context.params.slug, { notice: context.query.lagret ? 'saved' : context.query.importert ? 'imported' : null }),
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/importer`,
    summary: 'Replaces the draft with a zip in the folder format',
    access: author,
    upload: uploadZip,
    params: slugParams,
    body: z.object({ revision: revisionField }),
    async handle(context) {
      const { slug } = context.params;
      if (!context.file) throw new ValidationError('no file', { zip: 'authoring:import.noFile' });
      const source = readZip(context.file.buffer);
      if (source.slug && source.slug !== slug) throw new ValidationError('other module', { zip: 'authoring:import.otherModule' });
      await replaceDraft({ slug, revision: context.body.revision, source: { ...source, slug }, by: publisher(context) });
      return overviewReturns.saved(slug);
    },
    invalid: (context, errors) => overviewReturns.invalid(context, errors),
    conflict: (context, error) => overviewReturns.conflict(context, error.messageKey),
  }),
  endpoint({
    method: 'get',
    path: `${BASE}/:slug/eksport`,
    summary: 'The draft as a zip in the folder format',
    access: author,
    params: slugParams,
    async handle(context) {
      const { source } = await draftFilesOf(context.params.slug);
      return { file: exportZip(source), type: 'application/zip', filename: `${context.params.slug}.zip` };
    },
  }),
  endpoint({
    method: 'post',
    path: `${BASE}/:slug/status`,
    summary: 'Hides the module from the catalogue, shows it again, or archives it',
    access: author,
    params: slugParams,
    body: z.object({ status: z.enum(MODULE_STATUSES) }),
    async handle(context) {
      await setStatus(context.params.slug, context.body.status);
      return overviewReturns.saved(context.params.slug);
    },
  }),
];
