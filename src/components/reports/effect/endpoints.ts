import type { TFunction } from 'i18next';
import { endpoint, type EndpointContext } from '../../../web/endpoints.js';
import type { ResolvedQuery } from '../municipal.service.js';
import { formatters } from '../present.js';
import type { ReportService } from '../reports.service.js';
import { coreSetOf, readSettings } from '../settings.js';
import { reportCatalogue } from '../sources.js';
import { unitName } from '../unit.service.js';
import { audit, lead, typeLabel, unitParams, type ReportEndpointDeps } from '../endpoints/shared.js';
import { effectFormat } from './present.js';
import { municipalEffect, unitEffectRow, type EffectSection } from './effect.service.js';
import { monthRange } from '../time.js';

type Context = EndpointContext<unknown, unknown, unknown>;

/**
 * The effect section for the municipal pages (dashboard, print): the chosen set, the chosen months.
 * Null when it cannot be built: the completion report is still sent (the section says so), and the
 * error is logged.
 */
export async function effectLocals(reports: ReportService, context: Pick<Context, 't' | 'lang'>, query: ResolvedQuery): Promise<{ effect: EffectSection | null; ef: ReturnType<typeof effectFormat> }> {
  const effect = await orNull(reports, municipalEffect(reports, query.set, monthRange(query.from, query.to), typeLabel(context.t), context.t('reports:municipal.scope')));
  return { effect, ef: effectFormat(context.lang) };
}

/** The effect section of an export: every unit as well (null: it could not be built, see effectLocals). */
export function effectForExport(reports: ReportService, t: TFunction, query: ResolvedQuery): Promise<EffectSection | null> {
  return orNull(reports, municipalEffect(reports, query.set, monthRange(query.from, query.to), typeLabel(t), t('reports:municipal.scope'), true));
}

async function orNull<T>(reports: ReportService, work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (err) {
    reports.logger.error({ err }, 'effect section could not be built; the report is sent without it');
    return null;
  }
}

export function effectEndpoints({ reports, fresh }: ReportEndpointDeps) {
  return [
    // GET /leder/enheter/:unitId/effekt — the unit's effect figures (core modules), only from 5 answers.
    endpoint({
      method: 'get',
      path: '/leder/enheter/:unitId/effekt',
      summary: "A unit's effect figures for its leaders (self-assessment change, evaluation), aggregates from 5 answers only",
      access: lead,
      params: unitParams,
      async handle(context) {
        const { params, t, lang } = context;
        await fresh();
        const [catalogue, settings] = await Promise.all([reportCatalogue(reports), readSettings()]);
        const set = coreSetOf(settings.value, catalogue.modules);
        const [row, name] = await Promise.all([unitEffectRow(reports, params.unitId, set), unitName(reports, params.unitId)]);
        await audit(context, 'view', 'unit', params.unitId, name, 'html');
        return {
          view: 'pages/reports/unit-effect',
          model: {
            title: t('effect:leader.title', { unit: name }),
            unit: { id: params.unitId, name },
            row,
            ef: effectFormat(lang),
            fmt: formatters(lang),
            moduleTitles: catalogue.modules.filter((m) => set.includes(m.slug)).map((m) => m.title),
          },
        };
      },
    }),
  ];
}
