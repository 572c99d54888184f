import { expect } from 'chai';
import { effectContribution } from '../../../src/activities/index.js';

/**
 * The `effect` hooks (issue 19): what one learner's stored answers add to the reports' effect
 * figures — the change over the statements rated both times, the evaluation's scores — and nothing
 * once the person is anonymised (their ratings and scores blanked) or from settings that no longer parse.
 */

const statements = ['u1', 'u2', 'u3', 'u4'].map((id) => ({ id, text: `Påstand ${id}` }));
const before = { kind: 'self-assessment', settings: { id: 'for', required: false, phase: 'before', statements } };
const after = { kind: 'self-assessment', settings: { id: 'etter', required: false, phase: 'after', statements } };
const evaluation = { kind: 'module-evaluation', settings: { id: 'vurdering', required: false } };
const at = '2026-03-01T10:00:00.000Z';

describe('activities: effect contribution of a learner (self-assessment and evaluation hooks)', () => {
  it('both self-assessments answered: the sum of after − before over the statements rated both times, their number and when', () => {
    const result = effectContribution([
      { ...before, stored: { ratings: { u1: 1, u2: 2, u3: 3, u4: 5 }, answeredAt: '2026-01-01T10:00:00.000Z' } },
      { ...after, stored: { ratings: { u1: 3, u2: 4, u3: 3, u4: 4 }, answeredAt: at } },
    ]);

    expect(result).to.deep.equal({ change: { sum: 2 + 2 + 0 - 1, pairs: 4, at } });
  });

  it('only the before answered, or nothing: no contribution', () => {
    expect(effectContribution([{ ...before, stored: { ratings: { u1: 1, u2: 2, u3: 3, u4: 5 }, answeredAt: at } }, { ...after, stored: undefined }])).to.deep.equal({});
    expect(effectContribution([{ ...before, stored: undefined }, { ...after, stored: undefined }, { ...evaluation, stored: undefined }])).to.deep.equal({});
  });

  it('an evaluation: its scores and when; an anonymised one (scores blanked, time kept) adds nothing', () => {
    expect(effectContribution([{ ...evaluation, stored: { usefulness: 4, relevance: 5, recommend: false, suggestion: 'x', evaluatedAt: at } }])).to.deep.equal({
      evaluation: { usefulness: 4, relevance: 5, recommend: false, at },
    });
    expect(effectContribution([{ ...evaluation, stored: { usefulness: null, relevance: null, recommend: null, suggestion: '', evaluatedAt: at } }])).to.deep.equal({});
  });

  it('an anonymised self-assessment (ratings emptied, time kept) adds nothing', () => {
    const result = effectContribution([
      { ...before, stored: { ratings: {}, answeredAt: at } },
      { ...after, stored: { ratings: {}, answeredAt: at } },
    ]);

    expect(result).to.deep.equal({});
  });

  it('settings that no longer pass the schema add nothing instead of failing the report', () => {
    const broken = { kind: 'self-assessment', settings: { id: 'etter', phase: 'after', statements: [] } };

    const result = effectContribution([
      { ...before, stored: { ratings: { u1: 1, u2: 2, u3: 3, u4: 5 }, answeredAt: at } },
      { ...broken, stored: { ratings: { u1: 5 }, answeredAt: at } },
    ]);

    expect(result).to.deep.equal({});
  });
});
