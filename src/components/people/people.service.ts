import type { Mailer } from '../mail/index.js';
import {
  addMembership,
  anonymiseAccount,
  endMembership,
  getPerson,
  identityTrail,
  personalProfile,
  searchPeople,
  sendActivation,
  setAccountStatus,
  setPlatformRoles,
  setExternalId,
  type MembershipRole,
  type PersonView,
  type PlatformRole,
} from '../accounts/index.js';
import type { SessionUser } from '../../web/session-user.js';
import { getUnit, unitChoices, unitsByIds, type UnitView } from '../organisation/index.js';
import { assertCan, can } from '../../web/policy.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Language } from '../../web/i18n.js';
import { formatDate, isoDate, todayDateOnly } from '../../lib/dates.js';
import { collectPersonalData, runAnonymisers } from './privacy.js';

/**
 * People administration as the admin pages see it: accounts' people functions joined with unit
 * names from the organisation component. Every function checks the policy itself, so it is safe
 * to call from anywhere, not only from the guarded routes.
 */

export interface MembershipRow {
  id: string;
  unitId: string;
  unitName: string;
  unitClosed: boolean;
  role: MembershipRole;
  start: string;
  end: string;
  state: 'current' | 'ended' | 'future';
}

export interface PersonRow {
  id: string;
  name: string;
  email: string;
  status: PersonView['status'];
  roles: PlatformRole[];
  currentUnits: string[];
}

function membershipState(m: PersonView['memberships'][number], now: Date): MembershipRow['state'] {
  if (m.current) return 'current';
  return m.startDate > todayDateOnly(now) ? 'future' : 'ended';
}

/** A person's memberships as the person page and «Mine data» show them, with their units' names. */
function membershipRows(memberships: PersonView['memberships'], units: ReadonlyMap<string, { name: string; closed: boolean }>, now: Date) {
  return memberships.map((m) => ({
    id: m.id,
    unitId: m.unitId,
    unitName: units.get(m.unitId)?.name ?? '?',
    unitClosed: units.get(m.unitId)?.closed ?? true,
    role: m.role,
    start: formatDate(m.startDate),
    end: formatDate(m.endDate),
    state: membershipState(m, now),
  }));
}

export async function findPeople(actor: SessionUser, query: { q?: string | undefined; unitId?: string | undefined }): Promise<{ people: PersonRow[]; more: boolean; units: UnitView[] }> {
  assertCan(actor, 'people:manage');
  const [{ people, more }, units] = await Promise.all([searchPeople({ q: query.q, unitId: query.unitId, limit: 50 }), unitChoices()]);
  const names = await unitsByIds(people.flatMap((p) => p.memberships.map((m) => m.unitId)));
  return {
    people: people.map((p) => ({
      id: p.id,
      name: p.name,
      email: p.email,
      status: p.status,
      roles: p.roles,
      currentUnits: p.memberships.filter((m) => m.current).map((m) => names.get(m.unitId)?.name ?? '?'),
    })),
    more,
    units,
  };
}

export interface TrailRow {
  when: string;
  who: string | null;
  actorKind: string;
  field: string;
  unitName: string | null;
  from: string;
  to: string;
}

export interface PersonPage {
  person: PersonView & { lastLogin: string; created: string };
  /** Every identity change of the person, newest first (the identity service's trail). */
  trail: TrailRow[];
  memberships: MembershipRow[];
  units: UnitView[];
  today: string;
}

export async function personPage(actor: SessionUser, personId: string): Promise<PersonPage> {
  assertCan(actor, 'people:manage');
  const person = await getPerson(personId);
  const changes = await identityTrail(person.id);
  const unitIds = [...person.memberships.map((m) => m.unitId), ...changes.flatMap((c) => c.changes.flatMap((x) => (x.unitId ? [x.unitId] : [])))];
  const actorIds = [...new Set(changes.flatMap((c) => (c.actorId ? [c.actorId] : [])))];
  const [names, units, actors] = await Promise.all([unitsByIds(unitIds), unitChoices(), Promise.all(actorIds.map((id) => getPerson(id).catch(() => null)))]);
  const actorName = new Map(actors.flatMap((a) => (a ? [[a.id, a.name] as const] : [])));
  const now = new Date();
  return {
    person: { ...person, lastLogin: formatDate(person.lastLoginAt), created: formatDate(person.createdAt) },
    trail: changes.flatMap((c) =>
      c.changes.map((x) => ({
        when: `${formatDate(c.at)} ${c.at.toISOString().slice(11, 16)}`,
        // The platform's own changes (import from the command line, SSO, seeding) have no person behind them.
        who: c.actorId ? (actorName.get(c.actorId) ?? '?') : null,
        actorKind: c.actorKind,
        field: x.field,
        unitName: x.unitId ? (names.get(x.unitId)?.name ?? '?') : null,
        from: x.from,
        to: x.to,
      })),
    ),
    memberships: membershipRows(person.memberships, names, now),
    units,
    today: isoDate(todayDateOnly()),
  };
}

export async function addPersonMembership(actor: SessionUser, personId: string, input: { unitId: string; role: MembershipRole; startDate: Date }): Promise<string> {
  assertCan(actor, 'people:manage');
  const unit = await getUnit(input.unitId).catch((err) => {
    if (err instanceof NotFoundError) throw new ValidationError('unknown unit', { unitId: 'people:errors.unitRequired' });
    throw err;
  });
  if (unit.closed) throw new ValidationError('closed unit', { unitId: 'people:errors.unitClosed' });
  await addMembership(personId, input, { kind: 'admin', user: actor });
  return unit.name;
}

export async function endPersonMembership(actor: SessionUser, personId: string, membershipId: string, endDate: Date): Promise<void> {
  assertCan(actor, 'people:manage');
  await endMembership(personId, membershipId, endDate, { kind: 'admin', user: actor });
}

/**
 * Sets a person's platform roles from the roles form. The system-admin checkbox is shown only to
 * those who may grant it, so from anyone else the form never carries it: the person keeps what
 * they have there, and only the other roles change.
 */
export async function changeRoles(actor: SessionUser, personId: string, roles: PlatformRole[]): Promise<void> {
  assertCan(actor, 'people:manage');
  let wanted = roles;
  if (!can(actor, 'people:grant-system-admin')) {
    const person = await getPerson(personId);
    wanted = roles.filter((r) => r !== 'system-admin');
    if (person.roles.includes('system-admin')) wanted.push('system-admin');
  }
  await setPlatformRoles(actor, personId, wanted);
}

export async function changeExternalId(actor: SessionUser, personId: string, externalId: string | null): Promise<void> {
  assertCan(actor, 'people:manage');
  await setExternalId(actor, personId, externalId);
}

export async function changeAccountStatus(actor: SessionUser, personId: string, status: 'active' | 'deactivated'): Promise<void> {
  assertCan(actor, 'people:manage');
  await setAccountStatus(actor, personId, status);
}

/** Mails a new activation link to a person who has not activated their account yet. */
export async function sendActivationLink(mailer: Mailer, actor: SessionUser, personId: string, lang: Language): Promise<void> {
  assertCan(actor, 'people:manage');
  try {
    await sendActivation(mailer, personId, { lang });
  } catch (err) {
    if (err instanceof ConflictError) throw new ValidationError('not invited', { activation: 'people:errors.notInvited' });
    throw err;
  }
}

/**
 * Anonymises a person who has left: first every registered component wipes its identifying data
 * (reflection texts and the like), then the account loses name, e-mail and ids. Memberships keep
 * unit and dates, so the person's completions still count in the units' historical numbers.
 * If anything fails half-way, running it again completes it (every step is idempotent).
 */
export async function anonymisePerson(actor: SessionUser, personId: string): Promise<void> {
  assertCan(actor, 'people:anonymise');
  const person = await getPerson(personId);
  if (person.status !== 'deactivated' && person.status !== 'anonymised') {
    throw new ValidationError('still active', { anonymise: 'people:errors.anonymiseActive' });
  }
  await runAnonymisers(personId);
  await anonymiseAccount(personId);
}

/** Everything stored about the signed-in person, as one JSON document. */
export async function exportOwnData(actor: SessionUser): Promise<Record<string, unknown>> {
  assertCan(actor, 'account:own-data', { ownerId: actor.id });
  const profile = await personalProfile(actor.id);
  const units = await unitsByIds(profile.memberships.map((m) => m.unitId));
  return {
    format: 'fellesskap-personal-data/1',
    exportedAt: new Date().toISOString(),
    profile: {
      id: profile.id,
      name: profile.name,
      email: profile.email,
      status: profile.status,
      platformRoles: profile.roles,
      externalId: profile.externalId,
      hasPassword: profile.hasPassword,
      digestOptOut: profile.digestOptOut,
      createdAt: profile.createdAt?.toISOString() ?? null,
      updatedAt: profile.updatedAt?.toISOString() ?? null,
      lastLoginAt: profile.lastLoginAt?.toISOString() ?? null,
    },
    memberships: profile.memberships.map((m) => ({
      unitId: m.unitId,
      unitName: units.get(m.unitId)?.name ?? null,
      role: m.role,
      startDate: isoDate(m.startDate),
      endDate: m.endDate ? isoDate(m.endDate) : null,
    })),
    ...(await collectPersonalData(actor.id)),
  };
}

/** The signed-in person's own summary for the "my data" page. */
export async function ownDataSummary(actor: SessionUser): Promise<{ name: string; email: string; memberships: MembershipRow[] }> {
  assertCan(actor, 'account:own-data', { ownerId: actor.id });
  const profile = await personalProfile(actor.id);
  const units = await unitsByIds(profile.memberships.map((m) => m.unitId));
  const now = new Date();
  return {
    name: profile.name,
    email: profile.email,
    memberships: membershipRows(profile.memberships, units, now),
  };
}
