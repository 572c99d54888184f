import type { Mailer } from '../mail/index.js';
import { z } from 'zod';
import { can } from '../../web/policy.js';
import { addNavEntry } from '../../web/navigation.js';
import { endpoint, endpointRouter, formText, pathId, permission, signedInUser, type EndpointContext, type PageReply } from '../../web/endpoints.js';
import { ValidationError, type FieldErrors } from '../../lib/errors.js';
import { isObjectIdString } from '../../lib/ids.js';
import { parseOrThrow } from '../../lib/validation.js';
import { parseDateOnly } from '../../lib/dates.js';
import { LANGUAGES, type Language } from '../../web/i18n.js';
import { MEMBERSHIP_ROLES, PLATFORM_ROLES, type PlatformRole } from '../accounts/index.js';
import {
  addPersonMembership,
  anonymisePerson,
  changeAccountStatus,
  changeExternalId,
  changeRoles,
  endPersonMembership,
  exportOwnData,
  findPeople,
  ownDataSummary,
  personPage,
  sendActivationLink,
} from './people.service.js';

/** People administration (people:manage), anonymisation (people:anonymise) and "my data" (account:own-data), as declared endpoints. */

const manage = permission('people:manage');
const ownData = permission('account:own-data');

const searchInput = z.object({
  q: z.string().max(200).optional().catch(undefined),
  unit: z.string().optional().catch(undefined),
});

const personParams = z.object({ personId: pathId });
const membershipParams = personParams.extend({ membershipId: pathId });

const dateField = (key: string) =>
  z.string({ error: key }).transform((v, ctx) => {
    const date = parseDateOnly(v);
    if (!date) {
      ctx.addIssue({ code: 'custom', message: key });
      return z.NEVER;
    }
    return date;
  });

// What was typed, cut to what the form shows again; the rules below read it.
const membershipForm = z.object({ unitId: formText(40), role: formText(20), startDate: formText(20) });
const membershipInput = z.object({
  unitId: z.string({ error: 'people:errors.unitRequired' }).refine(isObjectIdString, 'people:errors.unitRequired'),
  role: z.enum(MEMBERSHIP_ROLES, { error: 'people:errors.roleRequired' }),
  startDate: dateField('people:errors.dateInvalid'),
});

const endDateForm = z.object({ endDate: formText(40) });

// Read as sent: a forged body (an object or operator where checkbox values belong) must be refused
// with the person page again, never taken for "no roles".
const rolesForm = z.object({ roles: z.unknown().optional() });
const rolesInput = z.object({
  roles: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => ([] as string[]).concat(v ?? []).filter((r): r is PlatformRole => (PLATFORM_ROLES as readonly string[]).includes(r))),
});

// null when the field is missing or not text: that is refused, while an empty field removes the link.
const externalIdForm = z.object({ externalId: z.unknown().optional().transform((v) => (typeof v === 'string' ? v.trim() : null)) });
const EXTERNAL_ID_INVALID = 'people:errors.externalIdInvalid';
const externalIdCheck = z.object({
  externalId: z
    .string(EXTERNAL_ID_INVALID)
    .max(256, EXTERNAL_ID_INVALID)
    .refine((v) => ![...v].some((c) => c.charCodeAt(0) < 0x20), EXTERNAL_ID_INVALID),
});

const anonymiseForm = z.object({ confirm: formText(10) });
// The message goes by the checkbox, whose field is named after the action.
const anonymiseCheck = z.object({ confirm: z.string() }).refine((form) => form.confirm === 'yes', { message: 'people:errors.anonymiseConfirm', path: ['anonymise'] });

const accountStatuses = [
  ['deaktiver', 'deactivated'],
  ['aktiver', 'active'],
] as const;

type PersonContext = Pick<EndpointContext<{ personId: string }, unknown, unknown>, 'params' | 'user' | 't'>;

/** A person's page: memberships with history, roles, status and the forms; after a failed form, its messages and what was typed. */
async function personPageReply(context: PersonContext, errors: FieldErrors = {}, values: Record<string, string> = {}): Promise<PageReply> {
  const actor = signedInUser(context);
  const page = await personPage(actor, context.params.personId);
  return {
    view: 'pages/people/person',
    model: {
      title: context.t('people:person.title', { name: page.person.name }),
      ...page,
      isSelf: page.person.id === actor.id,
      platformRoles: PLATFORM_ROLES,
      membershipRoles: MEMBERSHIP_ROLES,
      canGrantSystemAdmin: can(actor, 'people:grant-system-admin'),
      canAnonymise: can(actor, 'people:anonymise'),
      errors,
      values: { unitId: '', role: 'ansatt', startDate: page.today, ...values },
    },
  };
}

/** Back to the person's page with a message, after a change. */
const savedOnPerson = (personId: string, key: string, params?: Record<string, string>) => ({
  redirect: `/admin/personer/${personId}`,
  flash: { type: 'success' as const, key, params },
});

/** The page language, as one the activation mail is written in. */
const mailLanguage = (lang: string): Language => LANGUAGES.find((l) => l === lang) ?? 'nb';

function peopleEndpoints(mailer: Mailer) {
  return [
    // GET /admin/personer — find people by name or e-mail, optionally only those in one unit.
    endpoint({
      method: 'get',
      path: '/admin/personer',
      summary: 'Find people by name or e-mail, optionally only those in one unit',
      access: manage,
      query: searchInput,
      async handle(context) {
        const { q, unit } = context.query;
        const unitId = unit && isObjectIdString(unit) ? unit : undefined;
        const result = await findPeople(signedInUser(context), { q, unitId });
        return {
          view: 'pages/people/search',
          model: { title: context.t('people:search.title'), ...result, searched: !!(q?.trim() || unitId), query: { q: q ?? '', unit: unitId ?? '' } },
        };
      },
    }),
    // GET /admin/personer/:personId — a person's memberships with history, roles and status.
    endpoint({
      method: 'get',
      path: '/admin/personer/:personId',
      summary: 'A person’s memberships with history, roles, status and the forms to change them',
      access: manage,
      params: personParams,
      handle: (context) => personPageReply(context),
    }),
    // POST /admin/personer/:personId/medlemskap — adds a membership (unit, role, start date).
    endpoint({
      method: 'post',
      path: '/admin/personer/:personId/medlemskap',
      summary: 'Adds a membership (unit, role, start date)',
      access: manage,
      params: personParams,
      body: membershipForm,
      async handle(context) {
        // Parsed here rather than as a `check`: the service takes the parsed start date.
        const input = parseOrThrow(membershipInput, context.body, 'membership form');
        const unitName = await addPersonMembership(signedInUser(context), context.params.personId, input);
        return savedOnPerson(context.params.personId, 'people:flash.membershipAdded', { unit: unitName });
      },
      invalid: (context, errors) => personPageReply(context, errors, context.body),
    }),
    // POST /admin/personer/:personId/medlemskap/:membershipId/avslutt — ends a membership; it stays in the history.
    endpoint({
      method: 'post',
      path: '/admin/personer/:personId/medlemskap/:membershipId/avslutt',
      summary: 'Ends a membership; it stays in the history',
      access: manage,
      params: membershipParams,
      body: endDateForm,
      async handle(context) {
        const { personId, membershipId } = context.params;
        // The message goes by this membership's own date field (the page has one per membership).
        const endDate = parseDateOnly(context.body.endDate);
        if (!endDate) throw new ValidationError('end date', { [`endDate-${membershipId}`]: 'people:errors.dateInvalid' });
        await endPersonMembership(signedInUser(context), personId, membershipId, endDate);
        return savedOnPerson(personId, 'people:flash.membershipEnded');
      },
      invalid: (context, errors) => personPageReply(context, errors),
    }),
    // POST /admin/personer/:personId/roller — sets the platform roles (author, municipal admin, system admin).
    endpoint({
      method: 'post',
      path: '/admin/personer/:personId/roller',
      summary: 'Sets the platform roles (author, municipal admin, system admin)',
      access: manage,
      params: personParams,
      body: rolesForm,
      async handle(context) {
        const { roles } = parseOrThrow(rolesInput, context.body, 'invalid roles');
        await changeRoles(signedInUser(context), context.params.personId, roles);
        return savedOnPerson(context.params.personId, 'people:flash.rolesSaved');
      },
      invalid: (context, errors) => personPageReply(context, errors),
    }),
    // POST /admin/personer/:personId/ekstern-id — links the person to their identity at the municipality's login (or removes it).
    endpoint({
      method: 'post',
      path: '/admin/personer/:personId/ekstern-id',
      summary: 'Links the person to their identity at the municipality’s login, or removes the link',
      access: manage,
      params: personParams,
      body: externalIdForm,
      check: externalIdCheck,
      async handle(context) {
        const externalId = context.body.externalId ?? '';
        await changeExternalId(signedInUser(context), context.params.personId, externalId || null);
        return savedOnPerson(context.params.personId, externalId ? 'people:flash.externalIdSaved' : 'people:flash.externalIdRemoved');
      },
      invalid: (context, errors) => personPageReply(context, errors, { externalId: (context.body.externalId ?? '').slice(0, 256) }),
    }),
    // POST /admin/personer/:personId/deaktiver and /aktiver — blocks or restores login; records are kept.
    ...accountStatuses.map(([suffix, status]) =>
      endpoint({
        method: 'post',
        path: `/admin/personer/:personId/${suffix}`,
        summary: status === 'active' ? 'Restores login to a deactivated account' : 'Blocks login to the account; its records are kept',
        access: manage,
        params: personParams,
        async handle(context) {
          await changeAccountStatus(signedInUser(context), context.params.personId, status);
          return savedOnPerson(context.params.personId, status === 'active' ? 'people:flash.reactivated' : 'people:flash.deactivated');
        },
        invalid: (context, errors) => personPageReply(context, errors),
      }),
    ),
    // POST /admin/personer/:personId/aktiveringslenke — mails a new activation link to an invited person.
    endpoint({
      method: 'post',
      path: '/admin/personer/:personId/aktiveringslenke',
      summary: 'Mails a new activation link to an invited person',
      access: manage,
      params: personParams,
      async handle(context) {
        await sendActivationLink(mailer, signedInUser(context), context.params.personId, mailLanguage(context.lang));
        return savedOnPerson(context.params.personId, 'people:flash.activationSent');
      },
      invalid: (context, errors) => personPageReply(context, errors),
    }),
    // POST /admin/personer/:personId/anonymiser — removes name, e-mail and ids of a person who has left.
    endpoint({
      method: 'post',
      path: '/admin/personer/:personId/anonymiser',
      summary: 'Removes name, e-mail and ids of a person who has left (system admins)',
      access: permission('people:anonymise'),
      params: personParams,
      body: anonymiseForm,
      check: anonymiseCheck,
      async handle(context) {
        await anonymisePerson(signedInUser(context), context.params.personId);
        return savedOnPerson(context.params.personId, 'people:flash.anonymised');
      },
      invalid: (context, errors) => personPageReply(context, errors),
    }),
    // GET /mine-data — what the platform stores about me, and the download.
    endpoint({
      method: 'get',
      path: '/mine-data',
      summary: 'What the platform stores about the signed-in person, and the download',
      access: ownData,
      async handle(context) {
        const summary = await ownDataSummary(signedInUser(context));
        return { view: 'pages/people/my-data', model: { title: context.t('people:myData.title'), ...summary } };
      },
    }),
    // GET /mine-data/last-ned — my data as one JSON file.
    endpoint({
      method: 'get',
      path: '/mine-data/last-ned',
      summary: 'Everything stored about the signed-in person, as one JSON file',
      access: ownData,
      async handle(context) {
        const data = await exportOwnData(signedInUser(context));
        return { file: Buffer.from(JSON.stringify(data, null, 2), 'utf8'), type: 'application/json', filename: 'fellesskap-mine-data.json' };
      },
    }),
  ];
}

export function peopleRoutes({ mailer }: { mailer: Mailer }) {
  addNavEntry({ href: '/mine-data', label: 'people:nav.myData', visibleTo: 'account:own-data' });
  return endpointRouter(peopleEndpoints(mailer));
}
