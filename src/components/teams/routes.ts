import { Router, type Request, type Response } from 'express';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { isoDate, todayDateOnly } from '../../lib/dates.js';
import { longDate, longDateTime } from '../../lib/oslo-time.js';
import { currentUser, requirePermission } from '../../web/policy.js';
import { setFlash, takeFlash } from '../../web/flash.js';
import { ledUnit } from '../assignments/index.js';
import { leaderUnitLinks } from '../leadership/index.js';
import { registerAnonymiser, registerPersonalDataSource } from '../people/index.js';
import type { SessionUser } from '../../web/session-user.js';
import { SESSION_ID, type PlanInput, type TeamSessionService } from './service.js';
import { anonymiseTeamSessions, teamSessionDataOf } from './privacy.js';

function actor(req: Request): SessionUser {
  return currentUser(req)!;
}

function text(value: unknown, max: number): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

function list(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string').slice(0, 2000);
}

function sessionIdParam(req: Request): string {
  const id = String(req.params.sessionId);
  if (!SESSION_ID.test(id)) throw new NotFoundError('bad session id');
  return id;
}

/** Team sessions: leaders plan, run (from the guide) and record attendance; absent staff see what they missed. */
export function teamRoutes({ sessions }: { sessions: TeamSessionService }): Router {
  const router = Router();
  const lead = requirePermission('unit:lead', (req) => ({ unitId: String(req.params.unitId) }));
  registerPersonalDataSource('teamSessions', teamSessionDataOf);
  registerAnonymiser('teamSessions', anonymiseTeamSessions);

  async function renderList(req: Request, res: Response, status: number, values?: PlanInput, errors: Record<string, string> = {}): Promise<void> {
    const unitId = String(req.params.unitId);
    const user = actor(req);
    const [unit, list, activities] = await Promise.all([ledUnit(user, unitId), sessions.forUnit(user, unitId), sessions.activities()]);
    const lang = res.locals.lang as string;
    const shown = (s: (typeof list.upcoming)[number]) => ({ ...s, when: longDateTime(s.startsAt, lang), presentCount: s.attendance?.present.length ?? 0, rosterCount: s.attendance?.roster.length ?? 0 });
    res.status(status).render('pages/teams/list', {
      title: req.t('teams:list.title', { unit: unit.name }),
      unit,
      upcoming: list.upcoming.map(shown),
      past: list.past.map(shown),
      activities,
      values: values ?? { activity: '', date: '', time: '', place: '', facilitator: user.name },
      today: isoDate(todayDateOnly()),
      errors,
      flash: takeFlash(req),
      extraLinks: leaderUnitLinks(unitId),
    });
  }

  // GET /leder/:unitId/teammoter — planned and past team sessions, and the form to plan one.
  router.get('/leder/:unitId/teammoter', ...lead, async (req, res) => {
    await renderList(req, res, 200);
  });

  // POST /leder/:unitId/teammoter — plans a session for one of the modules' team-session activities.
  router.post('/leder/:unitId/teammoter', ...lead, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: PlanInput = { activity: text(body.activity, 300), date: text(body.date, 20), time: text(body.time, 10), place: text(body.place, 300), facilitator: text(body.facilitator, 300) };
    const unitId = String(req.params.unitId);
    try {
      const id = await sessions.plan(actor(req), unitId, values);
      await setFlash(req, 'success', 'teams:flash.planned');
      res.redirect(303, `/leder/${unitId}/teammoter/${id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderList(req, res, 400, values, err.fields);
    }
  });

  async function renderSession(req: Request, res: Response, status: number, errors: Record<string, string> = {}, ticked?: string[]): Promise<void> {
    const unitId = String(req.params.unitId);
    const user = actor(req);
    const [unit, page] = await Promise.all([ledUnit(user, unitId), sessions.forLeader(user, unitId, sessionIdParam(req))]);
    const lang = res.locals.lang as string;
    const staff = ticked ? page.staff.map((s) => ({ ...s, present: ticked.includes(s.id) })) : page.staff;
    res.status(status).render('pages/teams/session', {
      title: req.t('teams:session.title', { title: page.session.title }),
      unit,
      ...page,
      staff,
      when: longDateTime(page.session.startsAt, lang),
      recordedAt: page.session.attendance ? longDateTime(page.session.attendance.recordedAt, lang) : null,
      errors,
      flash: takeFlash(req),
      extraLinks: leaderUnitLinks(unitId),
    });
  }

  // GET /leder/:unitId/teammoter/:sessionId — one session: time and place, the guide link and the attendance form.
  router.get('/leder/:unitId/teammoter/:sessionId', ...lead, async (req, res) => {
    await renderSession(req, res, 200);
  });

  // GET /leder/:unitId/teammoter/:sessionId/guide — the guide to run the session from: printable and projectable.
  router.get('/leder/:unitId/teammoter/:sessionId/guide', ...lead, async (req, res) => {
    const unitId = String(req.params.unitId);
    const user = actor(req);
    const [unit, page] = await Promise.all([ledUnit(user, unitId), sessions.forLeader(user, unitId, sessionIdParam(req))]);
    res.render('pages/teams/guide', {
      title: req.t('teams:guide.title', { title: page.session.title }),
      unit,
      session: page.session,
      guide: page.guide,
      when: longDateTime(page.session.startsAt, res.locals.lang as string),
      scripts: ['js/guide.js'],
    });
  });

  // POST /leder/:unitId/teammoter/:sessionId/oppmote — records (or corrects) who was there.
  router.post('/leder/:unitId/teammoter/:sessionId/oppmote', ...lead, async (req, res) => {
    const unitId = String(req.params.unitId);
    const id = sessionIdParam(req);
    const present = list((req.body as Record<string, unknown> | undefined)?.present);
    try {
      const result = await sessions.recordAttendance(actor(req), unitId, id, present);
      await setFlash(req, result.failed ? 'info' : 'success', result.failed ? 'teams:flash.attendanceSomeFailed' : 'teams:flash.attendanceSaved', { ...result });
      res.redirect(303, `/leder/${unitId}/teammoter/${id}#attendance-heading`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderSession(req, res, 400, err.fields, present);
    }
  });

  // POST /leder/:unitId/teammoter/:sessionId/avlys — cancels a planned session (not one with attendance recorded).
  router.post('/leder/:unitId/teammoter/:sessionId/avlys', ...lead, async (req, res) => {
    const unitId = String(req.params.unitId);
    try {
      await sessions.cancel(actor(req), unitId, sessionIdParam(req));
      await setFlash(req, 'success', 'teams:flash.cancelled');
      res.redirect(303, `/leder/${unitId}/teammoter`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderSession(req, res, 400, err.fields);
    }
  });

  // GET /teammoter/:sessionId — for the unit's staff: what the group went through (for those who missed it).
  router.get('/teammoter/:sessionId', ...requirePermission('learning:take'), async (req, res) => {
    const page = await sessions.forMember(actor(req), sessionIdParam(req));
    const lang = res.locals.lang as string;
    res.render('pages/teams/missed', {
      title: req.t('teams:missed.title', { title: page.session.title }),
      ...page,
      when: longDateTime(page.session.startsAt, lang),
      date: longDate(page.session.startsAt, lang),
    });
  });

  return router;
}
