import type { Express } from 'express';
import { ENDPOINT_MANIFEST, type EndpointInfo } from '../../src/web/endpoints.js';

/**
 * The built app's route table, read from Express's router stack rather than from a hand-kept list,
 * so that a route added tomorrow is probed tomorrow by every test generated from it (CSRF, hostile
 * parameters, identity writes).
 */

interface StackLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: StackLayer[] };
  rawPath?: unknown;
  slash?: boolean;
}

/**
 * Every route of an Express 5 app with its full path. Routers are mounted with `app.use(prefix?,
 * router)`; router 2.x keeps the mount path as `rawPath` (and marks a root mount with `slash`). A
 * mount or route path this walker cannot read as a plain string fails the test instead of being
 * skipped silently.
 */
export function discoverRoutes(app: Express): Array<{ methods: string[]; path: string }> {
  const found: Array<{ methods: string[]; path: string }> = [];
  const walk = (stack: StackLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const routePath = layer.route.path;
        if (typeof routePath !== 'string') throw new Error(`route path that is not a string under "${prefix}": ${String(routePath)}`);
        found.push({ methods: Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m]), path: prefix + routePath });
      } else if (layer.handle && Array.isArray(layer.handle.stack)) {
        let mount = '';
        if (!layer.slash) {
          if (typeof layer.rawPath !== 'string' || /[:*?(]/.test(layer.rawPath)) {
            throw new Error(`cannot reconstruct the mount path of a router under "${prefix}": ${String(layer.rawPath)}`);
          }
          mount = layer.rawPath.replace(/\/$/, '');
        }
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  const router = (app as unknown as { router: { stack: StackLayer[] } }).router;
  walk(router.stack, '');
  return found;
}


/**
 * Every route the app declares (src/web/endpoints.ts), read from its endpoint manifest: what the
 * generated tests (CSRF, hostile parameters, identity writes, accessibility) walk. That the manifest
 * and the route table above hold the same routes is itself a test (test/http/endpoints.test.ts), so
 * a route mounted without being declared fails there rather than escaping these tests.
 */
export function declaredRoutes(app: Express): Array<{ methods: string[]; path: string }> {
  const manifest = app.get(ENDPOINT_MANIFEST) as EndpointInfo[] | undefined;
  if (!manifest?.length) throw new Error('the app has no endpoint manifest');
  return manifest.map((e) => ({ methods: [e.method], path: e.path }));
}
