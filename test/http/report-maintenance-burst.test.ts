import { expect } from 'chai';
import mongoose from 'mongoose';
import { buildTestApp, testServices } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { prng } from '../helpers/prng.js';
import { learningVersion, ProgressService } from '../../src/components/learning/index.js';
import { createLogger } from '../../src/lib/logger.js';

/**
 * A whole unit starting a module at once (a staff meeting, the fault drill's 30 learners): the report
 * summaries of the unit must come out exactly right, and their upkeep must not grow with the number
 * of people times the number of events (each action's events are one recomputation, and a unit's
 * roster is written in groups). Counted in database commands, which are exact, not in time.
 */
describe('http: report upkeep when a whole unit acts at once', function () {
  this.timeout(300_000);

  it('30 people of one unit, each a first action at the same moment: counts exact, one recomputation per action, at most one roster write each', async () => {
    await clearDatabase();
    const services = testServices();
    await buildTestApp({ services }); // its report service listens to the events
    await publishFixture({ slug: 'alfa', small: true });
    const unit = await createUnit('Samlet enhet', 'barnehage', 'Øst');
    const people: string[] = [];
    for (let i = 0; i < 30; i += 1) people.push((await createUser({ name: `Person ${i}`, memberships: [{ unitId: unit, role: 'ansatt' }] })).id);
    const version = (await learningVersion('alfa@1.0'))!;
    const progress = new ProgressService(createLogger('silent'));

    const commands = new Map<string, number>();
    const client = mongoose.connection.getClient();
    const count = (event: mongoose.mongo.CommandStartedEvent) => {
      const key = `${event.commandName} ${String(event.command[event.commandName])}`;
      commands.set(key, (commands.get(key) ?? 0) + 1);
    };
    client.on('commandStarted', count);
    try {
      await Promise.all(people.map((userId, i) => progress.act({ userId, version, activityId: 'film', action: 'markWatched', input: {}, actionId: `burst-action-${i}`, unitIds: [unit] })));
    } finally {
      client.off('commandStarted', count);
    }
    const rosterWrites = (commands.get('update report_rosters') ?? 0) + (commands.get('insert report_rosters') ?? 0);
    const rosterReads = commands.get('find report_rosters') ?? 0;
    // At most one roster write per action, fewer when actions overlap (60 before: two recomputations
    // per first action, one write each). How many overlap depends on timing; that writers arriving
    // together go as one write is proven exactly in test/http/json-store.test.ts.
    expect(rosterWrites, JSON.stringify(Object.fromEntries(commands))).to.be.within(1, 30);
    expect(rosterReads).to.be.within(1, 30);
    // One recomputation per action: the person's summary is read once for all of its events.
    expect(commands.get('find learners')).to.equal(30);

    const report = await services.reports.rebuild();
    expect(report.entriesChanged, JSON.stringify(report.drift)).to.equal(0);
    expect(report.unitsDrifted).to.equal(0);
  });

  it('random bursts (seeded) of first, repeated and completing actions in two units: the summaries equal a full recomputation', async () => {
    await clearDatabase();
    const services = testServices();
    await buildTestApp({ services });
    await publishFixture({ slug: 'alfa', small: true });
    const units = [await createUnit('Enhet A', 'barnehage', 'Øst'), await createUnit('Enhet B', 'skole', 'Vest')];
    const random = prng(2026);
    const people: Array<{ id: string; units: string[] }> = [];
    for (let i = 0; i < 16; i += 1) {
      const mine = random() < 0.25 ? units : [units[i % 2]!];
      people.push({ id: (await createUser({ name: `Person ${i}`, memberships: mine.map((unitId) => ({ unitId, role: 'ansatt' as const })) })).id, units: mine });
    }
    const version = (await learningVersion('alfa@1.0'))!;
    const progress = new ProgressService(createLogger('silent'));
    const steps = [
      { activityId: 'film', action: 'markWatched', input: {} },
      { activityId: 'tanker', action: 'save', input: { text: 'Noe å tenke på' } },
      { activityId: 'lesson:lytte', action: 'markRead', input: {} },
    ];
    let n = 0;
    for (let round = 0; round < 6; round += 1) {
      const burst = people.filter(() => random() < 0.7);
      await Promise.all(
        burst.map((p) => {
          const step = steps[Math.floor(random() * steps.length)]!;
          return progress.act({ userId: p.id, version, ...step, actionId: `random-action-${(n += 1)}`, unitIds: p.units });
        }),
      );
    }
    const report = await services.reports.rebuild();
    expect(report.entriesChanged, JSON.stringify(report.drift)).to.equal(0);
    expect(report.unitsDrifted).to.equal(0);
  });
});
