import { expect } from 'chai';
import { registry, stateOrInitial } from '../../../src/activities/index.js';
import type { AtomicUpdate } from '../../../src/activities/types.js';

/**
 * A small model of how MongoDB applies $set/$min/$max/$inc to one activity's stored fields, used
 * to prove that each action's atomic form ends where its pure `apply` ends, in any order of arrival.
 * Like MongoDB, $min/$max treat an absent field as "set it" and null as lower than any value.
 */
function applyAtomic(stored: Record<string, unknown>, update: AtomicUpdate, now: string): Record<string, unknown> {
  if (update.onlyIfNotNewer) {
    const current = stored[update.onlyIfNotNewer];
    if (typeof current === 'string' && current > now) return stored;
  }
  const next = { ...stored };
  for (const [k, v] of Object.entries(update.set ?? {})) next[k] = v;
  for (const [k, v] of Object.entries(update.inc ?? {})) next[k] = ((next[k] as number | undefined) ?? 0) + v;
  for (const [k, v] of Object.entries(update.min ?? {})) if (!(k in next) || (next[k] !== null && (v as string) < (next[k] as string))) next[k] = v;
  for (const [k, v] of Object.entries(update.max ?? {})) if (!(k in next) || next[k] === null || v > (next[k] as number)) next[k] = v;
  return next;
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

const quizSettings = {
  id: 'q',
  required: true,
  title: 'Quiz',
  passMark: 50,
  questions: [
    { id: 'a', text: 'A?', options: [{ text: 'x', correct: true, explanation: 'e' }, { text: 'y', correct: false, explanation: 'e' }] },
    { id: 'b', text: 'B?', options: [{ text: 'x', correct: false, explanation: 'e' }, { text: 'y', correct: true, explanation: 'e' }] },
  ],
};

const cases: Array<{ kind: string; action: string; settings: unknown; inputs: unknown[]; order: 'any' | 'arrival' }> = [
  { kind: 'reading', action: 'markRead', settings: { id: 'lesson:x', required: true }, inputs: [{}, {}, {}], order: 'any' },
  { kind: 'quiz', action: 'submit', settings: quizSettings, inputs: [{ answers: { a: [0], b: [1] } }, { answers: { a: [1] } }, { answers: { a: [0] } }], order: 'any' },
  { kind: 'reflection', action: 'save', settings: { id: 'r', required: true, prompt: 'P' }, inputs: [{ text: 'first' }, { text: 'second' }, { text: 'third' }], order: 'arrival' },
  { kind: 'workplace-task', action: 'report', settings: { id: 'w', required: true, title: 'T', instructions: 'I', reportPrompt: 'R' }, inputs: [{ tried: false, note: '' }, { tried: true, note: 'n' }], order: 'arrival' },
];

describe('activities: atomic updates agree with the pure actions', () => {
  for (const c of cases) {
    it(`${c.kind}.${c.action}: the same end state in every order of arrival of the writes`, () => {
      const kind = registry.get(c.kind)!;
      const act = kind.actions[c.action]!;
      const settings = kind.settingsSchema.parse(c.settings);
      // Request i is received at time i (its `now`); the database may apply them in any order.
      const times = c.inputs.map((_, i) => new Date(Date.UTC(2026, 0, 1, 12, 0, i)));
      const reference = c.inputs.reduce<unknown>(
        (state, input, i) => act.apply(settings as never, state as never, act.input.parse(input) as never, times[i]!),
        stateOrInitial(c.kind, undefined),
      );
      for (const order of permutations(c.inputs.map((_, i) => i))) {
        let stored: Record<string, unknown> = {};
        for (const i of order) stored = applyAtomic(stored, act.atomic(settings as never, act.input.parse(c.inputs[i]) as never, times[i]!), times[i]!.toISOString());
        const merged = { ...(kind.initialState() as object), ...stored };
        if (c.kind === 'quiz') {
          // "last" fields follow the order the database applied the writes; the rest must agree.
          const { lastScore: _a, lastAnswers: _b, lastSubmittedAt: _c, ...rest } = merged as Record<string, unknown>;
          const { lastScore: _d, lastAnswers: _e, lastSubmittedAt: _f, ...expected } = reference as Record<string, unknown>;
          expect(rest, `order ${order}`).to.deep.equal(expected);
        } else {
          expect(merged, `order ${order}`).to.deep.equal(reference);
        }
        expect(kind.stateSchema.safeParse(merged).success, `valid state for order ${order}`).to.equal(true);
      }
    });
  }
});
