import type { Express } from 'express';
import mongoose from 'mongoose';
import { buildTestApp } from '../../helpers/app.js';
import { clearDatabase } from '../../helpers/database.js';
import { createUnit, createUser, signIn, type Agent } from '../../helpers/auth.js';
import { completeModule, publishFixture } from '../../helpers/learning-fixture.js';
import { toSessionUser, UserModel } from '../../../src/components/accounts/index.js';
import { publishFromFolder } from '../../../src/components/modules/index.js';
import { createAssignment } from '../../../src/components/assignments/index.js';
import { TeamSessionService } from '../../../src/components/teams/index.js';
import { catalogue } from '../../../src/components/learning/index.js';
import { paths } from '../../../src/config/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import { isoDate, todayDateOnly } from '../../../src/lib/dates.js';

/** Two units, each with a leader and a staff member, a published module each, assignments, team sessions and a certificate in B. */
export interface TwoUnits {
  app: Express;
  ids: {
    unitA: string;
    unitB: string;
    staffA: string;
    staffB: string;
    leaderA: string;
    leaderB: string;
    admin: string;
    author: string;
    assignmentA: string;
    assignmentB: string;
    sessionA: string;
    sessionB: string;
    certificateA: string;
    certificateB: string;
    module: string;
  };
  emails: Record<'staffA' | 'staffB' | 'leaderA' | 'leaderB' | 'admin' | 'author', string>;
  agents: Record<'anonymous' | 'staffA' | 'staffB' | 'leaderA' | 'leaderB' | 'admin' | 'author', Agent>;
}

/** What only unit B's people may see: a name and a place nobody in unit A should ever read. */
export const SECRET_NAME = 'Hemmelig Bjørnsdatter';
export const SECRET_PLACE = 'Bjørnehiet-rommet';

export async function twoUnits(): Promise<TwoUnits> {
  await clearDatabase();
  const app = await buildTestApp();
  const unitA = await createUnit('Enhet Alfa', 'barnehage');
  const unitB = await createUnit('Enhet Bravo', 'barnehage');
  const staffA = await createUser({ name: 'Anne Alfa', memberships: [{ unitId: unitA, role: 'ansatt' }] });
  const staffB = await createUser({ name: SECRET_NAME, memberships: [{ unitId: unitB, role: 'ansatt' }] });
  const leaderA = await createUser({ name: 'Leder Alfa', memberships: [{ unitId: unitA, role: 'leder' }] });
  const leaderB = await createUser({ name: 'Leder Bravo', memberships: [{ unitId: unitB, role: 'leder' }] });
  const admin = await createUser({ name: 'Kommune Admin', roles: ['municipal-admin'] });
  const author = await createUser({ name: 'Forfatter', roles: ['author'] });
  const [published] = await publishFromFolder(`${paths.root}/test/fixtures/modules-valid`, { by: { id: null, name: 'adversarial' } });
  const certificateA = await completeModule(staffA.id, unitA, `${published!.slug}@1.0`, 'adv');
  const certificateB = await completeModule(staffB.id, unitB, `${published!.slug}@1.0`, 'adv');
  await publishFixture();
  const deadline = new Date(todayDateOnly().getTime() + 30 * 86_400_000);
  const assignmentA = await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'people', userIds: [staffA.id] }, deadline, createdBy: { id: leaderA.id, name: 'Leder Alfa' } }, { unitId: unitA });
  const assignmentB = await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'people', userIds: [staffB.id] }, deadline, createdBy: { id: leaderB.id, name: 'Leder Bravo' } }, { unitId: unitB });
  const teams = new TeamSessionService({ recordTeamAttendance: () => Promise.reject(new Error('not used')), catalogue: () => catalogue() }, createLogger('silent'));
  const leaderAUser = toSessionUser((await UserModel.findById(leaderA.id).lean())!);
  const leaderBUser = toSessionUser((await UserModel.findById(leaderB.id).lean())!);
  const tomorrow = isoDate(new Date(todayDateOnly().getTime() + 86_400_000));
  const sessionA = await teams.plan(leaderAUser, unitA, { activity: 'samtaler/team', date: tomorrow, time: '10:00', place: 'Alfa-rommet', facilitator: 'Leder Alfa' });
  const sessionB = await teams.plan(leaderBUser, unitB, { activity: 'samtaler/team', date: tomorrow, time: '10:00', place: SECRET_PLACE, facilitator: SECRET_NAME });
  const emails = { staffA: staffA.email, staffB: staffB.email, leaderA: leaderA.email, leaderB: leaderB.email, admin: admin.email, author: author.email };
  const agents = {
    anonymous: (await import('supertest')).default.agent(app),
    staffA: await signIn(app, staffA.email),
    staffB: await signIn(app, staffB.email),
    leaderA: await signIn(app, leaderA.email),
    leaderB: await signIn(app, leaderB.email),
    admin: await signIn(app, admin.email),
    author: await signIn(app, author.email),
  };
  return {
    app,
    ids: { unitA, unitB, staffA: staffA.id, staffB: staffB.id, leaderA: leaderA.id, leaderB: leaderB.id, admin: admin.id, author: author.id, assignmentA, assignmentB, sessionA, sessionB, certificateA, certificateB, module: published!.slug },
    emails,
    agents,
  };
}

/**
 * A CSRF token bound to the agent's session. Anonymous visitors get a stored session only from the
 * login page, so that page comes first; signed-in people are redirected from it and use another page.
 */
export async function tokenFor(agent: Agent): Promise<string> {
  const login = await agent.get('/logg-inn');
  const fromLogin = login.status === 200 ? /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1] : undefined;
  if (fromLogin) return fromLogin;
  const page = await agent.get('/tilgjengelighet');
  return /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
}

/** A raw collection, for checking what was stored without going through the app. */
export function collection(name: string) {
  return mongoose.connection.db!.collection(name);
}

/** Finds any key starting with `$` anywhere in a stored document (an operator smuggled into data). */
export function dollarKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => dollarKeys(v, `${path}[${i}]`));
  if (value && typeof value === 'object' && !(value instanceof Date) && !(value instanceof mongoose.Types.ObjectId) && !Buffer.isBuffer(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [...(k.startsWith('$') ? [`${path}.${k}`] : []), ...dollarKeys(v, `${path}.${k}`)]);
  }
  return [];
}
