import { expect } from 'chai';
import { reading } from '../../../src/activities/reading.js';

const settings = reading.settingsSchema.parse({ id: 'lesson:hva-er-inkludering' });
const now = new Date('2026-03-01T10:00:00.000Z');

describe('activities/reading', () => {
  it('settings: the platform id lesson:<slug> is accepted, required by default; an author id is refused', () => {
    expect(settings).to.deep.equal({ id: 'lesson:hva-er-inkludering', required: true });
    expect(reading.settingsSchema.safeParse({ id: 'hva-er' }).success).to.equal(false);
    expect(reading.authored).to.equal(false);
  });

  it('markRead on a fresh state: records the time and completes', () => {
    const state = reading.actions.markRead!.apply(settings, reading.initialState(), {} as never, now);
    expect(state).to.deep.equal({ readAt: '2026-03-01T10:00:00.000Z' });
    expect(reading.isComplete(settings, state)).to.equal(true);
    expect(reading.stateSchema.safeParse(state).success).to.equal(true);
  });

  it('markRead twice: keeps the first time', () => {
    const first = reading.actions.markRead!.apply(settings, reading.initialState(), {} as never, now);
    const second = reading.actions.markRead!.apply(settings, first, {} as never, new Date('2026-04-01T00:00:00Z'));
    expect(second.readAt).to.equal('2026-03-01T10:00:00.000Z');
  });

  it('isComplete on the initial state: false; completion mode is on-view', () => {
    expect(reading.isComplete(settings, reading.initialState())).to.equal(false);
    expect(reading.completion).to.equal('on-view');
  });
});
