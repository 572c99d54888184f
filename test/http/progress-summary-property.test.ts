import { expect } from 'chai';
import mongoose from 'mongoose';
import { buildTestApp, testServices } from '../helpers/app.js';
import { testClock } from '../helpers/clock.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { learningVersion, type Learner } from '../../src/components/learning/index.js';
import { activityStates, completionOf, readSummaryEntry } from '../../src/components/learning/progress.service.js';
import type { LearnerModuleEntry } from '../../src/components/learning/models.js';
import { decodeRoster, type RosterData } from '../../src/components/reports/roster.js';
import type { SessionUser } from '../../src/web/session-user.js';
import { prng } from '../helpers/prng.js';

/**
 * Property-style (fixed seeds): a learner's action writes their summary and asks for a report
 * recomputation only when what those show changes. Random sequences of actions — every kind, repeats
 * of the same answer, resubmitted action ids, saves that arrive out of order, pairs sent at once, a
 * leader's attendance record, pauses — must never leave either stale: after each sequence the stored
 * summary equals the one the progress documents give, and the report rosters and counts equal a full
 * rebuild from the sources.
 */

const MINUTE = 60_000;

interface Step {
  slug: string;
  lessonSlug: string;
  activityId: string;
  action: string;
  input: unknown;
  /** Can lower the percentage (so not sent as one of a parallel pair: which of the two came first decides the summary's high-water mark). */
  lowers?: true;
}

const QUIZ_RIGHT = { answers: { q1: [0] } };
const QUIZ_WRONG = { answers: { q1: [1] } };

function randomStep(random: () => number, allowLowering: boolean): Step {
  const texts = ['Første tanke', 'Andre tanke', 'Første tanke'];
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const steps: Step[] = [
    { slug: 'samtaler', lessonSlug: 'lytte', activityId: 'film', action: 'markWatched', input: {} },
    { slug: 'samtaler', lessonSlug: 'lytte', activityId: 'lesson:lytte', action: 'markRead', input: {} },
    { slug: 'samtaler', lessonSlug: 'lytte', activityId: 'tanker', action: 'save', input: { text: pick(texts) } },
    { slug: 'samtaler', lessonSlug: 'sporre', activityId: 'sjekk', action: 'submit', input: random() < 0.5 ? QUIZ_RIGHT : QUIZ_WRONG },
    { slug: 'samtaler', lessonSlug: 'sporre', activityId: 'prov', action: 'report', input: { tried: true, note: pick(['', 'Gikk fint']) } },
    { slug: 'samtaler', lessonSlug: 'sporre', activityId: 'lesson:sporre', action: 'markRead', input: {} },
    { slug: 'samtaler', lessonSlug: 'sammen', activityId: 'lesson:sammen', action: 'markRead', input: {} },
    { slug: 'alfa', lessonSlug: 'lytte', activityId: 'film', action: 'markWatched', input: {} },
    { slug: 'alfa', lessonSlug: 'lytte', activityId: 'tanker', action: 'save', input: { text: pick(texts) } },
    { slug: 'alfa', lessonSlug: 'lytte', activityId: 'lesson:lytte', action: 'markRead', input: {} },
  ];
  if (allowLowering) {
    steps.push(
      { slug: 'samtaler', lessonSlug: 'lytte', activityId: 'tanker', action: 'save', input: { text: '' }, lowers: true },
      { slug: 'samtaler', lessonSlug: 'sporre', activityId: 'prov', action: 'report', input: { tried: false, note: '' }, lowers: true },
      { slug: 'alfa', lessonSlug: 'lytte', activityId: 'tanker', action: 'save', input: { text: '' }, lowers: true },
    );
  }
  return pick(steps);
}

type StoredEntry = { minor: number; percent: number; lastLesson: string | null; startedAt: string; updatedAt: string; completedAt: string | null };

async function storedSummaries(): Promise<Map<string, Record<string, Record<string, StoredEntry>>>> {
  const docs = await mongoose.connection.db!.collection<{ _id: string; modules?: Record<string, Record<string, StoredEntry>> }>('learners').find({}).toArray();
  // Read as the service reads them (the lesson mark gives lastLesson).
  const read = (modules: Record<string, Record<string, StoredEntry>>) =>
    Object.fromEntries(Object.entries(modules).map(([slug, majors]) => [slug, Object.fromEntries(Object.entries(majors).map(([m, e]) => [m, readSummaryEntry(e as LearnerModuleEntry) as StoredEntry]))]));
  return new Map(docs.map((d) => [String(d._id), read(d.modules ?? {})]));
}

type StoredProgress = { _id: string; userId: string; moduleSlug: string; major: number; minor: number; activities: Record<string, unknown>; lastLesson: string | null; startedAt: Date; completedAt: Date | null };

async function storedProgress(): Promise<StoredProgress[]> {
  return mongoose.connection.db!.collection<StoredProgress>('progress').find({}).toArray();
}

/** The percentage a progress document shows now (100 once completed: completion is never taken back). */
async function percentOf(p: StoredProgress): Promise<number> {
  if (p.completedAt) return 100;
  const version = (await learningVersion(`${p.moduleSlug}@${p.major}.${p.minor}`))!;
  return completionOf(version, activityStates(version, p.activities)).percent;
}

async function storedReports(): Promise<{ rosters: Map<string, string[]>; totals: Map<string, unknown> }> {
  const db = mongoose.connection.db!;
  const rosters = new Map<string, string[]>();
  const shown = (r: RosterData) =>
    Object.entries(r.members)
      .filter(([, e]) => !e.gone)
      .map(([id, e]) => `${id}:${e.r}:${JSON.stringify(Object.entries(e.m).sort())}`)
      .sort();
  for (const doc of await db.collection('report_rosters').find({}).toArray()) rosters.set(String(doc._id), shown(decodeRoster(doc.data as string)));
  const totals = new Map<string, unknown>();
  for (const doc of await db.collection('report_totals').find({ _id: { $ne: 'head' as never } }).toArray()) {
    for (const [unitId, entry] of Object.entries((JSON.parse(doc.data as string) as { units: Record<string, { t: unknown }> }).units)) totals.set(unitId, entry.t);
  }
  return { rosters, totals };
}

describe("learning: a person's summary and report entry after random actions equal a recomputation (property, fixed seeds)", function () {
  this.timeout(600_000);
  const clock = testClock();
  let stopCounting = () => {};
  afterEach(() => {
    clock.set(null);
    stopCounting();
  });

  for (const seed of [5, 77, 2026, 31337, 8, 99]) {
    it(`seed ${seed}: 8 sequences of 12 steps, repeats, out-of-order saves and parallel pairs leave neither summary nor report stale`, async () => {
      await clearDatabase();
      const random = prng(seed);
      const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      let now = Date.now();
      clock.set(() => new Date(now));
      const services = testServices({ clock });
      await buildTestApp({ services }); // its report service listens to learning's events
      const { learning, reports } = services;
      const unitId = await createUnit('Enhet 1', 'barnehage', 'Øst');
      await publishFixture({ slug: 'samtaler' });
      await publishFixture({ slug: 'alfa', small: true });
      const learners: Learner[] = [];
      for (let i = 0; i < 2; i += 1) learners.push({ id: (await createUser({ name: `Person ${i}`, memberships: [{ unitId, role: 'ansatt' }] })).id, name: `Person ${i}`, memberOf: new Set([unitId]) });
      const leaderId = (await createUser({ name: 'Leder', memberships: [{ unitId, role: 'leder' }] })).id;
      const leader: SessionUser = { id: leaderId, name: 'Leder', email: 'leder@test.example', roles: new Set(), memberOf: new Set([unitId]), leaderOf: new Set([unitId]) };

      // Counts the summary writes, to show the sequences did reach actions that skip them.
      let summaryWrites = 0;
      const client = mongoose.connection.getClient();
      const onCommand = (event: mongoose.mongo.CommandStartedEvent) => {
        if (event.commandName === 'update' && event.command.update === 'learners') summaryWrites += 1;
      };
      client.on('commandStarted', onCommand);
      stopCounting = () => client.off('commandStarted', onCommand);

      let count = 0;
      let skipped = 0;
      const usedIds: string[] = [];
      const log: string[] = [];
      // The summary's percentage is a high-water mark ($max): the highest any progress state showed.
      const highWater = new Map<string, number>();
      const noteHighWater = async () => {
        for (const p of await storedProgress()) highWater.set(p._id, Math.max(highWater.get(p._id) ?? 0, await percentOf(p)));
      };
      const act = (person: Learner, step: Step, at: number, actionId?: string) => {
        const id = actionId ?? `prop-${seed}-${(count += 1)}`;
        usedIds.push(id);
        log.push(`${person.name} ${step.slug}/${step.activityId}.${step.action} ${JSON.stringify(step.input)} @${at - now} ${id}`);
        return learning.act(person, { ...step, actionId: id, now: new Date(at) });
      };

      for (let sequence = 0; sequence < 8; sequence += 1) {
        for (let i = 0; i < 12; i += 1) {
          const person = pick(learners);
          const roll = random();
          now += Math.floor(random() * 5) * MINUTE;
          const writesBefore = summaryWrites;
          if (roll < 0.45) {
            await act(person, randomStep(random, true), now);
            if (summaryWrites === writesBefore) skipped += 1;
          } else if (roll < 0.55 && usedIds.length) {
            // A resubmitted form: the same action id again, changing nothing.
            await act(person, randomStep(random, false), now, pick(usedIds));
            if (summaryWrites === writesBefore) skipped += 1;
          } else if (roll < 0.65) {
            // A save that arrives late: older than what is stored (refused for saves and reports).
            await act(person, randomStep(random, true), now - (1 + Math.floor(random() * 10)) * MINUTE);
          } else if (roll < 0.75) {
            // Two at once, as from two tabs: same or different activities.
            const first = randomStep(random, false);
            const second = random() < 0.4 ? first : randomStep(random, false);
            await Promise.all([act(person, first, now), act(person, second, now)]);
          } else if (roll < 0.85) {
            // Two tabs in two lessons, each re-reading what was read: nothing but the lesson to continue
            // at changes, and it can go there and back between one request's read and its update.
            const reads = ['lytte', 'sporre', 'sammen'].map((lesson) => ({ slug: 'samtaler', lessonSlug: lesson, activityId: `lesson:${lesson}`, action: 'markRead', input: {} }));
            const first = pick(reads);
            const second = pick(reads.filter((r) => r !== first));
            await Promise.all([act(person, first, now), act(person, second, now)]);
          } else if (roll < 0.93) {
            log.push(`attendance ${person.name}`);
            await learning.recordTeamAttendance(leader, { personId: person.id, slug: 'samtaler', activityId: 'team', attended: random() < 0.7, now: new Date(now) });
          } else {
            // Back after a pause: even an action that changes nothing shown moves the summary's updatedAt.
            now += (61 + Math.floor(random() * 120)) * MINUTE;
            const step = randomStep(random, false);
            await act(person, step, now);
            const entry = (await storedSummaries()).get(person.id)?.[step.slug]?.m1;
            expect(entry?.updatedAt, `after a pause\n${log.slice(-12).join('\n')}`).to.equal(new Date(now).toISOString());
          }
          await noteHighWater();
        }

        const trail = `seed ${seed} sequence ${sequence}\n${log.slice(-25).join('\n')}`;
        const summaries = await storedSummaries();
        for (const p of await storedProgress()) {
          const entry = summaries.get(p.userId)?.[p.moduleSlug]?.[`m${p.major}`];
          expect(entry, `summary of ${p._id}\n${trail}`).to.not.equal(undefined);
          expect(
            { minor: entry!.minor, percent: entry!.percent, lastLesson: entry!.lastLesson, startedAt: entry!.startedAt, completedAt: entry!.completedAt },
            `summary of ${p._id}\n${trail}`,
          ).to.deep.equal({
            minor: p.minor,
            percent: highWater.get(p._id),
            lastLesson: p.lastLesson,
            startedAt: p.startedAt.toISOString(),
            completedAt: p.completedAt ? p.completedAt.toISOString() : null,
          });
        }
        const maintained = await storedReports();
        const rebuilt = await reports.rebuild({ now: new Date(now) });
        const recomputed = await storedReports();
        expect(rebuilt.unitsDrifted, `drift ${JSON.stringify(rebuilt.drift)}\n${trail}`).to.equal(0);
        expect(rebuilt.entriesChanged, trail).to.equal(0);
        expect([...maintained.rosters], trail).to.deep.equal([...recomputed.rosters]);
        expect(maintained.totals.get(unitId), trail).to.deep.equal(recomputed.totals.get(unitId));
      }
      // The sequences did reach the interesting cases: a completion, and actions that found nothing to write.
      const facts = await mongoose.connection.db!.collection('completions').countDocuments();
      expect(facts, log.join('\n')).to.be.greaterThan(0);
      expect(skipped, `actions that wrote no summary, of ${count}`).to.be.greaterThan(3);
    });
  }
});
