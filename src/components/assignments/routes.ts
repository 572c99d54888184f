import { Router, type Request, type Response } from 'express';
import { ValidationError } from '../../lib/errors.js';
import { isoDate, todayDateOnly } from '../../lib/dates.js';
import { longDate } from '../../lib/oslo-time.js';
import { currentUser, requirePermission } from '../../web/policy.js';
import { setFlash, takeFlash } from '../../web/flash.js';
import { listCatalogue } from '../modules/index.js';
import { listDistricts, UNIT_TYPES } from '../organisation/index.js';
import { unitMembers } from '../accounts/index.js';
import type { SessionUser } from '../../web/session-user.js';
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

/** Form fields are strings or, for repeated checkboxes, arrays of strings; anything else is ignored. */
function list(value: unknown, max = 2000): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string').slice(0, max).map((v) => v.slice(0, 200));
}

function text(value: unknown, max = 40): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

function actor(req: Request): SessionUser {
  return currentUser(req)!;
}

const unitOf = (req: Request) => ({ unitId: String(req.params.unitId) });

interface UnitFormValues {
  moduleSlug: string;
  target: 'all' | 'people';
  userIds: string[];
  deadline: string;
}

/** Assignment pages: leaders for their units (/leder/:unitId/tildelinger), the municipality for many (/kommune/tildelinger). */
export function assignmentRoutes(): Router {
  const router = Router();
  registerAnonymiser('assignments', anonymiseAssignments);
  const lead = requirePermission('unit:lead', unitOf);
  const municipal = requirePermission('assignments:municipal');

  async function renderUnitPage(req: Request, res: Response, status: number, values?: UnitFormValues, errors: Record<string, string> = {}, deadlineValues: Record<string, string> = {}): Promise<void> {
    const unitId = String(req.params.unitId);
    const user = actor(req);
    const [unit, assignments, members, modules] = await Promise.all([ledUnit(user, unitId), unitAssignments(user, unitId), unitMembers(unitId), listCatalogue()]);
    const lang = res.locals.lang as string;
    res.status(status).render('pages/assignments/unit', {
      title: req.t('assignments:unit.title', { unit: unit.name }),
      unit,
      assignments: assignments.map((a) => ({ ...a, deadlineText: a.deadline ? longDate(a.deadline, lang) : '', deadlineValue: deadlineValues[a.id] ?? isoDate(a.deadline) })),
      members: members.map((m) => ({ id: m.id, name: m.name })),
      modules: modules.map((m) => ({ slug: m.slug, title: m.title })),
      values: values ?? { moduleSlug: '', target: 'all', userIds: [], deadline: '' },
      minDate: isoDate(todayDateOnly()),
      errors,
      flash: takeFlash(req),
      extraLinks: leaderUnitLinks(unitId),
    });
  }

  // GET /leder/:unitId/tildelinger — the unit's assignments, with forms to assign, move a deadline or withdraw.
  router.get('/leder/:unitId/tildelinger', ...lead, async (req, res) => {
    await renderUnitPage(req, res, 200);
  });

  // POST /leder/:unitId/tildelinger — assigns a module to the whole unit or to chosen people in it.
  router.post('/leder/:unitId/tildelinger', ...lead, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: UnitFormValues = {
      moduleSlug: text(body.moduleSlug, 100),
      target: body.target === 'people' ? 'people' : 'all',
      userIds: list(body.userIds),
      deadline: text(body.deadline),
    };
    try {
      const unitId = String(req.params.unitId);
      const result = await assignForUnit(actor(req), unitId, values);
      await setFlash(req, 'success', result.updated ? 'assignments:flash.deadlineUpdated' : 'assignments:flash.assigned');
      res.redirect(303, `/leder/${unitId}/tildelinger`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderUnitPage(req, res, 400, values, err.fields);
    }
  });

  // POST /leder/:unitId/tildelinger/:assignmentId/frist — moves the deadline of one of the unit's assignments.
  router.post('/leder/:unitId/tildelinger/:assignmentId/frist', ...lead, async (req, res) => {
    const unitId = String(req.params.unitId);
    const id = String(req.params.assignmentId);
    const deadline = text((req.body as Record<string, unknown> | undefined)?.deadline);
    try {
      await changeDeadline(actor(req), unitId, id, deadline);
      await setFlash(req, 'success', 'assignments:flash.deadlineChanged');
      res.redirect(303, `/leder/${unitId}/tildelinger`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderUnitPage(req, res, 400, undefined, err.fields, { [id]: deadline });
    }
  });

  // POST /leder/:unitId/tildelinger/:assignmentId/trekk-tilbake — withdraws one of the unit's assignments.
  router.post('/leder/:unitId/tildelinger/:assignmentId/trekk-tilbake', ...lead, async (req, res) => {
    const unitId = String(req.params.unitId);
    await withdrawAssignment(actor(req), unitId, String(req.params.assignmentId));
    await setFlash(req, 'success', 'assignments:flash.withdrawn');
    res.redirect(303, `/leder/${unitId}/tildelinger`);
  });

  interface MunicipalValues {
    moduleSlugs: string[];
    unitTypes: string[];
    districtIds: string[];
    deadline: string;
  }

  async function renderMunicipal(req: Request, res: Response, status: number, values?: MunicipalValues, errors: Record<string, string> = {}): Promise<void> {
    const [batches, modules, districts] = await Promise.all([municipalAssignments(actor(req)), listCatalogue(), listDistricts()]);
    const lang = res.locals.lang as string;
    res.status(status).render('pages/assignments/municipal', {
      title: req.t('assignments:municipal.title'),
      batches: batches.map((b) => ({ ...b, deadlineText: b.deadlines.map((d) => longDate(d, lang)).join(', ') })),
      modules: modules.map((m) => ({ slug: m.slug, title: m.title })),
      districts: districts.map((d) => ({ id: d.id, name: d.name })),
      unitTypes: UNIT_TYPES,
      values: values ?? { moduleSlugs: [], unitTypes: [], districtIds: [], deadline: '' },
      minDate: isoDate(todayDateOnly()),
      errors,
      flash: takeFlash(req),
    });
  }

  // GET /kommune/tildelinger — the municipality's assignments and the form to assign core modules to many units.
  router.get('/kommune/tildelinger', ...municipal, async (req, res) => {
    await renderMunicipal(req, res, 200);
  });

  // POST /kommune/tildelinger — assigns modules to every open unit of the chosen types and/or districts.
  router.post('/kommune/tildelinger', ...municipal, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: MunicipalValues = { moduleSlugs: list(body.moduleSlugs, 50), unitTypes: list(body.unitTypes, 20), districtIds: list(body.districtIds, 500), deadline: text(body.deadline) };
    try {
      const result = await assignForUnits(actor(req), values);
      await setFlash(req, 'success', 'assignments:flash.municipalAssigned', result);
      res.redirect(303, '/kommune/tildelinger');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderMunicipal(req, res, 400, values, err.fields);
    }
  });

  // POST /kommune/tildelinger/trekk-tilbake — withdraws one row of the list from every unit it reached.
  router.post('/kommune/tildelinger/trekk-tilbake', ...municipal, async (req, res) => {
    const count = await withdrawMunicipalBatch(actor(req), text((req.body as Record<string, unknown> | undefined)?.batch, 12_000));
    await setFlash(req, 'success', 'assignments:flash.municipalWithdrawn', { count });
    res.redirect(303, '/kommune/tildelinger');
  });

  return router;
}
