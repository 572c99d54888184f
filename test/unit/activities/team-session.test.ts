import { expect } from 'chai';
import { teamSession } from '../../../src/activities/team-session.js';

const raw = {
  id: 'teammote',
  title: 'Teammøte',
  purpose: 'Dele erfaringer.',
  minutes: 60,
  steps: [
    { title: 'Innledning', minutes: 10, description: 'Lederen ønsker velkommen.' },
    { title: 'Samtale', minutes: 40, description: 'I grupper.' },
  ],
  questions: ['Hva lærte vi?'],
};
const settings = teamSession.settingsSchema.parse(raw);

describe('activities/team-session', () => {
  it('settings: preparation defaults to an empty list; steps and questions are required', () => {
    expect(settings.preparation).to.deep.equal([]);
    expect(teamSession.settingsSchema.safeParse({ ...raw, steps: [] }).success).to.equal(false);
    expect(teamSession.settingsSchema.safeParse({ ...raw, questions: undefined }).success).to.equal(false);
  });

  it('settings: steps that take longer than the session are refused at minutes', () => {
    const result = teamSession.settingsSchema.safeParse({ ...raw, minutes: 30 });
    expect(result.error!.issues.map((i) => i.path.join('.'))).to.deep.equal(['minutes']);
  });

  it('recordAttendance by a leader: attended completes, and can be corrected later', () => {
    const attended = teamSession.actions.recordAttendance!.apply(settings, teamSession.initialState(), { attended: true, recordedBy: 'leader-1' } as never, new Date('2026-01-01T00:00:00Z'));
    expect(attended).to.deep.equal({ attended: true, recordedAt: '2026-01-01T00:00:00.000Z', recordedBy: 'leader-1' });
    expect(teamSession.isComplete(settings, attended)).to.equal(true);
    const corrected = teamSession.actions.recordAttendance!.apply(settings, attended, { attended: false, recordedBy: 'leader-1' } as never, new Date('2026-01-02T00:00:00Z'));
    expect(teamSession.isComplete(settings, corrected)).to.equal(false);
  });

  it('recordAttendance input: the recording leader is required', () => {
    expect(teamSession.actions.recordAttendance!.input.safeParse({ attended: true }).success).to.equal(false);
  });

  it('initial state: not complete; completion mode is custom', () => {
    expect(teamSession.isComplete(settings, teamSession.initialState())).to.equal(false);
    expect(teamSession.completion).to.equal('custom');
  });
});
