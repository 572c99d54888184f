/**
 * Drill scenario 0 (issue 14): every database reply belongs to its request. A short run of the
 * stress script (tools/stress): its part (a) against a second embedded database of its own under
 * the drill's DATA_DIR, with unacknowledged writes, getMore and listCollections on many connections;
 * its part (b) against the drill's running app, with learners already logged in loading pages that
 * must show their own name and no one else's.
 */
import path from 'node:path';
import { pino } from 'pino';
import { EmbeddedServer } from '../../src/db/index.js';
import { runLauncherStress } from '../stress/launcher.js';
import { runAppStress } from '../stress/app.js';
import { Tally } from '../stress/tally.js';
import { check, newReport, type ScenarioReport } from './summary.js';
import type { AppProcess, Learner } from './world.js';

const DATABASE_MS = 20_000;
const APP_MS = 10_000;
const MAX_REQUESTS = 500_000;

export async function scenarioReplies(dataDir: string, app: AppProcess, learners: Learner[]): Promise<ScenarioReport> {
  const report = newReport('0. every database reply belongs to its request');
  const tally = new Tally();
  const server = new EmbeddedServer({ dataDir: path.join(dataDir, 'stress-db'), logger: pino({ level: 'silent' }) });
  const uri = await server.start();
  try {
    const db = await runLauncherStress({ uri, durationMs: DATABASE_MS, maxRequests: MAX_REQUESTS, seed: 14, pools: [1, 2, 4], workersPerClient: 2, rawConnections: 3 });
    tally.add(db.tally);
    report.notes.push(
      `the database alone (a second embedded server): ${db.tally.replies} replies and ${db.tally.unacknowledged} unacknowledged writes in ${(db.durationMs / 1000).toFixed(1)} s; mismatched ${db.tally.mismatched}, malformed ${db.tally.malformed}, errors ${db.tally.errors}`,
    );
  } finally {
    await server.stop();
  }
  const pages = await runAppStress({
    durationMs: APP_MS,
    maxRequests: MAX_REQUESTS,
    seed: 14,
    log: () => undefined,
    app: { base: app.base, output: app.output, people: learners.slice(0, 10).map((l) => ({ index: l.index, cookie: l.cookie })) },
  });
  tally.add(pages.tally);
  report.notes.push(`the app: ${pages.tally.replies} pages by ${Math.min(10, learners.length)} logged-in learners in ${APP_MS / 1000} s; mismatched ${pages.tally.mismatched}, malformed ${pages.tally.malformed}, errors ${pages.tally.errors}`);
  for (const kind of ['mismatched', 'malformed', 'errors'] as const) for (const s of tally.samples[kind].slice(0, 4)) report.notes.push(`${kind}: ${s}`);
  report.replies = tally.replies;
  report.mismatched = tally.mismatched;
  report.malformed = tally.malformed;
  check(report, tally.mismatched === 0, 'no reply answered another request (responseTo, _id, collection, the person on the page)');
  check(report, tally.malformed === 0, 'every reply had the shape its command promises, and no page answered 5xx');
  return report;
}
