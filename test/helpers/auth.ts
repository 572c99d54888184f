import type { Express } from 'express';
import request from 'supertest';
import { expect } from 'chai';
import { ensureUser, type PlatformRole, type MembershipRole } from '../../src/components/accounts/index.js';
import { DistrictModel, UnitModel, type UnitType } from '../../src/components/organisation/index.js';

export const TEST_PASSWORD = 'Test-passord-123';

export type Agent = ReturnType<typeof request.agent>;

let counter = 0;

export async function createUnit(name: string, type: UnitType = 'barnehage', districtName = 'Testbydel'): Promise<string> {
  const district = await DistrictModel.findOneAndUpdate(
    { name: { $eq: districtName } },
    { $setOnInsert: { name: districtName } },
    { upsert: true, new: true },
  ).lean();
  const unit = await UnitModel.create({ name, type, districtId: district._id });
  return String(unit._id);
}

export async function createUser(
  options: { email?: string; name?: string; roles?: PlatformRole[]; memberships?: Array<{ unitId: string; role: MembershipRole }>; password?: string } = {},
): Promise<{ id: string; email: string; password: string }> {
  counter += 1;
  const email = options.email ?? `person${counter}-${Date.now()}@test.example`;
  const password = options.password ?? TEST_PASSWORD;
  const { id } = await ensureUser({
    email,
    name: options.name ?? `Testperson ${counter}`,
    password,
    roles: options.roles ?? [],
    memberships: options.memberships ?? [],
  });
  return { id, email, password };
}

/** Reads the CSRF token from a page the agent can see. */
export async function csrfToken(agent: Agent, path = '/'): Promise<string> {
  const res = await agent.get(path);
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
  expect(token, `CSRF token on ${path}`).to.be.a('string');
  return token!;
}

/** A supertest agent (keeps cookies) that has logged in through the real login form. */
export async function signIn(app: Express, email: string, password = TEST_PASSWORD): Promise<Agent> {
  const agent = request.agent(app);
  const token = await csrfToken(agent, '/logg-inn');
  const res = await agent.post('/logg-inn').type('form').send({ _csrf: token, email, password });
  expect(res.status, `login as ${email}`).to.equal(302);
  return agent;
}

export function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);
  return cookies.find((c) => c.startsWith('fellesskap.sid=') || c.startsWith('__Host-fellesskap.sid='))?.split(';')[0];
}
