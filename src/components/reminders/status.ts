import { catalogue, moduleStatus, type ProgressService } from '../learning/index.js';

/** Where a person stands in an assigned module, as reminders and digests need it. */
export interface AssignedState {
  state: 'completed' | 'inProgress' | 'notStarted';
  percent: number;
}

export type Catalogue = Awaited<ReturnType<typeof catalogue>>;
type Summary = Awaited<ReturnType<ProgressService['summary']>>;

/**
 * The person's state in a module from their learning summary (one `_id` read per person). As on
 * "Mine kurs", completing the module in another language counts.
 */
export function assignedState(summary: Summary, cat: Catalogue, slug: string): AssignedState {
  const item = cat.bySlug.get(slug);
  if (!item) return { state: 'notStarted', percent: 0 };
  let status = moduleStatus(summary, slug, item.latest.major);
  if (status.state !== 'completed') {
    for (const other of Object.values(item.translations)) {
      const translated = cat.bySlug.get(other);
      const s = translated ? moduleStatus(summary, other, translated.latest.major) : null;
      if (s?.state === 'completed') status = s;
    }
  }
  if (status.state === 'completed') return { state: 'completed', percent: 100 };
  if (status.state === 'inProgress') return { state: 'inProgress', percent: status.percent };
  return { state: 'notStarted', percent: 0 };
}

export function moduleTitle(cat: Catalogue, slug: string): string {
  return cat.bySlug.get(slug)?.title ?? slug;
}
