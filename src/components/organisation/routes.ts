import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requirePermission } from '../../web/policy.js';
import { setFlash, takeFlash } from '../../web/flash.js';
import { ValidationError } from '../../lib/errors.js';
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
} from './service.js';

const unitFilterInput = z.object({
  district: z.string().optional().catch(undefined),
  type: z.enum(UNIT_TYPES).optional().catch(undefined),
  status: z.enum(['open', 'closed', 'all']).optional().catch(undefined),
});

interface UnitFormValues {
  name: string;
  type: string;
  districtId: string;
  orgNumber: string;
  nationalId: string;
}

function formValues(body: unknown): UnitFormValues {
  const b = (body ?? {}) as Record<string, unknown>;
  const text = (key: string, max: number) => (typeof b[key] === 'string' ? (b[key] as string).slice(0, max) : '');
  return { name: text('name', 200), type: text('type', 40), districtId: text('districtId', 40), orgNumber: text('orgNumber', 40), nationalId: text('nationalId', 40) };
}

async function renderUnitForm(
  req: Request,
  res: Response,
  status: number,
  options: { unit: UnitView | null; values: UnitFormValues; errors?: Record<string, string> },
): Promise<void> {
  const districts = await listDistricts({ includeClosed: true });
  // A closed district stays selectable only for the unit already in it.
  const choices = districts.filter((d) => !d.closed || d.id === options.unit?.districtId);
  res.status(status).render('pages/organisation/unit-form', {
    title: options.unit ? req.t('organisation:unitForm.editTitle', { name: options.unit.name }) : req.t('organisation:unitForm.newTitle'),
    unit: options.unit,
    values: options.values,
    errors: options.errors ?? {},
    districts: choices,
    unitTypes: UNIT_TYPES,
    flash: takeFlash(req),
  });
}

async function renderDistrictPage(req: Request, res: Response, status: number, id: string, values: { name: string }, errors: Record<string, string> = {}): Promise<void> {
  const district = await getDistrict(id);
  res.status(status).render('pages/organisation/district', {
    title: req.t('organisation:district.title', { name: district.name }),
    district,
    values,
    errors,
    flash: takeFlash(req),
  });
}

/** Municipal administration of districts and units (policy: organisation:manage). */
export function organisationRoutes(): Router {
  const router = Router();
  const guard = requirePermission('organisation:manage');

  // GET /admin/enheter — units, filtered by district, type and open/closed.
  router.get('/admin/enheter', ...guard, async (req, res) => {
    const filter = unitFilterInput.parse(req.query);
    const [units, districts] = await Promise.all([
      listUnits({ districtId: filter.district, type: filter.type, status: filter.status ?? 'open' }),
      listDistricts({ includeClosed: true }),
    ]);
    res.render('pages/organisation/units', {
      title: req.t('organisation:units.title'),
      units,
      districts,
      unitTypes: UNIT_TYPES,
      filter: { district: filter.district ?? '', type: filter.type ?? '', status: filter.status ?? 'open' },
      flash: takeFlash(req),
    });
  });

  // GET /admin/enheter/ny — the form for a new unit.
  router.get('/admin/enheter/ny', ...guard, async (req, res) => {
    const district = typeof req.query.district === 'string' ? req.query.district.slice(0, 40) : '';
    await renderUnitForm(req, res, 200, { unit: null, values: { name: '', type: '', districtId: district, orgNumber: '', nationalId: '' } });
  });

  // POST /admin/enheter — creates a unit; on errors the form comes back with every field kept.
  router.post('/admin/enheter', ...guard, async (req, res) => {
    const values = formValues(req.body);
    try {
      const id = await createUnit(values);
      await setFlash(req, 'success', 'organisation:flash.unitCreated', { name: values.name.trim() });
      res.redirect(303, `/admin/enheter/${id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderUnitForm(req, res, 400, { unit: null, values, errors: err.fields });
    }
  });

  // GET /admin/enheter/:unitId — edit a unit, close or reopen it.
  router.get('/admin/enheter/:unitId', ...guard, async (req, res) => {
    const unit = await getUnit(req.params.unitId as string);
    await renderUnitForm(req, res, 200, {
      unit,
      values: { name: unit.name, type: unit.type, districtId: unit.districtId, orgNumber: unit.orgNumber ?? '', nationalId: unit.nationalId ?? '' },
    });
  });

  // POST /admin/enheter/:unitId — saves the unit.
  router.post('/admin/enheter/:unitId', ...guard, async (req, res) => {
    const unit = await getUnit(req.params.unitId as string);
    const values = formValues(req.body);
    try {
      await updateUnit(unit.id, values);
      await setFlash(req, 'success', 'organisation:flash.unitSaved', { name: values.name.trim() });
      res.redirect(303, `/admin/enheter/${unit.id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderUnitForm(req, res, 400, { unit, values, errors: err.fields });
    }
  });

  // POST /admin/enheter/:unitId/steng and /gjenapne — close (kept for history) or reopen a unit.
  for (const [suffix, closed] of [['steng', true], ['gjenapne', false]] as const) {
    router.post(`/admin/enheter/:unitId/${suffix}`, ...guard, async (req, res) => {
      const unit = await getUnit(req.params.unitId as string);
      try {
        await setUnitClosed(unit.id, closed);
        await setFlash(req, 'success', closed ? 'organisation:flash.unitClosed' : 'organisation:flash.unitReopened', { name: unit.name });
        res.redirect(303, `/admin/enheter/${unit.id}`);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const values = { name: unit.name, type: unit.type, districtId: unit.districtId, orgNumber: unit.orgNumber ?? '', nationalId: unit.nationalId ?? '' };
        await renderUnitForm(req, res, 400, { unit, values, errors: { 'close-button': Object.values(err.fields)[0] ?? 'errors:validation' } });
      }
    });
  }

  // GET /admin/bydeler — the districts, and a form for a new one.
  router.get('/admin/bydeler', ...guard, async (req, res) => {
    await renderDistricts(req, res, 200, { name: '' });
  });

  // POST /admin/bydeler — creates a district.
  router.post('/admin/bydeler', ...guard, async (req, res) => {
    const name = typeof req.body?.name === 'string' ? req.body.name.slice(0, 200) : '';
    try {
      await createDistrict({ name });
      await setFlash(req, 'success', 'organisation:flash.districtCreated', { name: name.trim() });
      res.redirect(303, '/admin/bydeler');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderDistricts(req, res, 400, { name }, err.fields);
    }
  });

  // GET /admin/bydeler/:districtId — rename, close or reopen a district.
  router.get('/admin/bydeler/:districtId', ...guard, async (req, res) => {
    const district = await getDistrict(req.params.districtId as string);
    await renderDistrictPage(req, res, 200, district.id, { name: district.name });
  });

  // POST /admin/bydeler/:districtId — renames the district.
  router.post('/admin/bydeler/:districtId', ...guard, async (req, res) => {
    const district = await getDistrict(req.params.districtId as string);
    const name = typeof req.body?.name === 'string' ? req.body.name.slice(0, 200) : '';
    try {
      await renameDistrict(district.id, { name });
      await setFlash(req, 'success', 'organisation:flash.districtRenamed', { name: name.trim() });
      res.redirect(303, `/admin/bydeler/${district.id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderDistrictPage(req, res, 400, district.id, { name }, err.fields);
    }
  });

  // POST /admin/bydeler/:districtId/steng and /gjenapne — close (only when no unit is open) or reopen.
  for (const [suffix, closed] of [['steng', true], ['gjenapne', false]] as const) {
    router.post(`/admin/bydeler/:districtId/${suffix}`, ...guard, async (req, res) => {
      const district = await getDistrict(req.params.districtId as string);
      try {
        await setDistrictClosed(district.id, closed);
        await setFlash(req, 'success', closed ? 'organisation:flash.districtClosed' : 'organisation:flash.districtReopened', { name: district.name });
        res.redirect(303, `/admin/bydeler/${district.id}`);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        await renderDistrictPage(req, res, 400, district.id, { name: district.name }, { 'close-button': Object.values(err.fields)[0] ?? 'errors:validation' });
      }
    });
  }

  return router;
}

async function renderDistricts(req: Request, res: Response, status: number, values: { name: string }, errors: Record<string, string> = {}): Promise<void> {
  const districts = await listDistricts({ includeClosed: true });
  res.status(status).render('pages/organisation/districts', {
    title: req.t('organisation:districts.title'),
    districts,
    values,
    errors,
    flash: takeFlash(req),
  });
}
