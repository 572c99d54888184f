import type { AppConfig } from '../../config/index.js';
import { longDate } from '../../lib/oslo-time.js';
import { endpoint, endpointRouter, PUBLIC } from '../../web/endpoints.js';

/**
 * The day the accessibility statement was last reviewed against the platform. Change it (and the
 * statement's text in src/locales/<lng>/pages.json) whenever the statement is reviewed.
 */
export const STATEMENT_UPDATED = '2026-12-04';

/** Public information pages, as declared endpoints. */
export function pageEndpoints({ config }: { config: Pick<AppConfig, 'accessibilityContact'> }) {
  return [
    // GET / — what the platform is for, and the way in.
    endpoint({
      method: 'get',
      path: '/',
      summary: 'What the platform is for, and the way in',
      access: PUBLIC,
      handle: async ({ t }) => ({ view: 'pages/home', model: { title: t('pages:home.title') } }),
    }),
    // GET /tilgjengelighet — the accessibility statement (tilgjengelighetserklæring).
    endpoint({
      method: 'get',
      path: '/tilgjengelighet',
      summary: 'The accessibility statement (tilgjengelighetserklæring)',
      access: PUBLIC,
      async handle({ t, lang }) {
        // Noon UTC is the same calendar day in Oslo in every season.
        const text = longDate(new Date(`${STATEMENT_UPDATED}T12:00:00Z`), lang);
        return {
          view: 'pages/accessibility',
          model: { title: t('pages:accessibility.title'), contact: config.accessibilityContact ?? null, updated: { iso: STATEMENT_UPDATED, text } },
        };
      },
    }),
  ];
}

export function pageRoutes(options: { config: Pick<AppConfig, 'accessibilityContact'> }) {
  return endpointRouter(pageEndpoints(options));
}
