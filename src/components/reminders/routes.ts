import { Router, type Request, type Response } from 'express';
import type { AppConfig } from '../../config/index.js';
import type { Logger } from '../../lib/logger.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { isObjectIdString } from '../../lib/ids.js';
import { longDate, longDateTime } from '../../lib/oslo-time.js';
import { currentUser, requirePermission } from '../../web/policy.js';
import { setFlash, takeFlash } from '../../web/flash.js';
import { addNavEntry } from '../../web/navigation.js';
import { ledUnit } from '../assignments/index.js';
import { contactOf, setDigestOptOut } from '../accounts/index.js';
import type { SessionUser } from '../../web/session-user.js';
import { leaderUnitLinks } from '../leadership/index.js';
import { registerAnonymiser, registerPersonalDataSource } from '../people/index.js';
import type { ReminderService } from './service.js';
import { verifyUnsubscribeToken } from './unsubscribe.js';
import { anonymiseReminders, remindersDataOf } from './privacy.js';

function actor(req: Request): SessionUser {
  return currentUser(req)!;
}

/** Assignment ids are UUIDs, `municipal:<unit>:<slug>` or demo ids: nothing else reaches a query. */
function assignmentIdParam(req: Request): string {
  const id = String(req.params.assignmentId);
  if (!/^[A-Za-z0-9:_-]{1,200}$/.test(id)) throw new NotFoundError('bad assignment id');
  return id;
}

/** Leaders' reminders (/leder/:unitId/paminnelser) and everyone's e-mail settings (/varsler). */
export function reminderRoutes({ config, logger, reminders }: { config: AppConfig; logger: Logger; reminders: ReminderService }): Router {
  const router = Router();
  const lead = requirePermission('unit:lead', (req) => ({ unitId: String(req.params.unitId) }));
  const own = requirePermission('notifications:own');
  addNavEntry({ href: '/varsler', label: 'reminders:settings.nav', visibleTo: 'notifications:own' });
  registerPersonalDataSource('reminders', remindersDataOf);
  registerAnonymiser('reminders', anonymiseReminders);

  async function renderUnit(req: Request, res: Response, status: number, errors: Record<string, string> = {}): Promise<void> {
    const unitId = String(req.params.unitId);
    const user = actor(req);
    const [unit, overdue, log] = await Promise.all([ledUnit(user, unitId), reminders.overdue(user, unitId), reminders.log(user, unitId)]);
    const lang = res.locals.lang as string;
    res.status(status).render('pages/reminders/unit', {
      title: req.t('reminders:unit.title', { unit: unit.name }),
      unit,
      overdue: overdue.map((a) => ({ ...a, deadlineText: longDate(a.deadline, lang), notYetReminded: a.people.filter((p) => !p.remindedToday).length })),
      log: log.map((e) => ({ ...e, when: longDateTime(e.at, lang) })),
      errors,
      flash: takeFlash(req),
      extraLinks: leaderUnitLinks(unitId),
    });
  }

  // GET /leder/:unitId/paminnelser — who is past a deadline, per assignment, with buttons to remind them.
  router.get('/leder/:unitId/paminnelser', ...lead, async (req, res) => {
    await renderUnit(req, res, 200);
  });

  async function send(req: Request, res: Response, personId?: string): Promise<void> {
    const unitId = String(req.params.unitId);
    try {
      const report = await reminders.send(actor(req), unitId, assignmentIdParam(req), personId ? { personId } : {});
      const key = report.failed ? 'reminders:flash.someFailed' : report.sent ? 'reminders:flash.sent' : 'reminders:flash.allSkipped';
      await setFlash(req, report.failed ? 'error' : report.sent ? 'success' : 'info', key, { ...report });
      res.redirect(303, `/leder/${unitId}/paminnelser`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderUnit(req, res, 400, err.fields);
    }
  }

  // POST /leder/:unitId/paminnelser/:assignmentId — reminds everyone behind on one assignment (once a day each).
  router.post('/leder/:unitId/paminnelser/:assignmentId', ...lead, async (req, res) => {
    await send(req, res);
  });

  // POST /leder/:unitId/paminnelser/:assignmentId/:personId — reminds one person.
  router.post('/leder/:unitId/paminnelser/:assignmentId/:personId', ...lead, async (req, res) => {
    const personId = String(req.params.personId);
    if (!isObjectIdString(personId)) throw new NotFoundError('bad person id');
    await send(req, res, personId);
  });

  async function renderSettings(req: Request, res: Response, status: number): Promise<void> {
    const contact = await contactOf(actor(req).id);
    res.status(status).render('pages/reminders/settings', {
      title: req.t('reminders:settings.title'),
      digest: !(contact?.digestOptOut ?? false),
      flash: takeFlash(req),
    });
  }

  // GET /varsler — my e-mail notifications: the weekly digest on or off.
  router.get('/varsler', ...own, async (req, res) => {
    await renderSettings(req, res, 200);
  });

  // POST /varsler — saves the choice (an unticked checkbox sends nothing, so absence means off).
  router.post('/varsler', ...own, async (req, res) => {
    const on = (req.body as Record<string, unknown> | undefined)?.digest === 'on';
    await setDigestOptOut(actor(req).id, !on);
    await setFlash(req, 'success', on ? 'reminders:flash.digestOn' : 'reminders:flash.digestOff');
    res.redirect(303, '/varsler');
  });

  function tokenUser(req: Request): string | null {
    const token = String(req.params.token).slice(0, 200);
    return verifyUnsubscribeToken(config.sessionSecret, token);
  }

  // GET /varsler/avmeld/:token — from the digest, without login: asks to confirm (scanners follow links).
  router.get('/varsler/avmeld/:token', async (req, res) => {
    const userId = tokenUser(req);
    const contact = userId ? await contactOf(userId) : null;
    res.status(contact ? 200 : 404).render('pages/reminders/unsubscribe', {
      title: req.t('reminders:unsubscribe.title'),
      valid: !!contact,
      done: false,
      alreadyOff: !!contact?.digestOptOut,
      token: String(req.params.token).slice(0, 200),
    });
  });

  // POST /varsler/avmeld/:token — switches the digest off for the person the link was made for.
  router.post('/varsler/avmeld/:token', async (req, res) => {
    const userId = tokenUser(req);
    const contact = userId ? await contactOf(userId) : null;
    if (contact) {
      await setDigestOptOut(contact.id, true);
      (req.log ?? logger).info({ userId: contact.id }, 'digest switched off by unsubscribe link');
    }
    res.status(contact ? 200 : 404).render('pages/reminders/unsubscribe', { title: req.t('reminders:unsubscribe.title'), valid: !!contact, done: !!contact, alreadyOff: false, token: '' });
  });

  return router;
}
