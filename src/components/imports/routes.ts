import path from 'node:path';
import { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { can, currentUser, requireLogin } from '../../web/policy.js';
import { setFlash, takeFlash } from '../../web/flash.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../lib/errors.js';
import { paths } from '../../config/index.js';
import type { SessionUser } from '../../web/session-user.js';
import { IMPORT_MAX_BYTES, IMPORT_MAX_LABEL, type Problem } from './csv.js';
import { IMPORT_KINDS, type ImportKind } from './models.js';
import { confirmImport, forgetPersonInImports, getImport, previewImport, recentImports } from './service.js';
import { registerAnonymiser } from '../people/index.js';
import { STAFF_COLUMNS } from './staff.js';
import { UNIT_COLUMNS } from './units.js';

/** Sample files shipped in docs/samples, offered for download on the upload page. */
export const SAMPLE_FILES: Record<ImportKind, string> = { staff: 'ansatte.csv', units: 'enheter.csv' };

// Files are read into memory (never written to disk) and capped at the documented size.
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 5, parts: 6 } });

function allowedKinds(user: SessionUser): ImportKind[] {
  return IMPORT_KINDS.filter((k) => can(user, k === 'units' ? 'organisation:manage' : 'people:manage'));
}

/** Anyone who may import at least one kind; the service checks the kind of each import. */
function requireImporter(req: Request, _res: Response, next: NextFunction): void {
  const user = currentUser(req)!;
  if (allowedKinds(user).length) return next();
  next(new ForbiddenError(`user ${user.id} may not import`));
}

type ErrorMessage = string | Problem;

async function renderUpload(req: Request, res: Response, status: number, state: { kind?: string; errors?: Record<string, ErrorMessage> } = {}): Promise<void> {
  const user = currentUser(req)!;
  const kinds = allowedKinds(user);
  const requested = state.kind ?? (typeof req.query.kind === 'string' ? req.query.kind : '');
  res.status(status).render('pages/imports/upload', {
    title: req.t('imports:upload.title'),
    kinds,
    kind: (kinds as string[]).includes(requested) ? requested : kinds[0],
    errors: state.errors ?? {},
    limit: IMPORT_MAX_LABEL,
    columns: { staff: STAFF_COLUMNS, units: UNIT_COLUMNS },
    recent: await recentImports(user),
    flash: takeFlash(req),
  });
}

async function renderPreview(req: Request, res: Response, status: number, errors: Record<string, ErrorMessage> = {}): Promise<void> {
  const view = await getImport(currentUser(req)!, req.params.importId as string);
  res.status(status).render('pages/imports/preview', {
    title: req.t(view.status === 'applied' ? 'imports:preview.appliedTitle' : 'imports:preview.title'),
    imp: view,
    errors,
    flash: takeFlash(req),
  });
}

const confirmInput = z.object({
  planHash: z.string().max(128).catch(''),
  validOnly: z.literal('yes').optional().catch(undefined),
});

/** CSV import of staff and units: upload → preview → confirm. */
export function importRoutes(): Router {
  const router = Router();
  registerAnonymiser('imports', forgetPersonInImports);
  const guard = [requireLogin, requireImporter];

  // GET /admin/import — choose what to import and upload the file; recent imports below.
  router.get('/admin/import', ...guard, async (req, res) => {
    await renderUpload(req, res, 200);
  });

  // POST /admin/import — multipart upload (CSRF token in the action URL); stores a preview and shows it.
  router.post(
    '/admin/import',
    ...guard,
    (req, res, next) => {
      upload.single('file')(req, res, (err: unknown) => {
        if (!err) return next();
        // Files are read into memory, so every upload failure is the request's: multer's limits (with
        // a code) and the multipart parser's plain errors (no boundary, a body cut off) alike.
        const code = (err as { code?: string }).code;
        const tooLarge = code === 'LIMIT_FILE_SIZE';
        const problem: Problem = tooLarge ? { key: 'imports:file.tooLarge', params: { limit: IMPORT_MAX_LABEL } } : { key: 'imports:file.badUpload' };
        req.log.info({ code, reason: (err as Error).message }, 'import upload refused');
        renderUpload(req, res, tooLarge ? 413 : 400, { kind: typeof req.body?.kind === 'string' ? req.body.kind : undefined, errors: { file: problem } }).catch(next);
      });
    },
    async (req, res) => {
      const user = currentUser(req)!;
      const kind = z.enum(IMPORT_KINDS).safeParse(req.body?.kind);
      const errors: Record<string, ErrorMessage> = {};
      if (!kind.success || !allowedKinds(user).includes(kind.data)) errors.kind = 'imports:upload.kindRequired';
      if (!req.file) errors.file = 'imports:file.noFile';
      if (Object.keys(errors).length || !kind.success || !req.file) {
        await renderUpload(req, res, 400, { kind: kind.success ? kind.data : undefined, errors });
        return;
      }
      const result = await previewImport({ actor: user, kind: kind.data, fileName: req.file.originalname, bytes: req.file.buffer });
      if (!result.ok) {
        await renderUpload(req, res, 400, { kind: kind.data, errors: { file: result.problem } });
        return;
      }
      res.redirect(303, `/admin/import/${result.id}`);
    },
  );

  // GET /admin/import/eksempel/:kind — a sample file to start from.
  router.get('/admin/import/eksempel/:kind', ...guard, (req, res, next) => {
    const kind = z.enum(IMPORT_KINDS).safeParse(req.params.kind);
    if (!kind.success || !allowedKinds(currentUser(req)!).includes(kind.data)) return next(new ForbiddenError(`sample ${String(req.params.kind)}`));
    res.download(path.join(paths.root, 'docs', 'samples', SAMPLE_FILES[kind.data]), SAMPLE_FILES[kind.data], (err) => {
      if (err && !res.headersSent) next(err);
    });
  });

  // GET /admin/import/:importId — the preview (what each row will do, and why a row is rejected), or the result.
  router.get('/admin/import/:importId', ...guard, async (req, res) => {
    await renderPreview(req, res, 200);
  });

  // POST /admin/import/:importId/bekreft — applies exactly the stored preview (all rows, or only the valid ones).
  router.post('/admin/import/:importId/bekreft', ...guard, async (req, res) => {
    const input = confirmInput.parse(req.body ?? {});
    const id = req.params.importId as string;
    try {
      const view = await confirmImport(currentUser(req)!, id, { planHash: input.planHash, validOnly: input.validOnly === 'yes' });
      await setFlash(req, 'success', 'imports:flash.applied', { created: view.outcomeCounts.created, updated: view.outcomeCounts.updated, unchanged: view.outcomeCounts.unchanged });
      res.redirect(303, `/admin/import/${id}`);
    } catch (err) {
      if (err instanceof ValidationError) return renderPreview(req, res, 400, err.fields);
      if (err instanceof ConflictError) return renderPreview(req, res, 409, { confirm: err.messageKey });
      throw err;
    }
  });

  return router;
}
