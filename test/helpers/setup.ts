import type { Express } from 'express';
import { clearDatabase } from './database.js';
import { createUnit, createUser, signIn, type Agent } from './auth.js';
import { publishFixture, resetLearningCaches } from './learning-fixture.js';

/**
 * The starting points the learning and leader tests share, each from an empty database and empty
 * learning caches. Run them in `beforeEach`.
 */

type TestUser = Awaited<ReturnType<typeof createUser>>;

/**
 * Solsikken barnehage with Kari Nordmann working there (ansatt), the fixture module published
 * (unless `publish: false`), and Kari signed in through the login form.
 */
export async function learnerSignedIn(app: Express, options: { publish?: boolean } = {}): Promise<{ unitId: string; staff: TestUser; agent: Agent }> {
  await clearDatabase();
  resetLearningCaches();
  const unitId = await createUnit('Solsikken barnehage', 'barnehage');
  const staff = await createUser({ name: 'Kari Nordmann', memberships: [{ unitId, role: 'ansatt' }] });
  if (options.publish ?? true) await publishFixture();
  const agent = await signIn(app, staff.email);
  return { unitId, staff, agent };
}

/**
 * Solsikken barnehage (unit A) with Kari Nordmann and Ola Hansen (ansatt) and Siri Dahl (leder),
 * Nordbyen skole (unit B), both in `district`, the fixture module published, and Siri signed in.
 */
export async function leaderSignedIn(
  app: Express,
  options: { district?: string } = {},
): Promise<{ unitA: string; unitB: string; staff: TestUser; colleague: TestUser; leader: Agent }> {
  await clearDatabase();
  resetLearningCaches();
  const unitA = await createUnit('Solsikken barnehage', 'barnehage', options.district);
  const unitB = await createUnit('Nordbyen skole', 'skole', options.district);
  const staff = await createUser({ name: 'Kari Nordmann', memberships: [{ unitId: unitA, role: 'ansatt' }] });
  const colleague = await createUser({ name: 'Ola Hansen', memberships: [{ unitId: unitA, role: 'ansatt' }] });
  const leaderUser = await createUser({ name: 'Siri Dahl', memberships: [{ unitId: unitA, role: 'leder' }] });
  await publishFixture();
  const leader = await signIn(app, leaderUser.email);
  return { unitA, unitB, staff, colleague, leader };
}
