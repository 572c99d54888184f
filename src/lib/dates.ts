/**
 * Calendar dates (memberships, imports) are stored as midnight UTC of the day, so a date typed in a
 * form compares and displays the same wherever the server runs.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` (the value of `<input type="date">`); null when it is not a real date. */
export function parseDateOnly(value: string): Date | null {
  const m = ISO_DATE.exec(value.trim());
  if (!m) return null;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === value.trim() ? date : null;
}

/** Today as a calendar date in Norway (midnight UTC of the Oslo date). */
export function todayDateOnly(now = new Date()): Date {
  const oslo = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return parseDateOnly(oslo) ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
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
