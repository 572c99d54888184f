import { expect } from 'chai';
import mongoose from 'mongoose';
import { buildTestApp, testServices } from '../helpers/app.js';
import { testClock } from '../helpers/clock.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { learningVersion, ProgressService } from '../../src/components/learning/index.js';
import { addMembership, endMembership, getPerson, setAccountStatus } from '../../src/components/accounts/index.js';
import type { SessionUser } from '../../src/web/session-user.js';
import { createLogger } from '../../src/lib/logger.js';
import { decodeRoster, sameEntry, type RosterData } from '../../src/components/reports/roster.js';
import { changeSettings } from '../../src/components/reports/settings.js';
import { prng } from '../helpers/prng.js';

/**
 * Property-style: a long random sequence (fixed seed) of progress, completions, moves between units,
 * deactivations, time passing, renewal rule changes and new major versions, each going through the
 * real services and events. Afterwards the maintained rosters and counts must equal a full
 * recomputation from the facts, the memberships and the progress.
 */

const DAY = 86_400_000;
const midnight = (t: number) => new Date(Math.floor(t / DAY) * DAY);

async function storedState(): Promise<{ rosters: Map<string, RosterData>; totals: Map<string, unknown> }> {
  const db = mongoose.connection.db!;
  const rosters = new Map<string, RosterData>();
  for (const doc of await db.collection('report_rosters').find({}).toArray()) rosters.set(String(doc._id), decodeRoster(doc.data as string));
  const totals = new Map<string, unknown>();
  for (const doc of await db.collection('report_totals').find({ _id: { $ne: 'head' as never } }).toArray()) {
    for (const [unitId, entry] of Object.entries((JSON.parse(doc.data as string) as { units: Record<string, { t: unknown }> }).units)) totals.set(unitId, entry.t);
  }
  return { rosters, totals };
}

function describeRoster(r: RosterData | undefined): string[] {
  return Object.entries(r?.members ?? {})
    .filter(([, e]) => !e.gone)
    .map(([id, e]) => `${id}:${e.r}:${JSON.stringify(Object.entries(e.m).sort())}`)
    .sort();
}

describe('http: report summaries equal a full recomputation after a random sequence (property, fixed seed)', function () {
  this.timeout(600_000);
  const admin: SessionUser = { id: '000000000000000000000000', name: 'Testadmin', email: 'admin@test.example', roles: new Set(['municipal-admin']), memberOf: new Set(), leaderOf: new Set() };
  const clock = testClock();
  // Learning's events keep going to this app's report service until another app is built: at real time.
  afterEach(() => clock.set(null));

  for (const seed of [7, 2027]) {
    it(`seed ${seed}: after 120 random operations the maintained rosters and counts match the recomputation`, async () => {
      await clearDatabase();
      const random = prng(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      let now = Date.now();
      clock.set(() => new Date(now));
      const services = testServices({ clock });
      await buildTestApp({ services }); // its report service listens to the events
      const { reports } = services;

      const units = [await createUnit('Enhet 1', 'barnehage', 'Øst'), await createUnit('Enhet 2', 'skole', 'Øst'), await createUnit('Enhet 3', 'barnehage', 'Vest')];
      const slugs = ['alfa', 'beta', 'gamma'];
      for (const slug of slugs) await publishFixture({ slug, small: true });
      const people: string[] = [];
      for (let i = 0; i < 8; i += 1) people.push((await createUser({ name: `Person ${i}`, memberships: [{ unitId: pick(units), role: i === 0 ? 'leder' : 'ansatt' }] })).id);
      const progress = new ProgressService(createLogger('silent'));
      const majors: Record<string, number> = { alfa: 1, beta: 1, gamma: 1 };
      let actions = 0;
      const log: string[] = [];

      const currentUnits = async (id: string) => (await getPerson(id)).memberships.filter((m) => m.current).map((m) => m.unitId);
      const act = async (id: string, slug: string, activityId: string, action: string, input: unknown) => {
        const version = (await learningVersion(`${slug}@${majors[slug]}.0`))!;
        actions += 1;
        await progress.act({ userId: id, version, activityId, action, input, actionId: `prop-${seed}-${actions}`, unitIds: await currentUnits(id), now: new Date(now) });
      };

      // Rule changes, new majors and long gaps recompute everything, so they come in the first part;
      // the last 60 operations are handled only by events and the day-by-day sweep.
      for (let step = 0; step < 120; step += 1) {
        const tail = step >= 60;
        const roll = tail ? random() * 0.85 : random();
        const person = pick(people);
        if (roll < 0.3) {
          const slug = pick(slugs);
          log.push(`start ${person} ${slug}`);
          await act(person, slug, 'film', 'markWatched', {});
        } else if (roll < 0.5) {
          const slug = pick(slugs);
          log.push(`complete ${person} ${slug}`);
          await act(person, slug, 'film', 'markWatched', {});
          await act(person, slug, 'tanker', 'save', { text: 'Noe å tenke på' });
          await act(person, slug, 'lesson:lytte', 'markRead', {});
        } else if (roll < 0.62) {
          // Move: end a current membership today and start in another unit, today or in a few days.
          const p = await getPerson(person);
          const open = p.memberships.filter((m) => !m.endDate);
          const today = midnight(now);
          if (open.length) {
            const m = pick(open);
            await endMembership(person, m.id, m.startDate > today ? m.startDate : today);
          }
          const busy = new Set((await getPerson(person)).memberships.filter((m) => !m.endDate || m.endDate > today).map((m) => m.unitId));
          const free = units.filter((u) => !busy.has(u));
          if (free.length) {
            const start = new Date(today.getTime() + (random() < 0.5 ? 0 : Math.floor(random() * 20)) * DAY);
            await addMembership(person, { unitId: pick(free), role: random() < 0.2 ? 'leder' : 'ansatt', startDate: start });
          }
          log.push(`move ${person}`);
        } else if (roll < 0.67) {
          const status = (await getPerson(person)).status === 'deactivated' ? 'active' : 'deactivated';
          log.push(`${status} ${person}`);
          await setAccountStatus(admin, person, status);
        } else if (roll < 0.85) {
          const days = 1 + Math.floor(random() * (tail || random() < 0.8 ? 20 : 400));
          now += days * DAY;
          log.push(`+${days} days`);
          await reports.sweep(new Date(now));
        } else if (roll < 0.95) {
          const slug = pick(slugs);
          const rule = { renewAfterMonths: random() < 0.5 ? 1 + Math.floor(random() * 24) : null, onNewMajor: random() < 0.5, graceMonths: Math.floor(random() * 3) };
          log.push(`rule ${slug} ${JSON.stringify(rule)}`);
          await changeSettings((s) => ({ ...s, rules: { ...s.rules, [slug]: rule }, rulesVersion: s.rulesVersion + 1 }));
          await reports.sweep(new Date(now));
        } else {
          const slug = pick(slugs);
          majors[slug]! += 1;
          log.push(`major ${slug} ${majors[slug]}`);
          await publishFixture({ slug, small: true, kind: 'major', wording: `Versjon ${majors[slug]}` });
          reports.forgetStructure();
          await reports.sweep(new Date(now));
        }
      }
      // The system's own sweep runs before anyone reads the figures.
      await reports.sweep(new Date(now));
      const maintained = await storedState();

      const report = await reports.rebuild({ now: new Date(now) });
      const recomputed = await storedState();

      const trail = log.slice(-15).join('\n');
      expect(report.unitsDrifted, `drift ${JSON.stringify(report.drift)}\n${trail}`).to.equal(0);
      expect(report.entriesChanged, trail).to.equal(0);
      for (const unitId of new Set([...maintained.rosters.keys(), ...recomputed.rosters.keys()])) {
        expect(describeRoster(maintained.rosters.get(unitId)), `roster ${unitId}\n${trail}`).to.deep.equal(describeRoster(recomputed.rosters.get(unitId)));
        for (const [id, entry] of Object.entries(recomputed.rosters.get(unitId)?.members ?? {})) expect(sameEntry(entry, maintained.rosters.get(unitId)?.members[id])).to.equal(true);
      }
      for (const unitId of units) expect(maintained.totals.get(unitId), `totals ${unitId}\n${trail}`).to.deep.equal(recomputed.totals.get(unitId));
      // The sequence did exercise the interesting cases.
      expect(log.some((l) => l.startsWith('complete'))).to.equal(true);
      expect(log.some((l) => l.startsWith('move'))).to.equal(true);
      expect(log.some((l) => l.startsWith('+'))).to.equal(true);
      expect(log.some((l) => l.startsWith('rule'))).to.equal(true);
    });
  }
});
