import { expect } from 'chai';
import { reflection } from '../../../src/activities/reflection.js';

const settings = reflection.settingsSchema.parse({ id: 'egen-praksis', prompt: 'Hva ser du?' });

describe('activities/reflection', () => {
  it('settings: a prompt is required; title is optional', () => {
    expect(settings).to.deep.equal({ id: 'egen-praksis', prompt: 'Hva ser du?', required: true });
    expect(reflection.settingsSchema.safeParse({ id: 'x' }).success).to.equal(false);
  });

  it('save: stores the text with normalised line ends and the time; completes when something is written', () => {
    const state = reflection.actions.save!.apply(settings, reflection.initialState(), { text: 'Linje 1\r\nLinje 2' } as never, new Date('2026-01-01T00:00:00Z'));
    expect(state).to.deep.equal({ text: 'Linje 1\nLinje 2', savedAt: '2026-01-01T00:00:00.000Z' });
    expect(reflection.isComplete(settings, state)).to.equal(true);
  });

  it('save with only whitespace: saved, but not complete', () => {
    const state = reflection.actions.save!.apply(settings, reflection.initialState(), { text: '   \n ' } as never, new Date());
    expect(reflection.isComplete(settings, state)).to.equal(false);
    expect(reflection.isComplete(settings, reflection.initialState())).to.equal(false);
  });

  it('save input: more than 10 000 characters is refused by the input schema', () => {
    expect(reflection.actions.save!.input.safeParse({ text: 'x'.repeat(10_001) }).success).to.equal(false);
  });

  it('publicSettings: the prompt rendered; completion mode is custom', () => {
    expect(reflection.publicSettings(settings, { assetUrl: () => undefined, readText: () => undefined, markdown: (s) => `<p>${s}</p>`, language: 'nb' })).to.deep.equal({
      title: null,
      promptHtml: '<p>Hva ser du?</p>',
    });
    expect(reflection.completion).to.equal('custom');
  });
});
