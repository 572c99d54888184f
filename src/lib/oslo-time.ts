import { isoDate, parseDateOnly } from './dates.js';

/**
 * Norwegian wall-clock time: meetings are planned "torsdag kl. 14", and the weekly digest goes out
 * "mandag kl. 7", in Europe/Oslo whatever the server's own time zone, summer time included.
 */

export const OSLO = 'Europe/Oslo';

const LOCALES: Record<string, string> = { nb: 'nb-NO', nn: 'nn-NO', en: 'en-GB' };

interface OsloParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: OSLO,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  weekday: 'short',
  hourCycle: 'h23',
});

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function osloParts(instant: Date): OsloParts {
  const parts = Object.fromEntries(partsFormat.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 1,
  };
}

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** `2026-03-12` + `14:00` in Oslo → the instant; null when either is not a real date or time. */
export function osloDateTime(date: string, time: string): Date | null {
  const day = parseDateOnly(date);
  const t = TIME.exec(time.trim());
  if (!day || !t) return null;
  const wanted = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), Number(t[1]), Number(t[2]));
  // Oslo is UTC+1 or UTC+2: start from the wall-clock time read as UTC and correct by the offset there.
  let guess = wanted;
  for (let i = 0; i < 2; i += 1) {
    const p = osloParts(new Date(guess));
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    guess += wanted - shown;
  }
  return new Date(guess);
}

/** The Oslo date (`YYYY-MM-DD`) and time (`HH:MM`) of an instant, for form values. */
export function osloDateAndTime(instant: Date): { date: string; time: string } {
  const p = osloParts(instant);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { date: `${p.year}-${pad(p.month)}-${pad(p.day)}`, time: `${pad(p.hour)}:${pad(p.minute)}` };
}

/** "12. mars 2026" in the page's language (calendar dates are stored as midnight UTC). */
export function longDate(date: Date, lang: string): string {
  return new Intl.DateTimeFormat(LOCALES[lang] ?? 'nb-NO', { day: 'numeric', month: 'long', year: 'numeric', timeZone: OSLO }).format(date);
}

/** "torsdag 12. mars 2026 kl. 14:00" (or the language's own way of saying it). */
export function longDateTime(instant: Date, lang: string): string {
  return new Intl.DateTimeFormat(LOCALES[lang] ?? 'nb-NO', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: OSLO,
  }).format(instant);
}

/**
 * The Monday (`YYYY-MM-DD`, Oslo) of the week an instant falls in: the digest's once-a-week key.
 */
export function osloWeekStart(instant: Date): string {
  const p = osloParts(instant);
  const today = Date.UTC(p.year, p.month - 1, p.day);
  return isoDate(new Date(today - (p.weekday - 1) * 86_400_000));
}

/**
 * Whether this week's scheduled moment (weekday and hour, Oslo) has come. A server that was down at
 * that moment catches up later in the same week; the next week starts afresh.
 */
export function weeklyMomentPassed(now: Date, schedule: { weekday: number; hour: number }): boolean {
  const p = osloParts(now);
  return p.weekday > schedule.weekday || (p.weekday === schedule.weekday && p.hour >= schedule.hour);
}
