import { isoDate, nextDate, osloStartOf, todayDateOnly } from '../../lib/dates.js';

/**
 * Calendar arithmetic for reports. Every time-driven change (a completion expiring, a membership
 * starting or ending) happens when a day begins in Norway (src/lib/dates.ts), so a daily sweep sees
 * each change exactly once. Months are reported in Norwegian time too: a completion at 00:30 on
 * 1 November in Oslo belongs to November.
 */

/** `YYYY-MM-DD` of the Norwegian day of `instant` (the key of a day's sweep bucket). */
export function dayKey(instant: Date): string {
  return isoDate(todayDateOnly(instant));
}

/** The sweep bucket of a change at `at`: its own day when it falls on the day's start, else the next day (processed once that day has begun). */
export function dueDayKey(at: Date): string {
  const day = todayDateOnly(at);
  return isoDate(osloStartOf(day).getTime() === at.getTime() ? day : nextDate(day));
}

/** The instant a completion (or a release) plus `months` stops counting: the start of that calendar day in Norway. */
export function startOfDayMonthsAfter(instant: Date, months: number): Date {
  return osloStartOf(addMonths(todayDateOnly(instant), months));
}

/** The same calendar date `months` later (as midnight UTC); the 31st becomes the month's last day. */
export function addMonths(date: Date, months: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const target = new Date(Date.UTC(y, m, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(date.getUTCDate(), lastDay)));
}

const osloMonth = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit' });

/** `YYYY-MM` of the date in Norwegian time. */
export function monthKey(date: Date): string {
  const parts = osloMonth.formatToParts(date);
  const year = parts.find((p) => p.type === 'year')?.value ?? '0000';
  const month = parts.find((p) => p.type === 'month')?.value ?? '01';
  return `${year}-${month}`;
}

export const MONTH_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month `n` months after `key` (negative: before). */
export function shiftMonth(key: string, n: number): string {
  const [y, m] = key.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Every month from `from` to `to`, both included (empty when `from` is after `to`). */
export function monthRange(from: string, to: string): string[] {
  const months: string[] = [];
  for (let key = from; key <= to && months.length < 1200; key = shiftMonth(key, 1)) months.push(key);
  return months;
}
