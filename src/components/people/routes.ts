import type { Mailer } from '../mail/index.js';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { can, currentUser, requirePermission } from '../../web/policy.js';
import { addNavEntry } from '../../web/navigation.js';
import { setFlash, takeFlash } from '../../web/flash.js';
import { ValidationError } from '../../lib/errors.js';
import { isObjectIdString } from '../../lib/ids.js';
import { fieldErrorsOf } from '../../lib/validation.js';
import { parseDateOnly } from '../../lib/dates.js';
import { LANGUAGES, type Language } from '../../web/i18n.js';
import { MEMBERSHIP_ROLES, PLATFORM_ROLES, type PlatformRole } from '../accounts/index.js';
import type { SessionUser } from '../../web/session-user.js';
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
} from './service.js';

const searchInput = z.object({
  q: z.string().max(200).optional().catch(undefined),
  unit: z.string().optional().catch(undefined),
});

const dateField = (key: string) =>
  z
    .string({ error: key })
    .transform((v, ctx) => {
      const date = parseDateOnly(v);
      if (!date) {
        ctx.addIssue({ code: 'custom', message: key });
        return z.NEVER;
      }
      return date;
    });

const membershipInput = z.object({
  unitId: z.string({ error: 'people:errors.unitRequired' }).refine(isObjectIdString, 'people:errors.unitRequired'),
  role: z.enum(MEMBERSHIP_ROLES, { error: 'people:errors.roleRequired' }),
  startDate: dateField('people:errors.dateInvalid'),
});

const rolesInput = z.object({
  roles: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => ([] as string[]).concat(v ?? []).filter((r): r is PlatformRole => (PLATFORM_ROLES as readonly string[]).includes(r))),
});

function personId(req: Request): string {
  return req.params.personId as string;
}

interface PersonFormState {
  errors?: Record<string, string>;
  values?: Record<string, string>;
}

async function renderPerson(req: Request, res: Response, status: number, state: PersonFormState = {}): Promise<void> {
  const actor = currentUser(req) as SessionUser;
  const page = await personPage(actor, personId(req));
  res.status(status).render('pages/people/person', {
    title: req.t('people:person.title', { name: page.person.name }),
    ...page,
    isSelf: page.person.id === actor.id,
    platformRoles: PLATFORM_ROLES,
    membershipRoles: MEMBERSHIP_ROLES,
    canGrantSystemAdmin: can(actor, 'people:grant-system-admin'),
    canAnonymise: can(actor, 'people:anonymise'),
    errors: state.errors ?? {},
    values: { unitId: '', role: 'ansatt', startDate: page.today, ...(state.values ?? {}) },
    flash: takeFlash(req),
  });
}

/** Runs a form action; a ValidationError brings the person page back with the messages. */
async function personAction(req: Request, res: Response, action: () => Promise<{ key: string; params?: Record<string, string> }>, values?: Record<string, string>): Promise<void> {
  try {
    const done = await action();
    await setFlash(req, 'success', done.key, done.params);
    res.redirect(303, `/admin/personer/${personId(req)}`);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    await renderPerson(req, res, 400, { errors: err.fields, values });
  }
}

/** People administration (people:manage), anonymisation (people:anonymise) and "my data" (account:own-data). */
export function peopleRoutes({ mailer }: { mailer: Mailer }): Router {
  const router = Router();
  const manage = requirePermission('people:manage');
  addNavEntry({ href: '/mine-data', label: 'people:nav.myData', visibleTo: 'account:own-data' });

  // GET /admin/personer — find people by name or e-mail, optionally only those in one unit.
  router.get('/admin/personer', ...manage, async (req, res) => {
    const query = searchInput.parse(req.query);
    const unitId = query.unit && isObjectIdString(query.unit) ? query.unit : undefined;
    const searched = !!(query.q?.trim() || unitId);
    const result = await findPeople(currentUser(req)!, { q: query.q, unitId });
    res.render('pages/people/search', {
      title: req.t('people:search.title'),
      ...result,
      searched,
      query: { q: query.q ?? '', unit: unitId ?? '' },
      flash: takeFlash(req),
    });
  });

  // GET /admin/personer/:personId — a person's memberships with history, roles and status.
  router.get('/admin/personer/:personId', ...manage, async (req, res) => {
    await renderPerson(req, res, 200);
  });

  // POST /admin/personer/:personId/medlemskap — adds a membership (unit, role, start date).
  router.post('/admin/personer/:personId/medlemskap', ...manage, async (req, res) => {
    const raw = req.body as Record<string, unknown>;
    const values = { unitId: String(raw.unitId ?? '').slice(0, 40), role: String(raw.role ?? '').slice(0, 20), startDate: String(raw.startDate ?? '').slice(0, 20) };
    await personAction(
      req,
      res,
      async () => {
        const parsed = membershipInput.safeParse(raw);
        if (!parsed.success) throw new ValidationError('membership form', fieldErrorsOf(parsed.error));
        const unitName = await addPersonMembership(currentUser(req)!, personId(req), parsed.data);
        return { key: 'people:flash.membershipAdded', params: { unit: unitName } };
      },
      values,
    );
  });

  // POST /admin/personer/:personId/medlemskap/:membershipId/avslutt — ends a membership; it stays in the history.
  router.post('/admin/personer/:personId/medlemskap/:membershipId/avslutt', ...manage, async (req, res) => {
    const membershipId = req.params.membershipId as string;
    const field = `endDate-${membershipId}`;
    await personAction(req, res, async () => {
      const endDate = parseDateOnly(String((req.body as Record<string, unknown>).endDate ?? ''));
      if (!endDate) throw new ValidationError('end date', { [field]: 'people:errors.dateInvalid' });
      await endPersonMembership(currentUser(req)!, personId(req), membershipId, endDate);
      return { key: 'people:flash.membershipEnded' };
    });
  });

  // POST /admin/personer/:personId/roller — sets the platform roles (author, municipal admin, system admin).
  router.post('/admin/personer/:personId/roller', ...manage, async (req, res) => {
    const actor = currentUser(req)!;
    await personAction(req, res, async () => {
      // A forged body (an object or operator where checkbox values belong) is refused, never a 500.
      const parsed = rolesInput.safeParse(req.body ?? {});
      if (!parsed.success) throw new ValidationError('invalid roles', fieldErrorsOf(parsed.error));
      let { roles } = parsed.data;
      if (!can(actor, 'people:grant-system-admin')) {
        // The checkbox is not shown to those who may not change it: keep what the person has.
        const page = await personPage(actor, personId(req));
        roles = roles.filter((r) => r !== 'system-admin');
        if (page.person.roles.includes('system-admin')) roles.push('system-admin');
      }
      await changeRoles(actor, personId(req), roles);
      return { key: 'people:flash.rolesSaved' };
    });
  });

  // POST /admin/personer/:personId/ekstern-id — links the person to their identity at the municipality's login (or removes it).
  router.post('/admin/personer/:personId/ekstern-id', ...manage, async (req, res) => {
    const raw = (req.body as Record<string, unknown>).externalId;
    const value = typeof raw === 'string' ? raw.trim() : '';
    await personAction(
      req,
      res,
      async () => {
        if (typeof raw !== 'string' || value.length > 256 || [...value].some((c) => c.charCodeAt(0) < 0x20)) throw new ValidationError('external id', { externalId: 'people:errors.externalIdInvalid' });
        await changeExternalId(currentUser(req)!, personId(req), value || null);
        return { key: value ? 'people:flash.externalIdSaved' : 'people:flash.externalIdRemoved' };
      },
      { externalId: value.slice(0, 256) },
    );
  });

  // POST /admin/personer/:personId/deaktiver and /aktiver — blocks or restores login; records are kept.
  for (const [suffix, status] of [['deaktiver', 'deactivated'], ['aktiver', 'active']] as const) {
    router.post(`/admin/personer/:personId/${suffix}`, ...manage, async (req, res) => {
      await personAction(req, res, async () => {
        await changeAccountStatus(currentUser(req)!, personId(req), status);
        return { key: status === 'active' ? 'people:flash.reactivated' : 'people:flash.deactivated' };
      });
    });
  }

  // POST /admin/personer/:personId/aktiveringslenke — mails a new activation link to an invited person.
  router.post('/admin/personer/:personId/aktiveringslenke', ...manage, async (req, res) => {
    await personAction(req, res, async () => {
      const lang: Language = (LANGUAGES as readonly string[]).includes(req.language) ? (req.language as Language) : 'nb';
      await sendActivationLink(mailer, currentUser(req)!, personId(req), lang);
      return { key: 'people:flash.activationSent' };
    });
  });

  // POST /admin/personer/:personId/anonymiser — removes name, e-mail and ids of a person who has left.
  router.post('/admin/personer/:personId/anonymiser', ...requirePermission('people:anonymise'), async (req, res) => {
    await personAction(req, res, async () => {
      if ((req.body as Record<string, unknown>).confirm !== 'yes') throw new ValidationError('not confirmed', { anonymise: 'people:errors.anonymiseConfirm' });
      await anonymisePerson(currentUser(req)!, personId(req));
      return { key: 'people:flash.anonymised' };
    });
  });

  // GET /mine-data — what the platform stores about me, and the download.
  router.get('/mine-data', ...requirePermission('account:own-data'), async (req, res) => {
    const summary = await ownDataSummary(currentUser(req)!);
    res.render('pages/people/my-data', { title: req.t('people:myData.title'), ...summary });
  });

  // GET /mine-data/last-ned — my data as one JSON file.
  router.get('/mine-data/last-ned', ...requirePermission('account:own-data'), async (req, res) => {
    const data = await exportOwnData(currentUser(req)!);
    res.setHeader('Cache-Control', 'no-store');
    res.attachment('fellesskap-mine-data.json');
    res.type('application/json').send(JSON.stringify(data, null, 2));
  });

  return router;
}
