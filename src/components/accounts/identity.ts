import mongoose, { Schema, Types } from 'mongoose';
import { UserModel, type PlatformRole } from './models.js';
import type { SessionUser } from '../../web/session-user.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../lib/errors.js';
import { notifyMembershipChanged } from './events.js';
import { withinIdentityService, type IdentityField } from './identity-guard.js';

/**
 * Identity is changed in one guarded place: this service. External id, e-mail, platform roles and
 * memberships of a person change only through `changeIdentity` and `createIdentity`, which enforce:
 *
 * - nobody changes their own roles, memberships, e-mail or external id (another admin must);
 * - a municipal admin never changes a system admin or another municipal admin;
 * - bulk paths (the staff import, SSO) never re-link an account that already has an external id,
 *   and never touch an account holding a platform role;
 *
 * and record every change in the person's identity trail (shown on their admin page). The User
 * schema refuses identity writes from anywhere else (identity-guard.ts).
 */

export type IdentityActor =
  /** A person on the admin pages. */
  | { kind: 'admin'; user: SessionUser }
  /** The staff import, started by an admin (or by the command line: null): a bulk path. */
  | { kind: 'import'; user: SessionUser | null }
  /** A single sign-on login (linking by e-mail, or creating the account): a bulk path. */
  | { kind: 'sso' }
  /** The platform itself: seeding, anonymisation, command-line tools. Never reachable from a form. */
  | { kind: 'system'; reason: string };

/** Why a bulk path left a person alone (keys in the imports namespace, shown per row). */
export type IdentityRefusal = 'externalIdLocked' | 'platformRole' | 'ownIdentity' | 'protectedPerson';

/** A change the rules do not allow; `reason` says which rule, for per-row reports. */
export class IdentityRefusedError extends ValidationError {
  constructor(
    readonly reason: IdentityRefusal,
    field: string,
  ) {
    super(`identity change refused: ${reason}`, { [field]: `people:errors.${reason}` });
  }
}

const ADMIN_ROLES: readonly PlatformRole[] = ['municipal-admin', 'system-admin'];

export interface StoredIdentity {
  _id: Types.ObjectId;
  __v?: number;
  name: string;
  email: string;
  status?: string | null;
  roles: string[];
  externalId?: string | null;
  passwordHash?: string | null;
  lastLoginAt?: Date | null;
  createdAt?: Date;
  memberships: Array<{ _id: Types.ObjectId; unitId: Types.ObjectId; role: string; startDate: Date; endDate?: Date | null }>;
}

/* ------------------------------------------------------------------ the trail */

const changeSchema = new Schema(
  {
    field: { type: String, required: true },
    from: { type: String, default: '' },
    to: { type: String, default: '' },
    /** For membership changes: the unit, so the page can show its name. */
    unitId: { type: String, default: null },
  },
  { _id: false },
);

const identityChangeSchema = new Schema(
  {
    personId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
    /** Who made the change; names are looked up when shown, so the trail itself holds none. */
    actorId: { type: Schema.Types.ObjectId, default: null },
    actorKind: { type: String, required: true },
    changes: { type: [changeSchema], default: [] },
  },
  { collection: 'identity_changes' },
);
identityChangeSchema.index({ personId: 1, at: -1 });
identityChangeSchema.index({ actorId: 1 });

export const IdentityChangeModel = mongoose.model('IdentityChange', identityChangeSchema);

export interface IdentityChangeView {
  at: Date;
  actorId: string | null;
  actorKind: IdentityActor['kind'];
  changes: Array<{ field: string; from: string; to: string; unitId: string | null }>;
}

export async function identityTrail(personId: string, limit = 100): Promise<IdentityChangeView[]> {
  if (!Types.ObjectId.isValid(personId)) return [];
  const docs = await IdentityChangeModel.find({ personId: new Types.ObjectId(personId) }).sort({ at: -1 }).limit(limit).lean();
  return docs.map((d) => ({
    at: d.at,
    actorId: d.actorId ? String(d.actorId) : null,
    actorKind: d.actorKind as IdentityActor['kind'],
    changes: d.changes.map((c) => ({ field: c.field, from: c.from ?? '', to: c.to ?? '', unitId: c.unitId ?? null })),
  }));
}

/** Anonymisation: the trail keeps that something changed and when, but no e-mail or external id of the person. */
export async function anonymiseIdentityTrail(personId: string): Promise<void> {
  if (!Types.ObjectId.isValid(personId)) return;
  const id = new Types.ObjectId(personId);
  const docs = await IdentityChangeModel.find({ personId: id }).lean();
  for (const doc of docs) {
    const changes = doc.changes.map((c) => (c.field === 'email' || c.field === 'externalId' ? { ...c, from: c.from ? '–' : '', to: c.to ? '–' : '' } : c));
    await IdentityChangeModel.updateOne({ _id: doc._id }, { $set: { changes } });
  }
}

/* ------------------------------------------------------------------ the rules */

const isBulk = (actor: IdentityActor) => actor.kind === 'import' || actor.kind === 'sso';

function describe(actor: IdentityActor): string {
  return actor.kind === 'system' ? `system:${actor.reason}` : actor.kind === 'sso' ? 'sso' : `${actor.kind}:${actor.user?.id ?? 'cli'}`;
}

/** Throws IdentityRefusedError when the actor may not make this change to this person. */
export function assertIdentityChangeAllowed(actor: IdentityActor, target: Pick<StoredIdentity, '_id' | 'roles' | 'externalId'>, change: { fields: readonly IdentityField[]; externalId?: string | null }): void {
  if (!change.fields.length) return;
  const targetId = String(target._id);
  const field = change.fields.includes('memberships') ? 'unitId' : change.fields.includes('roles') ? 'roles' : change.fields[0]!;
  if ((actor.kind === 'admin' || actor.kind === 'import') && actor.user?.id === targetId) throw new IdentityRefusedError('ownIdentity', field);
  if (actor.kind === 'admin' && !actor.user.roles.has('system-admin') && target.roles.some((r) => ADMIN_ROLES.includes(r as PlatformRole))) {
    throw new IdentityRefusedError('protectedPerson', field);
  }
  if (isBulk(actor)) {
    if (target.roles.length > 0) throw new IdentityRefusedError('platformRole', field);
    if (change.fields.includes('externalId') && target.externalId && target.externalId !== change.externalId) throw new IdentityRefusedError('externalIdLocked', 'externalId');
  }
}

/** The same rule for account status (deactivation is not an identity field, but the same people are protected). */
export function assertStatusChangeAllowed(actor: SessionUser, target: Pick<StoredIdentity, '_id' | 'roles'>): void {
  if (!actor.roles.has('system-admin') && target.roles.some((r) => ADMIN_ROLES.includes(r as PlatformRole))) {
    if (target.roles.includes('system-admin')) throw new ForbiddenError(`${actor.id} may not change system admin ${String(target._id)}`);
    throw new IdentityRefusedError('protectedPerson', 'status');
  }
}

/* ------------------------------------------------------------------ the writes */

function membershipLabel(m: { role: string; startDate: Date; endDate?: Date | null }): string {
  const day = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : '');
  return `${m.role} ${day(m.startDate)}–${day(m.endDate)}`;
}

/** What changed in identity fields between the stored person and the new values, for the trail. */
function differences(before: Partial<StoredIdentity>, set: Record<string, unknown>): { fields: IdentityField[]; changes: IdentityChangeView['changes'] } {
  const fields: IdentityField[] = [];
  const changes: IdentityChangeView['changes'] = [];
  if ('email' in set && set.email !== before.email) {
    fields.push('email');
    changes.push({ field: 'email', from: before.email ?? '', to: String(set.email ?? ''), unitId: null });
  }
  if ('externalId' in set && (set.externalId ?? null) !== (before.externalId ?? null)) {
    fields.push('externalId');
    changes.push({ field: 'externalId', from: before.externalId ?? '', to: (set.externalId as string | null) ?? '', unitId: null });
  }
  if ('roles' in set) {
    const from = [...(before.roles ?? [])].sort().join(', ');
    const to = [...((set.roles as string[]) ?? [])].sort().join(', ');
    if (from !== to) {
      fields.push('roles');
      changes.push({ field: 'roles', from, to, unitId: null });
    }
  }
  if ('memberships' in set) {
    const old = new Map((before.memberships ?? []).map((m) => [String(m._id), m]));
    const next = (set.memberships as StoredIdentity['memberships']) ?? [];
    for (const m of next) {
      const prior = old.get(String(m._id));
      const label = membershipLabel(m);
      if (!prior) changes.push({ field: 'membership', from: '', to: label, unitId: String(m.unitId) });
      else if (membershipLabel(prior) !== label) changes.push({ field: 'membership', from: membershipLabel(prior), to: label, unitId: String(m.unitId) });
      old.delete(String(m._id));
    }
    for (const gone of old.values()) changes.push({ field: 'membership', from: membershipLabel(gone), to: '', unitId: String(gone.unitId) });
    if (changes.some((c) => c.field === 'membership')) fields.push('memberships');
  }
  return { fields, changes };
}

async function record(actor: IdentityActor, personId: Types.ObjectId, changes: IdentityChangeView['changes'], at: Date): Promise<void> {
  if (!changes.length) return;
  await IdentityChangeModel.create({ personId, at, actorId: (actor.kind === 'admin' || actor.kind === 'import') && actor.user ? new Types.ObjectId(actor.user.id) : null, actorKind: actor.kind, changes });
}

/**
 * Writes `set` to the person read as `before`, if nobody changed them since (a compare-and-set on
 * the version key; no transactions needed), after checking the rules for the identity fields it
 * changes. Other fields (name, status, password) may ride along. Returns the identity fields changed.
 */
export async function changeIdentity(actor: IdentityActor, before: StoredIdentity, set: Record<string, unknown>, options: { now?: Date } = {}): Promise<IdentityField[]> {
  const { fields, changes } = differences(before, set);
  assertIdentityChangeAllowed(actor, before, { fields, externalId: (set.externalId as string | null | undefined) ?? null });
  const result = await withinIdentityService(describe(actor), () => UserModel.updateOne({ _id: before._id, __v: before.__v ?? 0 }, { $set: set, $inc: { __v: 1 } }));
  if (result.matchedCount === 0) throw new ConflictError(`person ${String(before._id)} changed concurrently`);
  await record(actor, before._id, changes, options.now ?? new Date());
  await notifyMembershipChanged(String(before._id));
  return fields;
}

/**
 * Links an external id to a person who has none yet (the SSO login by a verified e-mail): one
 * conditional update, so two logins at once cannot both link. False when it was not linked.
 */
export async function linkExternalId(actor: IdentityActor, before: StoredIdentity, externalId: string): Promise<boolean> {
  assertIdentityChangeAllowed(actor, before, { fields: ['externalId'], externalId });
  const result = await withinIdentityService(describe(actor), () => UserModel.updateOne({ _id: before._id, externalId: null }, { $set: { externalId } }));
  if (result.modifiedCount === 0) return false;
  await record(actor, before._id, [{ field: 'externalId', from: '', to: externalId, unitId: null }], new Date());
  return true;
}

export interface NewIdentity {
  email: string;
  name: string;
  status?: 'active' | 'invited';
  externalId?: string | null;
  passwordHash?: string | null;
  roles?: PlatformRole[];
  memberships?: Array<{ unitId: Types.ObjectId; role: string; startDate: Date; endDate?: Date | null }>;
}

/**
 * Creates many people at once (the demo municipality): one insert, then the trail and the
 * membership events per person, under the same rules as createIdentity.
 */
export async function createIdentities(actor: IdentityActor, inputs: readonly NewIdentity[]): Promise<StoredIdentity[]> {
  if (isBulk(actor) && inputs.some((input) => input.roles?.length)) throw new IdentityRefusedError('platformRole', 'roles');
  if (!inputs.length) return [];
  const docs = inputs.map((input) => ({
    _id: new Types.ObjectId(),
    ...input,
    memberships: (input.memberships ?? []).map((m) => ({ _id: new Types.ObjectId(), endDate: null, ...m })),
  }));
  const inserted = await withinIdentityService(describe(actor), () => UserModel.insertMany(docs));
  const created = inserted.map((doc) => doc.toObject() as unknown as StoredIdentity);
  const now = new Date();
  for (const person of created) {
    const { changes } = differences({ roles: [], memberships: [] }, { email: person.email, externalId: person.externalId ?? null, roles: person.roles, memberships: person.memberships });
    await record(actor, person._id, changes, now);
    if (person.memberships.length) await notifyMembershipChanged(String(person._id));
  }
  return created;
}

/** Creates a person (import, SSO, seeding). Bulk paths may not create anyone with a platform role. */
export async function createIdentity(actor: IdentityActor, input: NewIdentity): Promise<StoredIdentity> {
  if (isBulk(actor) && input.roles?.length) throw new IdentityRefusedError('platformRole', 'roles');
  const doc = await withinIdentityService(describe(actor), () =>
    UserModel.create({ ...input, memberships: (input.memberships ?? []).map((m) => ({ _id: new Types.ObjectId(), endDate: null, ...m })) }),
  );
  const created = doc.toObject() as unknown as StoredIdentity;
  const { changes } = differences({ roles: [], memberships: [] }, { email: created.email, externalId: created.externalId ?? null, roles: created.roles, memberships: created.memberships });
  await record(actor, created._id, changes, new Date());
  if (created.memberships.length) await notifyMembershipChanged(String(created._id));
  return created;
}
