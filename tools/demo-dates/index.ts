/**
 * `npm run check:demo-dates`: the demo municipality is generated relative to the day it is first
 * started, and small-cell suppression decides what its report may show. Whether the pages show what
 * they are for (the municipality's share, units ranked behind, a unit's share for its leader)
 * therefore depends on the date. This check seeds the demo as of many dates (every month's first
 * and last day over a year, the daylight-saving changes, and instants in Oslo's first hour, where
 * "today" differs between Oslo and UTC) and checks those figures on each. Seeded, reproducible.
 * Prints one line per date and, last, one JSON object; exits 1 if any date fails.
 *
 *   npm run check:demo-dates               # 30 dates from the next 1 January
 *   DEMO_DATES=2027-03-28T23:30:00Z,... npm run check:demo-dates
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/index.js';
import { seedDemoData } from '../../src/seed/index.js';
import { createServices } from '../../src/app.js';
import { toSessionUser } from '../../src/components/accounts/session-user.js';
import { UserModel } from '../../src/components/accounts/index.js';

function defaultDates(): Date[] {
  const year = new Date().getUTCFullYear() + 1;
  const dates: Date[] = [];
  for (let month = 0; month < 12; month += 1) {
    dates.push(new Date(Date.UTC(year, month, 1, 10)));
    dates.push(new Date(Date.UTC(year, month + 1, 0, 22, 30))); // the last day, 23:30 or 00:30 Oslo
  }
  // Oslo's first hour (the UTC date is still yesterday) and the daylight-saving changes.
  dates.push(new Date(Date.UTC(year, 2, 15, 23, 30)), new Date(Date.UTC(year, 5, 20, 22, 30)));
  const lastSunday = (month: number) => {
    const d = new Date(Date.UTC(year, month + 1, 0, 12));
    d.setUTCDate(d.getUTCDate() - d.getUTCDay());
    return d;
  };
  dates.push(lastSunday(2), lastSunday(9), new Date(lastSunday(2).getTime() - 12.5 * 3_600_000), new Date(lastSunday(9).getTime() - 12.5 * 3_600_000));
  return dates;
}

async function main(): Promise<void> {
  const dates = process.env.DEMO_DATES ? process.env.DEMO_DATES.split(',').map((d) => new Date(d.trim())) : defaultDates();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-demo-dates-'));
  const silent = pino({ level: process.env.CHECK_LOG ?? 'silent' });
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir, LOG_LEVEL: 'silent', SEED_DEMO: 'true' });
  const db = await openDatabase(config, silent);
  const failures: string[] = [];
  const started = performance.now();
  try {
    for (const now of dates) {
      await mongoose.connection.db!.dropDatabase();
      const services = createServices({ config, logger: silent, clock: () => now });
      await seedDemoData(config, silent, services.reports, now);
      await services.reports.whenIdle();
      const admin = await UserModel.findOne({ email: 'kommune@fellesskap.example' });
      const styrer = await UserModel.findOne({ email: 'styrer@fellesskap.example' });
      const home = await services.reports.municipalHome(toSessionUser(admin!, now), (t) => t, 'Kommunen');
      const units = await services.reports.unitOverviews(toSessionUser(styrer!, now));
      const problems: string[] = [];
      if (home.total.percent.suppressed || home.total.percent.value === null) problems.push('municipal share hidden');
      if (home.behind.length < 3) problems.push(`${home.behind.length} units ranked behind`);
      // Not checked: the change since last month. Early in a month with fewer than 5 new completions
      // it must be hidden (today's figure minus last month's would give the small number).
      if (!units.some((u) => u.percent !== null)) problems.push("the styrer's unit has no share");
      const change = home.change?.points.suppressed ? '*' : (home.change?.points.value ?? '–');
      const line = `${now.toISOString()}  share ${home.total.percent.suppressed ? '*' : home.total.percent.value}  change ${change}  behind ${home.behind.length}  hidden units ${home.suppressedUnits}  ${problems.length ? `FAIL: ${problems.join('; ')}` : 'ok'}`;
      process.stdout.write(`${line}\n`);
      if (problems.length) failures.push(`${now.toISOString()}: ${problems.join('; ')}`);
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify({ dates: dates.length, failed: failures.length, failures, seconds: Math.round((performance.now() - started) / 1000) })}\n`);
  process.exitCode = failures.length ? 1 : 0;
}

await main();
