import type { Logger } from '../../lib/logger.js';
import { isoDate, todayDateOnly } from '../../lib/dates.js';
import { findUnitIdsByName } from '../organisation/index.js';
import { sessionUserByEmail } from '../accounts/index.js';
import { LearningService, ProgressService } from '../learning/index.js';
import { TeamSessionModel } from './models.js';
import { TeamSessionService } from './teams.service.js';

/**
 * One planned team session for the demo: the styrer of Solsikken barnehage meets the staff about
 * the first assigned module a week from the first start, so a demo shows the guide and the
 * attendance list without planning one first. A fixed id (in the UUID form the routes accept)
 * keeps it idempotent.
 */
export const DEMO_TEAM_SESSION = {
  id: '00000000-0000-4000-8000-00000000d301',
  unit: 'Solsikken barnehage',
  leaderEmail: 'styrer@fellesskap.example',
  moduleSlug: 'inkluderende-fellesskap',
  daysAhead: 7,
  time: '14:00',
  place: 'Personalrommet',
} as const;

/** Idempotent: plans the demo session through the service (as the leader) when it is missing. */
export async function seedDemoTeamSession(logger: Logger, now = new Date()): Promise<boolean> {
  const demo = DEMO_TEAM_SESSION;
  if (await TeamSessionModel.exists({ _id: { $eq: demo.id } })) return false;
  const unitId = (await findUnitIdsByName([demo.unit])).get(demo.unit);
  const leader = await sessionUserByEmail(demo.leaderEmail, now);
  if (!unitId || !leader) return false;
  const sessions = new TeamSessionService(new LearningService(new ProgressService(logger), logger, ''), logger);
  const activity = (await sessions.activities()).find((a) => a.value.startsWith(`${demo.moduleSlug}/`));
  if (!activity) return false; // the module is not published (yet): try again at the next start
  const day = new Date(todayDateOnly(now).getTime() + demo.daysAhead * 86_400_000);
  await sessions.plan(
    leader,
    unitId,
    { activity: activity.value, date: isoDate(day), time: demo.time, place: demo.place, facilitator: leader.name },
    now,
    demo.id,
  );
  return true;
}
