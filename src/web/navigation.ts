import { can, type Action } from './policy.js';
import type { SessionUser } from './session-user.js';

/** The header's main menu: one entry per area, shown only to people who may use it. */
interface NavEntry {
  href: string;
  /** i18n key of the label. */
  label: string;
  /** Shown when the person may do this; `signedIn` for every signed-in person. */
  visibleTo: Action | 'signedIn' | ((user: SessionUser) => boolean);
}

// Per process: a declarative registry, filled once by each component's routes (deduplicated), the same for every app.
const ENTRIES: NavEntry[] = [];

/** Components register their area here when the app is built (see app.ts). */
export function addNavEntry(entry: NavEntry): void {
  if (!ENTRIES.some((e) => e.href === entry.href)) ENTRIES.push(entry);
}

export function navigationFor(user: SessionUser | null): Array<{ href: string; label: string }> {
  if (!user) return [];
  return ENTRIES.filter((e) =>
    e.visibleTo === 'signedIn' ? true : typeof e.visibleTo === 'function' ? e.visibleTo(user) : can(user, e.visibleTo),
  ).map(({ href, label }) => ({ href, label }));
}
