import { z } from 'zod';
import { isoDate, todayDateOnly } from '../../lib/dates.js';
import { longDate } from '../../lib/oslo-time.js';
import type { FieldErrors } from '../../lib/errors.js';
import { endpoint, endpointRouter, formList, formText, pathId, permission, signedInUser, type EndpointContext, type PageReply } from '../../web/endpoints.js';
import { listCatalogue } from '../modules/index.js';
import { listDistricts, UNIT_TYPES } from '../organisation/index.js';
import { unitMembers } from '../accounts/index.js';
import { leaderUnitLinks } from '../leadership/index.js';
import { registerAnonymiser } from '../people/index.js';
import { anonymiseAssignments } from './privacy.js';
import {
  assignForUnit,
  assignForUnits,
  changeDeadline,
  ledUnit,
  municipalAssignments,
  unitAssignments,
  withdrawAssignment,
  withdrawMunicipalBatch,
} from './leader.service.js';

/** Assignment pages: leaders for their units (/leder/:unitId/tildelinger), the municipality for many (/kommune/tildelinger). */

const lead = permission('unit:lead', (params) => ({ unitId: params.unitId }));
const municipal = permission('assignments:municipal');

const unitParams = z.object({ unitId: pathId });
// An assignment's id is the service's to judge: a municipal one holds the unit's id and the module's slug.
const assignmentParams = z.object({ unitId: pathId, assignmentId: z.string().min(1) });

const unitForm = z.object({
  moduleSlug: formText(100),
  target: z
    .unknown()
    .optional()
    .transform((v): 'all' | 'people' => (v === 'people' ? 'people' : 'all')),
  userIds: formList(2000),
  deadline: formText(40),
});
const deadlineForm = z.object({ deadline: formText(40) });
const municipalForm = z.object({ moduleSlugs: formList(50), unitTypes: formList(20), districtIds: formList(500), deadline: formText(40) });
const batchForm = z.object({ batch: formText(12_000) });

type UnitFormValues = z.output<typeof unitForm>;
type MunicipalValues = z.output<typeof municipalForm>;

const emptyUnitForm: UnitFormValues = { moduleSlug: '', target: 'all', userIds: [], deadline: '' };
const emptyMunicipalForm: MunicipalValues = { moduleSlugs: [], unitTypes: [], districtIds: [], deadline: '' };

/** The unit's assignments with the forms to assign, move a deadline (typed deadlines kept by assignment id) or withdraw. */
async function unitPage(
  context: EndpointContext<{ unitId: string }, unknown, unknown>,
  values: UnitFormValues = emptyUnitForm,
  errors: FieldErrors = {},
  deadlineValues: Record<string, string> = {},
): Promise<PageReply> {
  const { unitId } = context.params;
  const user = signedInUser(context);
  const [unit, assignments, members, modules] = await Promise.all([ledUnit(user, unitId), unitAssignments(user, unitId), unitMembers(unitId), listCatalogue()]);
  return {
    view: 'pages/assignments/unit',
    model: {
      title: context.t('assignments:unit.title', { unit: unit.name }),
      unit,
      assignments: assignments.map((a) => ({ ...a, deadlineText: a.deadline ? longDate(a.deadline, context.lang) : '', deadlineValue: deadlineValues[a.id] ?? isoDate(a.deadline) })),
      members: members.map((m) => ({ id: m.id, name: m.name })),
      modules: modules.map((m) => ({ slug: m.slug, title: m.title })),
      values,
      minDate: isoDate(todayDateOnly()),
      errors,
      extraLinks: leaderUnitLinks(unitId),
    },
  };
}

/** The municipality's assignments and the form to assign core modules to many units. */
async function municipalPage(context: EndpointContext<unknown, unknown, unknown>, values: MunicipalValues = emptyMunicipalForm, errors: FieldErrors = {}): Promise<PageReply> {
  const [batches, modules, districts] = await Promise.all([municipalAssignments(signedInUser(context)), listCatalogue(), listDistricts()]);
  return {
    view: 'pages/assignments/municipal',
    model: {
      title: context.t('assignments:municipal.title'),
      batches: batches.map((b) => ({ ...b, deadlineText: b.deadlines.map((d) => longDate(d, context.lang)).join(', ') })),
      modules: modules.map((m) => ({ slug: m.slug, title: m.title })),
      districts: districts.map((d) => ({ id: d.id, name: d.name })),
      unitTypes: UNIT_TYPES,
      values,
      minDate: isoDate(todayDateOnly()),
      errors,
    },
  };
}

export const assignmentEndpoints = [
  // GET /leder/:unitId/tildelinger — the unit's assignments, with forms to assign, move a deadline or withdraw.
  endpoint({
    method: 'get',
    path: '/leder/:unitId/tildelinger',
    summary: 'The unit’s assignments, with forms to assign, move a deadline or withdraw',
    access: lead,
    params: unitParams,
    handle: (context) => unitPage(context),
  }),
  // POST /leder/:unitId/tildelinger — assigns a module to the whole unit or to chosen people in it.
  endpoint({
    method: 'post',
    path: '/leder/:unitId/tildelinger',
    summary: 'Assigns a module to the whole unit or to chosen people in it',
    access: lead,
    params: unitParams,
    body: unitForm,
    async handle(context) {
      const { unitId } = context.params;
      const result = await assignForUnit(signedInUser(context), unitId, context.body);
      return { redirect: `/leder/${unitId}/tildelinger`, flash: { type: 'success', key: result.updated ? 'assignments:flash.deadlineUpdated' : 'assignments:flash.assigned' } };
    },
    invalid: (context, errors) => unitPage(context, context.body, errors),
  }),
  // POST /leder/:unitId/tildelinger/:assignmentId/frist — moves the deadline of one of the unit's assignments.
  endpoint({
    method: 'post',
    path: '/leder/:unitId/tildelinger/:assignmentId/frist',
    summary: 'Moves the deadline of one of the unit’s assignments',
    access: lead,
    params: assignmentParams,
    body: deadlineForm,
    async handle(context) {
      const { unitId, assignmentId } = context.params;
      await changeDeadline(signedInUser(context), unitId, assignmentId, context.body.deadline);
      return { redirect: `/leder/${unitId}/tildelinger`, flash: { type: 'success', key: 'assignments:flash.deadlineChanged' } };
    },
    // The unit's page with the typed deadline kept in that assignment's row.
    invalid: (context, errors) => unitPage(context, emptyUnitForm, errors, { [context.params.assignmentId]: context.body.deadline }),
  }),
  // POST /leder/:unitId/tildelinger/:assignmentId/trekk-tilbake — withdraws one of the unit's assignments.
  endpoint({
    method: 'post',
    path: '/leder/:unitId/tildelinger/:assignmentId/trekk-tilbake',
    summary: 'Withdraws one of the unit’s assignments',
    access: lead,
    params: assignmentParams,
    async handle(context) {
      const { unitId, assignmentId } = context.params;
      await withdrawAssignment(signedInUser(context), unitId, assignmentId);
      return { redirect: `/leder/${unitId}/tildelinger`, flash: { type: 'success', key: 'assignments:flash.withdrawn' } };
    },
  }),
  // GET /kommune/tildelinger — the municipality's assignments and the form to assign core modules to many units.
  endpoint({
    method: 'get',
    path: '/kommune/tildelinger',
    summary: 'The municipality’s assignments, and the form to assign core modules to many units',
    access: municipal,
    handle: (context) => municipalPage(context),
  }),
  // POST /kommune/tildelinger — assigns modules to every open unit of the chosen types and/or districts.
  endpoint({
    method: 'post',
    path: '/kommune/tildelinger',
    summary: 'Assigns modules to every open unit of the chosen types and/or districts',
    access: municipal,
    body: municipalForm,
    async handle(context) {
      const result = await assignForUnits(signedInUser(context), context.body);
      return { redirect: '/kommune/tildelinger', flash: { type: 'success', key: 'assignments:flash.municipalAssigned', params: result } };
    },
    invalid: (context, errors) => municipalPage(context, context.body, errors),
  }),
  // POST /kommune/tildelinger/trekk-tilbake — withdraws one row of the list from every unit it reached.
  endpoint({
    method: 'post',
    path: '/kommune/tildelinger/trekk-tilbake',
    summary: 'Withdraws one row of the municipality’s list from every unit it reached',
    access: municipal,
    body: batchForm,
    async handle(context) {
      const count = await withdrawMunicipalBatch(signedInUser(context), context.body.batch);
      return { redirect: '/kommune/tildelinger', flash: { type: 'success', key: 'assignments:flash.municipalWithdrawn', params: { count } } };
    },
  }),
];

export function assignmentRoutes() {
  registerAnonymiser('assignments', anonymiseAssignments);
  return endpointRouter(assignmentEndpoints);
}
