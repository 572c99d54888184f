import { expect } from 'chai';
import { parseLearnerForm, runAction } from '../../../src/activities/index.js';
import { selfAssessment } from '../../../src/activities/self-assessment.js';
import { ValidationError } from '../../../src/lib/errors.js';
import { between, prng } from '../../helpers/prng.js';

const NOW = new Date('2026-03-02T09:30:00.000Z');
const statements = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `u${i + 1}`, text: `Jeg kan ting nummer ${i + 1}.` }));
const raw = (extra: Record<string, unknown> = {}) => ({ id: 'kartlegging-for', phase: 'before', statements: statements(5), ...extra });
const settings = selfAssessment.settingsSchema.parse(raw());
const assess = (ratings: Record<string, unknown>) => runAction('self-assessment', 'assess', raw(), undefined, { ratings }, NOW);

describe('activities/self-assessment', () => {
  describe('settings', () => {
    it('settings: 4 and 8 statements are accepted; 3 and 9 are refused as too few or too many', () => {
      expect(selfAssessment.settingsSchema.safeParse(raw({ statements: statements(4) })).success).to.equal(true);
      expect(selfAssessment.settingsSchema.safeParse(raw({ statements: statements(8) })).success).to.equal(true);
      const few = selfAssessment.settingsSchema.safeParse(raw({ statements: statements(3) }));
      const many = selfAssessment.settingsSchema.safeParse(raw({ statements: statements(9) }));
      expect(few.success || many.success).to.equal(false);
      expect(few.error!.issues[0]).to.include({ code: 'too_small', origin: 'array' });
      expect(many.error!.issues[0]).to.include({ code: 'too_big', origin: 'array' });
    });

    it('settings: an empty statement text, an unknown phase or a duplicate statement id is refused', () => {
      const empty = statements(4).map((s, i) => (i === 2 ? { ...s, text: '   ' } : s));
      expect(selfAssessment.settingsSchema.safeParse(raw({ statements: empty })).success).to.equal(false);
      expect(selfAssessment.settingsSchema.safeParse(raw({ phase: 'during' })).success).to.equal(false);
      const dup = selfAssessment.settingsSchema.safeParse(raw({ statements: [...statements(4), { id: 'u1', text: 'Igjen.' }] }));
      expect(dup.success).to.equal(false);
      expect(dup.error!.issues.map((i) => (i as { params?: { code?: string } }).params?.code)).to.include('selfAssessment.duplicateStatement');
    });

    it('completion: never counted (excluded), so it can neither gate a lesson nor hold back a completion', () => {
      expect(selfAssessment.completion).to.equal('excluded');
    });
  });

  describe('assess', () => {
    it('assess with every statement rated: the ratings and the time are stored; it is answered', () => {
      const state = assess({ u1: 1, u2: 2, u3: 3, u4: 4, u5: 5 }) as { ratings: Record<string, number>; answeredAt: string };
      expect(state).to.deep.equal({ ratings: { u1: 1, u2: 2, u3: 3, u4: 4, u5: 5 }, answeredAt: NOW.toISOString() });
      expect(selfAssessment.isComplete(settings, state)).to.equal(true);
      expect(selfAssessment.isComplete(settings, selfAssessment.initialState())).to.equal(false);
    });

    it('assess with ratings of unknown statements: they are left out', () => {
      const state = assess({ u1: 3, u2: 3, u3: 3, u4: 3, u5: 3, annet: 5 }) as { ratings: Record<string, number> };
      expect(Object.keys(state.ratings)).to.deep.equal(['u1', 'u2', 'u3', 'u4', 'u5']);
    });

    it('atomic: the same ratings as apply, written only if not older than what is stored', () => {
      const update = selfAssessment.actions.assess!.atomic(settings, { ratings: { u1: 1, u2: 2, u3: 3, u4: 4, u5: 5 } }, NOW);
      expect(update).to.deep.equal({ set: { ratings: { u1: 1, u2: 2, u3: 3, u4: 4, u5: 5 }, answeredAt: NOW.toISOString() }, onlyIfNotNewer: 'answeredAt' });
    });

    it('property: any rating outside 1–5 or a missing statement is refused with a message, and there is nothing to store', () => {
      const random = prng(19);
      for (let n = 0; n < 300; n += 1) {
        const ratings: Record<string, unknown> = Object.fromEntries(settings.statements.map((s) => [s.id, between(random, 1, 5)]));
        const victim = settings.statements[between(random, 0, settings.statements.length - 1)]!.id;
        const mode = between(random, 0, 2);
        if (mode === 0) delete ratings[victim];
        else if (mode === 1) ratings[victim] = between(random, -1000, 1000) * 7 + (random() < 0.5 ? 6 : 0);
        else ratings[victim] = [0, 6, 2.5, '3', null, -1][between(random, 0, 5)];
        if (typeof ratings[victim] === 'number' && Number.isInteger(ratings[victim]) && (ratings[victim] as number) >= 1 && (ratings[victim] as number) <= 5) ratings[victim] = 0;
        let thrown: unknown;
        let state: unknown;
        try {
          state = assess(ratings);
        } catch (err) {
          thrown = err;
        }
        expect(state, JSON.stringify(ratings)).to.equal(undefined);
        expect(thrown).to.be.instanceOf(ValidationError);
        const fields = Object.values((thrown as ValidationError).fields);
        expect(fields.length).to.be.at.least(1);
        for (const key of fields) expect(key).to.match(/^(learning:errors\.ratingsIncomplete|errors:validation)$/);
        // The atomic path, the one the lesson route stores with, refuses a missing statement too.
        if (mode === 0) expect(() => selfAssessment.actions.assess!.atomic(settings, { ratings }, NOW)).to.throw(ValidationError);
      }
    });
  });

  describe('parseForm', () => {
    it('parseForm: radio fields ratings[<id>] read as numbers; typed keeps them for the page', () => {
      const parsed = parseLearnerForm('assess', { 'ratings[u1]': '5', 'ratings[u2]': '1' });
      expect(parsed.errors).to.deep.equal({});
      expect(parsed.input).to.deep.equal({ ratings: { u1: 5, u2: 1 } });
      expect(parsed.typed).to.deep.equal({ ratings: { u1: 5, u2: 1 }, answeredAt: 'typed' });
    });

    it('parseForm: no rating at all, or a value outside 1–5, is a message (never an exception)', () => {
      expect(parseLearnerForm('assess', {}).errors).to.deep.equal({ ratings: 'learning:errors.ratingsIncomplete' });
      for (const bad of ['0', '6', '2.5', 'tre', '', ['1', '2']]) {
        expect(parseLearnerForm('assess', { 'ratings[u1]': bad }).errors, String(bad)).to.deep.equal({ ratings: 'learning:errors.ratingScale' });
      }
      expect(parseLearnerForm('assess', { ratings: { '../x': '3' } }).errors).to.deep.equal({ ratings: 'learning:errors.ratingScale' });
    });
  });

  it('personal fields: the ratings are blanked on anonymisation; leaders never see the activity', () => {
    expect(selfAssessment.personalFields).to.deep.equal({ ratings: {} });
    expect(selfAssessment.hiddenFromLeaders).to.equal(true);
  });
});
