import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { can, currentUser } from '../../web/policy.js';
import { takeFlash } from '../../web/flash.js';
import { anyPermission, endpoint, endpointRouter, formText, pathId, signedInUser, type EndpointContext, type PageReply } from '../../web/endpoints.js';
import { ForbiddenError, ValidationError, type FieldErrors } from '../../lib/errors.js';
import { paths } from '../../config/index.js';
import type { SessionUser } from '../../web/session-user.js';
import { IMPORT_MAX_BYTES, IMPORT_MAX_LABEL, type Problem } from './csv.js';
import { IMPORT_KINDS, type ImportKind } from './models.js';
import { confirmImport, forgetPersonInImports, getImport, previewImport, recentImports } from './imports.service.js';
import { registerAnonymiser } from '../people/index.js';
import { STAFF_COLUMNS } from './staff.js';
import { UNIT_COLUMNS } from './units.js';

/** Sample files shipped in docs/samples, offered for download on the upload page. */
export const SAMPLE_FILES: Record<ImportKind, string> = { staff: 'ansatte.csv', units: 'enheter.csv' };

// Anyone who may import at least one kind; the service checks the kind of each import.
const importer = anyPermission('organisation:manage', 'people:manage');

function allowedKinds(user: SessionUser): ImportKind[] {
  return IMPORT_KINDS.filter((k) => can(user, k === 'units' ? 'organisation:manage' : 'people:manage'));
}

/** A message by a field: a locale key, or a problem with the file whose message has parameters (the size limit, a line). */
type ErrorMessage = string | Problem;

type PageContext = Pick<EndpointContext<unknown, unknown, unknown>, 'user' | 't'>;

/** Choose what to import and upload the file, with the recent imports below. */
async function uploadPage(context: PageContext, requested: string, errors: Record<string, ErrorMessage> = {}): Promise<PageReply> {
  const user = signedInUser(context);
  const kinds = allowedKinds(user);
  return {
    view: 'pages/imports/upload',
    model: {
      title: context.t('imports:upload.title'),
      kinds,
      kind: (kinds as string[]).includes(requested) ? requested : kinds[0],
      errors,
      limit: IMPORT_MAX_LABEL,
      columns: { staff: STAFF_COLUMNS, units: UNIT_COLUMNS },
      recent: await recentImports(user),
    },
  };
}

/** What each row of the import will do (and why a row is rejected), or what it did. */
async function previewPage(context: PageContext & { params: { importId: string } }, errors: FieldErrors = {}): Promise<PageReply> {
  const view = await getImport(signedInUser(context), context.params.importId);
  return {
    view: 'pages/imports/preview',
    model: { title: context.t(view.status === 'applied' ? 'imports:preview.appliedTitle' : 'imports:preview.title'), imp: view, errors },
  };
}

// Files are read into memory (never written to disk) and capped at the documented size.
const readUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 5, parts: 6 } }).single('file');

/**
 * Reads the uploaded file (the endpoint's `upload`). An upload multer refuses is answered here, with
 * the upload page again and the reason by the file field — 413 when the file is over the limit, 400
 * otherwise — rather than handed on as an error: the person should be able to pick another file at
 * once, with the limit in view. Files are read into memory, so every failure is the request's: multer's
 * limits (with a code) and the multipart parser's plain errors (no boundary, a body cut off) alike.
 */
const receiveFile: RequestHandler = (req, res, next) => {
  readUpload(req, res, (err: unknown) => {
    if (!err) return next();
    const code = (err as { code?: string }).code;
    const tooLarge = code === 'LIMIT_FILE_SIZE';
    const problem: Problem = tooLarge ? { key: 'imports:file.tooLarge', params: { limit: IMPORT_MAX_LABEL } } : { key: 'imports:file.badUpload' };
    req.log.info({ code, reason: (err as Error).message }, 'import upload refused');
    uploadPage({ user: currentUser(req), t: req.t }, kindSent(req), { file: problem })
      .then((page) => res.status(tooLarge ? 413 : 400).render(page.view, { flash: takeFlash(req), ...page.model }))
      .catch(next);
  });
};

/** The kind field, when the multipart parser got as far as reading it. */
function kindSent(req: Request): string {
  const body: unknown = req.body;
  const kind = body && typeof body === 'object' && 'kind' in body ? body.kind : undefined;
  return typeof kind === 'string' ? kind : '';
}

const uploadForm = z.object({ kind: formText(20) });

const importParams = z.object({ importId: pathId });

const confirmInput = z.object({
  planHash: z.string().max(128).catch(''),
  validOnly: z.literal('yes').optional().catch(undefined),
});

/** CSV import of staff and units: upload → preview → confirm (declared endpoints). */
export function importEndpoints() {
  return [
    // GET /admin/import — choose what to import and upload the file; recent imports below.
    endpoint({
      method: 'get',
      path: '/admin/import',
      summary: 'Choose what to import and upload the file; recent imports below',
      access: importer,
      query: z.object({ kind: formText(20) }),
      handle: (context) => uploadPage(context, context.query.kind),
    }),
    // POST /admin/import — multipart upload (CSRF token in the action URL); stores a preview and shows it.
    endpoint({
      method: 'post',
      path: '/admin/import',
      summary: 'Reads an uploaded CSV file and stores its preview (multipart; the CSRF token is in the action URL)',
      access: importer,
      upload: receiveFile,
      body: uploadForm,
      async handle(context) {
        const user = signedInUser(context);
        const kind = IMPORT_KINDS.find((k) => k === context.body.kind && allowedKinds(user).includes(k));
        const errors: FieldErrors = {};
        if (!kind) errors.kind = 'imports:upload.kindRequired';
        if (!context.file) errors.file = 'imports:file.noFile';
        if (!kind || !context.file) throw new ValidationError('import form', errors);
        const result = await previewImport({ actor: user, kind, fileName: context.file.originalname, bytes: context.file.buffer });
        // A file that cannot be read: its problem (with the line, or the columns found) by the file field.
        if (!result.ok) return { ...(await uploadPage(context, kind, { file: result.problem })), status: 400 };
        return { redirect: `/admin/import/${result.id}` };
      },
      invalid: (context, errors) => uploadPage(context, context.body.kind, errors),
    }),
    // GET /admin/import/eksempel/:kind — a sample file to start from.
    endpoint({
      method: 'get',
      path: '/admin/import/eksempel/:kind',
      summary: 'A sample file of a kind the person may import, to start from',
      access: importer,
      params: z.object({ kind: z.string() }),
      async handle(context) {
        const kind = IMPORT_KINDS.find((k) => k === context.params.kind);
        if (!kind || !allowedKinds(signedInUser(context)).includes(kind)) throw new ForbiddenError(`sample ${context.params.kind}`);
        const file = await readFile(path.join(paths.root, 'docs', 'samples', SAMPLE_FILES[kind]));
        return { file, type: 'text/csv; charset=utf-8', filename: SAMPLE_FILES[kind] };
      },
    }),
    // GET /admin/import/:importId — the preview (what each row will do, and why a row is rejected), or the result.
    endpoint({
      method: 'get',
      path: '/admin/import/:importId',
      summary: 'The preview (what each row will do, and why a row is rejected), or the result',
      access: importer,
      params: importParams,
      handle: (context) => previewPage(context),
    }),
    // POST /admin/import/:importId/bekreft — applies exactly the stored preview (all rows, or only the valid ones).
    endpoint({
      method: 'post',
      path: '/admin/import/:importId/bekreft',
      summary: 'Applies exactly the stored preview (all rows, or only the valid ones)',
      access: importer,
      params: importParams,
      body: confirmInput,
      async handle(context) {
        const { importId } = context.params;
        const view = await confirmImport(signedInUser(context), importId, { planHash: context.body.planHash, validOnly: context.body.validOnly === 'yes' });
        const { created, updated, unchanged } = view.outcomeCounts;
        return { redirect: `/admin/import/${importId}`, flash: { type: 'success', key: 'imports:flash.applied', params: { created, updated, unchanged } } };
      },
      invalid: (context, errors) => previewPage(context, errors),
      // Someone else confirmed first, or the page is stale: the preview again, saying so by the button.
      conflict: (context, error) => previewPage(context, { confirm: error.messageKey }),
    }),
  ];
}

export function importRoutes() {
  registerAnonymiser('imports', forgetPersonInImports);
  return endpointRouter(importEndpoints());
}
