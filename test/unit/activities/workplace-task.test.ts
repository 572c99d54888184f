import { expect } from 'chai';
import { workplaceTask } from '../../../src/activities/workplace-task.js';

const settings = workplaceTask.settingsSchema.parse({
  id: 'prov-i-praksis',
  title: 'Prøv i praksis',
  instructions: 'Gjør dette med barna.',
  reportPrompt: 'Hva la du merke til?',
});
const report = (input: { tried: boolean; note?: string }) =>
  workplaceTask.actions.report!.apply(settings, workplaceTask.initialState(), workplaceTask.actions.report!.input.parse(input) as never, new Date('2026-01-01T00:00:00Z'));

describe('activities/workplace-task', () => {
  it('settings: title, instructions and reportPrompt are required', () => {
    expect(workplaceTask.settingsSchema.safeParse({ id: 'x', title: 'T', instructions: 'I' }).success).to.equal(false);
  });

  it('report tried with a note: stored and complete', () => {
    const state = report({ tried: true, note: 'Det gikk fint.' });
    expect(state).to.deep.equal({ tried: true, note: 'Det gikk fint.', reportedAt: '2026-01-01T00:00:00.000Z' });
    expect(workplaceTask.isComplete(settings, state)).to.equal(true);
  });

  it('report tried without a note: the note is optional', () => {
    expect(report({ tried: true }).note).to.equal('');
  });

  it('report not tried yet: recorded, but not complete', () => {
    const state = report({ tried: false, note: 'Ikke fått til ennå.' });
    expect(state.reportedAt).to.be.a('string');
    expect(workplaceTask.isComplete(settings, state)).to.equal(false);
    expect(workplaceTask.isComplete(settings, workplaceTask.initialState())).to.equal(false);
  });
});
