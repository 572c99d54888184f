import { can } from '../../web/policy.js';
import { addNavEntry } from '../../web/navigation.js';
import { anyPermission, endpoint, endpointRouter, signedInUser } from '../../web/endpoints.js';
import type { SessionUser } from '../../web/session-user.js';

const mayAdminister = (user: SessionUser): boolean => can(user, 'organisation:manage') || can(user, 'people:manage');

/** The administration area's front page: a way into units, districts, people and imports (declared endpoints). */
export function adminEndpoints() {
  return [
    // GET /admin — links to what the person may administer.
    endpoint({
      method: 'get',
      path: '/admin',
      summary: 'Links to what the person may administer (units and districts, people, imports)',
      access: anyPermission('organisation:manage', 'people:manage'),
      async handle(context) {
        const user = signedInUser(context);
        return {
          view: 'pages/admin/index',
          model: { title: context.t('admin:title'), canOrganisation: can(user, 'organisation:manage'), canPeople: can(user, 'people:manage'), canNetworks: can(user, 'networks:manage') },
        };
      },
    }),
  ];
}

export function adminRoutes() {
  addNavEntry({ href: '/admin', label: 'admin:nav', visibleTo: mayAdminister });
  return endpointRouter(adminEndpoints());
}
