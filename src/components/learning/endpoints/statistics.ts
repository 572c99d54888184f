import { z } from 'zod';
import type { StatisticsTable } from '../../../activities/index.js';
import { endpoint, permission } from '../../../web/endpoints.js';
import { moduleStatistics, STATISTICS_MIN_LEARNERS } from '../statistics.js';
import { slugOf } from './shared.js';

const VERSION = /^\d{1,3}\.\d{1,3}$/;

/** A table's cells as the page shows them: numbers in the page's language, keys translated, nothing as a dash. */
function displayTable(table: StatisticsTable, t: (key: string, params?: Record<string, unknown>) => string, lang: string) {
  const number = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'nb-NO', { maximumFractionDigits: 2 });
  return {
    caption: t(table.caption, table.captionParams ?? {}),
    head: table.head.map((key) => t(key)),
    rows: table.rows.map((row) => row.map((cell) => (cell === null ? '–' : typeof cell === 'number' ? number.format(cell) : typeof cell === 'string' ? cell : t(cell.key)))),
  };
}

export function statisticsEndpoints() {
  return [
    // GET /forfatter/moduler/:slug/statistikk — how a published version works for learners (aggregates only).
    endpoint({
      method: 'get',
      path: '/forfatter/moduler/:slug/statistikk',
      summary: 'Statistics of a published version for its authors (?versjon=1.0): lesson funnel, quiz item analysis, self-assessments, evaluation; nothing below 5 learners',
      access: permission('modules:statistics'),
      params: z.object({ slug: z.string() }),
      query: z.object({ versjon: z.string().max(20).optional().catch(undefined) }),
      async handle({ params, query, t, lang }) {
        const slug = slugOf(params.slug, 'slug');
        const requested = query.versjon !== undefined && VERSION.test(query.versjon) ? query.versjon : undefined;
        const stats = await moduleStatistics(slug, requested);
        return {
          view: 'pages/authoring/statistics',
          model: {
            ...stats,
            title: t('authoring:statistics.title', { title: stats.title }),
            moduleTitle: stats.title,
            minimum: STATISTICS_MIN_LEARNERS,
            medianDaysText: stats.medianDays === null ? null : new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'nb-NO', { maximumFractionDigits: 1 }).format(stats.medianDays),
            activities: stats.activities.map((a) => ({
              ...a,
              tables: a.statistics ? a.statistics.tables.map((table) => displayTable(table, t, lang)) : [],
              texts: a.statistics?.texts ? { heading: t(a.statistics.texts.heading), items: a.statistics.texts.items } : null,
              answered: a.statistics?.answered ?? null,
            })),
          },
        };
      },
    }),
  ];
}
