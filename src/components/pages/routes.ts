import { Router } from 'express';

/** Public information pages. */
export function pageRoutes(): Router {
  const router = Router();

  // GET / — what the platform is for, and the way in.
  router.get('/', (req, res) => {
    res.render('pages/home', { title: req.t('pages:home.title') });
  });

  // GET /tilgjengelighet — the accessibility statement (tilgjengelighetserklæring).
  router.get('/tilgjengelighet', (req, res) => {
    res.render('pages/accessibility', { title: req.t('pages:accessibility.title') });
  });

  return router;
}
