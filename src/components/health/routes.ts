import { Router } from 'express';
import { pingDatabase } from '../../db/index.js';

export function healthRoutes(): Router {
  const router = Router();

  // GET /healthz — the process is up (for liveness probes; never touches the database).
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  // GET /readyz — the database answers a ping within a second (for readiness probes and load balancers).
  router.get('/readyz', async (_req, res) => {
    const ready = await pingDatabase(1000);
    res.set('Cache-Control', 'no-store').status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable' });
  });

  return router;
}
