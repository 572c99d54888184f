import { Router } from 'express';
import { pingDatabase } from '../../db/index.js';

/** writePathProblem says why writes cannot go through although the database answers pings. */
export function healthRoutes(writePathProblem: () => string | undefined = () => undefined): Router {
  const router = Router();

  // GET /healthz — the process is up (for liveness probes; never touches the database).
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  // GET /readyz — the database answers a ping within a second and its write path is not stuck (for
  // readiness probes and load balancers). A stuck write answers pings but blocks every write to its collection.
  router.get('/readyz', async (_req, res) => {
    const ready = await pingDatabase(1000);
    const writeProblem = ready ? writePathProblem() : undefined;
    res.set('Cache-Control', 'no-store');
    if (!ready) res.status(503).json({ status: 'unavailable' });
    else if (writeProblem) res.status(503).json({ status: 'unavailable', reason: 'write path stuck' });
    else res.json({ status: 'ready' });
  });

  return router;
}
