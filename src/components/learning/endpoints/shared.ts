import { NotFoundError } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import type { Clock } from '../../../lib/clock.js';
import { permission } from '../../../web/endpoints.js';
import type { LearningService } from '../learning.service.js';
import type { LearnerNoticeProviders } from '../notices.js';
import { formatDateLong } from '../pdf.js';

/** What the learner's endpoints share: their access, the names in their paths, and what they are built from. */

/** What the composition root (app.ts) hands the learner's pages. */
export interface LearningPagesDeps {
  logger: Logger;
  learning: LearningService;
  notices: LearnerNoticeProviders;
  /** The app's clock (when a follow-up is due); the system time when not given. */
  clock?: Clock;
}

export const take = permission('learning:take');

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const ACTIVITY_ID = /^(lesson:)?[a-z0-9]+(-[a-z0-9]+)*$/;
const ACTION = /^[a-zA-Z]{1,40}$/;

/**
 * A module's or lesson's slug from the path. The path schemas accept any text and the names are
 * checked here, because a malformed name is a page that does not exist (404, as an unknown slug
 * is), not the layer's 400 for a malformed request.
 */
export function slugOf(value: string, name: 'slug' | 'lesson'): string {
  if (!SLUG.test(value) || value.length > 100) throw new NotFoundError(`bad ${name}`);
  return value;
}

/** The activity and the learner action named in an action's path; anything else is no activity (404). */
export function activityOf(activityId: string, action: string): { activityId: string; action: string } {
  if (!ACTIVITY_ID.test(activityId) || !ACTION.test(action)) throw new NotFoundError('bad activity');
  return { activityId, action };
}

/** Dates in the page's language ("3. mars 2026"). */
export function longDate(lang: string): (date: Date | string) => string {
  return (date) => formatDateLong(new Date(date), lang);
}
