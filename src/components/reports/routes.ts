import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ValidationError } from '../../lib/errors.js';
import { atMostEvery } from '../../lib/periodic.js';
import { can, currentUser, requirePermission } from '../../web/policy.js';
import { addNavEntry } from '../../web/navigation.js';
import { setFlash, takeFlash } from '../../web/flash.js';
import { addLeaderAreaLink, addLeaderUnitLink } from '../leadership/index.js';
import type { SessionUser } from '../../web/session-user.js';
import { registerAnonymiser } from '../people/index.js';
import { anonymiseReportAudit } from './privacy.js';
import { recordAudit, auditPage, type AuditFormat, type AuditScope } from './audit.service.js';
import { ledUnits, personProgress, unitMatrix, unitName } from './unit.service.js';
import { districtReport, municipalExport, municipalReport, queryString, unitAggregateReport, type ReportQuery } from './municipal.service.js';
import { renewalPage, settingsPage } from './settings.service.js';
import type { ReportService } from './reports.service.js';
import { municipalCsv, municipalRows, unitCsv, unitRows, MUNICIPAL_HEADER_KEYS, unitHeader } from './tables.js';
import { toXlsx } from './export.js';
import { chartFor, formatters } from './present.js';

const list = (value: unknown, max = 50): string[] | undefined => {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  return values.filter((v): v is string => typeof v === 'string').slice(0, max).map((v) => v.slice(0, 80));
};
const text = (value: unknown, max = 40): string | undefined => (typeof value === 'string' ? value.slice(0, max) : undefined);

/** People per page of a unit's matrix. */
export const MATRIX_PAGE_SIZE = 50;

const sortInput = z.object({ sort: z.string().max(80).optional().catch(undefined), retning: z.enum(['asc', 'desc']).optional().catch(undefined) });

function reportQuery(req: Request): ReportQuery {
  const q = req.query as Record<string, unknown>;
  return { modules: list(q.moduler), from: text(q.fra, 7), to: text(q.til, 7) };
}

function actor(req: Request): SessionUser {
  return currentUser(req)!;
}

function download(res: Response, filename: string, type: string, body: string | Buffer): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.send(body);
}

const CSV = 'text/csv; charset=utf-8';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A safe file name part from a unit's name. */
const fileSlug = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[æ]/g, 'ae')
    .replace(/[ø]/g, 'o')
    .replace(/[å]/g, 'a')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'enhet';

export interface ReportRouteOptions {
  /** How often a request may trigger the time-driven sweep (0: every request, in tests). */
  sweepIntervalMs: number;
}

/**
 * Leaders' unit dashboards (/leder/enheter), the municipal measure-3 report (/kommune/rapport), its
 * settings and the audit log. Every view and export is written to the audit log before it is sent.
 */
export function reportRoutes(reports: ReportService, options: ReportRouteOptions): Router {
  const router = Router();
  registerAnonymiser('reportAudit', anonymiseReportAudit);
  const sweep = atMostEvery(options.sweepIntervalMs, async (now) => {
    try {
      await reports.sweep(now);
    } catch (err) {
      reports.logger.error({ err }, 'report sweep failed; it runs again on a later request');
    }
  });
  const fresh = async (_req: Request, _res: Response, next: () => void) => {
    await sweep();
    next();
  };
  const leadAny = requirePermission('unit:lead-any');
  const lead = requirePermission('unit:lead', (req) => ({ unitId: String(req.params.unitId) }));
  const municipal = requirePermission('reports:municipal');
  const configure = requirePermission('reports:configure');
  const auditRead = requirePermission('audit:read');

  addNavEntry({ href: '/kommune/rapport', label: 'reports:nav.municipal', visibleTo: 'reports:municipal' });
  addLeaderUnitLink({ label: 'reports:leader.dashboardLink', href: (unitId) => `/leder/enheter/${unitId}` });
  addLeaderAreaLink({ label: 'reports:nav.municipal', href: '/kommune/rapport', visibleTo: 'reports:municipal' });

  const audit = (req: Request, action: 'view' | 'export', scope: AuditScope, scopeId: string | null, scopeLabel: string, format: AuditFormat) =>
    recordAudit({ actor: actor(req), action, scope, scopeId, scopeLabel, format });
  const typeLabel = (req: Request) => (type: string) => req.t(`organisation:types.${type}`);

  // ------------------------------------------------------------------ leaders

  // GET /leder/enheter — the units I lead, each with its completion dashboard.
  router.get('/leder/enheter', ...leadAny, async (req, res) => {
    res.render('pages/reports/leader-units', { title: req.t('reports:leader.unitsTitle'), units: await ledUnits(reports, actor(req)) });
  });

  // GET /leder/enheter/:unitId — staff × modules matrix, sortable with ?sort=<navn|fullfort|slug>&retning=<asc|desc>.
  router.get('/leder/enheter/:unitId', ...lead, fresh, async (req, res) => {
    const sort = sortInput.parse(req.query);
    const unitId = String(req.params.unitId);
    // The log entry is written while the page's data is read: both must be done before it is sent.
    const [matrix] = await Promise.all([unitMatrix(reports, actor(req), unitId, { key: sort.sort, dir: sort.retning }), audit(req, 'view', 'unit', unitId, await unitName(reports, unitId), 'html')]);
    // Large units page through their people, so the page stays quick to send and to read.
    const pages = Math.max(1, Math.ceil(matrix.rows.length / MATRIX_PAGE_SIZE));
    const page = Math.min(pages, Math.max(1, Number.parseInt(String(req.query.side ?? '1'), 10) || 1));
    res.render('pages/reports/unit', {
      title: req.t('reports:unit.title', { unit: matrix.unit.name }),
      m: matrix,
      rows: matrix.rows.slice((page - 1) * MATRIX_PAGE_SIZE, page * MATRIX_PAGE_SIZE),
      paging: { page, pages, sortQuery: `sort=${encodeURIComponent(matrix.sort.key)}&retning=${matrix.sort.dir}` },
      labels: Object.fromEntries(['completed', 'inProgress', 'expired', 'notStarted', 'overdue'].map((s) => [s, req.t(`reports:status.${s}`)])),
      fmt: formatters(res.locals.lang as string),
    });
  });

  // GET /leder/enheter/:unitId/eksport.csv — the matrix as CSV (formula-safe).
  router.get('/leder/enheter/:unitId/eksport.csv', ...lead, fresh, async (req, res) => {
    const matrix = await unitMatrix(reports, actor(req), String(req.params.unitId));
    await audit(req, 'export', 'unit', matrix.unit.id, matrix.unit.name, 'csv');
    download(res, `fullforing-${fileSlug(matrix.unit.name)}.csv`, CSV, unitCsv(matrix, req.t, formatters(res.locals.lang as string)));
  });

  // GET /leder/enheter/:unitId/eksport.xlsx — the matrix as a spreadsheet.
  router.get('/leder/enheter/:unitId/eksport.xlsx', ...lead, fresh, async (req, res) => {
    const matrix = await unitMatrix(reports, actor(req), String(req.params.unitId));
    await audit(req, 'export', 'unit', matrix.unit.id, matrix.unit.name, 'xlsx');
    const fmt = formatters(res.locals.lang as string);
    const body = await toXlsx(req.t('reports:unit.sheet'), req.t('reports:unit.title', { unit: matrix.unit.name }), unitHeader(matrix, req.t), unitRows(matrix, req.t, fmt), [
      req.t('reports:export.generated', { date: fmt.dateTime(matrix.generatedAt) }),
    ]);
    download(res, `fullforing-${fileSlug(matrix.unit.name)}.xlsx`, XLSX, body);
  });

  // GET /leder/enheter/:unitId/utskrift — the matrix for printing.
  router.get('/leder/enheter/:unitId/utskrift', ...lead, fresh, async (req, res) => {
    const matrix = await unitMatrix(reports, actor(req), String(req.params.unitId));
    await audit(req, 'export', 'unit', matrix.unit.id, matrix.unit.name, 'print');
    res.render('pages/reports/unit-print', { title: req.t('reports:unit.title', { unit: matrix.unit.name }), m: matrix, fmt: formatters(res.locals.lang as string) });
  });

  // GET /leder/enheter/:unitId/personer/:personId — one person's progress, module by module (never their texts).
  router.get('/leder/enheter/:unitId/personer/:personId', ...lead, fresh, async (req, res) => {
    const page = await personProgress(reports, actor(req), String(req.params.unitId), String(req.params.personId));
    await audit(req, 'view', 'person', page.person.id, `${page.unit.name}: ${page.person.name}`, 'html');
    res.render('pages/reports/person', { title: req.t('reports:person.title', { name: page.person.name }), p: page, fmt: formatters(res.locals.lang as string) });
  });

  // ------------------------------------------------------------------ the municipality

  /** Runs a report query; a bad query shows the page with the default choice and the messages. */
  async function withQuery<T>(req: Request, run: (q: ReportQuery) => Promise<T>): Promise<{ page: T; errors: Record<string, string>; status: number }> {
    try {
      return { page: await run(reportQuery(req)), errors: {}, status: 200 };
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return { page: await run({}), errors: err.fields, status: 400 };
    }
  }

  // GET /kommune/rapport — measure 3: completion by district and unit type, with trend and target.
  router.get('/kommune/rapport', ...municipal, fresh, async (req, res) => {
    const [{ page, errors, status }] = await Promise.all([
      withQuery(req, (q) => municipalReport(reports, q, typeLabel(req))),
      audit(req, 'view', 'municipality', null, req.t('reports:municipal.scope'), 'html'),
    ]);
    const fmt = formatters(res.locals.lang as string);
    res.status(status).render('pages/reports/municipal', {
      title: req.t('reports:municipal.title'),
      r: page,
      qs: queryString(page.query),
      errors,
      fmt,
      chart: chartFor(page.trend, req.t, fmt, req.t('reports:municipal.scope')),
      canConfigure: can(actor(req), 'reports:configure'),
      canAudit: can(actor(req), 'audit:read'),
      flash: takeFlash(req),
    });
  });

  // GET /kommune/rapport/bydel/:districtId — one district: its units, aggregates only.
  router.get('/kommune/rapport/bydel/:districtId', ...municipal, fresh, async (req, res) => {
    const { page, errors, status } = await withQuery(req, (q) => districtReport(reports, String(req.params.districtId), q, typeLabel(req)));
    await audit(req, 'view', 'district', page.district.id, page.district.name, 'html');
    const fmt = formatters(res.locals.lang as string);
    res.status(status).render('pages/reports/district', {
      title: req.t('reports:district.title', { district: page.district.name }),
      r: page,
      qs: queryString(page.query),
      errors,
      fmt,
      chart: chartFor(page.trend, req.t, fmt, page.district.name),
    });
  });

  // GET /kommune/rapport/enhet/:unitId — one unit per module, aggregates only (no names).
  router.get('/kommune/rapport/enhet/:unitId', ...municipal, fresh, async (req, res) => {
    const { page, errors, status } = await withQuery(req, (q) => unitAggregateReport(reports, String(req.params.unitId), q));
    await audit(req, 'view', 'unit-aggregate', page.unit.id, page.unit.name, 'html');
    res.status(status).render('pages/reports/unit-aggregate', {
      title: req.t('reports:unitAggregate.title', { unit: page.unit.name }),
      r: page,
      qs: queryString(page.query),
      errors,
      fmt: formatters(res.locals.lang as string),
    });
  });

  // GET /kommune/rapport/eksport.csv — every row of the report, suppression applied.
  router.get('/kommune/rapport/eksport.csv', ...municipal, fresh, async (req, res) => {
    const table = await municipalExport(reports, reportQuery(req), typeLabel(req), req.t('reports:municipal.scope'));
    await audit(req, 'export', 'municipality', null, req.t('reports:municipal.scope'), 'csv');
    download(res, `tiltak-3-status-${table.query.to}.csv`, CSV, municipalCsv(table, req.t, formatters(res.locals.lang as string)));
  });

  // GET /kommune/rapport/eksport.xlsx — the same as a spreadsheet.
  router.get('/kommune/rapport/eksport.xlsx', ...municipal, fresh, async (req, res) => {
    const table = await municipalExport(reports, reportQuery(req), typeLabel(req), req.t('reports:municipal.scope'));
    await audit(req, 'export', 'municipality', null, req.t('reports:municipal.scope'), 'xlsx');
    const fmt = formatters(res.locals.lang as string);
    const body = await toXlsx(req.t('reports:export.sheet'), req.t('reports:print.title'), MUNICIPAL_HEADER_KEYS.map((k) => req.t(k)), municipalRows(table, req.t, fmt), [
      req.t('reports:export.modules', { modules: table.moduleTitles.join(', ') }),
      req.t('reports:export.generated', { date: fmt.dateTime(table.generatedAt) }),
      req.t('reports:suppression.rule'),
    ]);
    download(res, `tiltak-3-status-${table.query.to}.xlsx`, XLSX, body);
  });

  // GET /kommune/rapport/utskrift — the printable status report for the political report.
  router.get('/kommune/rapport/utskrift', ...municipal, fresh, async (req, res) => {
    const { page, errors, status } = await withQuery(req, (q) => municipalReport(reports, q, typeLabel(req)));
    await audit(req, 'export', 'municipality', null, req.t('reports:municipal.scope'), 'print');
    const fmt = formatters(res.locals.lang as string);
    res.status(status).render('pages/reports/municipal-print', {
      title: req.t('reports:print.title'),
      r: page,
      errors,
      fmt,
      moduleTitles: page.modules.filter((m) => m.inSet).map((m) => m.title),
      chart: chartFor(page.trend, req.t, fmt, req.t('reports:municipal.scope')),
    });
  });

  // GET /kommune/rapport/innstillinger — the measure-3 core set and the targets.
  router.get('/kommune/rapport/innstillinger', ...configure, async (req, res) => {
    res.render('pages/reports/settings', { title: req.t('reports:settings.title'), ...(await settingsPage(reports)), errors: {}, flash: takeFlash(req) });
  });

  // POST /kommune/rapport/innstillinger — saves the core set and the targets.
  router.post('/kommune/rapport/innstillinger', ...configure, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    try {
      await reports.saveReportSettings(body);
      setFlash(req, 'success', 'reports:settings.saved');
      res.redirect(303, '/kommune/rapport/innstillinger');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(400).render('pages/reports/settings', { title: req.t('reports:settings.title'), ...(await settingsPage(reports, body)), errors: err.fields, flash: null });
    }
  });

  // GET /kommune/rapport/fornying — renewal rules per module.
  router.get('/kommune/rapport/fornying', ...configure, async (req, res) => {
    res.render('pages/reports/renewal', { title: req.t('reports:renewal.title'), ...(await renewalPage(reports)), errors: {}, flash: takeFlash(req) });
  });

  // POST /kommune/rapport/fornying — saves the rules; every status is then recomputed.
  router.post('/kommune/rapport/fornying', ...configure, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    try {
      await reports.saveRenewalRules(body);
      setFlash(req, 'success', 'reports:renewal.saved');
      res.redirect(303, '/kommune/rapport/fornying');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(400).render('pages/reports/renewal', { title: req.t('reports:renewal.title'), ...(await renewalPage(reports, body)), errors: err.fields, flash: null });
    }
  });

  // GET /kommune/rapport/logg — who viewed or exported which report, newest first, 50 a page.
  router.get('/kommune/rapport/logg', ...auditRead, async (req, res) => {
    const requested = Number.parseInt(String(req.query.side ?? '1'), 10);
    const log = await auditPage(Number.isFinite(requested) ? requested : 1);
    res.render('pages/reports/audit', { title: req.t('reports:audit.title'), log, fmt: formatters(res.locals.lang as string) });
  });

  return router;
}
