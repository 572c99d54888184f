import { Router } from 'express';
import type { AppConfig } from '../../config/index.js';

/**
 * The day the accessibility statement was last reviewed against the platform. Change it (and the
 * statement's text in src/locales/<lng>/pages.json) whenever the statement is reviewed.
 */
export const STATEMENT_UPDATED = '2026-12-04';

const LOCALES: Record<string, string> = { nb: 'nb-NO', nn: 'nn-NO', en: 'en-GB' };

/** Public information pages. */
export function pageRoutes({ config }: { config: Pick<AppConfig, 'accessibilityContact'> }): Router {
  const router = Router();

  // GET / — what the platform is for, and the way in.
  router.get('/', (req, res) => {
    res.render('pages/home', { title: req.t('pages:home.title') });
  });

  // GET /tilgjengelighet — the accessibility statement (tilgjengelighetserklæring).
  router.get('/tilgjengelighet', (req, res) => {
    const locale = LOCALES[String(res.locals.lang)] ?? LOCALES.nb;
    const text = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${STATEMENT_UPDATED}T00:00:00Z`));
    res.render('pages/accessibility', {
      title: req.t('pages:accessibility.title'),
      contact: config.accessibilityContact ?? null,
      updated: { iso: STATEMENT_UPDATED, text },
    });
  });

  return router;
}
