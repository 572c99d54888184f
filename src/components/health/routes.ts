import { pingDatabase } from '../../db/index.js';
import { endpoint, endpointRouter, PUBLIC } from '../../web/endpoints.js';

/** writePathProblem says why writes cannot go through although the database answers pings. */
export function healthRoutes(writePathProblem: () => string | undefined = () => undefined) {
  return endpointRouter([
    endpoint({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness probe: the process is up (never touches the database)',
      access: PUBLIC,
      handle: async () => ({ json: { status: 'ok' } }),
    }),
    endpoint({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness probe: the database answers a ping within a second and its write path is not stuck',
      access: PUBLIC,
      async handle() {
        // A stuck write answers pings but blocks every write to its collection.
        if (!(await pingDatabase(1000))) return { status: 503, json: { status: 'unavailable' } };
        if (writePathProblem()) return { status: 503, json: { status: 'unavailable', reason: 'write path stuck' } };
        return { json: { status: 'ready' } };
      },
    }),
  ]);
}
