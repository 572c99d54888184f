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
