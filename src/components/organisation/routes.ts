import { z } from 'zod';
import { endpoint, endpointRouter, formText, pathId, permission, type PageReply, type Translate } from '../../web/endpoints.js';
import type { FieldErrors } from '../../lib/errors.js';
import { UNIT_TYPES } from './models.js';
import {
  createDistrict,
  createUnit,
  getDistrict,
  getUnit,
  listDistricts,
  listUnits,
  renameDistrict,
  setDistrictClosed,
  setUnitClosed,
  updateUnit,
  type UnitView,
} from './organisation.service.js';

/** Municipal administration of districts and units (policy: organisation:manage), as declared endpoints. */

const manage = permission('organisation:manage');

const unitFilter = z.object({
  district: z.string().max(40).optional().catch(undefined),
  type: z.enum(UNIT_TYPES).optional().catch(undefined),
  status: z.enum(['open', 'closed', 'all']).optional().catch(undefined),
});
const newUnitQuery = z.object({ district: formText(40) });
const unitForm = z.object({ name: formText(200), type: formText(40), districtId: formText(40), orgNumber: formText(40), nationalId: formText(40) });
const districtForm = z.object({ name: formText(200) });
const unitParams = z.object({ unitId: pathId });
const districtParams = z.object({ districtId: pathId });

type UnitFormValues = z.output<typeof unitForm>;

const valuesOf = (unit: UnitView): UnitFormValues => ({ name: unit.name, type: unit.type, districtId: unit.districtId, orgNumber: unit.orgNumber ?? '', nationalId: unit.nationalId ?? '' });

/** A close or reopen refused: the service's message under the close button. */
const closeErrors = (errors: FieldErrors): FieldErrors => ({ 'close-button': Object.values(errors)[0] ?? 'errors:validation' });

async function unitFormPage(t: Translate, unit: UnitView | null, values: UnitFormValues, errors: FieldErrors = {}): Promise<PageReply> {
  const districts = await listDistricts({ includeClosed: true });
  return {
    view: 'pages/organisation/unit-form',
    model: {
      title: unit ? t('organisation:unitForm.editTitle', { name: unit.name }) : t('organisation:unitForm.newTitle'),
      unit,
      values,
      errors,
      // A closed district stays selectable only for the unit already in it.
      districts: districts.filter((d) => !d.closed || d.id === unit?.districtId),
      unitTypes: UNIT_TYPES,
    },
  };
}

async function districtsPage(t: Translate, values: { name: string }, errors: FieldErrors = {}): Promise<PageReply> {
  return { view: 'pages/organisation/districts', model: { title: t('organisation:districts.title'), districts: await listDistricts({ includeClosed: true }), values, errors } };
}

async function districtPage(t: Translate, id: string, values: { name: string }, errors: FieldErrors = {}): Promise<PageReply> {
  const district = await getDistrict(id);
  return { view: 'pages/organisation/district', model: { title: t('organisation:district.title', { name: district.name }), district, values, errors } };
}

const unitClosing = [
  ['steng', true],
  ['gjenapne', false],
] as const;

export const organisationEndpoints = [
  endpoint({
    method: 'get',
    path: '/admin/enheter',
    summary: 'Units, filtered by district, type and open/closed',
    access: manage,
    query: unitFilter,
    async handle({ query, t }) {
      const [units, districts] = await Promise.all([listUnits({ districtId: query.district, type: query.type, status: query.status ?? 'open' }), listDistricts({ includeClosed: true })]);
      return {
        view: 'pages/organisation/units',
        model: { title: t('organisation:units.title'), units, districts, unitTypes: UNIT_TYPES, filter: { district: query.district ?? '', type: query.type ?? '', status: query.status ?? 'open' } },
      };
    },
  }),
  endpoint({
    method: 'get',
    path: '/admin/enheter/ny',
    summary: 'The form for a new unit',
    access: manage,
    query: newUnitQuery,
    handle: ({ query, t }) => unitFormPage(t, null, { name: '', type: '', districtId: query.district, orgNumber: '', nationalId: '' }),
  }),
  endpoint({
    method: 'post',
    path: '/admin/enheter',
    summary: 'Creates a unit; on errors the form comes back with every field kept',
    access: manage,
    body: unitForm,
    async handle({ body }) {
      const id = await createUnit(body);
      return { redirect: `/admin/enheter/${id}`, flash: { type: 'success', key: 'organisation:flash.unitCreated', params: { name: body.name.trim() } } };
    },
    invalid: ({ body, t }, errors) => unitFormPage(t, null, body, errors),
  }),
  endpoint({
    method: 'get',
    path: '/admin/enheter/:unitId',
    summary: 'Edit a unit, close or reopen it',
    access: manage,
    params: unitParams,
    async handle({ params, t }) {
      const unit = await getUnit(params.unitId);
      return unitFormPage(t, unit, valuesOf(unit));
    },
  }),
  endpoint({
    method: 'post',
    path: '/admin/enheter/:unitId',
    summary: 'Saves the unit',
    access: manage,
    params: unitParams,
    body: unitForm,
    async handle({ params, body }) {
      const unit = await getUnit(params.unitId);
      await updateUnit(unit.id, body);
      return { redirect: `/admin/enheter/${unit.id}`, flash: { type: 'success', key: 'organisation:flash.unitSaved', params: { name: body.name.trim() } } };
    },
    invalid: async ({ params, body, t }, errors) => unitFormPage(t, await getUnit(params.unitId), body, errors),
  }),
  ...unitClosing.map(([suffix, closed]) =>
    endpoint({
      method: 'post',
      path: `/admin/enheter/:unitId/${suffix}`,
      summary: closed ? 'Closes a unit (kept for history)' : 'Reopens a unit',
      access: manage,
      params: unitParams,
      async handle({ params }) {
        const unit = await getUnit(params.unitId);
        await setUnitClosed(unit.id, closed);
        return { redirect: `/admin/enheter/${unit.id}`, flash: { type: 'success', key: closed ? 'organisation:flash.unitClosed' : 'organisation:flash.unitReopened', params: { name: unit.name } } };
      },
      async invalid({ params, t }, errors) {
        const unit = await getUnit(params.unitId);
        return unitFormPage(t, unit, valuesOf(unit), closeErrors(errors));
      },
    }),
  ),
  endpoint({
    method: 'get',
    path: '/admin/bydeler',
    summary: 'The districts, and a form for a new one',
    access: manage,
    handle: ({ t }) => districtsPage(t, { name: '' }),
  }),
  endpoint({
    method: 'post',
    path: '/admin/bydeler',
    summary: 'Creates a district',
    access: manage,
    body: districtForm,
    async handle({ body }) {
      await createDistrict(body);
      return { redirect: '/admin/bydeler', flash: { type: 'success', key: 'organisation:flash.districtCreated', params: { name: body.name.trim() } } };
    },
    invalid: ({ body, t }, errors) => districtsPage(t, body, errors),
  }),
  endpoint({
    method: 'get',
    path: '/admin/bydeler/:districtId',
    summary: 'Rename, close or reopen a district',
    access: manage,
    params: districtParams,
    async handle({ params, t }) {
      const district = await getDistrict(params.districtId);
      return districtPage(t, district.id, { name: district.name });
    },
  }),
  endpoint({
    method: 'post',
    path: '/admin/bydeler/:districtId',
    summary: 'Renames the district',
    access: manage,
    params: districtParams,
    body: districtForm,
    async handle({ params, body }) {
      const district = await getDistrict(params.districtId);
      await renameDistrict(district.id, body);
      return { redirect: `/admin/bydeler/${district.id}`, flash: { type: 'success', key: 'organisation:flash.districtRenamed', params: { name: body.name.trim() } } };
    },
    invalid: ({ params, body, t }, errors) => districtPage(t, params.districtId, body, errors),
  }),
  ...unitClosing.map(([suffix, closed]) =>
    endpoint({
      method: 'post',
      path: `/admin/bydeler/:districtId/${suffix}`,
      summary: closed ? 'Closes a district (only when no unit in it is open)' : 'Reopens a district',
      access: manage,
      params: districtParams,
      async handle({ params }) {
        const district = await getDistrict(params.districtId);
        await setDistrictClosed(district.id, closed);
        return {
          redirect: `/admin/bydeler/${district.id}`,
          flash: { type: 'success', key: closed ? 'organisation:flash.districtClosed' : 'organisation:flash.districtReopened', params: { name: district.name } },
        };
      },
      async invalid({ params, t }, errors) {
        const district = await getDistrict(params.districtId);
        return districtPage(t, district.id, { name: district.name }, closeErrors(errors));
      },
    }),
  ),
];

export function organisationRoutes() {
  return endpointRouter(organisationEndpoints);
}
