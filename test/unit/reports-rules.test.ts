import { expect } from 'chai';
import { completionExpiry, moduleStatusAt, NO_RENEWAL, type MajorFacts, type RenewalRule } from '../../src/components/reports/validity.js';
import { applyEntry, decodeRoster, encodeRoster, goneEntry, personEntries, unitTotals, type PersonRecord, type RosterData } from '../../src/components/reports/roster.js';
import { addMonths, monthKey, monthRange, shiftMonth } from '../../src/components/reports/time.js';
import { csvCell, neutraliseFormula, toCsv } from '../../src/components/reports/csv.js';
import { chartGeometry } from '../../src/components/reports/chart.js';

const d = (iso: string) => new Date(iso);
const facts = (entries: Record<number, Partial<{ st: string; c: string }>>): Map<number, MajorFacts> =>
  new Map(Object.entries(entries).map(([major, f]) => [Number(major), { startedAt: f.st ? d(f.st) : null, completedAt: f.c ? d(f.c) : null }]));
const releases = [
  { major: 1, publishedAt: d('2024-01-10T09:00:00Z') },
  { major: 2, publishedAt: d('2025-03-05T09:00:00Z') },
];

describe('reports: time helpers', () => {
  it('addMonths, from the 31st into a short month, lands on its last day at midnight UTC', () => {
    expect(addMonths(d('2025-01-31T15:00:00Z'), 1).toISOString()).to.equal('2025-02-28T00:00:00.000Z');
    expect(addMonths(d('2024-08-15T00:00:00Z'), 36).toISOString()).to.equal('2027-08-15T00:00:00.000Z');
  });

  it('monthKey, just after midnight on 1 November in Oslo, is November', () => {
    expect(monthKey(d('2025-10-31T23:30:00Z'))).to.equal('2025-11');
    expect(monthKey(d('2025-06-30T21:59:00Z'))).to.equal('2025-06');
  });

  it('shiftMonth and monthRange cross year ends', () => {
    expect(shiftMonth('2025-01', -1)).to.equal('2024-12');
    expect(monthRange('2024-11', '2025-02')).to.deep.equal(['2024-11', '2024-12', '2025-01', '2025-02']);
    expect(monthRange('2025-03', '2025-02')).to.deep.equal([]);
  });
});

describe('reports: renewal and status (validity)', () => {
  it('completion without rules never expires and counts from the moment it was recorded', () => {
    const status = moduleStatusAt(facts({ 1: { st: '2024-02-01T10:00:00Z', c: '2024-02-03T10:00:00Z' } }), NO_RENEWAL, releases, d('2030-01-01T00:00:00Z'));
    expect(status).to.include({ status: 'completed', major: 1 });
    expect(status.expiresAt).to.equal(null);
    expect(status.nextChangeAt).to.equal(null);
    expect(moduleStatusAt(facts({ 1: { st: '2024-02-01T10:00:00Z', c: '2024-02-03T10:00:00Z' } }), NO_RENEWAL, releases, d('2024-02-02T00:00:00Z')).status).to.equal('inProgress');
  });

  it('renew after 36 months: completed until the day 36 months later begins in Norway (00:00 Oslo), then expired', () => {
    const rule: RenewalRule = { renewAfterMonths: 36, onNewMajor: false, graceMonths: 0 };
    const f = facts({ 1: { st: '2024-02-01T10:00:00Z', c: '2024-02-03T10:00:00Z' } });
    const before = moduleStatusAt(f, rule, releases, d('2027-02-02T22:59:59Z'));
    expect(before.status).to.equal('completed');
    expect(before.expiresAt!.toISOString()).to.equal('2027-02-02T23:00:00.000Z', '3 February begins at 23:00 UTC in winter');
    expect(before.nextChangeAt!.toISOString()).to.equal('2027-02-02T23:00:00.000Z');
    const after = moduleStatusAt(f, rule, releases, d('2027-02-02T23:00:00Z'));
    expect(after).to.include({ status: 'expired', major: 1 });
  });

  it('new major with 2 months grace: the old major expires 2 months after the new one is published', () => {
    const rule: RenewalRule = { renewAfterMonths: null, onNewMajor: true, graceMonths: 2 };
    expect(completionExpiry(1, d('2024-06-01T00:00:00Z'), rule, releases)!.toISOString()).to.equal('2025-05-04T22:00:00.000Z', '5 May begins at 22:00 UTC in summer');
    expect(completionExpiry(2, d('2025-06-01T00:00:00Z'), rule, releases)).to.equal(null);
    const f = facts({ 1: { c: '2024-06-01T08:00:00Z' } });
    expect(moduleStatusAt(f, rule, releases, d('2025-05-04T12:00:00Z')).status).to.equal('completed');
    expect(moduleStatusAt(f, rule, releases, d('2025-05-04T22:00:00Z')).status).to.equal('expired');
  });

  it('expired, then started on the new major: in progress; completing it: completed again without expiry', () => {
    const rule: RenewalRule = { renewAfterMonths: null, onNewMajor: true, graceMonths: 0 };
    const renewing = facts({ 1: { c: '2024-06-01T08:00:00Z' }, 2: { st: '2025-04-01T08:00:00Z' } });
    expect(moduleStatusAt(renewing, rule, releases, d('2025-04-02T00:00:00Z'))).to.include({ status: 'inProgress', major: 2 });
    const renewed = facts({ 1: { c: '2024-06-01T08:00:00Z' }, 2: { st: '2025-04-01T08:00:00Z', c: '2025-04-09T08:00:00Z' } });
    const status = moduleStatusAt(renewed, rule, releases, d('2025-05-01T00:00:00Z'));
    expect(status).to.include({ status: 'completed', major: 2 });
    expect(status.expiresAt).to.equal(null);
  });

  it('the shorter of the two rules wins', () => {
    const rule: RenewalRule = { renewAfterMonths: 6, onNewMajor: true, graceMonths: 12 };
    expect(completionExpiry(1, d('2025-01-20T10:00:00Z'), rule, releases)!.toISOString()).to.equal('2025-07-19T22:00:00.000Z');
  });
});

describe('reports: roster entries and unit totals', () => {
  const modules = [
    { slug: 'a', title: 'A', measures: [3], releases },
    { slug: 'b', title: 'B', measures: [1], releases },
  ];
  const person = (overrides: Partial<PersonRecord> = {}): PersonRecord => ({
    name: 'Kari',
    status: 'active',
    memberships: [{ unitId: 'u1', role: 'ansatt', startDate: '2024-01-01T00:00:00.000Z', endDate: null }],
    facts: { a: { 1: { st: '2024-03-01T10:00:00.000Z', c: '2024-03-02T10:00:00.000Z' } }, b: { 1: { st: '2024-03-05T10:00:00.000Z', pc: 40 } } },
    ...overrides,
  });

  it('a person in one unit: one entry with completed and in-progress (with percent) cells', () => {
    const { entries, units } = personEntries(person(), 'o1', modules, new Map(), d('2025-01-01T00:00:00Z'));
    expect(units).to.deep.equal(['u1']);
    const entry = entries.get('u1')!;
    expect(entry.m.a).to.deep.include({ s: 'c', c: '2024-03-02T10:00:00.000Z' });
    expect(entry.m.b).to.deep.include({ s: 'p', pc: 40 });
  });

  it('deactivated, or a membership that has ended or not started yet: no entry, and the next membership date is scheduled', () => {
    expect(personEntries(person({ status: 'deactivated' }), 'o', modules, new Map(), d('2025-01-01T00:00:00Z')).entries.size).to.equal(0);
    const moving = person({
      memberships: [
        { unitId: 'u1', role: 'ansatt', startDate: '2024-01-01T00:00:00.000Z', endDate: '2025-02-01T00:00:00.000Z' },
        { unitId: 'u2', role: 'leder', startDate: '2025-02-01T00:00:00.000Z', endDate: null },
      ],
    });
    const before = personEntries(moving, 'o', modules, new Map(), d('2025-01-15T00:00:00Z'));
    expect([...before.entries.keys()]).to.deep.equal(['u1']);
    expect(before.units).to.deep.equal(['u1', 'u2']);
    expect(before.nextChangeAt!.toISOString()).to.equal('2025-01-31T23:00:00.000Z', 'the move happens when 1 February begins in Oslo');
    expect([...personEntries(moving, 'o', modules, new Map(), d('2025-01-31T22:59:59Z')).entries.keys()]).to.deep.equal(['u1']);
    const after = personEntries(moving, 'o', modules, new Map(), d('2025-01-31T23:00:00Z'));
    expect([...after.entries.keys()]).to.deep.equal(['u2']);
    expect(after.entries.get('u2')!.r).to.equal('leder');
  });

  it('applyEntry keeps the newest computation: an older one arriving late changes nothing, also after someone left', () => {
    const roster: RosterData = { members: {} };
    const newer = personEntries(person(), '000000000000002.1', modules, new Map(), d('2025-01-01T00:00:00Z')).entries.get('u1')!;
    const older = personEntries(person({ facts: {} }), '000000000000001.1', modules, new Map(), d('2025-01-01T00:00:00Z')).entries.get('u1')!;
    expect(applyEntry(roster, 'p1', newer, 2)).to.equal(true);
    expect(applyEntry(roster, 'p1', older, 2)).to.equal(false);
    expect(roster.members.p1!.m.a!.s).to.equal('c');
    expect(applyEntry(roster, 'p1', goneEntry('000000000000003.1'), 3)).to.equal(true);
    expect(applyEntry(roster, 'p1', newer, 3)).to.equal(false);
    expect(roster.members.p1!.gone).to.equal(true);
  });

  it('unitTotals counts staff, statuses per module and the completion months; gone members do not count', () => {
    const roster: RosterData = { members: {} };
    roster.members.p1 = personEntries(person(), 'o', modules, new Map(), d('2025-01-01T00:00:00Z')).entries.get('u1')!;
    roster.members.p2 = personEntries(person({ facts: {} }), 'o', modules, new Map(), d('2025-01-01T00:00:00Z')).entries.get('u1')!;
    roster.members.p3 = goneEntry('o');
    expect(unitTotals(roster, ['a', 'b'])).to.deep.equal({ s: 2, m: { a: [1, 0, 0], b: [0, 1, 0] }, h: { a: { '2024-03': 1 }, b: {} } });
  });

  it('encodeRoster and decodeRoster give back the same roster', () => {
    const roster: RosterData = { members: {} };
    roster.members.p1 = personEntries(person(), 'o1', modules, new Map(), d('2025-01-01T00:00:00Z')).entries.get('u1')!;
    roster.members.p2 = goneEntry('o2');
    expect(decodeRoster(encodeRoster(roster))).to.deep.equal(roster);
  });
});

describe('reports: CSV', () => {
  it('neutraliseFormula prefixes cells a spreadsheet would run as a formula, and nothing else', () => {
    for (const text of ['=SUM(A1)', '+47 123', '-2+3', '@cmd', '\tx', '\rx']) expect(neutraliseFormula(text)).to.equal(`'${text}`);
    for (const text of ['Kari Nordmann', '<5', "'allerede"]) expect(neutraliseFormula(text)).to.equal(text);
  });

  it('csvCell quotes separators and quotes, and writes numbers with a decimal comma', () => {
    expect(csvCell('a;b')).to.equal('"a;b"');
    expect(csvCell('sa "hei"')).to.equal('"sa ""hei"""');
    expect(csvCell('=1+1;2')).to.equal(`"'=1+1;2"`);
    expect(csvCell(12.5)).to.equal('12,5');
    expect(csvCell(-3)).to.equal('-3');
    expect(csvCell(null)).to.equal('');
  });

  it('toCsv starts with a byte-order mark and ends lines with CRLF', () => {
    expect(toCsv([['a', 1], ['b', 2]])).to.equal('\uFEFFa;1\r\nb;2\r\n');
  });
});

describe('reports: trend chart geometry', () => {
  it('a suppressed month is a gap in the line, never a zero', () => {
    const g = chartGeometry(
      [
        { label: 'jan', value: 10 },
        { label: 'feb', value: null },
        { label: 'mar', value: 30 },
        { label: 'apr', value: 40 },
      ],
      80,
    );
    expect(g.dots.map((p) => p.value)).to.deep.equal([10, 30, 40]);
    expect(g.path.match(/M/g)).to.have.length(2);
    expect(g.target!.y).to.be.lessThan(g.dots[2]!.y);
  });
});
