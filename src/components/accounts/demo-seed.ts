import { findUnitIdsByName } from '../organisation/index.js';
import type { MembershipRole, PlatformRole } from './models.js';
import { ensureUser } from './accounts.service.js';

/** One shared password for the demo accounts; printed at first start in development only. */
export const DEMO_PASSWORD = 'Fellesskap-demo-2026';

export const DEMO_USERS: ReadonlyArray<{
  email: string;
  name: string;
  description: string;
  roles?: PlatformRole[];
  memberships?: Array<{ unit: string; role: MembershipRole }>;
}> = [
  { email: 'ansatt@fellesskap.example', name: 'Kari Nordmann', description: 'ansatt, Solsikken barnehage', memberships: [{ unit: 'Solsikken barnehage', role: 'ansatt' }] },
  { email: 'ansatt2@fellesskap.example', name: 'Ola Hansen', description: 'ansatt, Solsikken barnehage', memberships: [{ unit: 'Solsikken barnehage', role: 'ansatt' }] },
  { email: 'laerer@fellesskap.example', name: 'Ingrid Berg', description: 'ansatt, Nordbyen skole og Nordbyen SFO', memberships: [{ unit: 'Nordbyen skole', role: 'ansatt' }, { unit: 'Nordbyen SFO', role: 'ansatt' }] },
  { email: 'styrer@fellesskap.example', name: 'Siri Dahl', description: 'styrer (leder), Solsikken barnehage', memberships: [{ unit: 'Solsikken barnehage', role: 'leder' }] },
  { email: 'rektor@fellesskap.example', name: 'Per Lie', description: 'rektor (leder), Nordbyen skole og SFO', memberships: [{ unit: 'Nordbyen skole', role: 'leder' }, { unit: 'Nordbyen SFO', role: 'leder' }] },
  { email: 'forfatter@fellesskap.example', name: 'Aisha Khan', description: 'kursforfatter', roles: ['author'] },
  { email: 'kommune@fellesskap.example', name: 'Jonas Moe', description: 'kommuneadministrator', roles: ['municipal-admin'] },
  { email: 'admin@fellesskap.example', name: 'Mari Strand', description: 'systemadministrator', roles: ['system-admin'] },
  // No role and no unit: what she sees comes from the demo network listing her as its partner.
  { email: 'partner@fellesskap.example', name: 'Hanne Vik', description: 'ekstern partner (universitetslærer), nettverket Laget rundt barna' },
];

/** Idempotent: creates the demo people that are missing. Returns how many were created. */
export async function seedDemoUsers(): Promise<number> {
  const unitIds = await findUnitIdsByName(DEMO_USERS.flatMap((u) => (u.memberships ?? []).map((m) => m.unit)));
  let created = 0;
  for (const user of DEMO_USERS) {
    const result = await ensureUser({
      email: user.email,
      name: user.name,
      password: DEMO_PASSWORD,
      roles: user.roles ?? [],
      memberships: (user.memberships ?? []).flatMap((m) => {
        const unitId = unitIds.get(m.unit);
        return unitId ? [{ unitId, role: m.role }] : [];
      }),
    });
    if (result.created) created += 1;
  }
  return created;
}
