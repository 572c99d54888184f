import { REFLECTION_MAX_LENGTH } from '../../activities/reflection.js';
import { NOTE_MAX_LENGTH } from '../../activities/workplace-task.js';

/**
 * Turns a learner's form post (or a script's JSON) into an action's input. It never throws: it
 * returns the input, what the person typed (so a page with an error shows it again) and the
 * problems, as field → i18n key.
 */
export interface ParsedActionInput {
  input: unknown;
  /** Overrides of the activity's state for showing the page again with the typed values. */
  typed: Record<string, unknown> | null;
  errors: Record<string, string>;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Quiz answers: `answers[<question>]` form fields (one value or several), or `{ answers: { q: [0] } }` as JSON. */
function quizAnswers(body: Record<string, unknown>): { answers: Record<string, number[]>; ok: boolean } {
  const answers: Record<string, number[]> = {};
  let ok = true;
  const add = (question: string, raw: unknown) => {
    const values = ([] as unknown[]).concat(raw ?? []);
    answers[question] = values.flatMap((v) => {
      const s = String(v);
      if (!/^\d$/.test(s)) {
        ok = false;
        return [];
      }
      return [Number(s)];
    });
  };
  const nested = body.answers;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
    for (const [question, raw] of Object.entries(nested as Record<string, unknown>)) add(question, raw);
  }
  for (const [key, raw] of Object.entries(body)) {
    const m = /^answers\[([a-z0-9-]{1,60})\]$/.exec(key);
    if (m) add(m[1]!, raw);
  }
  if (Object.keys(answers).length > 50) ok = false;
  return { answers, ok };
}

export function parseActionInput(action: string, body: Record<string, unknown>): ParsedActionInput {
  switch (action) {
    case 'save': {
      const value = text(body.text).replace(/\r\n/g, '\n');
      const errors: Record<string, string> = value.length > REFLECTION_MAX_LENGTH ? { text: 'learning:errors.reflectionTooLong' } : {};
      return { input: { text: value }, typed: { text: value }, errors };
    }
    case 'report': {
      const note = text(body.note).replace(/\r\n/g, '\n');
      const raw = body.tried;
      const tried = raw === true || raw === 'true' ? true : raw === false || raw === 'false' ? false : undefined;
      const errors: Record<string, string> = {};
      if (tried === undefined) errors.tried = 'learning:errors.triedRequired';
      if (note.length > NOTE_MAX_LENGTH) errors.note = 'learning:errors.noteTooLong';
      return { input: { tried: tried ?? false, note }, typed: { tried: tried ?? false, note, reportedAt: tried === undefined ? null : 'typed' }, errors };
    }
    case 'submit': {
      const { answers, ok } = quizAnswers(body);
      // The attempt the page showed, so the server can record that attempt's option order.
      const attempt = /^\d{1,7}$/.test(String(body.attempt ?? '')) ? Number(body.attempt) : undefined;
      return { input: attempt === undefined ? { answers } : { answers, attempt }, typed: { lastAnswers: answers }, errors: ok ? {} : { answers: 'learning:errors.answers' } };
    }
    default:
      return { input: {}, typed: null, errors: {} };
  }
}
