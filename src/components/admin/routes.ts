import { Router } from 'express';
import { can, currentUser, requireLogin } from '../../web/policy.js';
import { addNavEntry } from '../../web/navigation.js';
import { ForbiddenError } from '../../lib/errors.js';
import type { SessionUser } from '../../web/session-user.js';

const mayAdminister = (user: SessionUser): boolean => can(user, 'organisation:manage') || can(user, 'people:manage');

/** The administration area's front page: a way into units, districts, people and imports. */
export function adminRoutes(): Router {
  const router = Router();
  addNavEntry({ href: '/admin', label: 'admin:nav', visibleTo: mayAdminister });

  // GET /admin — links to what the person may administer.
  router.get('/admin', requireLogin, (req, res) => {
    const user = currentUser(req)!;
    if (!mayAdminister(user)) throw new ForbiddenError(`user ${user.id} may not administer`);
    res.render('pages/admin/index', {
      title: req.t('admin:title'),
      canOrganisation: can(user, 'organisation:manage'),
      canPeople: can(user, 'people:manage'),
    });
  });

  return router;
}
