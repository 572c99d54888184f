import { Router } from 'express';
import type { AppConfig } from '../../config/index.js';
import { longDate } from '../../lib/oslo-time.js';

/**
 * The day the accessibility statement was last reviewed against the platform. Change it (and the
 * statement's text in src/locales/<lng>/pages.json) whenever the statement is reviewed.
 */
export const STATEMENT_UPDATED = '2026-12-04';

/** Public information pages. */
export function pageRoutes({ config }: { config: Pick<AppConfig, 'accessibilityContact'> }): Router {
  const router = Router();

  // GET / — what the platform is for, and the way in.
  router.get('/', (req, res) => {
    res.render('pages/home', { title: req.t('pages:home.title') });
  });

  // GET /tilgjengelighet — the accessibility statement (tilgjengelighetserklæring).
  router.get('/tilgjengelighet', (req, res) => {
    // Noon UTC is the same calendar day in Oslo in every season.
    const text = longDate(new Date(`${STATEMENT_UPDATED}T12:00:00Z`), String(res.locals.lang));
    res.render('pages/accessibility', {
      title: req.t('pages:accessibility.title'),
      contact: config.accessibilityContact ?? null,
      updated: { iso: STATEMENT_UPDATED, text },
    });
  });

  return router;
}
