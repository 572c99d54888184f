import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { findFreePort } from '../../src/db/index.js';
import { childPids, isProcessAlive, startServerProcess, waitFor } from '../helpers/process.js';

describe('server process: start, stop, restart', function () {
  this.timeout(120_000);
  let dataDir: string;

  before(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-proc-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('bad config: one clear line naming the variable, exit code 1', async () => {
    const server = startServerProcess({ PORT: 'not-a-port', DATA_DIR: dataDir });
    const { code } = await server.exited;
    expect(code).to.equal(1);
    const lines = server.output().trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^Invalid configuration: PORT /);
  });

  it('embedded database: serves, seeds, stops on SIGTERM leaving no process, keeps data on restart', async () => {
    const port = await findFreePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), DATA_DIR: dataDir };

    const first = startServerProcess(env);
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 90_000, 'first start');
    expect(first.output()).to.contain('demo municipality created');
    const [launcherPid] = await childPids(first.child.pid!);
    expect(launcherPid, 'embedded database process').to.be.a('number');

    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code).to.equal(0);
    await waitFor(async () => !isProcessAlive(launcherPid!), 10_000, 'launcher to exit');

    const second = startServerProcess(env);
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 60_000, 'second start');
    expect(second.output()).to.contain('demo data already present');
    second.child.kill('SIGINT');
    expect((await second.exited).code).to.equal(0);
  });

  it('a parent killed with SIGKILL: the embedded database notices and exits too', async () => {
    const port = await findFreePort();
    const server = startServerProcess({ PORT: String(port), DATA_DIR: dataDir });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 60_000, 'start');
    const [launcherPid] = await childPids(server.child.pid!);
    server.child.kill('SIGKILL');
    await server.exited;
    // Without a child there is nothing to watch: an undefined pid would count as "exited" at once.
    expect(launcherPid, 'embedded database process').to.be.a('number');
    await waitFor(async () => !isProcessAlive(launcherPid!), 10_000, 'orphaned launcher to exit');
  });
});
