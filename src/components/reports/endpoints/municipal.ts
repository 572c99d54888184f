import { z } from 'zod';
import { can } from '../../../web/policy.js';
import { endpoint, signedInUser, type EndpointContext, type PageReply } from '../../../web/endpoints.js';
import type { FieldErrors } from '../../../lib/errors.js';
import { districtReport, municipalExport, municipalReport, queryString, unitAggregateReport, type ExportTable, type MunicipalPage, type ReportQuery } from '../municipal.service.js';
import { municipalCsv, municipalRows, MUNICIPAL_HEADER_KEYS } from '../tables.js';
import { toXlsx } from '../export.js';
import type { ReportService } from '../reports.service.js';
import { chartFor, formatters } from '../present.js';
import { effectForExport, effectLocals } from '../effect/endpoints.js';
import { effectCsvRows, effectRows, EFFECT_HEADER_KEYS } from '../effect/present.js';
import { networkExportRows, networkSectionFor } from '../network-section/index.js';
import { toCsv } from '../csv.js';
import { audit, CSV, municipal, reportId, reportQuery, typeLabel, unitParams, XLSX, type ReportEndpointDeps } from './shared.js';

/**
 * The municipal measure-3 report (/kommune/rapport): aggregates only, suppression applied. A query the
 * service refuses shows the page again with the default choice and the messages (400, via `invalid`).
 */

type Context = EndpointContext<unknown, unknown, unknown>;

const districtParams = z.object({ districtId: reportId });

/**
 * Waits for the page's data and its audit entry, both started together, and only then lets a failure
 * of either through: so the view is logged exactly once before any answer — the page, or the page
 * again with the default choice after a refused query.
 */
async function loggedWhileRead<T>(read: Promise<T>, logged: Promise<void>): Promise<T> {
  const [page, entry] = await Promise.allSettled([read, logged]);
  if (entry.status === 'rejected') throw entry.reason;
  if (page.status === 'rejected') throw page.reason;
  return page.value;
}

async function municipalPage(reports: ReportService, context: Context, page: MunicipalPage, errors: FieldErrors, effect: Awaited<ReturnType<typeof effectLocals>>): Promise<PageReply> {
  const { t } = context;
  const user = signedInUser(context);
  const fmt = formatters(context.lang);
  const network = await networkSectionFor(reports, [page.total, ...page.types], t, context.log);
  return {
    view: 'pages/reports/municipal',
    model: {
      title: t('reports:municipal.title'),
      r: page,
      qs: queryString(page.query),
      errors,
      fmt,
      chart: chartFor(page.trend, t, fmt, t('reports:municipal.scope')),
      network,
      canConfigure: can(user, 'reports:configure'),
      canAudit: can(user, 'audit:read'),
      ...effect,
    },
  };
}

/** One district's page, logged; `errors` are the messages of a refused query (then `query` is the default). */
async function districtPage(reports: ReportService, context: Context, districtId: string, query: ReportQuery, errors: FieldErrors): Promise<PageReply> {
  const page = await districtReport(reports, districtId, query, typeLabel(context.t));
  await audit(context, 'view', 'district', page.district.id, page.district.name, 'html');
  const fmt = formatters(context.lang);
  return {
    view: 'pages/reports/district',
    model: { title: context.t('reports:district.title', { district: page.district.name }), r: page, qs: queryString(page.query), errors, fmt, chart: chartFor(page.trend, context.t, fmt, page.district.name) },
  };
}

/** One unit's aggregate page, logged. */
async function unitAggregatePage(reports: ReportService, context: Context, unitId: string, query: ReportQuery, errors: FieldErrors): Promise<PageReply> {
  const page = await unitAggregateReport(reports, unitId, query);
  await audit(context, 'view', 'unit-aggregate', page.unit.id, page.unit.name, 'html');
  return {
    view: 'pages/reports/unit-aggregate',
    model: { title: context.t('reports:unitAggregate.title', { unit: page.unit.name }), r: page, qs: queryString(page.query), errors, fmt: formatters(context.lang) },
  };
}

/** The printable report, logged as an export. */
async function printPage(reports: ReportService, context: Context, query: ReportQuery, errors: FieldErrors): Promise<PageReply> {
  const { t } = context;
  const page = await municipalReport(reports, query, typeLabel(t));
  await audit(context, 'export', 'municipality', null, t('reports:municipal.scope'), 'print');
  const fmt = formatters(context.lang);
  const network = await networkSectionFor(reports, [page.total, ...page.types], t, context.log);
  return {
    view: 'pages/reports/municipal-print',
    model: {
      title: t('reports:print.title'),
      r: page,
      errors,
      fmt,
      moduleTitles: page.modules.filter((m) => m.inSet).map((m) => m.title),
      chart: chartFor(page.trend, t, fmt, t('reports:municipal.scope')),
      ...(await effectLocals(reports, context, page.query)),
      network,
    },
  };
}

/** The export's municipality and unit-type rows: what the network section is published beside. */
const exportScopes = (table: ExportTable) => table.rows.filter((r) => r.level === 'municipality' || r.level === 'type').map((r) => r.row);

export function municipalEndpoints({ reports, fresh }: ReportEndpointDeps) {
  return [
    // GET /kommune/rapport — measure 3: completion by district and unit type, with trend and target.
    endpoint({
      method: 'get',
      path: '/kommune/rapport',
      summary: 'Measure 3: completion by district and unit type, with trend and target',
      access: municipal,
      query: reportQuery,
      async handle(context) {
        const { t } = context;
        await fresh();
        const page = await loggedWhileRead(municipalReport(reports, context.query, typeLabel(t)), audit(context, 'view', 'municipality', null, t('reports:municipal.scope'), 'html'));
        return municipalPage(reports, context, page, {}, await effectLocals(reports, context, page.query));
      },
      // The view was logged while the refused query was read.
      invalid: async (context, errors) => {
        const page = await municipalReport(reports, {}, typeLabel(context.t));
        return municipalPage(reports, context, page, errors, await effectLocals(reports, context, page.query));
      },
    }),
    // GET /kommune/rapport/bydel/:districtId — one district: its units, aggregates only.
    endpoint({
      method: 'get',
      path: '/kommune/rapport/bydel/:districtId',
      summary: 'One district: its units, aggregates only',
      access: municipal,
      params: districtParams,
      query: reportQuery,
      async handle(context) {
        await fresh();
        return districtPage(reports, context, context.params.districtId, context.query, {});
      },
      invalid: (context, errors) => districtPage(reports, context, context.params.districtId, {}, errors),
    }),
    // GET /kommune/rapport/enhet/:unitId — one unit per module, aggregates only (no names).
    endpoint({
      method: 'get',
      path: '/kommune/rapport/enhet/:unitId',
      summary: 'One unit per module, aggregates only (no names)',
      access: municipal,
      params: unitParams,
      query: reportQuery,
      async handle(context) {
        await fresh();
        return unitAggregatePage(reports, context, context.params.unitId, context.query, {});
      },
      invalid: (context, errors) => unitAggregatePage(reports, context, context.params.unitId, {}, errors),
    }),
    // GET /kommune/rapport/eksport.csv — every row of the report, suppression applied.
    endpoint({
      method: 'get',
      path: '/kommune/rapport/eksport.csv',
      summary: 'Every row of the measure-3 report as CSV, suppression applied',
      access: municipal,
      query: reportQuery,
      async handle(context) {
        const { t } = context;
        await fresh();
        const table = await municipalExport(reports, context.query, typeLabel(t), t('reports:municipal.scope'));
        const network = await networkSectionFor(reports, exportScopes(table), t, context.log);
        await audit(context, 'export', 'municipality', null, t('reports:municipal.scope'), 'csv');
        const effect = await effectForExport(reports, t, table.query);
        return { file: Buffer.from(municipalCsv(table, t, formatters(context.lang), effectCsvRows(effect, t)) + toCsv(networkExportRows(network, t)).replace(/^\uFEFF/, ''), 'utf8'), type: CSV, filename: `tiltak-3-status-${table.query.to}.csv` };
      },
    }),
    // GET /kommune/rapport/eksport.xlsx — the same as a spreadsheet.
    endpoint({
      method: 'get',
      path: '/kommune/rapport/eksport.xlsx',
      summary: 'Every row of the measure-3 report as a spreadsheet, suppression applied',
      access: municipal,
      query: reportQuery,
      async handle(context) {
        const { t } = context;
        await fresh();
        const table = await municipalExport(reports, context.query, typeLabel(t), t('reports:municipal.scope'));
        const network = await networkSectionFor(reports, exportScopes(table), t, context.log);
        await audit(context, 'export', 'municipality', null, t('reports:municipal.scope'), 'xlsx');
        const fmt = formatters(context.lang);
        const body = await toXlsx(t('reports:export.sheet'), t('reports:print.title'), MUNICIPAL_HEADER_KEYS.map((k) => t(k)), [...municipalRows(table, t, fmt), ...networkExportRows(network, t)], [
          t('reports:export.modules', { modules: table.moduleTitles.join(', ') }),
          t('reports:export.generated', { date: fmt.dateTime(table.generatedAt) }),
          t('reports:suppression.rule'),
        ], [{ name: t('effect:export.sheet'), header: EFFECT_HEADER_KEYS.map((k) => t(k)), rows: effectRows(await effectForExport(reports, t, table.query), t), notes: [t('effect:rule')] }]);
        return { file: body, type: XLSX, filename: `tiltak-3-status-${table.query.to}.xlsx` };
      },
    }),
    // GET /kommune/rapport/utskrift — the printable status report for the political report.
    endpoint({
      method: 'get',
      path: '/kommune/rapport/utskrift',
      summary: 'The printable measure-3 status report for the political report',
      access: municipal,
      query: reportQuery,
      async handle(context) {
        await fresh();
        return printPage(reports, context, context.query, {});
      },
      invalid: (context, errors) => printPage(reports, context, {}, errors),
    }),
  ];
}
