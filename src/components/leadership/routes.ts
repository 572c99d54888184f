import { Router } from 'express';
import { can, currentUser, requireLogin } from '../../web/policy.js';
import { addNavEntry } from '../../web/navigation.js';
import { ForbiddenError } from '../../lib/errors.js';
import { unitsByIds } from '../organisation/index.js';
import type { SessionUser } from '../accounts/index.js';
import { leaderAreaLinks, leaderUnitLinks, addLeaderAreaLink } from './links.js';

/** The leader's area is for people who lead a unit now, and for the municipality's administrators. */
export const mayUseLeaderArea = (user: SessionUser): boolean => can(user, 'unit:lead-any') || can(user, 'assignments:municipal');

/** GET /leder: the way into everything a leader does, per unit they lead. */
export function leadershipRoutes(): Router {
  const router = Router();
  addNavEntry({ href: '/leder', label: 'leadership:nav', visibleTo: mayUseLeaderArea });
  addLeaderAreaLink({ label: 'leadership:municipalAssignments', href: '/kommune/tildelinger', visibleTo: 'assignments:municipal' });

  // GET /leder — the units I lead, each with its assignments, team sessions, reminders and dashboard.
  router.get('/leder', requireLogin, async (req, res) => {
    const user = currentUser(req)!;
    if (!mayUseLeaderArea(user)) throw new ForbiddenError(`user ${user.id} leads no unit`);
    const units = await unitsByIds([...user.leaderOf]);
    res.render('pages/leadership/index', {
      title: req.t('leadership:title'),
      units: [...units.values()]
        .filter((u) => !u.closed)
        .sort((a, b) => a.name.localeCompare(b.name, 'nb'))
        .map((u) => ({ id: u.id, name: u.name, type: u.type, links: leaderUnitLinks(u.id) })),
      areaLinks: leaderAreaLinks().filter((l) => can(user, l.visibleTo)),
    });
  });

  return router;
}
