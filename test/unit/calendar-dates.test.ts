import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Types } from 'mongoose';
import { inEffect, isoDate, nextDate, notEnded, osloStartOf, todayDateOnly } from '../../src/lib/dates.js';
import { UserModel } from '../../src/components/accounts/models.js';
import { toSessionUser } from '../../src/components/accounts/session-user.js';
import { dueDayKey } from '../../src/components/reports/time.js';
import { personEntries, type PersonRecord } from '../../src/components/reports/roster.js';
import { prng, between } from '../helpers/prng.js';

/**
 * Calendar dates (memberships, deadlines) are labels stored as midnight UTC; a day begins at
 * midnight in Oslo, one or two hours earlier. A first-wave bug compared the two directly: between
 * 00:00 and 01:00 (02:00 in summer) Oslo time a person moved to another unit "today" was still in
 * the old one. These properties hold for every instant, and the instants drawn cluster around Oslo
 * midnight and the two daylight-saving changes, where such bugs live.
 */

const HOUR = 3_600_000;
const osloClock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** Instants near the start of random Oslo days from 2020 to 2035, DST change days included. */
function instants(seed: number, count: number): Date[] {
  const random = prng(seed);
  const dstDays = ['2026-03-29', '2026-10-25', '2027-03-28', '2027-10-31', '2030-03-31', '2030-10-27'];
  const out: Date[] = [];
  for (let i = 0; i < count; i += 1) {
    const day = i % 5 === 0 ? new Date(`${dstDays[i % dstDays.length]}T00:00:00Z`) : new Date(Date.UTC(between(random, 2020, 2035), between(random, 0, 11), between(random, 1, 28)));
    // Anywhere from three hours before to three hours after the label's midnight UTC, to the second.
    out.push(new Date(day.getTime() + between(random, -3 * 3600, 3 * 3600) * 1000));
  }
  return out;
}

describe('calendar dates: one rule for when a day begins (Oslo), for every instant', () => {
  const times = instants(2026_12_06, 4000);

  it('osloStartOf: the day begins at 00:00 in Oslo, and every instant lies between its day\'s start and the next day\'s', () => {
    for (const t of times) {
      const today = todayDateOnly(t);
      const start = osloStartOf(today);
      const next = osloStartOf(nextDate(today));
      expect(osloClock.format(start), isoDate(today)).to.equal('00:00');
      expect(isoDate(todayDateOnly(start))).to.equal(isoDate(today));
      expect(start.getTime() <= t.getTime() && t.getTime() < next.getTime(), t.toISOString()).to.equal(true);
      expect(next.getTime() - start.getTime()).to.be.oneOf([23 * HOUR, 24 * HOUR, 25 * HOUR]);
      // A stored date is its own Oslo date: converting it again changes nothing.
      expect(todayDateOnly(today).getTime()).to.equal(today.getTime());
    }
  });

  it('inEffect: something dated today is in effect now, something ending today is not, and it agrees with the instants the dates begin', () => {
    const random = prng(7);
    for (const t of times) {
      const today = todayDateOnly(t);
      expect(inEffect({ startDate: today, endDate: null }, t), t.toISOString()).to.equal(true);
      expect(inEffect({ startDate: new Date(today.getTime() - 30 * 86_400_000), endDate: today }, t), t.toISOString()).to.equal(false);
      expect(notEnded({ endDate: today }, t)).to.equal(false);
      expect(notEnded({ endDate: nextDate(today) }, t)).to.equal(true);
      const start = new Date(today.getTime() + between(random, -2, 2) * 86_400_000);
      const end = random() < 0.3 ? null : new Date(start.getTime() + between(random, 0, 3) * 86_400_000);
      const byInstants = osloStartOf(start) <= t && (!end || t < osloStartOf(end));
      expect(inEffect({ startDate: start, endDate: end }, t), `${t.toISOString()} ${isoDate(start)}–${isoDate(end)}`).to.equal(byInstants);
    }
  });

  it('a move between units dated today: the session and the reports both see only the new unit, at every instant of the day', () => {
    const [a, b] = [new Types.ObjectId(), new Types.ObjectId()];
    for (const t of times.slice(0, 800)) {
      const today = todayDateOnly(t);
      const memberships = [
        { _id: new Types.ObjectId(), unitId: a, role: 'ansatt', startDate: new Date('2019-08-01T00:00:00Z'), endDate: today },
        { _id: new Types.ObjectId(), unitId: b, role: 'leder', startDate: today, endDate: null },
      ];
      // A document that is never saved: toSessionUser reads the stored shape.
      const session = toSessionUser(new UserModel({ name: 'Kari', email: 'kari@example.no', roles: [], memberships }), t);
      expect([...session.memberOf], t.toISOString()).to.deep.equal([String(b)]);
      expect([...session.leaderOf]).to.deep.equal([String(b)]);
      const record: PersonRecord = {
        name: 'Kari',
        status: 'active',
        memberships: memberships.map((m) => ({ unitId: String(m.unitId), role: m.role as 'ansatt' | 'leder', startDate: m.startDate.toISOString(), endDate: m.endDate ? m.endDate.toISOString() : null })),
        facts: {},
      };
      expect([...personEntries(record, 'o', [], new Map(), t).entries.keys()], t.toISOString()).to.deep.equal([String(b)]);
    }
  });

  it('dueDayKey: a change is swept on the Oslo day it happens in, or on the next one when it falls inside a day', () => {
    for (const t of times) {
      const key = dueDayKey(t);
      const start = osloStartOf(new Date(`${key}T00:00:00Z`));
      expect(start.getTime() >= t.getTime(), t.toISOString()).to.equal(true);
      expect(start.getTime() - t.getTime() < 25 * HOUR).to.equal(true);
    }
  });

  it('no source file compares a stored calendar date with an instant directly (only src/lib/dates.ts converts)', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    // A date field (…Date, deadline) on one side of <, <=, >, >= and an instant (now, at, new Date) on the other.
    const field = String.raw`[\w.!?]*(?:[sS]tartDate|[eE]ndDate|deadline)\b`;
    const instant = String.raw`(?:now|at|new Date\([^)]*\)|Date\.now\(\))\b`;
    const comparison = new RegExp(String.raw`(?:${field}\s*[<>]=?\s*${instant})|(?:${instant}\s*[<>]=?\s*${field})`);
    const offenders: string[] = [];
    for (const file of readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join('src', f))) {
      if (file === path.join('src', 'lib', 'dates.ts')) continue;
      readFileSync(path.join(root, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (comparison.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).to.deep.equal([]);
  });
});
