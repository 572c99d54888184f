/**
 * Calendar dates (memberships, deadlines, imports) are stored as midnight UTC of the day, so a date
 * typed in a form compares and displays the same wherever the server runs. They are *labels*, not
 * instants: a day begins at midnight in Norway (Europe/Oslo), one or two hours before midnight UTC.
 * So an instant is never compared with a stored date directly; it is first turned into its Oslo
 * date (`todayDateOnly`), or the date into the instant it begins (`osloStartOf`). The functions
 * below are the only place that conversion is written.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` (the value of `<input type="date">`); null when it is not a real date. */
export function parseDateOnly(value: string): Date | null {
  const m = ISO_DATE.exec(value.trim());
  if (!m) return null;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === value.trim() ? date : null;
}

const osloDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' });
const osloClock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const DAY_MS = 86_400_000;

/** The calendar date in Norway at an instant (as midnight UTC of that date): "today" when `now`. */
export function todayDateOnly(now = new Date()): Date {
  return parseDateOnly(osloDay.format(now)) ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** The instant a calendar date begins in Norway (00:00 Europe/Oslo; 23:00 or 22:00 UTC the day before). */
export function osloStartOf(date: Date): Date {
  const label = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const known = dayStarts.get(label);
  if (known !== undefined) return new Date(known);
  // Oslo is UTC+1 or UTC+2 (summer time changes at 01:00 UTC, never at midnight): the day begins at
  // whichever of 23:00 and 22:00 UTC the day before reads 00:00 of that day on an Oslo clock.
  let start = label;
  for (const offsetHours of [1, 2]) {
    const candidate = new Date(label - offsetHours * 3_600_000);
    if (osloClock.format(candidate) === '00:00:00' && todayDateOnly(candidate).getTime() === label) {
      start = candidate.getTime();
      break;
    }
  }
  // Reports ask for the same few days again and again (every membership's start, every expiry).
  if (dayStarts.size >= 20_000) dayStarts.clear();
  dayStarts.set(label, start);
  return new Date(start);
}
const dayStarts = new Map<number, number>();

/** The calendar date after `date`. */
export function nextDate(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) + DAY_MS);
}

/**
 * Whether something dated from `startDate` until `endDate` (a membership) is in effect at `now`:
 * from the start of its first day in Norway until the start of its end day (the end date is the
 * first day it no longer holds); no end date: open-ended.
 */
export function inEffect(span: { startDate: Date; endDate?: Date | null }, now: Date): boolean {
  const today = todayDateOnly(now);
  return span.startDate <= today && (!span.endDate || span.endDate > today);
}

/** Whether a dated span has not ended at `now` (in effect, or starting later). */
export function notEnded(span: { endDate?: Date | null }, now: Date): boolean {
  return !span.endDate || span.endDate > todayDateOnly(now);
}

/** `YYYY-MM-DD`, for form values and JSON. */
export function isoDate(date: Date | null | undefined): string {
  return date ? date.toISOString().slice(0, 10) : '';
}

/** `dd.mm.yyyy`, the Norwegian way of writing a date. */
export function formatDate(date: Date | null | undefined): string {
  if (!date) return '';
  const [y, m, d] = isoDate(date).split('-');
  return `${d}.${m}.${y}`;
}
