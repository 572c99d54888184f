/**
 * `npm run bench:demo-seed`: how long the first start's demo data takes (issue 17: under 30 s on the
 * development machine), and that a second start adds nothing. Seeds a fresh embedded database in a
 * temporary directory (never ./data) exactly as `npm start` does with SEED_DEMO, then seeds again.
 * Prints the machine's load average too: the figure depends on what else runs.
 * The last line printed is one JSON object with every figure.
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

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-demo-seed-'));
  const silent = pino({ level: process.env.BENCH_LOG ?? 'silent' });
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir, LOG_LEVEL: 'silent', SEED_DEMO: 'true' });
  const load = os.loadavg();
  const db = await openDatabase(config, silent);
  // Each seed as one start of the app: with services of its own.
  const reports = () => createServices({ config, logger: silent }).reports;
  try {
    const t0 = performance.now();
    await seedDemoData(config, silent, reports());
    const first = (performance.now() - t0) / 1000;
    const counts = async () => {
      const names = ['users', 'units', 'assignments', 'completions', 'team_sessions'];
      const all = await Promise.all(names.map((n) => mongoose.connection.db!.collection(n).countDocuments()));
      return Object.fromEntries(names.map((n, i) => [n, all[i]]));
    };
    const afterFirst = await counts();
    const t1 = performance.now();
    await seedDemoData(config, silent, reports());
    const second = (performance.now() - t1) / 1000;
    const afterSecond = await counts();
    const figures = { firstSeedSeconds: Math.round(first * 10) / 10, secondSeedSeconds: Math.round(second * 10) / 10, loadAverage: load.map((l) => Math.round(l * 10) / 10), cpus: os.cpus().length, afterFirst, afterSecond };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
