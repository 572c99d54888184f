import { z } from 'zod';
import { permission, signedInUser, type EndpointContext, type Translate } from '../../../web/endpoints.js';
import { recordAudit, type AuditFormat, type AuditScope } from '../audit.service.js';
import type { ReportQuery } from '../municipal.service.js';
import type { ReportService } from '../reports.service.js';

/** What the report endpoints share: the service, the sweep, access, schemas, the audit entry and file names. */

export interface ReportEndpointDeps {
  reports: ReportService;
  /** Runs the time-driven sweep when it is due, so a report never shows statuses that should have expired. */
  fresh: () => Promise<void>;
}

export const leadAny = permission('unit:lead-any');
export const lead = permission('unit:lead', (params) => ({ unitId: params.unitId }));
export const municipal = permission('reports:municipal');
export const configure = permission('reports:configure');
export const auditRead = permission('audit:read');

/**
 * An id in a report's path, judged by the service alone: an id of any length that names nothing is a
 * 404 there (as it always was), not a 400 from a length limit.
 */
export const reportId = z.string().min(1);
export const unitParams = z.object({ unitId: reportId });

/** A page number in the query: a bad one is the first page (the services clamp it to the pages there are). */
export const pageNumber = z.coerce.number().int().catch(1);

/**
 * The report's choices in the query (?moduler=…&fra=YYYY-MM&til=YYYY-MM). Absent stays absent (the
 * default choice); what was sent goes to the service, which says what is wrong with it.
 */
export const reportQuery = z
  .object({
    moduler: z
      .unknown()
      .transform((v) => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string').slice(0, 50).map((x) => x.slice(0, 80)))
      .optional(),
    fra: z.string().transform((v) => v.slice(0, 7)).optional().catch(undefined),
    til: z.string().transform((v) => v.slice(0, 7)).optional().catch(undefined),
  })
  .transform((q): ReportQuery => ({ modules: q.moduler, from: q.fra, to: q.til }));

type Context = EndpointContext<unknown, unknown, unknown>;

/** Writes who viewed or exported which report; every view and export is logged before it is sent. */
export const audit = (context: Pick<Context, 'user'>, action: 'view' | 'export', scope: AuditScope, scopeId: string | null, scopeLabel: string, format: AuditFormat) =>
  recordAudit({ actor: signedInUser(context), action, scope, scopeId, scopeLabel, format });

/** Unit types by their names in the page language. */
export const typeLabel = (t: Translate) => (type: string) => t(`organisation:types.${type}`);

export const CSV = 'text/csv; charset=utf-8';
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A safe file name part from a unit's name. */
export const fileSlug = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[æ]/g, 'ae')
    .replace(/[ø]/g, 'o')
    .replace(/[å]/g, 'a')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'enhet';
