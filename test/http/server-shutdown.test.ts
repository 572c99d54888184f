import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { findFreePort } from '../../src/db/index.js';
import { startServerProcess, waitFor } from '../helpers/process.js';

describe('server process: SIGTERM while clients keep their connections busy', function () {
  this.timeout(120_000);
  let dataDir: string;

  before(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-shutdown-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keep-alive clients sending request after request: every answer arrives, the app exits 0 well before SHUTDOWN_TIMEOUT_MS', async () => {
    const port = await findFreePort();
    const base = `http://127.0.0.1:${port}`;
    const server = startServerProcess({ PORT: String(port), DATA_DIR: dataDir, SEED_DEMO: 'false', SHUTDOWN_TIMEOUT_MS: '8000' });
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 90_000, 'start');

    let stop = false;
    let answered = 0;
    const failed: Array<{ id: string; code: string }> = [];
    // Each client reuses its keep-alive connection with no pause, so it never turns idle.
    const client = async (c: number) => {
      for (let n = 0; !stop; n += 1) {
        const id = `shutdown-${c}-${n}-xyz`;
        try {
          const res = await fetch(`${base}/bevis`, { headers: { 'X-Request-Id': id }, signal: AbortSignal.timeout(10_000) });
          await res.arrayBuffer();
          answered += 1;
        } catch (err) {
          failed.push({ id, code: (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name });
          return;
        }
      }
    };
    const clients = Array.from({ length: 8 }, (_, c) => client(c));
    await new Promise((r) => setTimeout(r, 1000));

    const signalled = Date.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const tookMs = Date.now() - signalled;
    stop = true;
    await Promise.all(clients);

    // A request the app never read (refused, or sent on a connection closed as idle) tells the client
    // nothing was done; one the app had read (it logs every request with its id) must be answered.
    const read = new Set(
      server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { req?: { id?: string } }).req?.id),
    );
    expect(exit.code).to.equal(0);
    expect(tookMs, 'exit time after SIGTERM').to.be.below(4000);
    expect(failed.filter((f) => read.has(f.id)), 'requests the app had read, cut off').to.deep.equal([]);
    expect(answered).to.be.above(0);
  });
});
