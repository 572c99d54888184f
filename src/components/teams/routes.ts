import { z } from 'zod';
import type { FieldErrors } from '../../lib/errors.js';
import { isoDate, todayDateOnly } from '../../lib/dates.js';
import { longDate, longDateTime } from '../../lib/oslo-time.js';
import { endpoint, endpointRouter, formList, formText, pathId, permission, signedInUser, type EndpointContext, type PageReply } from '../../web/endpoints.js';
import { ledUnit } from '../assignments/index.js';
import { leaderUnitLinks } from '../leadership/index.js';
import { registerAnonymiser, registerPersonalDataSource } from '../people/index.js';
import type { PlanInput, TeamSessionService } from './teams.service.js';
import { anonymiseTeamSessions, teamSessionDataOf } from './privacy.js';

const lead = permission('unit:lead', (params) => ({ unitId: params.unitId }));

const unitParams = z.object({ unitId: pathId });
// A session's id as any text: the service answers 404 for one that is not a session's id.
const sessionParams = z.object({ unitId: pathId, sessionId: z.string() });
const memberSessionParams = z.object({ sessionId: z.string() });

const planForm = z.object({ activity: formText(300), date: formText(20), time: formText(10), place: formText(300), facilitator: formText(300) });
const attendanceForm = z.object({ present: formList(2000) });

/** Team sessions: leaders plan, run (from the guide) and record attendance; absent staff see what they missed. */
export function teamRoutes({ sessions }: { sessions: TeamSessionService }) {
  registerPersonalDataSource('teamSessions', teamSessionDataOf);
  registerAnonymiser('teamSessions', anonymiseTeamSessions);

  /** The unit's planned and past sessions and the form to plan one (empty, or as typed with messages). */
  async function listPage(context: EndpointContext<{ unitId: string }, unknown, unknown>, values?: PlanInput, errors: FieldErrors = {}): Promise<PageReply> {
    const { unitId } = context.params;
    const user = signedInUser(context);
    const [unit, list, activities] = await Promise.all([ledUnit(user, unitId), sessions.forUnit(user, unitId), sessions.activities()]);
    const shown = (s: (typeof list.upcoming)[number]) => ({ ...s, when: longDateTime(s.startsAt, context.lang), presentCount: s.attendance?.present.length ?? 0, rosterCount: s.attendance?.roster.length ?? 0 });
    return {
      view: 'pages/teams/list',
      model: {
        title: context.t('teams:list.title', { unit: unit.name }),
        unit,
        upcoming: list.upcoming.map(shown),
        past: list.past.map(shown),
        activities,
        values: values ?? { activity: '', date: '', time: '', place: '', facilitator: user.name },
        today: isoDate(todayDateOnly()),
        errors,
        extraLinks: leaderUnitLinks(unitId),
      },
    };
  }

  /** One session for its leader; after a refused change, with its messages and (for attendance) the ticks as sent. */
  async function sessionPage(context: EndpointContext<{ unitId: string; sessionId: string }, unknown, unknown>, errors: FieldErrors = {}, ticked?: string[]): Promise<PageReply> {
    const { unitId, sessionId } = context.params;
    const user = signedInUser(context);
    const [unit, page] = await Promise.all([ledUnit(user, unitId), sessions.forLeader(user, unitId, sessionId)]);
    const staff = ticked ? page.staff.map((s) => ({ ...s, present: ticked.includes(s.id) })) : page.staff;
    return {
      view: 'pages/teams/session',
      model: {
        title: context.t('teams:session.title', { title: page.session.title }),
        unit,
        ...page,
        staff,
        when: longDateTime(page.session.startsAt, context.lang),
        recordedAt: page.session.attendance ? longDateTime(page.session.attendance.recordedAt, context.lang) : null,
        errors,
        extraLinks: leaderUnitLinks(unitId),
      },
    };
  }

  return endpointRouter([
    // GET /leder/:unitId/teammoter — planned and past team sessions, and the form to plan one.
    endpoint({
      method: 'get',
      path: '/leder/:unitId/teammoter',
      summary: 'The unit’s planned and past team sessions, and the form to plan one',
      access: lead,
      params: unitParams,
      handle: (context) => listPage(context),
    }),
    // POST /leder/:unitId/teammoter — plans a session for one of the modules' team-session activities.
    endpoint({
      method: 'post',
      path: '/leder/:unitId/teammoter',
      summary: 'Plans a team session for one of the modules’ team-session activities',
      access: lead,
      params: unitParams,
      body: planForm,
      async handle(context) {
        const { unitId } = context.params;
        const id = await sessions.plan(signedInUser(context), unitId, context.body);
        return { redirect: `/leder/${unitId}/teammoter/${id}`, flash: { type: 'success', key: 'teams:flash.planned' } };
      },
      invalid: (context, errors) => listPage(context, context.body, errors),
    }),
    // GET /leder/:unitId/teammoter/:sessionId — one session: time and place, the guide link and the attendance form.
    endpoint({
      method: 'get',
      path: '/leder/:unitId/teammoter/:sessionId',
      summary: 'One team session for its leader: time and place, the guide and the attendance form',
      access: lead,
      params: sessionParams,
      handle: (context) => sessionPage(context),
    }),
    // GET /leder/:unitId/teammoter/:sessionId/guide — the guide to run the session from: printable and projectable.
    endpoint({
      method: 'get',
      path: '/leder/:unitId/teammoter/:sessionId/guide',
      summary: 'The guide to run a team session from, printable and projectable',
      access: lead,
      params: sessionParams,
      async handle(context) {
        const { unitId, sessionId } = context.params;
        const user = signedInUser(context);
        const [unit, page] = await Promise.all([ledUnit(user, unitId), sessions.forLeader(user, unitId, sessionId)]);
        return {
          view: 'pages/teams/guide',
          model: {
            title: context.t('teams:guide.title', { title: page.session.title }),
            unit,
            session: page.session,
            guide: page.guide,
            when: longDateTime(page.session.startsAt, context.lang),
            scripts: ['js/guide.js'],
          },
        };
      },
    }),
    // POST /leder/:unitId/teammoter/:sessionId/oppmote — records (or corrects) who was there.
    endpoint({
      method: 'post',
      path: '/leder/:unitId/teammoter/:sessionId/oppmote',
      summary: 'Records (or corrects) who was at a team session',
      access: lead,
      params: sessionParams,
      body: attendanceForm,
      async handle(context) {
        const { unitId, sessionId } = context.params;
        const result = await sessions.recordAttendance(signedInUser(context), unitId, sessionId, context.body.present);
        return {
          redirect: `/leder/${unitId}/teammoter/${sessionId}#attendance-heading`,
          flash: { type: result.failed ? 'info' : 'success', key: result.failed ? 'teams:flash.attendanceSomeFailed' : 'teams:flash.attendanceSaved', params: { ...result } },
        };
      },
      invalid: (context, errors) => sessionPage(context, errors, context.body.present),
    }),
    // POST /leder/:unitId/teammoter/:sessionId/avlys — cancels a planned session (not one with attendance recorded).
    endpoint({
      method: 'post',
      path: '/leder/:unitId/teammoter/:sessionId/avlys',
      summary: 'Cancels a planned team session (not one with attendance recorded)',
      access: lead,
      params: sessionParams,
      async handle(context) {
        const { unitId, sessionId } = context.params;
        await sessions.cancel(signedInUser(context), unitId, sessionId);
        return { redirect: `/leder/${unitId}/teammoter`, flash: { type: 'success', key: 'teams:flash.cancelled' } };
      },
      invalid: (context, errors) => sessionPage(context, errors),
    }),
    // GET /teammoter/:sessionId — for the unit's staff: what the group went through (for those who missed it).
    endpoint({
      method: 'get',
      path: '/teammoter/:sessionId',
      summary: 'What the group went through at a team session, for the unit’s staff (those who missed it)',
      access: permission('learning:take'),
      params: memberSessionParams,
      async handle(context) {
        const page = await sessions.forMember(signedInUser(context), context.params.sessionId);
        return {
          view: 'pages/teams/missed',
          model: {
            title: context.t('teams:missed.title', { title: page.session.title }),
            ...page,
            when: longDateTime(page.session.startsAt, context.lang),
            date: longDate(page.session.startsAt, context.lang),
          },
        };
      },
    }),
  ]);
}
