import { expect } from 'chai';
import { longDateTime, osloDateAndTime, osloDateTime, osloWeekStart, weeklyMomentPassed } from '../../src/lib/oslo-time.js';

describe('oslo-time: Norwegian wall-clock time', () => {
  it('osloDateTime: winter is UTC+1, summer UTC+2', () => {
    expect(osloDateTime('2026-01-15', '14:00')!.toISOString()).to.equal('2026-01-15T13:00:00.000Z');
    expect(osloDateTime('2026-06-15', '14:00')!.toISOString()).to.equal('2026-06-15T12:00:00.000Z');
    expect(osloDateTime('2026-03-29', '09:30')!.toISOString()).to.equal('2026-03-29T07:30:00.000Z');
  });

  it('osloDateTime: not a date or not a time gives null', () => {
    expect(osloDateTime('2026-02-30', '14:00')).to.equal(null);
    expect(osloDateTime('2026-02-01', '25:00')).to.equal(null);
    expect(osloDateTime('2026-02-01', '')).to.equal(null);
  });

  it('osloDateAndTime and longDateTime: read back in Oslo time', () => {
    const at = new Date('2026-06-15T12:00:00Z');
    expect(osloDateAndTime(at)).to.deep.equal({ date: '2026-06-15', time: '14:00' });
    expect(longDateTime(at, 'nb')).to.contain('15. juni 2026').and.to.contain('14:00');
  });

  it('osloWeekStart: the Monday of the Oslo week, also late on a Sunday evening in UTC', () => {
    expect(osloWeekStart(new Date('2026-03-11T10:00:00Z'))).to.equal('2026-03-09');
    expect(osloWeekStart(new Date('2026-03-09T00:30:00+01:00'))).to.equal('2026-03-09');
    // Sunday 23:30 UTC is already Monday in Oslo.
    expect(osloWeekStart(new Date('2026-03-15T23:30:00Z'))).to.equal('2026-03-16');
  });

  it('weeklyMomentPassed: from the weekday and hour on, for the rest of that week', () => {
    const schedule = { weekday: 1, hour: 7 };
    expect(weeklyMomentPassed(new Date('2026-03-09T05:59:00Z'), schedule)).to.equal(false); // Monday 06:59 Oslo
    expect(weeklyMomentPassed(new Date('2026-03-09T06:00:00Z'), schedule)).to.equal(true); // Monday 07:00 Oslo
    expect(weeklyMomentPassed(new Date('2026-03-12T12:00:00Z'), schedule)).to.equal(true); // Thursday
    expect(weeklyMomentPassed(new Date('2026-03-12T12:00:00Z'), { weekday: 5, hour: 7 })).to.equal(false); // before Friday
  });
});
