import { expect } from 'chai';
import { anonymisedFields, parseLearnerForm, runAction } from '../../../src/activities/index.js';
import { moduleEvaluation } from '../../../src/activities/module-evaluation.js';
import { between, prng } from '../../helpers/prng.js';

const NOW = new Date('2026-03-02T09:30:00.000Z');
const settings = moduleEvaluation.settingsSchema.parse({ id: 'vurdering' });

describe('activities/module-evaluation', () => {
  it('settings: only an id is needed; unknown settings are refused', () => {
    expect(moduleEvaluation.settingsSchema.safeParse({ id: 'v' }).success).to.equal(true);
    expect(moduleEvaluation.settingsSchema.safeParse({ id: 'v', questions: [] }).success).to.equal(false);
    expect(moduleEvaluation.completion).to.equal('excluded');
  });

  it('evaluate: the ratings, the recommendation and the trimmed suggestion are stored', () => {
    const state = runAction('module-evaluation', 'evaluate', { id: 'vurdering' }, undefined, { usefulness: 5, relevance: 3, recommend: true, suggestion: ' Mer om SFO.\r\n' }, NOW);
    expect(state).to.deep.equal({ usefulness: 5, relevance: 3, recommend: true, suggestion: 'Mer om SFO.', evaluatedAt: NOW.toISOString() });
    expect(moduleEvaluation.isComplete(settings, state as never)).to.equal(true);
  });

  it('parseForm: every missing answer gets its own message; what was typed is kept', () => {
    const parsed = parseLearnerForm('evaluate', { suggestion: 'Kortere leksjoner' });
    expect(parsed.errors).to.deep.equal({
      usefulness: 'learning:errors.usefulnessRequired',
      relevance: 'learning:errors.relevanceRequired',
      recommend: 'learning:errors.recommendRequired',
    });
    expect(parsed.typed).to.include({ suggestion: 'Kortere leksjoner' });
    expect(parseLearnerForm('evaluate', { usefulness: '4', relevance: '2', recommend: 'false', suggestion: 'x'.repeat(2001) }).errors).to.deep.equal({ suggestion: 'learning:errors.suggestionTooLong' });
  });

  it('property: a rating outside 1–5 is refused by the form with a message, and by the action', () => {
    const random = prng(1919);
    for (let n = 0; n < 200; n += 1) {
      const bad = [String(between(random, 6, 1000)), String(-between(random, 0, 1000)), '2.5', 'fem', ''][between(random, 0, 4)]!;
      const field = random() < 0.5 ? 'usefulness' : 'relevance';
      const body = { usefulness: '3', relevance: '3', recommend: 'true', [field]: bad };
      expect(parseLearnerForm('evaluate', body).errors).to.have.property(field);
      expect(() => runAction('module-evaluation', 'evaluate', { id: 'v' }, undefined, { usefulness: 3, relevance: 3, recommend: true, [field]: Number(bad) || 0 }, NOW)).to.throw();
    }
  });

  it('anonymisation: the answers are blanked, when it was given stays', () => {
    const state = { usefulness: 4, relevance: 2, recommend: false, suggestion: 'Fint', evaluatedAt: NOW.toISOString() };
    expect(anonymisedFields(state)).to.deep.equal({ usefulness: null, relevance: null, recommend: null, suggestion: '' });
    expect(anonymisedFields({ text: 'x' })).to.deep.equal({});
  });
});
