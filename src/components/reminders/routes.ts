import { z } from 'zod';
import type { AppConfig } from '../../config/index.js';
import type { Logger } from '../../lib/logger.js';
import { NotFoundError, type FieldErrors } from '../../lib/errors.js';
import { isObjectIdString } from '../../lib/ids.js';
import { longDate, longDateTime } from '../../lib/oslo-time.js';
import { addNavEntry } from '../../web/navigation.js';
import { endpoint, endpointRouter, pathId, permission, PUBLIC, signedInUser, type EndpointContext, type PageReply, type RedirectReply, type Translate } from '../../web/endpoints.js';
import { ledUnit } from '../assignments/index.js';
import { contactOf, setDigestOptOut } from '../accounts/index.js';
import { leaderUnitLinks } from '../leadership/index.js';
import { registerAnonymiser, registerPersonalDataSource } from '../people/index.js';
import type { ReminderService } from './reminders.service.js';
import { verifyUnsubscribeToken } from './unsubscribe.js';
import { anonymiseReminders, remindersDataOf } from './privacy.js';

/** Leaders' reminders (/leder/:unitId/paminnelser) and everyone's e-mail settings (/varsler). */

const lead = permission('unit:lead', (params) => ({ unitId: params.unitId }));
const own = permission('notifications:own');

/** Assignment ids are UUIDs, `municipal:<unit>:<slug>` or demo ids: nothing else reaches a query (404, as an unknown id). */
const ASSIGNMENT_ID = /^[A-Za-z0-9:_-]{1,200}$/;

const unitParams = z.object({ unitId: pathId });
// The ids are checked in the endpoint, as before: a malformed one is no assignment or person (404), not a 400.
const assignmentParams = unitParams.extend({ assignmentId: z.string() });
const personParams = assignmentParams.extend({ personId: z.string() });
/** The digest setting: an unticked checkbox sends nothing, so anything but "on" means off. */
const settingsForm = z.object({
  digest: z
    .unknown()
    .optional()
    .transform((v) => v === 'on'),
});
// A token is cut to a sane length before it is checked (the check rejects anything it did not sign).
const tokenParams = z.object({ token: z.string().transform((v) => v.slice(0, 200)) });

function assignmentIdOf(id: string): string {
  if (!ASSIGNMENT_ID.test(id)) throw new NotFoundError('bad assignment id');
  return id;
}

function unsubscribePage(t: Translate, status: number, model: { valid: boolean; done: boolean; alreadyOff: boolean; token: string }): PageReply {
  return { view: 'pages/reminders/unsubscribe', status, model: { title: t('reminders:unsubscribe.title'), ...model } };
}

export function reminderRoutes({ config, logger, reminders }: { config: AppConfig; logger: Logger; reminders: ReminderService }) {
  addNavEntry({ href: '/varsler', label: 'reminders:settings.nav', visibleTo: 'notifications:own' });
  registerPersonalDataSource('reminders', remindersDataOf);
  registerAnonymiser('reminders', anonymiseReminders);

  /** Who is past a deadline in the unit, per assignment, with the buttons to remind them, and the log of reminders sent. */
  async function unitPage(context: EndpointContext<{ unitId: string }, unknown, unknown>, errors: FieldErrors = {}): Promise<PageReply> {
    const { unitId } = context.params;
    const user = signedInUser(context);
    const [unit, overdue, log] = await Promise.all([ledUnit(user, unitId), reminders.overdue(user, unitId), reminders.log(user, unitId)]);
    return {
      view: 'pages/reminders/unit',
      model: {
        title: context.t('reminders:unit.title', { unit: unit.name }),
        unit,
        overdue: overdue.map((a) => ({ ...a, deadlineText: longDate(a.deadline, context.lang), notYetReminded: a.people.filter((p) => !p.remindedToday).length })),
        log: log.map((e) => ({ ...e, when: longDateTime(e.at, context.lang) })),
        errors,
        extraLinks: leaderUnitLinks(unitId),
      },
    };
  }

  /** Sends the reminders and says how it went on the unit's page. */
  async function remind(context: EndpointContext<{ unitId: string; assignmentId: string }, unknown, unknown>, personId?: string): Promise<RedirectReply> {
    const { unitId } = context.params;
    const report = await reminders.send(signedInUser(context), unitId, assignmentIdOf(context.params.assignmentId), personId ? { personId } : {});
    const type = report.failed ? 'error' : report.sent ? 'success' : 'info';
    const key = report.failed ? 'reminders:flash.someFailed' : report.sent ? 'reminders:flash.sent' : 'reminders:flash.allSkipped';
    return { redirect: `/leder/${unitId}/paminnelser`, flash: { type, key, params: { ...report } } };
  }

  /** The person the unsubscribe link was made for, if the link is genuine and the person still exists. */
  async function contactOfToken(token: string) {
    const userId = verifyUnsubscribeToken(config.sessionSecret, token);
    return userId ? contactOf(userId) : null;
  }

  return endpointRouter([
    // GET /leder/:unitId/paminnelser — who is past a deadline, per assignment, with buttons to remind them.
    endpoint({
      method: 'get',
      path: '/leder/:unitId/paminnelser',
      summary: 'Who in the unit is past a deadline, per assignment, with buttons to remind them',
      access: lead,
      params: unitParams,
      handle: (context) => unitPage(context),
    }),
    // POST /leder/:unitId/paminnelser/:assignmentId — reminds everyone behind on one assignment (once a day each).
    endpoint({
      method: 'post',
      path: '/leder/:unitId/paminnelser/:assignmentId',
      summary: 'Reminds everyone in the unit behind on one assignment (each at most once a day)',
      access: lead,
      params: assignmentParams,
      handle: (context) => remind(context),
      invalid: (context, errors) => unitPage(context, errors),
    }),
    // POST /leder/:unitId/paminnelser/:assignmentId/:personId — reminds one person.
    endpoint({
      method: 'post',
      path: '/leder/:unitId/paminnelser/:assignmentId/:personId',
      summary: 'Reminds one person in the unit behind on one assignment',
      access: lead,
      params: personParams,
      async handle(context) {
        const { personId } = context.params;
        if (!isObjectIdString(personId)) throw new NotFoundError('bad person id');
        return remind(context, personId);
      },
      invalid: (context, errors) => unitPage(context, errors),
    }),
    // GET /varsler — my e-mail notifications: the weekly digest on or off.
    endpoint({
      method: 'get',
      path: '/varsler',
      summary: 'My e-mail notifications: the weekly digest on or off',
      access: own,
      async handle(context) {
        const contact = await contactOf(signedInUser(context).id);
        return { view: 'pages/reminders/settings', model: { title: context.t('reminders:settings.title'), digest: !(contact?.digestOptOut ?? false) } };
      },
    }),
    // POST /varsler — saves the choice (an unticked checkbox sends nothing, so absence means off).
    endpoint({
      method: 'post',
      path: '/varsler',
      summary: 'Saves whether I get the weekly digest',
      access: own,
      body: settingsForm,
      async handle(context) {
        const on = context.body.digest;
        await setDigestOptOut(signedInUser(context).id, !on);
        return { redirect: '/varsler', flash: { type: 'success', key: on ? 'reminders:flash.digestOn' : 'reminders:flash.digestOff' } };
      },
    }),
    // GET /varsler/avmeld/:token — from the digest, without login: asks to confirm (scanners follow links).
    endpoint({
      method: 'get',
      path: '/varsler/avmeld/:token',
      summary: 'From the digest’s link, without login: asks to confirm switching the digest off (mail scanners follow links)',
      access: PUBLIC,
      params: tokenParams,
      async handle(context) {
        const { token } = context.params;
        const contact = await contactOfToken(token);
        return unsubscribePage(context.t, contact ? 200 : 404, { valid: !!contact, done: false, alreadyOff: !!contact?.digestOptOut, token });
      },
    }),
    // POST /varsler/avmeld/:token — switches the digest off for the person the link was made for.
    endpoint({
      method: 'post',
      path: '/varsler/avmeld/:token',
      summary: 'Switches the digest off for the person the unsubscribe link was made for',
      access: PUBLIC,
      params: tokenParams,
      async handle(context) {
        const contact = await contactOfToken(context.params.token);
        if (contact) {
          await setDigestOptOut(contact.id, true);
          (context.log ?? logger).info({ userId: contact.id }, 'digest switched off by unsubscribe link');
        }
        return unsubscribePage(context.t, contact ? 200 : 404, { valid: !!contact, done: !!contact, alreadyOff: false, token: '' });
      },
    }),
  ]);
}
