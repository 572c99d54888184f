import { expect } from 'chai';
import { Router } from 'express';
import mongoose from 'mongoose';
import { setFlash } from '../../src/web/flash.js';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, signIn } from '../helpers/auth.js';
import { learnerSignedIn } from '../helpers/setup.js';
import { revocations } from '../../src/lib/revocations.js';

/**
 * Database round trips of the two hottest requests, counted exactly from the driver's command events
 * (npm run bench prints the same figures as dbPerLesson and dbPerProgress). Each round trip is 1–3 ms
 * of CPU on the embedded database and a network hop on MongoDB, so a change that adds one must say
 * so here. The catalogue and module versions are cached outside tests; tests read them each time, so
 * those reads are left out of the count.
 */
const CACHED_OUTSIDE_TESTS = new Set(['modules', 'module_versions', 'report_state']);
/** The revocation feed is read once a second by a background poller, not by requests. */
const BACKGROUND = new Set(['revocations']);

async function commandsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const client = mongoose.connection.getClient();
  const listener = (event: mongoose.mongo.CommandStartedEvent) => {
    const collection = String(event.command[event.commandName]);
    if (!CACHED_OUTSIDE_TESTS.has(collection) && !BACKGROUND.has(collection)) seen.push(`${event.commandName} ${collection}`);
  };
  // The person cache trusts its entries only while the revocation feed is current: make it so, as
  // the poller does every second, so the count does not depend on when the poller last ran.
  await revocations.poll();
  client.on('commandStarted', listener);
  try {
    await run();
  } finally {
    client.off('commandStarted', listener);
  }
  return seen.sort();
}

describe('http: database round trips per lesson page and per learner action', function () {
  this.timeout(120_000);

  it('a warm lesson page reads only the progress: one read, no write (the session and the person come from memory)', async () => {
    const { agent } = await learnerSignedIn(await buildTestApp());
    await agent.get('/moduler/samtaler/lytte').expect(200);
    const commands = await commandsDuring(() => agent.get('/moduler/samtaler/lytte').expect(200));
    expect(commands).to.deep.equal(['find progress']);
  });

  /** The lesson page's reflection form, after one action that starts the module (so no count below includes the start). */
  async function startedLearner(): Promise<{ save: (actionId: string, text: string) => Promise<unknown>; saveByScript: (actionId: string, text: string) => Promise<unknown> }> {
    const { agent } = await learnerSignedIn(await buildTestApp());
    const page = await agent.get('/moduler/samtaler/lytte').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const saveUrl = /action="(\/moduler\/samtaler\/[^"]*\/aktiviteter\/tanker\/save)"/.exec(page.text)![1]!;
    const watchUrl = /action="(\/moduler\/samtaler\/[^"]*\/aktiviteter\/film\/markWatched)"/.exec(page.text)![1]!;
    await agent.post(watchUrl).type('form').send({ _csrf: csrf, actionId: 'round-trip-watch' }).expect(303);
    return {
      save: (actionId, text) => agent.post(saveUrl).type('form').send({ _csrf: csrf, actionId, text }).expect(303),
      // As public/js/autosave.js sends it: JSON with the token in a header, answered with JSON (no message for a next page).
      saveByScript: (actionId, text) => agent.post(saveUrl).set('Accept', 'application/json').set('X-CSRF-Token', csrf).send({ actionId, text }).expect(200),
    };
  }

  it("a learner's action that changes the percentage: the progress in one atomic update, the summary in one, and the report upkeep of one unit", async () => {
    const { save } = await startedLearner();
    // The first save completes the reflection: the percentage moves, so the summary and the report entry do too.
    const commands = await commandsDuring(() => save('round-trip-first-save', 'Første tanke'));
    expect(commands).to.deep.equal(
      [
        // The request: who is asking (session and person from memory), and what they have done so far.
        'find progress',
        // The action: one conditional atomic update, and the person's "Mine kurs" summary.
        'findAndModify progress',
        'update learners',
        // The "Lagret" message for the next page, in the session (once: it was written twice).
        'update sessions',
        // The report entry, recomputed once for the action's events: account, summary, the unit's roster and counts.
        'find users',
        'find learners',
        'find completions',
        'find report_rosters',
        'update report_rosters',
        'find report_totals',
        'update report_totals',
        'update report_totals',
      ].sort(),
    );
  });

  it("a learner's action that changes nothing the summary or the reports show: the progress read and its atomic update only", async () => {
    const { save, saveByScript } = await startedLearner();
    await save('round-trip-first-save', 'Første tanke');
    // Saving the reflection again: stored in the progress, but the summary and the report entry stay as they are.
    const commands = await commandsDuring(() => save('round-trip-second-save', 'Andre tanke'));
    // The session from memory; written for the "Lagret" message of the next page.
    expect(commands).to.deep.equal(['find progress', 'findAndModify progress', 'update sessions'].sort());
    // The autosave script's request (and the benchmark's): two round trips in all, no session write.
    const byScript = await commandsDuring(() => saveByScript('round-trip-script-save', 'Tredje tanke'));
    expect(byScript).to.deep.equal(['find progress', 'findAndModify progress'].sort());
  });

  it('a request that saves its session before answering (every flash message, the login) writes it once, not again at the end', async () => {
    await clearDatabase();
    // Every explicit save in the app goes through express-session's save, as this route's does.
    const extraRoutes = Router();
    extraRoutes.post('/test/flash', async (req, res) => {
      await setFlash(req, 'success', 'learning:flash.reflection');
      res.redirect(303, '/');
    });
    const app = await buildTestApp({ extraRoutes });
    const staff = await createUser();
    const agent = await signIn(app, staff.email);
    const page = await agent.get('/mine-data').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    for (let i = 0; i < 3; i += 1) {
      const commands = await commandsDuring(() => agent.post('/test/flash').type('form').send({ _csrf: csrf }).expect(303));
      expect(commands.filter((c) => c.endsWith(' sessions'))).to.deep.equal(['update sessions']);
    }
  });
});
