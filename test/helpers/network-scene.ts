import type { Express } from 'express';
import { clearDatabase } from './database.js';
import { createUnit, createUser, signIn, type Agent } from './auth.js';
import { publishFixture, resetLearningCaches } from './learning-fixture.js';

/**
 * The cast of the network tests: a kindergarten, a school and PPT (a support service), a municipal
 * admin who creates networks, and a PPT advisor who coordinates them — on an emptied database with
 * the fixture module published.
 */
type TestUser = Awaited<ReturnType<typeof createUser>>;

export interface NetworkScene {
  kindergarten: string;
  school: string;
  ppt: string;
  adminUser: TestUser;
  coordinatorUser: TestUser;
  admin: Agent;
  coordinator: Agent;
}

export async function networkScene(app: Express): Promise<NetworkScene> {
  await clearDatabase();
  resetLearningCaches();
  await publishFixture();
  const kindergarten = await createUnit('Solsikken barnehage', 'barnehage');
  const school = await createUnit('Nordbyen skole', 'skole');
  const ppt = await createUnit('PPT Nord', 'ppt');
  const adminUser = await createUser({ name: 'Anne Kommune', roles: ['municipal-admin'] });
  const coordinatorUser = await createUser({ name: 'Pia Rådgiver', memberships: [{ unitId: ppt, role: 'ansatt' }] });
  return { kindergarten, school, ppt, adminUser, coordinatorUser, admin: await signIn(app, adminUser.email), coordinator: await signIn(app, coordinatorUser.email) };
}
