import { z } from 'zod';
import { endpoint, signedInUser } from '../../../web/endpoints.js';
import { ledUnits, personProgress, unitMatrix, unitName } from '../unit.service.js';
import { unitCsv, unitRows, unitHeader } from '../tables.js';
import { toXlsx } from '../export.js';
import { formatters } from '../present.js';
import { audit, CSV, fileSlug, lead, leadAny, pageNumber, reportId, unitParams, XLSX, type ReportEndpointDeps } from './shared.js';

/** Leaders' unit dashboards (/leder/enheter): the staff × modules matrix, its exports and one person's progress. */

/** People per page of a unit's matrix. */
const MATRIX_PAGE_SIZE = 50;

const matrixQuery = z.object({
  sort: z.string().max(80).optional().catch(undefined),
  retning: z.enum(['asc', 'desc']).optional().catch(undefined),
  side: pageNumber,
});
const personParams = unitParams.extend({ personId: reportId });

export function leaderEndpoints({ reports, fresh }: ReportEndpointDeps) {
  return [
    // GET /leder/enheter — the units I lead, each with its completion dashboard.
    endpoint({
      method: 'get',
      path: '/leder/enheter',
      summary: 'The units the person leads, each with a link to its completion dashboard',
      access: leadAny,
      async handle(context) {
        return { view: 'pages/reports/leader-units', model: { title: context.t('reports:leader.unitsTitle'), units: await ledUnits(reports, signedInUser(context)) } };
      },
    }),
    // GET /leder/enheter/:unitId — staff × modules matrix, sortable with ?sort=<navn|fullfort|slug>&retning=<asc|desc>.
    endpoint({
      method: 'get',
      path: '/leder/enheter/:unitId',
      summary: "A unit's staff × modules completion matrix, sortable and paged",
      access: lead,
      params: unitParams,
      query: matrixQuery,
      async handle(context) {
        const { params, query, t, lang } = context;
        await fresh();
        // The log entry is written while the page's data is read: both must be done before it is sent.
        const [matrix] = await Promise.all([
          unitMatrix(reports, signedInUser(context), params.unitId, { key: query.sort, dir: query.retning }),
          audit(context, 'view', 'unit', params.unitId, await unitName(reports, params.unitId), 'html'),
        ]);
        // Large units page through their people, so the page stays quick to send and to read.
        const pages = Math.max(1, Math.ceil(matrix.rows.length / MATRIX_PAGE_SIZE));
        const page = Math.min(pages, Math.max(1, query.side));
        return {
          view: 'pages/reports/unit',
          model: {
            title: t('reports:unit.title', { unit: matrix.unit.name }),
            m: matrix,
            rows: matrix.rows.slice((page - 1) * MATRIX_PAGE_SIZE, page * MATRIX_PAGE_SIZE),
            paging: { page, pages, sortQuery: `sort=${encodeURIComponent(matrix.sort.key)}&retning=${matrix.sort.dir}` },
            labels: Object.fromEntries(['completed', 'inProgress', 'expired', 'notStarted', 'overdue'].map((s) => [s, t(`reports:status.${s}`)])),
            fmt: formatters(lang),
          },
        };
      },
    }),
    // GET /leder/enheter/:unitId/eksport.csv — the matrix as CSV (formula-safe).
    endpoint({
      method: 'get',
      path: '/leder/enheter/:unitId/eksport.csv',
      summary: "A unit's completion matrix as CSV (formula-safe)",
      access: lead,
      params: unitParams,
      async handle(context) {
        await fresh();
        const matrix = await unitMatrix(reports, signedInUser(context), context.params.unitId);
        await audit(context, 'export', 'unit', matrix.unit.id, matrix.unit.name, 'csv');
        return { file: Buffer.from(unitCsv(matrix, context.t, formatters(context.lang)), 'utf8'), type: CSV, filename: `fullforing-${fileSlug(matrix.unit.name)}.csv` };
      },
    }),
    // GET /leder/enheter/:unitId/eksport.xlsx — the matrix as a spreadsheet.
    endpoint({
      method: 'get',
      path: '/leder/enheter/:unitId/eksport.xlsx',
      summary: "A unit's completion matrix as a spreadsheet",
      access: lead,
      params: unitParams,
      async handle(context) {
        const { t } = context;
        await fresh();
        const matrix = await unitMatrix(reports, signedInUser(context), context.params.unitId);
        await audit(context, 'export', 'unit', matrix.unit.id, matrix.unit.name, 'xlsx');
        const fmt = formatters(context.lang);
        const body = await toXlsx(t('reports:unit.sheet'), t('reports:unit.title', { unit: matrix.unit.name }), unitHeader(matrix, t), unitRows(matrix, t, fmt), [
          t('reports:export.generated', { date: fmt.dateTime(matrix.generatedAt) }),
        ]);
        return { file: body, type: XLSX, filename: `fullforing-${fileSlug(matrix.unit.name)}.xlsx` };
      },
    }),
    // GET /leder/enheter/:unitId/utskrift — the matrix for printing.
    endpoint({
      method: 'get',
      path: '/leder/enheter/:unitId/utskrift',
      summary: "A unit's completion matrix for printing",
      access: lead,
      params: unitParams,
      async handle(context) {
        await fresh();
        const matrix = await unitMatrix(reports, signedInUser(context), context.params.unitId);
        await audit(context, 'export', 'unit', matrix.unit.id, matrix.unit.name, 'print');
        return { view: 'pages/reports/unit-print', model: { title: context.t('reports:unit.title', { unit: matrix.unit.name }), m: matrix, fmt: formatters(context.lang) } };
      },
    }),
    // GET /leder/enheter/:unitId/personer/:personId — one person's progress, module by module (never their texts).
    endpoint({
      method: 'get',
      path: '/leder/enheter/:unitId/personer/:personId',
      summary: "One person's progress in a unit the leader leads, module by module (never their texts)",
      access: lead,
      params: personParams,
      async handle(context) {
        await fresh();
        const page = await personProgress(reports, signedInUser(context), context.params.unitId, context.params.personId);
        await audit(context, 'view', 'person', page.person.id, `${page.unit.name}: ${page.person.name}`, 'html');
        return { view: 'pages/reports/person', model: { title: context.t('reports:person.title', { name: page.person.name }), p: page, fmt: formatters(context.lang) } };
      },
    }),
  ];
}
