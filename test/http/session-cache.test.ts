import { expect } from 'chai';
import { parseSetCookie } from 'cookie';
import { Router, type Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { between, prng } from '../../src/lib/prng.js';
import { revocations, TRUST_MS } from '../../src/lib/revocations.js';
import { buildTestApp } from '../helpers/app.js';
import { createUser, TEST_PASSWORD } from '../helpers/auth.js';
import { runCliOnTestDatabase } from '../helpers/process.js';

/**
 * Sessions from memory (src/web/session.ts, CheckedSessionStore): each app keeps the sessions it has
 * read or written, and uses one only when it is the version the browser says it last saw. These tests
 * run several apps on one database, each with its own memory, as several instances would be.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One browser: its cookies, sent to whichever instance it asks. */
class Browser {
  private readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  forget(name: string): void {
    this.cookies.delete(name);
  }

  private keep(res: request.Response): request.Response {
    for (const line of ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? [])) {
      const cookie = parseSetCookie(line);
      if (cookie.expires && cookie.expires.getTime() < Date.now()) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value ?? '');
    }
    return res;
  }

  async get(app: Express, path: string): Promise<request.Response> {
    return this.keep(await request(app).get(path).set('Cookie', this.header()));
  }

  async post(app: Express, path: string, form: Record<string, string>): Promise<request.Response> {
    return this.keep(await request(app).post(path).set('Cookie', this.header()).type('form').send(form));
  }

  async signIn(app: Express, email: string): Promise<void> {
    const form = await this.get(app, '/logg-inn');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const res = await this.post(app, '/logg-inn', { _csrf: token, email, password: TEST_PASSWORD });
    expect(res.status, 'signed in').to.equal(302);
  }
}

/** Test routes that write a value into the session and read it back. */
function markerRoutes(): Router {
  const routes = Router();
  routes.get('/test/session-marker/:value', (req, res) => {
    (req.session as unknown as { marker?: string }).marker = req.params.value;
    res.type('text/plain').send('written');
  });
  routes.get('/test/session-marker', (req, res) => {
    res.type('text/plain').send((req.session as unknown as { marker?: string }).marker ?? '(none)');
  });
  return routes;
}

/** How many times the sessions collection is read while `run` runs. */
async function sessionReadsDuring(run: () => Promise<unknown>): Promise<number> {
  let reads = 0;
  const client = mongoose.connection.getClient();
  const listener = (event: mongoose.mongo.CommandStartedEvent) => {
    if (event.commandName === 'find' && event.command.find === 'sessions') reads += 1;
  };
  client.on('commandStarted', listener);
  try {
    await run();
  } finally {
    client.off('commandStarted', listener);
  }
  return reads;
}

describe('http: sessions from memory, correct on several instances (issue 15)', function () {
  this.timeout(180_000);

  it('a browser always reads its own last write, on whichever of three instances it lands, from memory when it can (seeded)', async () => {
    const instances = [await buildTestApp({ extraRoutes: markerRoutes() }), await buildTestApp({ extraRoutes: markerRoutes() }), await buildTestApp({ extraRoutes: markerRoutes() })];
    let readsFromMemory = 0;
    let reads = 0;
    for (const seed of [1, 2, 3]) {
      const random = prng(seed);
      const browser = new Browser();
      let written = `start-${seed}`;
      await browser.get(instances[0]!, `/test/session-marker/${written}`);
      for (let step = 0; step < 120; step += 1) {
        const index = between(random, 0, instances.length - 1);
        const app = instances[index]!;
        const roll = random();
        const where = `seed ${seed}, step ${step}, instance ${index}`;
        if (roll < 0.3) {
          written = `v${seed}-${step}`;
          expect((await browser.get(app, `/test/session-marker/${written}`)).status, where).to.equal(200);
        } else if (roll < 0.38) {
          // A browser that lost the version cookie (or never had it) is answered from the database.
          browser.forget('fellesskap.sv');
        } else {
          // The feed is current, as the poller keeps it every second: memory may be used.
          await revocations.poll();
          let text = '';
          const fromDatabase = await sessionReadsDuring(async () => {
            text = (await browser.get(app, '/test/session-marker')).text;
          });
          reads += 1;
          if (fromDatabase === 0) readsFromMemory += 1;
          expect(text, `${where}: the browser's last write`).to.equal(written);
        }
      }
    }
    // Not vacuous: most reads came from memory (a warm instance whose version the browser names).
    expect(readsFromMemory, `${readsFromMemory} of ${reads} reads from memory`).to.be.greaterThan(reads / 3);
  });

  it('another instance (a second process) logs the session out: this instance, which holds it in memory, refuses it within 2 s', async () => {
    const app = await buildTestApp();
    const person = await createUser({ roles: ['municipal-admin'], memberships: [] });
    const browser = new Browser();
    await browser.signIn(app, person.email);
    expect((await browser.get(app, '/admin')).status).to.equal(200);
    await revocations.poll();
    const fromDatabase = await sessionReadsDuring(async () => expect((await browser.get(app, '/admin')).status).to.equal(200));
    expect(fromDatabase, 'warm: the session comes from memory').to.equal(0);

    const result = await runCliOnTestDatabase('test/fixtures/scripts/other-instance.ts', ['logout', browser.header()]);
    expect(result.code, result.stderr).to.equal(0);
    await sleep(TRUST_MS);
    // The same cookie (another tab, or a copy someone took) is refused here now.
    const res = await browser.get(app, '/admin');
    expect(res.status, 'refused on this instance within 2 s').to.equal(302);
    expect(res.headers.location).to.match(/^\/logg-inn/);
  });

  it('a logout here ends the session at once in every app of this process, though each held it in memory', async () => {
    const here = await buildTestApp();
    const there = await buildTestApp();
    const person = await createUser({ roles: ['municipal-admin'], memberships: [] });
    const browser = new Browser();
    await browser.signIn(here, person.email);
    expect((await browser.get(there, '/admin')).status).to.equal(200);
    const copy = browser.header();
    const page = await browser.get(here, '/admin');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    expect((await browser.post(here, '/logg-ut', { _csrf: token })).status).to.equal(302);
    const res = await request(there).get('/admin').set('Cookie', copy);
    expect(res.status, 'the other app refuses the copied cookie at once').to.equal(302);
  });
});
