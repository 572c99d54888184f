import { parseDateOnly } from '../../lib/dates.js';

/** The furthest ahead a deadline may be: beyond that it is almost always a typo in the year. */
export const MAX_DEADLINE_YEARS = 5;

const NORWEGIAN_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

/**
 * A deadline typed in a form: `YYYY-MM-DD` (what `<input type="date">` sends) or `dd.mm.yyyy`
 * (what people type where the browser shows a text field). Today is allowed, the past is not.
 * Returns the calendar date, or the i18n key of the message that says what to fix.
 */
export function parseDeadline(raw: unknown, today: Date): { ok: true; date: Date } | { ok: false; error: string } {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (!text) return { ok: false, error: 'assignments:errors.deadlineRequired' };
  const norwegian = NORWEGIAN_DATE.exec(text);
  const iso = norwegian ? `${norwegian[3]}-${norwegian[2]!.padStart(2, '0')}-${norwegian[1]!.padStart(2, '0')}` : text;
  const date = parseDateOnly(iso);
  if (!date) return { ok: false, error: 'assignments:errors.deadlineInvalid' };
  if (date.getTime() < today.getTime()) return { ok: false, error: 'assignments:errors.deadlinePast' };
  const latest = new Date(Date.UTC(today.getUTCFullYear() + MAX_DEADLINE_YEARS, today.getUTCMonth(), today.getUTCDate()));
  if (date.getTime() > latest.getTime()) return { ok: false, error: 'assignments:errors.deadlineTooFar' };
  return { ok: true, date };
}
