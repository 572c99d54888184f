/**
 * Part (b) of the stress script: the real app process (started as the drill starts it, on a
 * temporary DATA_DIR seeded with the demo data), several logged-in people loading pages at once,
 * each page checked to show that person's own name and no one else's, and now and then saving a
 * reflection (a progress write; its CSRF token is checked against the session), while the app's
 * periodic work runs: the weekly digest is made due at once (it runs 30 s after start) and the session
 * sweep runs every 2 s (SESSION_SWEEP_INTERVAL_MS). The app's own log counts too: a malformed reply
 * in the digest or the sweep, or one the app's defences retried or treated as no session, shows
 * there and not on a page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { findFreePort } from '../../src/db/index.js';
import { LESSON, MODULE, login, seedWorld, startApp, waitReady, type AppProcess } from '../drill/world.js';
import { prng as seededRandom } from '../../test/helpers/prng.js';
import { Tally, assertLoopback } from './tally.js';

export interface AppStressOptions {
  durationMs: number;
  maxRequests: number;
  seed: number;
  people?: number;
  log: (line: string) => void;
  /**
   * An app already running (the drill's): its base URL, its output and the session cookies of
   * people already logged in, who must be the drill's learners (`Drill Deltaker N`, seeded by
   * seedWorld). Without it, a world is seeded, an app started and people logged in here.
   */
  app?: { base: string; output: () => string; people: Array<{ index: number; cookie: string }> };
}

export interface AppStressResult {
  tally: Tally;
  summary: Record<string, unknown>;
}

const PAGES = ['/mine-kurs', `/moduler/${MODULE}`, `/moduler/${MODULE}/${LESSON}`, '/varsler', '/mine-kurs/laeringslogg'];
const NAME = /Drill Deltaker (\d+)(?!\d)/g;
const REQUEST_TIMEOUT_MS = 20_000;

interface Person {
  index: number;
  name: string;
  cookie: string;
  /** With the stress's own app: the lesson's CSRF token and the URL of a reflection's «Lagre». */
  save?: { csrf: string; url: string };
}

/** How often a person saves a reflection between page loads (own app only). */
const SAVE_SHARE = 0.2;

/** The environment of a stress app: development build, demo data already seeded, the digest due at once. */
export function stressAppEnv(port: number, dataDir: string): Record<string, string> {
  return {
    NODE_ENV: 'development',
    PORT: String(port),
    DATA_DIR: dataDir,
    SEED_DEMO: 'false',
    // debug: the session sweep logs each run there.
    LOG_LEVEL: 'debug',
    // The session sweep (an acknowledged deleteMany; connect-mongo's w: 0 sweep was the trigger of
    // issue 14) every 2 s instead of every 10 minutes.
    SESSION_SWEEP_INTERVAL_MS: '2000',
    // Monday 00:00 has always passed this week: the first check, 30 s after start, sends the digest.
    DIGEST_ENABLED: 'true',
    DIGEST_WEEKDAY: '1',
    DIGEST_HOUR: '0',
    SESSION_SECRET: randomBytes(32).toString('hex'),
  };
}

/** One page load, judged: the person's own name in the header, no other person's name anywhere. */
async function loadPage(base: string, person: Person, page: string, tally: Tally): Promise<void> {
  const op = `GET ${page}`;
  let res: Response;
  let html: string;
  try {
    res = await fetch(`${base}${page}`, { headers: { Cookie: person.cookie, Accept: 'text/html' }, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    html = await res.text();
  } catch (err) {
    tally.bad('errors', op, `${person.name}: ${(err as Error).name}: ${(err as Error).message}`);
    return;
  }
  tally.reply(op);
  if (res.status >= 500) {
    tally.bad('malformed', op, `${person.name}: answered ${res.status}`);
    return;
  }
  if (res.status !== 200) {
    // A logged-in person sent elsewhere (the login page) lost their session: the page is not theirs.
    tally.bad('mismatched', op, `${person.name}: answered ${res.status} ${res.headers.get('location') ?? ''}, not the person's page`);
    return;
  }
  const shown = /<span class="user-name">([^<]*)<\/span>/.exec(html)?.[1];
  if (shown !== person.name) {
    tally.bad('mismatched', op, `${person.name}: the header shows ${shown === undefined ? 'no name' : `"${shown}"`}`);
    return;
  }
  const others = [...html.matchAll(NAME)].map((m) => Number(m[1])).filter((i) => i !== person.index);
  if (others.length > 0) tally.bad('mismatched', op, `${person.name}: the page also names Drill Deltaker ${others[0]}`);
}

/**
 * «Lagre» on a reflection as the autosave script sends it, with a new action id: a progress write and
 * a session read. The CSRF token lives in the session, so a 403 means the session read was not this
 * person's; the login page means it was lost.
 */
async function saveReflection(base: string, person: Person & { save: { csrf: string; url: string } }, actionId: string, tally: Tally): Promise<void> {
  const op = 'POST save';
  let res: Response;
  let body: string;
  try {
    res = await fetch(`${base}${person.save.url}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: person.cookie, 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': person.save.csrf, 'X-Request-Id': actionId },
      body: JSON.stringify({ _csrf: person.save.csrf, action: 'save', actionId, text: `Stress ${actionId}` }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    body = await res.text();
  } catch (err) {
    tally.bad('errors', op, `${person.name}: ${(err as Error).name}: ${(err as Error).message}`);
    return;
  }
  tally.reply(op);
  if (res.status >= 500) tally.bad('malformed', op, `${person.name}: answered ${res.status}`);
  else if (res.status === 403 || (res.status >= 300 && res.status < 400)) tally.bad('mismatched', op, `${person.name}: answered ${res.status} ${res.headers.get('location') ?? ''}, the session was not the person's`);
  else if (res.status !== 200 || !/"applied":true/.test(body)) tally.bad('errors', op, `${person.name}: answered ${res.status} ${body.slice(0, 120)}`);
}

interface LogLine {
  level?: number;
  msg?: string;
  err?: { type?: string; message?: string };
}

/** The app's own log: digest runs, and error lines (a malformed reply inside periodic work shows only here). */
function readLog(output: string, tally: Tally): { digests: number; sweeps: number; errorLines: number } {
  let digests = 0;
  let sweeps = 0;
  let errorLines = 0;
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: LogLine;
    try {
      entry = JSON.parse(line) as LogLine;
    } catch {
      continue;
    }
    if (entry.msg === 'weekly digest') digests += 1;
    if (entry.msg === 'expired sessions swept') sweeps += 1;
    // The app's defences (issue 14, part 3) hide a bad reply from the person; the stress still counts it.
    const defended = entry.msg === 'malformed database reply to a read; retrying once' || entry.msg === 'unreadable session document; treated as no session';
    if ((entry.level ?? 0) >= 50 || defended || entry.msg?.startsWith('sweeping expired sessions failed')) {
      errorLines += 1;
      const what = `${entry.msg ?? ''} ${entry.err?.type ?? ''}: ${entry.err?.message ?? ''}`;
      const malformedReply = defended || /MongoUnexpectedServerResponse|BSON element|missing|Cannot read properties/.test(what);
      tally.bad(malformedReply ? 'malformed' : 'errors', 'app log', what);
    }
  }
  return { digests, sweeps, errorLines };
}

export async function runAppStress(options: AppStressOptions): Promise<AppStressResult> {
  const people = options.people ?? 8;
  const started = Date.now();
  let own: { app: AppProcess; dataDir: string } | undefined;
  let base: string;
  let output: () => string;
  if (options.app) {
    ({ base, output } = options.app);
  } else {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-stress-app-'));
    try {
      await seedWorld(dataDir, people);
      const port = await findFreePort();
      const app = startApp(port, { env: stressAppEnv(port, dataDir) });
      own = { app, dataDir };
      await waitReady(app, 90_000);
      ({ base, output } = app);
    } catch (err) {
      own?.app.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  }
  assertLoopback(base);
  const tally = new Tally();
  try {
    const persons: Person[] = options.app?.people.map((p) => ({ ...p, name: `Drill Deltaker ${p.index}` })) ?? [];
    for (let i = 1; !options.app && i <= people; i += 1) {
      // The drill's login: the form, then the lesson page for its CSRF token and reflection forms.
      const learner = await login(base, i);
      const save = learner.targets.find((t) => t.kind === 'save')!;
      persons.push({ index: i, name: `Drill Deltaker ${i}`, cookie: learner.cookie, save: { csrf: learner.csrf, url: save.url } });
    }
    options.log(`${persons.length} people logged in at ${base} (${((Date.now() - started) / 1000).toFixed(1)} s); loading pages`);
    const loadStart = Date.now();
    const deadline = loadStart + options.durationMs;
    let left = options.maxRequests;
    await Promise.all(
      persons.map(async (person) => {
        const rng = seededRandom(options.seed * 7919 + person.index);
        // With its own app the load goes on (at most a minute longer) until the digest has run, so even a
        // short run covers it; the drill's app has no digest.
        const going = () => Date.now() < deadline || (!options.app && !output().includes('"msg":"weekly digest"') && Date.now() < deadline + 60_000);
        for (let seq = 1; going() && left-- > 0; seq += 1) {
          // The drill's app keeps its progress for the drill's own checks: only the stress's own app takes saves.
          if (person.save && rng() < SAVE_SHARE) await saveReflection(base, { ...person, save: person.save }, `stress-L${person.index}-${seq}`, tally);
          else await loadPage(base, person, PAGES[Math.floor(rng() * PAGES.length)]!, tally);
        }
      }),
    );
    const saves = tally.byOp.get('POST save') ?? 0;
    const pages = tally.replies - saves;
    const log = readLog(output(), tally);
    const loadMs = Date.now() - loadStart;
    options.log(`${pages} pages and ${saves} saved reflections in ${(loadMs / 1000).toFixed(1)} s; weekly digest runs logged: ${log.digests}; session sweeps logged: ${log.sweeps}; error lines in the app's log: ${log.errorLines}`);
    return {
      tally,
      summary: { pages, saves, people: persons.length, digests: log.digests, sessionSweeps: log.sweeps, appErrorLines: log.errorLines, mismatched: tally.mismatched, malformed: tally.malformed, errors: tally.errors, durationMs: Date.now() - started },
    };
  } finally {
    if (own) {
      own.app.child.kill('SIGTERM');
      const timer = setTimeout(() => own!.app.child.kill('SIGKILL'), 15_000);
      await own.app.exited;
      clearTimeout(timer);
      rmSync(own.dataDir, { recursive: true, force: true });
    }
  }
}
