import { expect } from 'chai';
import { registry, completingAction, runAction, isActivityComplete } from '../../../src/activities/index.js';
import { parseModule } from '../../../src/components/modules/parser.js';
import { fixtureSource } from '../../helpers/learning-fixture.js';

/**
 * Every activity kind declares the action that completes it (the demo municipality's history is made
 * of these). For every activity of the test module, which has every kind, that action from the
 * initial state completes the activity; and no registered kind is left out.
 */
describe('activities: each kind’s completing action completes it', () => {
  it('every activity of a module with every kind is complete after its kind’s completing action', () => {
    const parsed = parseModule(fixtureSource({ effect: true }));
    expect(parsed.module, JSON.stringify(parsed.problems)).to.not.equal(undefined);
    const activities = parsed.module!.activities;
    const kinds = new Set(activities.map((a) => a.kind));
    expect([...registry.kindNames].filter((k) => !kinds.has(k)), 'kinds the fixture lacks').to.deep.equal([]);
    const now = new Date('2026-03-01T10:00:00Z');
    for (const a of activities) {
      expect(isActivityComplete(a.kind, a.settings, undefined), `${a.id} is not complete before`).to.equal(false);
      const { action, input } = completingAction(a.kind, a.settings);
      const state = runAction(a.kind, action, a.settings, undefined, input, now);
      expect(isActivityComplete(a.kind, a.settings, state), `${a.kind} ${a.id}`).to.equal(true);
    }
  });
});
