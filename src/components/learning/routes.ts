import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../../lib/logger.js';
import { lastTouchedAt, learnerFieldId, parseLearnerForm } from '../../activities/index.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { currentUser, requirePermission } from '../../web/policy.js';
import { addNavEntry } from '../../web/navigation.js';
import { setFlash, takeFlash } from '../../web/flash.js';
import { wantsJson } from '../../web/error-handler.js';
import { registerAnonymiser, registerPersonalDataSource } from '../people/index.js';
import type { SessionUser } from '../../web/session-user.js';
import { activityAnchor, activityBase, LearningService, PrerequisitesNotMetError } from './learning.service.js';
import { certificatePdf, formatDateLong, formatHours, learningLogPdf } from './pdf.js';
import { learningLogMarkdown } from './learning-log.js';
import { normaliseCertificateCode } from './certificate-code.js';
import { anonymiseLearning, learningDataOf } from './privacy.js';
import { learnerNotices, type LearnerNoticeProviders } from './notices.js';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const ACTIVITY_ID = /^(lesson:)?[a-z0-9]+(-[a-z0-9]+)*$/;

const themeQuery = z.object({ tema: z.string().max(60).optional().catch(undefined) });

function slugParam(req: Request, name: 'slug' | 'lesson'): string {
  const value = String(req.params[name] ?? '');
  if (!SLUG.test(value) || value.length > 100) throw new NotFoundError(`bad ${name}`);
  return value;
}

/** Dates in the page's language ("3. mars 2026"). */
function longDate(res: Response): (date: Date | string) => string {
  const lang = res.locals.lang as string;
  return (date) => formatDateLong(new Date(date), lang);
}

function learner(req: Request): SessionUser {
  return currentUser(req)!;
}

/** Where an error message about a field of an action's form links to: the field's control, or the activity's heading. */
function fieldId(activityId: string, action: string, field: string): string {
  const suffix = learnerFieldId(action, field);
  return suffix ? `${activityBase(activityId)}-${suffix}` : activityAnchor(activityId);
}

/** Learning for staff: "Mine kurs", module and lesson pages, actions, certificates and the learning log. */
export function learningRoutes({ logger, learning, notices: providers }: { logger: Logger; learning: LearningService; notices: LearnerNoticeProviders }): Router {
  const router = Router();
  const take = requirePermission('learning:take');
  addNavEntry({ href: '/mine-kurs', label: 'learning:nav.myCourses', visibleTo: 'learning:take' });
  addNavEntry({ href: '/mine-kurs/laeringslogg', label: 'learning:nav.log', visibleTo: 'learning:take' });
  registerPersonalDataSource('learning', learningDataOf);
  registerAnonymiser('learning', anonymiseLearning);

  async function renderMyCourses(req: Request, res: Response): Promise<void> {
    const query = themeQuery.parse(req.query);
    const [page, notices] = await Promise.all([learning.myCourses(learner(req), { theme: query.tema }), learnerNotices(providers, learner(req), req.log ?? logger)]);
    res.render('pages/learning/my-courses', { title: req.t('learning:myCourses.title'), ...page, notices, longDate: longDate(res), flash: takeFlash(req) });
  }

  // GET / — for a signed-in person the start page is "Mine kurs"; others get the public front page.
  router.get('/', async (req, res, next) => {
    if (!currentUser(req)) return next();
    await renderMyCourses(req, res);
  });

  // GET /mine-kurs — assigned modules with deadlines and status, then modules for my kind of unit.
  router.get('/mine-kurs', ...take, renderMyCourses);

  // GET /moduler/:slug — a module: what it is for, prerequisites, lessons with status, where to continue.
  router.get('/moduler/:slug', ...take, async (req, res) => {
    const slug = slugParam(req, 'slug');
    const [page, notices] = await Promise.all([learning.modulePage(learner(req), slug), learnerNotices(providers, learner(req), req.log ?? logger, slug)]);
    res.render('pages/learning/module', { title: page.module.title, ...page, notices, longDate: longDate(res), flash: takeFlash(req) });
  });

  // GET /moduler/:slug/ordliste — the module's glossary: the words its lessons explain (word explanations link here).
  router.get('/moduler/:slug/ordliste', ...take, async (req, res) => {
    const page = await learning.glossaryPage(learner(req), slugParam(req, 'slug'));
    res.render('pages/learning/glossary', { title: req.t('learning:glossary.title', { module: page.module.title }), ...page });
  });

  async function renderLesson(req: Request, res: Response, status: number, errors: Record<string, string> = {}, overrides: Record<string, unknown> = {}): Promise<void> {
    const slug = slugParam(req, 'slug');
    try {
      const page = await learning.lessonPage(learner(req), slug, slugParam(req, 'lesson'), overrides);
      res.status(status).render('pages/learning/lesson', {
        title: `${page.lesson.title} – ${page.module.title}`,
        ...page,
        errors,
        flash: takeFlash(req),
        scripts: ['js/autosave.js', 'js/read-aloud.js'],
      });
    } catch (err) {
      if (!(err instanceof PrerequisitesNotMetError)) throw err;
      res.status(403).render('pages/learning/locked', { title: req.t('learning:locked.title'), slug: err.slug, missing: err.missing });
    }
  }

  // GET /moduler/:slug/:lesson — a lesson with its activities in place (locked until prerequisites are met).
  router.get('/moduler/:slug/:lesson', ...take, async (req, res) => {
    await renderLesson(req, res, 200);
  });

  // POST /moduler/:slug/:lesson/aktiviteter/:activityId/:action — a learner's action (form: PRG; JSON for scripts).
  router.post('/moduler/:slug/:lesson/aktiviteter/:activityId/:action', ...take, async (req: Request, res: Response, next: NextFunction) => {
    const slug = slugParam(req, 'slug');
    const lessonSlug = slugParam(req, 'lesson');
    const activityId = String(req.params.activityId);
    const action = String(req.params.action);
    if (!ACTIVITY_ID.test(activityId) || !/^[a-zA-Z]{1,40}$/.test(action)) throw new NotFoundError('bad activity');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const json = wantsJson(req);
    const parsed = parseLearnerForm(action, body);
    try {
      const problems = { ...parsed.errors };
      if (typeof body.action === 'string' && body.action !== action) problems.action = 'learning:errors.action';
      if (Object.keys(problems).length > 0) throw new ValidationError('invalid action input', problems);
      const result = await learning.act(learner(req), { slug, lessonSlug, activityId, action, input: parsed.input, actionId: typeof body.actionId === 'string' ? body.actionId : '' });
      if (json) {
        res.json({
          applied: result.applied,
          completedNow: result.completedNow,
          moduleCompleted: !!result.progress.completedAt,
          savedAt: lastTouchedAt(result.activity.kind, result.progress.activities[activityId])?.toISOString() ?? null,
        });
        return;
      }
      if (result.completedNow) await setFlash(req, 'success', 'learning:flash.moduleCompleted', { module: result.version.title });
      else await setFlash(req, 'success', result.applied ? `learning:flash.${result.activity.kind}` : 'learning:flash.alreadySaved');
      res.redirect(303, `/moduler/${slug}/${lessonSlug}#${activityAnchor(activityId)}`);
    } catch (err) {
      if (json || !(err instanceof ValidationError)) return next(err);
      // Nothing typed is lost: the page comes back with the person's text and the message by the field.
      const errors = Object.fromEntries(Object.entries(err.fields).map(([field, key]) => [fieldId(activityId, action, field), key]));
      if (Object.keys(errors).length === 0) errors[activityAnchor(activityId)] = err.messageKey;
      await renderLesson(req, res, 400, errors, parsed.typed ? { [activityId]: parsed.typed } : {});
    }
  });

  // GET /mine-kurs/kursbevis/:file — my certificate as a PDF (`<code>.pdf`); nobody else's, whatever their role.
  router.get('/mine-kurs/kursbevis/:file', ...take, async (req, res) => {
    const file = String(req.params.file);
    if (!/^[A-Za-z0-9-]{12,20}\.pdf$/.test(file)) throw new NotFoundError('bad certificate file');
    const data = await learning.certificateForOwner(learner(req), file.slice(0, -4));
    const pdf = await certificatePdf(data, req.t, res.locals.lang as string);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="kursbevis-${data.moduleSlug}-${data.code}.pdf"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.end(pdf);
  });

  function renderVerify(req: Request, res: Response, status: number, view: Record<string, unknown>): void {
    res.status(status).render('pages/learning/verify', { title: req.t('learning:verify.title'), code: '', certificate: null, error: null, ...view });
  }

  // GET /bevis — anyone can check a certificate: a form to type its code (`?kode=` goes to /bevis/<code>).
  router.get('/bevis', (req, res) => {
    const typed = typeof req.query.kode === 'string' ? req.query.kode.slice(0, 40) : undefined;
    if (typed === undefined) return renderVerify(req, res, 200, {});
    const code = normaliseCertificateCode(typed);
    if (!code) return renderVerify(req, res, 400, { code: typed, error: 'learning:verify.invalid' });
    res.redirect(303, `/bevis/${code}`);
  });

  // GET /bevis/:code — public: confirms a certificate is genuine, showing only what the certificate shows.
  router.get('/bevis/:code', async (req, res) => {
    const typed = String(req.params.code).slice(0, 40);
    const code = normaliseCertificateCode(typed);
    if (code && code !== typed) return res.redirect(301, `/bevis/${code}`);
    const certificate = code ? await learning.verifyCertificate(code) : null;
    if (!certificate) return renderVerify(req, res, 404, { code: typed, error: code ? 'learning:verify.notFound' : 'learning:verify.invalid' });
    const lang = res.locals.lang as string;
    renderVerify(req, res, 200, {
      code,
      certificate: { ...certificate, date: formatDateLong(certificate.completedAt, lang), hours: formatHours(certificate.minutes, lang) },
    });
  });

  // GET /mine-kurs/laeringslogg — my reflections and workplace-task notes in one place (only mine, ever).
  router.get('/mine-kurs/laeringslogg', ...take, async (req, res) => {
    const entries = await learning.learningLog(learner(req));
    const lang = res.locals.lang as string;
    res.render('pages/learning/log', {
      title: req.t('learning:log.title'),
      entries: entries.map((e) => ({ ...e, date: e.savedAt ? formatDateLong(e.savedAt, lang) : null })),
    });
  });

  // GET /mine-kurs/laeringslogg/markdown — the learning log as a Markdown file to take to a meeting.
  router.get('/mine-kurs/laeringslogg/markdown', ...take, async (req, res) => {
    const user = learner(req);
    const markdown = learningLogMarkdown(user.name, await learning.learningLog(user), req.t, res.locals.lang as string);
    res.setHeader('Content-Type', 'text/markdown; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="laeringslogg.md"');
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(markdown);
  });

  // GET /mine-kurs/laeringslogg/pdf — the learning log as a PDF.
  router.get('/mine-kurs/laeringslogg/pdf', ...take, async (req, res) => {
    const user = learner(req);
    const pdf = await learningLogPdf(user.name, await learning.learningLog(user), req.t, res.locals.lang as string);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', 'attachment; filename="laeringslogg.pdf"');
    res.setHeader('Cache-Control', 'private, no-store');
    res.end(pdf);
  });

  return router;
}

