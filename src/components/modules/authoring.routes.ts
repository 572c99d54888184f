import { Router } from 'express';
import { endpointRouter, type EndpointInfo } from '../../web/endpoints.js';
import { addNavEntry } from '../../web/navigation.js';
import { requirePermission } from '../../web/policy.js';
import { registerAnonymiser } from '../people/index.js';
import { anonymiseModuleAuthors } from './privacy.js';
import { BASE } from './endpoints/shared.js';
import { moduleEndpoints } from './endpoints/modules.js';
import { activityEndpoints } from './endpoints/activities.js';
import { lessonEndpoints } from './endpoints/lessons.js';
import { settingsEndpoints } from './endpoints/settings.js';
import { glossaryEndpoints } from './endpoints/glossary.js';
import { previewEndpoints } from './endpoints/preview.js';
import { publishingEndpoints } from './endpoints/publishing.js';

/**
 * Authoring in the browser (role: author, policy action `modules:author`), as declared endpoints in
 * ./endpoints/: modules, lessons and files, settings, preview, publishing. Every page works without
 * JavaScript; the lesson editor adds a live preview with public/js/authoring-preview.js.
 */
export function authoringRoutes(): Router & { manifest: readonly EndpointInfo[] } {
  registerAnonymiser('moduleAuthors', anonymiseModuleAuthors);
  addNavEntry({ href: BASE, label: 'authoring:nav', visibleTo: 'modules:author' });
  const endpoints = endpointRouter([...moduleEndpoints, ...lessonEndpoints, ...activityEndpoints, ...settingsEndpoints, ...glossaryEndpoints, ...previewEndpoints, ...publishingEndpoints]);
  const router = Router() as Router & { manifest: readonly EndpointInfo[] };
  // Everything under /forfatter is for authors, also a path no endpoint has (403, not 404, for others).
  router.use('/forfatter', ...requirePermission('modules:author'));
  router.use(endpoints);
  router.manifest = endpoints.manifest;
  return router;
}
