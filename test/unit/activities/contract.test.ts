import { expect } from 'chai';
import type { TFunction } from 'i18next';
import {
  attendanceAction,
  choiceQuestions,
  completingAction,
  isActivityComplete,
  isRecordedByLeader,
  journalEntry,
  lastTouchedAt,
  learnerActionOf,
  learnerFieldId,
  listedAs,
  parseLearnerForm,
  recordedAttendance,
  registry,
  runAction,
} from '../../../src/activities/index.js';
import { activitySamples, bokmaal, renderActivityPartial } from '../../helpers/activity-samples.js';

/**
 * The contract of the activity hooks (src/activities/types.ts), checked for every registered kind:
 * learning, teams and the module checks rely on these answers instead of knowing the kinds, so a
 * new kind that breaks one fails here, not on a page.
 */

const NOW = new Date('2026-03-02T09:30:00.000Z');
const I18N_KEY = /^[a-z]+:[A-Za-z0-9.]+$/;

/** Bodies no form of ours sends: repeated fields, objects, wrong types, oversized text. */
const HOSTILE_BODIES: Array<Record<string, unknown>> = [
  {},
  { text: ['a', 'b'], note: { $gt: '' }, tried: 'kanskje', answers: 'alle', attempt: '-1' },
  { text: 'x'.repeat(20_000), note: 'x'.repeat(20_000), tried: ['true', 'false'], 'answers[q1]': ['0', 'x'], attempt: '99999999' },
  { answers: { q1: [0, 1, 2], q2: 'x', constructor: [0] }, 'answers[../q]': '0', 'answers[q1]': '10' },
  { answers: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`q${i}`, ['0']])) },
];

/** The value at a path of settings, as the YAML the author wrote would have it. */
function at(value: unknown, path: ReadonlyArray<string | number>): unknown {
  return path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[key] : undefined), value);
}

describe('activities/contract', () => {
  const samples = activitySamples();
  let t: TFunction;
  before(async () => {
    t = await bokmaal();
  });
  /** i18next answers a missing key with the key (without its namespace). */
  const translated = (key: string) => {
    const text = t(key, { title: 'Tittel' });
    return text !== key && text !== key.slice(key.indexOf(':') + 1);
  };

  it('every registered kind has sample settings, so the contract below covers it', () => {
    const missing = [...registry.kindNames].filter((kind) => !samples[kind]);
    expect(missing, 'add sample settings for these kinds to test/helpers/activity-samples.ts').to.deep.equal([]);
  });

  for (const [name, kind] of registry.kinds) {
    describe(`kind ${name}`, () => {
      const sample = () => samples[name]!;
      const completed = () => {
        const { action, input } = completingAction(name, sample());
        return runAction(name, action, sample(), undefined, input, NOW);
      };

      it('someone completes it: its learners (learnerAction) or a leader (recordedByLeader), never both', () => {
        expect(kind.learnerAction === undefined, 'exactly one of learnerAction and recordedByLeader').to.not.equal(kind.recordedByLeader === undefined);
        expect(learnerActionOf(name)).to.equal(kind.learnerAction ?? null);
        expect(isRecordedByLeader(name)).to.equal(kind.recordedByLeader !== undefined);
        expect(registry.byLearnerAction(kind.learnerAction ?? '')).to.equal(kind.learnerAction ? kind : undefined);
      });

      it('lastTouchedAt: undefined before anything is done, then the time of the completing action', () => {
        expect(lastTouchedAt(name, kind.initialState())).to.equal(undefined);
        expect(lastTouchedAt(name, undefined)).to.equal(undefined);
        if (!kind.lastTouchedAt) return;
        const touched = lastTouchedAt(name, completed());
        expect(touched).to.be.instanceOf(Date);
        expect(touched!.getTime()).to.equal(NOW.getTime());
      });

      it('journalEntry: nothing before the learner acts; afterwards the author prompt and the learner words', () => {
        expect(journalEntry(name, sample(), kind.initialState())).to.equal(null);
        if (!kind.journalEntry) {
          expect(journalEntry(name, sample(), completed())).to.equal(null);
          return;
        }
        const entry = journalEntry(name, sample(), completed())!;
        expect(entry).to.have.all.keys('label', 'prompt', 'text', 'tried', 'savedAt');
        expect(entry.label).to.match(I18N_KEY);
        expect(translated(entry.label), `${entry.label} is translated`).to.equal(true);
        expect(entry.prompt).to.be.a('string').and.not.equal('');
        expect(entry.text).to.be.a('string');
        expect(entry.tried === null || typeof entry.tried === 'boolean').to.equal(true);
        expect(entry.savedAt?.getTime()).to.equal(NOW.getTime());
      });

      it('choiceQuestions: each question and its text are found at their paths in the settings', () => {
        const settings = kind.settingsSchema.parse(sample());
        const questions = choiceQuestions(name, sample());
        if (!kind.choiceQuestions) {
          expect(questions).to.deep.equal([]);
          return;
        }
        expect(questions.length).to.be.at.least(1);
        for (const question of questions) {
          expect((at(settings, question.path) as { id?: unknown }).id).to.equal(question.id);
          expect(at(settings, question.textPath)).to.equal(question.text);
          expect(question.options.length).to.be.at.least(2);
          expect(question.options.some((o) => o.correct)).to.equal(true);
        }
      });

      it('listedAs: the lesson list names it by a translated key, or by its title', () => {
        if (!kind.listedAs) {
          expect(listedAs(name, 'Tittel')).to.equal(null);
          return;
        }
        const key = listedAs(name, '')!;
        expect(key).to.match(I18N_KEY);
        expect(translated(key), `${key} is translated`).to.equal(true);
        expect(listedAs(name, 'Tittel')).to.equal(kind.listedAs.untitledOnly ? null : key);
      });

      if (kind.learnerAction) {
        const action = kind.learnerAction;

        it('after the learner action, the page confirms it in words of its own (learning:flash.<kind>)', () => {
          const key = `learning:flash.${name}`;
          expect(translated(key), `${key} is translated`).to.equal(true);
        });

        it('parseForm: the completing input, posted as the form, reads without errors and completes the activity', () => {
          const completing = completingAction(name, sample());
          expect(completing.action, 'the completing action is the learner action').to.equal(action);
          const parsed = parseLearnerForm(action, completing.input as Record<string, unknown>);
          expect(parsed.errors).to.deep.equal({});
          const state = runAction(name, action, sample(), undefined, parsed.input, NOW);
          expect(isActivityComplete(name, sample(), state)).to.equal(true);
        });

        it('parseForm: never throws on a hostile body; what it lets through is valid input, its problems are i18n keys', () => {
          for (const body of HOSTILE_BODIES) {
            const parsed = parseLearnerForm(action, body);
            expect(parsed).to.have.all.keys('input', 'typed', 'errors');
            for (const key of Object.values(parsed.errors)) expect(key).to.match(I18N_KEY);
            if (Object.keys(parsed.errors).length === 0) expect(() => runAction(name, action, sample(), undefined, parsed.input, NOW)).to.not.throw();
          }
        });

        it('fieldIds: one control per field, each rendered with that id by the partial', async () => {
          const ids = Object.entries(kind.fieldIds ?? {});
          expect(new Set(ids.map(([, suffix]) => suffix)).size, 'no two fields share a control').to.equal(ids.length);
          const html = await renderActivityPartial(name, sample(), t);
          const base = `act-${String(sample().id)}`;
          for (const [field, suffix] of ids) {
            expect(learnerFieldId(action, field)).to.equal(suffix);
            expect(html, `${name}: the partial renders id="${base}-${suffix}" for ${field}`).to.contain(`id="${base}-${suffix}"`);
          }
          expect(learnerFieldId(action, 'constructor'), 'only own fields').to.equal(undefined);
        });
      }

      if (kind.recordedByLeader) {
        it('recordedByLeader: recording presence completes it and reads back as attended; absence reads back as not', () => {
          expect(recordedAttendance(name, kind.initialState())).to.equal(false);
          const present = attendanceAction(name, true, 'Leder Lise');
          const attended = runAction(name, present.action, sample(), undefined, present.input, NOW);
          expect(recordedAttendance(name, attended)).to.equal(true);
          expect(isActivityComplete(name, sample(), attended)).to.equal(true);
          const absent = attendanceAction(name, false, 'Leder Lise');
          const corrected = runAction(name, absent.action, sample(), attended, absent.input, new Date(NOW.getTime() + 60_000));
          expect(recordedAttendance(name, corrected)).to.equal(false);
          expect(isActivityComplete(name, sample(), corrected)).to.equal(false);
        });
      }
    });
  }
});
