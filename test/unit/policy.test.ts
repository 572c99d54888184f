import { expect } from 'chai';
import { can, ACTIONS } from '../../src/web/policy.js';
import type { SessionUser } from '../../src/web/session-user.js';

function person(overrides: Partial<SessionUser> = {}): SessionUser {
  return { id: 'u1', name: 'N', email: 'n@x', roles: new Set(), memberOf: new Set(['A']), leaderOf: new Set(), ...overrides };
}

describe('policy: can()', () => {
  const staff = person();
  const leaderA = person({ id: 'la', leaderOf: new Set(['A']), memberOf: new Set(['A']) });
  const author = person({ id: 'au', roles: new Set(['author']) });
  const admin = person({ id: 'ma', roles: new Set(['municipal-admin']) });
  const sysadmin = person({ id: 'sa', roles: new Set(['system-admin']) });

  it('anonymous: may do nothing', () => {
    for (const action of ACTIONS) expect(can(null, action), action).to.equal(false);
  });

  it('staff: may take modules, not author, manage or report', () => {
    expect(can(staff, 'learning:take')).to.equal(true);
    expect(can(staff, 'modules:author')).to.equal(false);
    expect(can(staff, 'people:manage')).to.equal(false);
    expect(can(staff, 'reports:municipal')).to.equal(false);
    expect(can(staff, 'unit:lead', { unitId: 'A' })).to.equal(false);
  });

  it('leader: leads only the units where the membership says leder', () => {
    expect(can(leaderA, 'unit:lead', { unitId: 'A' })).to.equal(true);
    expect(can(leaderA, 'unit:lead', { unitId: 'B' })).to.equal(false);
    expect(can(leaderA, 'unit:lead', {})).to.equal(false);
  });

  it('progress: the person themselves or a leader of one of their units', () => {
    expect(can(staff, 'person:view-progress', { ownerId: 'u1' })).to.equal(true);
    expect(can(leaderA, 'person:view-progress', { ownerId: 'u1', unitIds: ['A'] })).to.equal(true);
    expect(can(leaderA, 'person:view-progress', { ownerId: 'u9', unitIds: ['B'] })).to.equal(false);
    expect(can(admin, 'person:view-progress', { ownerId: 'u1', unitIds: ['A'] })).to.equal(false);
  });

  it('private texts: only the owner, not leaders, admins or system admins', () => {
    expect(can(staff, 'person:view-private', { ownerId: 'u1' })).to.equal(true);
    for (const other of [leaderA, author, admin, sysadmin]) {
      expect(can(other, 'person:view-private', { ownerId: 'u1', unitIds: ['A'] }), other.id).to.equal(false);
    }
    expect(can(staff, 'person:view-private', {})).to.equal(false);
  });

  it('author: authors modules; municipal admin: organisation and reports; system admin: anonymise', () => {
    expect(can(author, 'modules:author')).to.equal(true);
    expect(can(admin, 'modules:author')).to.equal(false);
    expect(can(admin, 'organisation:manage')).to.equal(true);
    expect(can(admin, 'reports:municipal')).to.equal(true);
    expect(can(admin, 'people:anonymise')).to.equal(false);
    expect(can(sysadmin, 'people:anonymise')).to.equal(true);
  });
});
