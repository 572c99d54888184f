import { expect } from 'chai';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { floodGuard, FLOOD_IN_FLIGHT_PER_ADDRESS } from '../../src/components/accounts/index.js';

/**
 * The flood guard's in-flight cap (issue 12): one address never has more than
 * FLOOD_IN_FLIGHT_PER_ADDRESS posts of the costly anonymous forms in progress; the surplus is refused
 * at once with 429 and a one-second Retry-After, and a slot frees when its response ends. Tested on a
 * real server whose form handlers wait until the test lets them answer, so "in progress" is exact.
 */
describe('flood guard: posts in progress per address', () => {
  let server: Server;
  let base: string;
  const waiting: Array<() => void> = [];
  let reached = 0;

  before(async () => {
    const app = express();
    app.use(floodGuard((key) => key));
    const hold: express.RequestHandler = (_req, res) => {
      reached += 1;
      waiting.push(() => res.send('ok'));
    };
    app.post('/logg-inn', hold);
    app.post('/passord/glemt', hold);
    app.post('/passord/ny/:token', hold);
    app.post('/annet-skjema', hold);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const release of waiting.splice(0)) release();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const untilReached = async (n: number) => {
    for (let i = 0; i < 200 && reached < n; i += 1) await new Promise((r) => setTimeout(r, 5));
    expect(reached).to.equal(n);
  };

  it('lets the first posts through, refuses the rest at once, and frees a slot when a response ends', async () => {
    reached = 0;
    const paths = ['/logg-inn', '/passord/ny/abc', '/passord/glemt', '/logg-inn'];
    const held = paths.slice(0, FLOOD_IN_FLIGHT_PER_ADDRESS).map((p) => fetch(`${base}${p}`, { method: 'POST' }));
    await untilReached(FLOOD_IN_FLIGHT_PER_ADDRESS);

    // Every costly form shares the address's slots.
    for (const p of ['/logg-inn', '/passord/ny/xyz', '/passord/glemt']) {
      const refused = await fetch(`${base}${p}`, { method: 'POST' });
      expect(refused.status, p).to.equal(429);
      expect(refused.headers.get('retry-after')).to.equal('1');
      expect(await refused.text()).to.contain('accounts:flood.busy');
    }
    expect(reached, 'a refused post never reaches its handler').to.equal(FLOOD_IN_FLIGHT_PER_ADDRESS);

    // Other forms and other methods are not counted.
    const other = fetch(`${base}/annet-skjema`, { method: 'POST' });
    await untilReached(FLOOD_IN_FLIGHT_PER_ADDRESS + 1);
    const page = await fetch(`${base}/logg-inn`);
    expect(page.status, 'GET is not a costly post (404 here: no GET route)').to.equal(404);

    waiting.shift()!();
    expect((await held[0]!).status).to.equal(200);
    const next = fetch(`${base}/logg-inn`, { method: 'POST' });
    await untilReached(FLOOD_IN_FLIGHT_PER_ADDRESS + 2);
    for (const release of waiting.splice(0)) release();
    expect((await next).status).to.equal(200);
    expect((await other).status).to.equal(200);
    for (const res of await Promise.all(held.slice(1))) expect(res.status).to.equal(200);
  });

  it('a client that goes away frees its slot too', async () => {
    reached = 0;
    const controllers = Array.from({ length: FLOOD_IN_FLIGHT_PER_ADDRESS }, () => new AbortController());
    const aborted = controllers.map((c) => fetch(`${base}/logg-inn`, { method: 'POST', signal: c.signal }).catch(() => null));
    await untilReached(FLOOD_IN_FLIGHT_PER_ADDRESS);
    expect((await fetch(`${base}/logg-inn`, { method: 'POST' })).status).to.equal(429);
    for (const c of controllers) c.abort();
    await Promise.all(aborted);
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i += 1) {
      const attempt = fetch(`${base}/logg-inn`, { method: 'POST' });
      await new Promise((r) => setTimeout(r, 10));
      for (const release of waiting.splice(0)) release();
      status = (await attempt).status;
    }
    expect(status).to.equal(200);
  });
});
