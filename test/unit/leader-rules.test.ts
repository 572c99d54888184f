import { expect } from 'chai';
import { parseDeadline } from '../../src/components/assignments/index.js';
import { unsubscribeToken, verifyUnsubscribeToken } from '../../src/components/reminders/index.js';
import { can } from '../../src/web/policy.js';
import type { SessionUser } from '../../src/web/session-user.js';

const TODAY = new Date('2026-03-10T00:00:00Z');

function person(overrides: Partial<SessionUser> = {}): SessionUser {
  return { id: 'u1', name: 'N', email: 'n@x', roles: new Set(), memberOf: new Set(['A']), leaderOf: new Set(), ...overrides };
}

describe('assignments: parseDeadline', () => {
  it('a date input value or a Norwegian date: the calendar date', () => {
    expect(parseDeadline('2027-06-30', TODAY)).to.deep.equal({ ok: true, date: new Date('2027-06-30T00:00:00Z') });
    expect(parseDeadline('30.06.2027', TODAY)).to.deep.equal({ ok: true, date: new Date('2027-06-30T00:00:00Z') });
    expect(parseDeadline(' 1.7.2027 ', TODAY)).to.deep.equal({ ok: true, date: new Date('2027-07-01T00:00:00Z') });
  });

  it('today: allowed (due by the end of the day)', () => {
    expect(parseDeadline('2026-03-10', TODAY)).to.deep.equal({ ok: true, date: TODAY });
  });

  it('empty, not a date, in the past or years ahead: the message that says what to fix', () => {
    expect(parseDeadline('', TODAY)).to.deep.equal({ ok: false, error: 'assignments:errors.deadlineRequired' });
    expect(parseDeadline(undefined, TODAY)).to.deep.equal({ ok: false, error: 'assignments:errors.deadlineRequired' });
    expect(parseDeadline('31.02.2027', TODAY)).to.deep.equal({ ok: false, error: 'assignments:errors.deadlineInvalid' });
    expect(parseDeadline('neste fredag', TODAY)).to.deep.equal({ ok: false, error: 'assignments:errors.deadlineInvalid' });
    expect(parseDeadline('2026-03-09', TODAY)).to.deep.equal({ ok: false, error: 'assignments:errors.deadlinePast' });
    expect(parseDeadline('2031-03-11', TODAY)).to.deep.equal({ ok: false, error: 'assignments:errors.deadlineTooFar' });
    expect(parseDeadline('2031-03-10', TODAY).ok).to.equal(true);
  });
});

describe('reminders: the unsubscribe token', () => {
  const SECRET = 'a-test-secret-of-at-least-thirty-two-characters';
  const USER = '0123456789abcdef01234567';

  it('made for a person: verifies to that person', () => {
    expect(verifyUnsubscribeToken(SECRET, unsubscribeToken(SECRET, USER))).to.equal(USER);
  });

  it('another person, a changed signature or another secret: refused', () => {
    const token = unsubscribeToken(SECRET, USER);
    const [, signature] = token.split('.');
    expect(verifyUnsubscribeToken(SECRET, `76543210fedcba9876543210.${signature}`)).to.equal(null);
    expect(verifyUnsubscribeToken(SECRET, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).to.equal(null);
    expect(verifyUnsubscribeToken('another-secret-of-at-least-thirty-two-characters', token)).to.equal(null);
    expect(verifyUnsubscribeToken(SECRET, USER)).to.equal(null);
    expect(verifyUnsubscribeToken(SECRET, `${token}.x`)).to.equal(null);
  });
});

describe('policy: leaders and the municipality', () => {
  const staff = person();
  const leaderA = person({ id: 'la', leaderOf: new Set(['A']), memberOf: new Set(['A']) });
  const admin = person({ id: 'ma', roles: new Set(['municipal-admin']), memberOf: new Set() });

  it('unit:lead-any: only people who lead a unit now', () => {
    expect(can(leaderA, 'unit:lead-any')).to.equal(true);
    expect(can(staff, 'unit:lead-any')).to.equal(false);
    expect(can(admin, 'unit:lead-any')).to.equal(false);
  });

  it('unit:member: the unit\'s staff and leaders, not other units or admins', () => {
    expect(can(staff, 'unit:member', { unitId: 'A' })).to.equal(true);
    expect(can(leaderA, 'unit:member', { unitId: 'A' })).to.equal(true);
    expect(can(staff, 'unit:member', { unitId: 'B' })).to.equal(false);
    expect(can(admin, 'unit:member', { unitId: 'A' })).to.equal(false);
    expect(can(staff, 'unit:member', {})).to.equal(false);
  });

  it('assignments:municipal: municipal and system admins, not leaders', () => {
    expect(can(admin, 'assignments:municipal')).to.equal(true);
    expect(can(person({ roles: new Set(['system-admin']) }), 'assignments:municipal')).to.equal(true);
    expect(can(leaderA, 'assignments:municipal')).to.equal(false);
  });

  it('notifications:own: everyone signed in, nobody anonymous', () => {
    expect(can(staff, 'notifications:own')).to.equal(true);
    expect(can(null, 'notifications:own')).to.equal(false);
  });
});
