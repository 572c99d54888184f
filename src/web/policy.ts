import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ForbiddenError, UnauthenticatedError } from '../lib/errors.js';
import type { PlatformRole, SessionUser } from './session-user.js';

/**
 * The one place that decides who may do what. Routes use `requirePermission`, services use
 * `assertCan`; nothing else compares roles. Every denial becomes a ForbiddenError, which the
 * error handler logs with the request id.
 */

export interface PolicyResource {
  /** The unit the action concerns. */
  unitId?: string;
  /** The units a person belongs to, when the action concerns that person. */
  unitIds?: readonly string[];
  /** The person the data belongs to. */
  ownerId?: string;
  /** A learning network's coordinators (people ids), when the action concerns that network. */
  coordinatorIds?: readonly string[];
  /** A learning network's participants (people ids), when the action concerns that network. */
  participantIds?: readonly string[];
  /** A learning network's invited external partners (people ids), when the action concerns that network. */
  partnerIds?: readonly string[];
}

type Rule = (user: SessionUser, resource: PolicyResource) => boolean;

const hasRole = (...roles: PlatformRole[]): Rule => (user) => roles.some((r) => user.roles.has(r));
const anyone: Rule = () => true;

const RULES = {
  /** Take modules, see one's own progress, certificates and learning log. */
  'learning:take': anyone,
  /** Download one's own data. */
  'account:own-data': anyone,
  /** Write, preview, publish and archive modules. */
  'modules:author': hasRole('author', 'system-admin'),
  /** How a module works for its learners (funnel, item analysis, self-assessments, evaluation): counts and means, never a person. */
  'modules:statistics': hasRole('author', 'system-admin'),
  /** Create, edit and close districts and units. */
  'organisation:manage': hasRole('municipal-admin', 'system-admin'),
  /** Find people, edit memberships and roles, import staff, deactivate accounts. */
  'people:manage': hasRole('municipal-admin', 'system-admin'),
  /** Anonymise a person who has left. */
  'people:anonymise': hasRole('system-admin'),
  /** Grant or take away system administration, or deactivate a system administrator: only system admins. */
  'people:grant-system-admin': hasRole('system-admin'),
  /** Assign modules, follow completion and run team sessions in a unit one leads. */
  'unit:lead': (user, r) => !!r.unitId && user.leaderOf.has(r.unitId),
  /** The leader's area (/leder): people who lead at least one unit now. */
  'unit:lead-any': (user) => user.leaderOf.size > 0,
  /** See what a unit did together (a team session's guide and date): its current staff and leaders. */
  'unit:member': (user, r) => !!r.unitId && (user.memberOf.has(r.unitId) || user.leaderOf.has(r.unitId)),
  /** Assign core modules to every unit of a type or district, and withdraw them: the municipality's decision. */
  'assignments:municipal': hasRole('municipal-admin', 'system-admin'),
  /** Keep one's own session alive before the idle limit (the time-out warning's button): everyone signed in. */
  'session:own': anyone,
  /** Choose which e-mails one gets (the weekly digest): everyone, for themselves only. */
  'notifications:own': anyone,
  /** See a person's progress (never their private texts): themselves, or a leader of one of their units. */
  'person:view-progress': (user, r) => r.ownerId === user.id || (r.unitIds ?? []).some((u) => user.leaderOf.has(u)),
  /** Reflections and workplace-task notes: only the person who wrote them, whatever other roles exist. */
  'person:view-private': (user, r) => !!r.ownerId && r.ownerId === user.id,
  /** Download a certificate (kursbevis): only the person it was issued to; others verify it by its code. */
  'learning:certificate': (user, r) => !!r.ownerId && r.ownerId === user.id,
  /** Aggregated reports across units (never names at municipal level). */
  'reports:municipal': hasRole('municipal-admin', 'system-admin'),
  /** Set what the municipal report counts: renewal rules per module, the measure-3 core set, targets. */
  'reports:configure': hasRole('municipal-admin', 'system-admin'),
  /** Read the audit log of report views and exports. */
  'audit:read': hasRole('municipal-admin', 'system-admin'),
  /** Create, edit, close and merge learning networks across units and name their coordinators. */
  'networks:manage': hasRole('municipal-admin', 'system-admin'),
  /** Plan a network's gatherings and record who came: the network's coordinators only. */
  'network:coordinate': (user, r) => (r.coordinatorIds ?? []).includes(user.id),
  /**
   * See a network, its participants and its gatherings: its coordinators and participants, leaders of
   * its member units (they appoint the participants) and the municipality's administrators.
   */
  'network:view': (user, r) =>
    (r.coordinatorIds ?? []).includes(user.id) ||
    (r.participantIds ?? []).includes(user.id) ||
    (r.unitIds ?? []).some((u) => user.leaderOf.has(u)) ||
    user.roles.has('municipal-admin') ||
    user.roles.has('system-admin'),
  /** Write one's own report after a gathering and share a summary of it: the network's participants. */
  'network:participate': (user, r) => (r.participantIds ?? []).includes(user.id),
  /**
   * An external partner (a university teacher) invited to a network: its gatherings (date, place,
   * agenda, summary, task) and the participants' shared anonymous summaries — never who takes part,
   * staff, attendance, progress or reports. Granted by being in the network's `partners` list only.
   */
  'network:partner-view': (user, r) => (r.partnerIds ?? []).includes(user.id),
  /** The development mail outbox. */
  'mail:outbox': hasRole('system-admin'),
} satisfies Record<string, Rule>;

export type Action = keyof typeof RULES;
export const ACTIONS = Object.keys(RULES) as Action[];

export function can(user: SessionUser | null | undefined, action: Action, resource: PolicyResource = {}): boolean {
  if (!user) return false;
  return RULES[action](user, resource);
}

/** For services: throws ForbiddenError when the user may not. */
export function assertCan(user: SessionUser | null | undefined, action: Action, resource: PolicyResource = {}): asserts user is SessionUser {
  if (!user) throw new UnauthenticatedError(`login required for ${action}`);
  if (!can(user, action, resource)) throw new ForbiddenError(`user ${user.id} may not ${action}`);
}

/** The signed-in person, or null. */
export function currentUser(req: Request): SessionUser | null {
  return (req.user as SessionUser | undefined) ?? null;
}

/** Sends anonymous visitors to the login page (HTML) or answers 401 (JSON). */
export const requireLogin: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  if (currentUser(req)) return next();
  if (req.method === 'GET' && !req.path.startsWith('/api/')) {
    res.redirect(`/logg-inn?returnTo=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  next(new UnauthenticatedError('login required'));
};

/**
 * Requires a permission. `resourceOf` reads the object the request concerns (from params),
 * so ids in URLs are always checked against the policy, not just hidden in the UI.
 */
export function requirePermission(action: Action, resourceOf?: (req: Request) => PolicyResource): RequestHandler[] {
  return [
    requireLogin,
    (req, _res, next) => {
      const user = currentUser(req);
      if (can(user, action, resourceOf?.(req) ?? {})) return next();
      next(new ForbiddenError(`user ${user?.id} may not ${action} ${req.originalUrl}`));
    },
  ];
}
