import type { AppConfig } from '../../config/index.js';
import { longDate } from '../../lib/oslo-time.js';
import { endpoint, endpointRouter, PUBLIC, type EndpointContext, type PageReply } from '../../web/endpoints.js';

/**
 * The day the accessibility statement was last reviewed against the platform. Change it (and the
 * statement's text in src/locales/<lng>/pages.json) whenever the statement is reviewed.
 */
export const STATEMENT_UPDATED = '2026-12-04';

export interface PageOptions {
  config: Pick<AppConfig, 'accessibilityContact'>;
  /**
   * A signed-in person's own start page ("Mine kurs"), handed in by the composition root (app.ts) so
   * that one endpoint serves `/` and this component depends on none other.
   */
  signedInStart?: (context: EndpointContext<unknown, unknown, unknown>) => Promise<PageReply>;
}

/** Public information pages, as declared endpoints. */
export function pageEndpoints({ config, signedInStart }: PageOptions) {
  return [
    // GET / — what the platform is for, and the way in; for a signed-in person, their own start page.
    endpoint({
      method: 'get',
      path: '/',
      summary: 'What the platform is for, and the way in; for a signed-in person, their own start page (“Mine kurs”)',
      access: PUBLIC,
      handle: async (context) => (context.user && signedInStart ? signedInStart(context) : { view: 'pages/home', model: { title: context.t('pages:home.title') } }),
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

export function pageRoutes(options: PageOptions) {
  return endpointRouter(pageEndpoints(options));
}
