/**
 * `npm run stress -- --minutes N`: checks that every reply of the database belongs to its request
 * (issue 14). Part (a) stresses the database server alone: the embedded FerretDB launcher, started
 * here on a temporary DATA_DIR, or any loopback server given with --uri. Part (b) stresses the real
 * app process with the demo data: logged-in page loads by several people, each page checked for that
 * person's own name and no one else's, while the app's periodic work runs.
 *
 *   --minutes N | --seconds N   total duration, split between the parts (default 1 minute)
 *   --max-requests N            bound on the operations started (a find with all its getMores counts
 *                               once; default 2 000 000)
 *   --part launcher|app|all     which parts to run (default all)
 *   --uri mongodb://127.0.0.1:PORT/   part (a) against this server instead of an embedded launcher
 *   --seed N                    the random mix (default 14)
 *   --acknowledged-only         part (a) without w: 0 writes (for a server that cannot take them at all)
 *
 * Everything is loopback; temporary directories and child processes are removed at the end. The last
 * line printed is one JSON object: {"replies","mismatched","malformed","errors",...,"durationMs"}.
 * Exit code 1 when any reply was mismatched or malformed, or a page was not the person's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { EmbeddedServer } from '../../src/db/index.js';
import { runLauncherStress } from './launcher.js';
import { Tally } from './tally.js';
import { runAppStress, type AppStressResult } from './app.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seconds: { type: 'string' },
    'max-requests': { type: 'string', default: '2000000' },
    part: { type: 'string', default: 'all' },
    uri: { type: 'string' },
    seed: { type: 'string', default: '14' },
    'acknowledged-only': { type: 'boolean', default: false },
  },
});

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`stress: --${name} must be a positive number (got "${value}")`);
    process.exit(2);
  }
  return n;
}

const totalMs = (positive('seconds', values.seconds) ?? (positive('minutes', values.minutes) ?? 1) * 60) * 1000;
const maxRequests = positive('max-requests', values['max-requests'])!;
const seed = positive('seed', values.seed)!;
const part = values.part;
if (!['launcher', 'app', 'all'].includes(part)) {
  console.error('stress: --part must be launcher, app or all');
  process.exit(2);
}
/** Most of the time goes to the database server alone, where the request mix is widest. */
const launcherMs = part === 'launcher' ? totalMs : part === 'app' ? 0 : Math.round(totalMs * 0.6);
const appMs = totalMs - launcherMs;

const temps: string[] = [];
function cleanup(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

async function launcherPart(tally: Tally): Promise<Record<string, unknown>> {
  let server: EmbeddedServer | undefined;
  let uri = values.uri;
  const started = Date.now();
  if (!uri) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-stress-'));
    temps.push(dir);
    server = new EmbeddedServer({ dataDir: dir, logger: pino({ level: 'silent' }) });
    uri = await server.start();
  }
  try {
    console.log(`stress: (a) the database server alone at ${uri} for ${(launcherMs / 1000).toFixed(0)} s`);
    const result = await runLauncherStress({ uri, durationMs: launcherMs, maxRequests, seed, unacknowledged: !values['acknowledged-only'] });
    tally.add(result.tally);
    const t = result.tally;
    console.log(`stress: (a) ${t.replies} replies (${t.unacknowledged} unacknowledged writes sent), mismatched ${t.mismatched}, malformed ${t.malformed}, errors ${t.errors} in ${(result.durationMs / 1000).toFixed(1)} s`);
    console.log(`stress: (a) replies by command: ${[...t.byOp].map(([op, n]) => `${op} ${n}`).join(', ')}`);
    return { replies: t.replies, unacknowledged: t.unacknowledged, mismatched: t.mismatched, malformed: t.malformed, errors: t.errors, durationMs: Date.now() - started };
  } finally {
    await server?.stop();
  }
}

async function appPart(tally: Tally): Promise<AppStressResult> {
  console.log(`stress: (b) the app with the demo data for ${(appMs / 1000).toFixed(0)} s`);
  const result = await runAppStress({ durationMs: appMs, maxRequests, seed, log: (line) => console.log(`stress: (b) ${line}`) });
  tally.add(result.tally);
  return result;
}

async function main(): Promise<number> {
  const started = Date.now();
  const tally = new Tally();
  const parts: Record<string, unknown> = {};
  if (launcherMs > 0) parts.launcher = await launcherPart(tally);
  if (appMs > 0) {
    const app = await appPart(tally);
    parts.app = app.summary;
  }
  for (const kind of ['mismatched', 'malformed', 'errors'] as const) {
    for (const sample of tally.samples[kind]) console.log(`stress: ${kind}: ${sample}`);
  }
  const ok = tally.clean;
  console.log(`stress: ${ok ? 'PASS' : 'FAIL'}`);
  console.log(
    JSON.stringify({
      replies: tally.replies,
      mismatched: tally.mismatched,
      malformed: tally.malformed,
      errors: tally.errors,
      unacknowledged: tally.unacknowledged,
      durationMs: Date.now() - started,
      seed,
      ...parts,
    }),
  );
  return ok ? 0 : 1;
}

main()
  .then((code) => {
    cleanup();
    process.exit(code);
  })
  .catch((err: unknown) => {
    console.error('stress: aborted:', err);
    cleanup();
    process.exit(1);
  });
