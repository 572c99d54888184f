import type { mongo } from 'mongoose';

type Document = mongo.Document;

/**
 * Extension points for privacy. Other components register here (from their index or routes factory)
 * what they store about a person, so "download my data" and anonymisation cover them without this
 * component knowing their models. Registering the same name again replaces the earlier function,
 * so building the app more than once (tests) does not duplicate anything.
 */

/** Returns what the component stores about the person, as plain JSON-able data. */
export type PersonalDataSource = (personId: string) => Promise<unknown>;
/** Removes or blanks what identifies the person (free texts, names); must be idempotent. */
export type Anonymiser = (personId: string) => Promise<void>;

// Per process: declarative registries, filled by each component's routes by name (a second app registers the same functions).
const sources = new Map<string, PersonalDataSource>();
const anonymisers = new Map<string, Anonymiser>();

/** Top-level keys of the export that belong to the export itself. */
const RESERVED = new Set(['format', 'exportedAt', 'profile', 'memberships']);

export function registerPersonalDataSource(name: string, source: PersonalDataSource): () => void {
  if (RESERVED.has(name)) throw new Error(`personal data source name "${name}" is reserved`);
  sources.set(name, source);
  return () => {
    if (sources.get(name) === source) sources.delete(name);
  };
}

export function registerAnonymiser(name: string, anonymiser: Anonymiser): () => void {
  anonymisers.set(name, anonymiser);
  return () => {
    if (anonymisers.get(name) === anonymiser) anonymisers.delete(name);
  };
}

export async function collectPersonalData(personId: string): Promise<Record<string, unknown>> {
  const data: Record<string, unknown> = {};
  for (const [name, source] of [...sources].sort(([a], [b]) => a.localeCompare(b))) {
    data[name] = await source(personId);
  }
  return data;
}

/** Runs every registered anonymiser; a failure stops here, and running again finishes the job. */
export async function runAnonymisers(personId: string): Promise<string[]> {
  const done: string[] = [];
  for (const [name, anonymise] of anonymisers) {
    await anonymise(personId);
    done.push(name);
  }
  return done;
}

/**
 * Replaces, anywhere in a stored value, the name of every reference to the person (`{ id, name }`
 * with their id) and every string that is exactly their name or e-mail. Returns the new value and
 * whether anything changed, so an anonymiser writes only documents that held the person.
 */
export function scrubPerson(value: unknown, person: { id: string; name: string; email: string }, replacement: string): { value: unknown; changed: boolean } {
  let changed = false;
  const name = person.name.trim().toLowerCase();
  const email = person.email.trim().toLowerCase();
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const lower = v.trim().toLowerCase();
      if ((name && lower === name) || (email && lower === email)) {
        changed = true;
        return replacement;
      }
      return v;
    }
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object' && !(v instanceof Date) && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      const isRef = (v as Record<string, unknown>).id === person.id && typeof (v as Record<string, unknown>).name === 'string';
      for (const [k, inner] of Object.entries(v as Record<string, unknown>)) {
        if (isRef && k === 'name' && inner !== replacement) {
          changed = true;
          out[k] = replacement;
        } else out[k] = visit(inner);
      }
      return out;
    }
    return v;
  };
  const result = visit(value);
  return { value: result, changed };
}

/**
 * Scrubs the person (see scrubPerson) from every document of a collection that matches `filter`,
 * writing back only the top-level fields that changed. For free-form fields that can hold a name
 * anywhere; anonymisation is rare, so reading a whole collection here is acceptable.
 */
export async function scrubCollection(collection: mongo.Collection<Document>, person: { id: string; name: string; email: string }, replacement: string, filter: mongo.Filter<Document> = {}): Promise<number> {
  let written = 0;
  for await (const doc of collection.find(filter)) {
    const set: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(doc)) {
      if (key === '_id') continue;
      const scrubbed = scrubPerson(value, person, replacement);
      if (scrubbed.changed) set[key] = scrubbed.value;
    }
    if (Object.keys(set).length) {
      await collection.updateOne({ _id: doc._id }, { $set: set });
      written += 1;
    }
  }
  return written;
}
