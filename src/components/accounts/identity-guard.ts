import { AsyncLocalStorage } from 'node:async_hooks';
import type { Query, Schema } from 'mongoose';

/**
 * The schema-level half of "identity is changed in one guarded place". External id, e-mail,
 * platform roles and memberships may only be written from inside the identity service
 * (identity.ts), which runs its writes in `withinIdentityService`. Every mongoose write path of the
 * User model (save, create, insertMany, the update and replace queries, bulkWrite) is checked here;
 * a write of one of these fields from anywhere else throws before it reaches the database.
 *
 * Mode `observe` records such a write without refusing it. The test suite runs in that mode so its
 * fixtures can arrange users directly; the tests that prove the guard switch to `enforce`, which is
 * the default everywhere else.
 */

export const IDENTITY_FIELDS = ['email', 'externalId', 'roles', 'memberships'] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

const scope = new AsyncLocalStorage<string>();

/** Runs `work` as the identity service; `label` names the change for the observers. */
export function withinIdentityService<T>(label: string, work: () => PromiseLike<T>): Promise<T> {
  // Awaited inside the scope: a mongoose query only runs when it is awaited, so it must be awaited here.
  return scope.run(label, async () => await work());
}

export interface IdentityWrite {
  operation: string;
  fields: IdentityField[];
  /** The identity service's label, or null for a write from anywhere else. */
  via: string | null;
}

type Observer = (write: IdentityWrite) => void;
// Per process, as the mongoose plugin that reads them (one person model per process): the tests'
// switch to observing, and the route-table test's observers.
const observers = new Set<Observer>();
let mode: 'enforce' | 'observe' = 'enforce';

/** Watches every identity write (the route-table test uses it to see which routes wrote what). */
export function observeIdentityWrites(observer: Observer): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

export function setIdentityGuardMode(next: 'enforce' | 'observe'): 'enforce' | 'observe' {
  const previous = mode;
  mode = next;
  return previous;
}

export class IdentityWriteOutsideServiceError extends Error {
  constructor(operation: string, fields: readonly string[]) {
    super(`identity fields ${fields.join(', ')} written by ${operation} outside the identity service`);
  }
}

function rootOf(path: string): string {
  return path.split('.')[0]!;
}

/** Identity fields an update document touches, whatever operators it uses. */
export function identityFieldsOfUpdate(update: unknown): IdentityField[] {
  if (!update || typeof update !== 'object') return [];
  const touched = new Set<string>();
  const visit = (doc: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(doc)) {
      if (key.startsWith('$')) {
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          // $rename moves a value to another name: both ends count.
          for (const [path, target] of Object.entries(value as Record<string, unknown>)) {
            touched.add(rootOf(path));
            if (key === '$rename' && typeof target === 'string') touched.add(rootOf(target));
          }
        }
      } else {
        touched.add(rootOf(key));
      }
    }
  };
  for (const part of Array.isArray(update) ? update : [update]) if (part && typeof part === 'object') visit(part as Record<string, unknown>);
  return IDENTITY_FIELDS.filter((f) => touched.has(f));
}

function check(operation: string, fields: IdentityField[]): void {
  if (!fields.length) return;
  const via = scope.getStore() ?? null;
  for (const observer of observers) observer({ operation, fields, via });
  if (via === null && mode === 'enforce') throw new IdentityWriteOutsideServiceError(operation, fields);
}

const QUERY_WRITES: Array<'updateOne' | 'updateMany' | 'findOneAndUpdate' | 'replaceOne' | 'findOneAndReplace'> = ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace'];

/** Installs the guard on the User schema (models.ts calls this once). */
export function guardIdentityFields(schema: Schema): void {
  schema.pre('save', function () {
    const fields = this.isNew ? IDENTITY_FIELDS.filter((f) => this.get(f) != null) : IDENTITY_FIELDS.filter((f) => this.isModified(f));
    check(this.isNew ? 'create' : 'save', fields);
  });
  schema.pre(QUERY_WRITES, function (this: Query<unknown, unknown>) {
    check((this as unknown as { op?: string }).op ?? 'update', identityFieldsOfUpdate(this.getUpdate()));
  });
  schema.pre('insertMany', function (next: (err?: Error) => void, docs: unknown) {
    try {
      const list = (Array.isArray(docs) ? docs : [docs]) as Array<Record<string, unknown>>;
      check('insertMany', IDENTITY_FIELDS.filter((f) => list.some((d) => d && d[f] != null)));
      next();
    } catch (err) {
      next(err as Error);
    }
  });
  schema.pre('bulkWrite', function (next: (err?: Error) => void, ops: unknown) {
    try {
      const fields = new Set<IdentityField>();
      for (const op of (ops ?? []) as Array<Record<string, { update?: unknown; document?: unknown; replacement?: unknown }>>) {
        for (const spec of Object.values(op)) {
          for (const f of identityFieldsOfUpdate(spec?.update ?? spec?.document ?? spec?.replacement)) fields.add(f);
        }
      }
      check('bulkWrite', [...fields]);
      next();
    } catch (err) {
      next(err as Error);
    }
  });
}
