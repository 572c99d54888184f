import { expect } from 'chai';
import type { Express } from 'express';
import { declaredRoutes } from '../../helpers/route-table.js';
import { tokenFor, twoUnits, type TwoUnits } from './fixture.js';
import { createUser, signIn, type Agent } from '../../helpers/auth.js';

/**
 * No 5xx from hostile parameters, as a class: every route with a parameter in the endpoint manifest is
 * called with prototype keys, a 10 kB value, encoded slashes, NUL and unusual Unicode in each
 * parameter in turn (the others real ids of unit A, so the hostile value reaches the lookup), as
 * every role. A route added tomorrow is probed tomorrow.
 */

export const HOSTILE_VALUES: readonly string[] = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'x'.repeat(10_240),
  'a%2Fb%2F..%2F..%2Fetc',
  '..%2F..%2F',
  '%00',
  'a%00b',
  '%E2%80%AE%EF%BF%BF', // right-to-left override + a non-character
  '%F0%9F%92%A9%CC%81', // an emoji with a combining accent
  '%ED%A0%80', // a lone surrogate (invalid UTF-8)
  '%', // a broken percent escape
];

interface Target {
  method: 'get' | 'post';
  path: string;
  params: string[];
}

export function parameterisedRoutes(app: Express): Target[] {
  const out: Target[] = [];
  for (const route of declaredRoutes(app)) {
    const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    if (!params.length) continue;
    for (const m of route.methods) {
      if (m === 'get' || m === 'post') out.push({ method: m, path: route.path, params });
      else if (m === '_all') out.push({ method: 'post', path: route.path, params });
    }
  }
  return out;
}

describe('adversarial: hostile values in every route parameter never give a 5xx, as each role', function () {
  this.timeout(600_000);
  let fx: TwoUnits;
  let targets: Target[];
  let real: Record<string, string>;
  let agents: Record<string, Agent>;

  before(async () => {
    fx = await twoUnits();
    targets = parameterisedRoutes(fx.app);
    const system = await createUser({ name: 'System Admin', roles: ['system-admin'] });
    agents = { ...fx.agents, systemAdmin: await signIn(fx.app, system.email) };
    real = {
      unitId: fx.ids.unitA,
      personId: fx.ids.staffA,
      assignmentId: fx.ids.assignmentA,
      sessionId: fx.ids.sessionA,
      slug: fx.ids.module,
      code: fx.ids.certificateA,
    };
  });

  it('route table: finds the parameterised routes, including the person drill-down', () => {
    expect(targets.length).to.be.greaterThan(30);
    expect(targets.map((t) => `${t.method} ${t.path}`)).to.include('get /leder/enheter/:unitId/personer/:personId');
  });

  for (const role of ['anonymous', 'staffA', 'leaderA', 'admin', 'systemAdmin', 'author'] as const) {
    it(`${role}: every parameter of every route, every hostile value → never a 5xx`, async () => {
      const agent = agents[role]!;
      const csrf = await tokenFor(agent);
      const problems: string[] = [];
      let sent = 0;
      for (const target of targets) {
        for (const hostileParam of target.params) {
          for (const value of HOSTILE_VALUES) {
            // Values above are already URL-encoded where they must be; plain ones are sent as they are.
            const path = target.path.replace(/:(\w+)/g, (_m, name: string) => (name === hostileParam ? value : encodeURIComponent(real[name] ?? 'x')));
            const res =
              target.method === 'get'
                ? await agent.get(path).redirects(0)
                : await agent.post(path).type('form').send({ _csrf: csrf, revision: '1' }).redirects(0);
            sent += 1;
            if (res.status >= 500) problems.push(`${target.method.toUpperCase()} ${path.slice(0, 120)} → ${res.status}`);
          }
        }
      }
      expect(problems).to.deep.equal([]);
      expect(sent).to.be.greaterThan(targets.length * HOSTILE_VALUES.length - 1);
    });
  }
});
