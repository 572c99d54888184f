import { unacknowledgedWriteCount } from '../../src/db/connection.js';
import { startTestDatabase, stopTestDatabase } from './database.js';
import { setIdentityGuardMode } from '../../src/components/accounts/identity-guard.js';

// Fixtures arrange users directly; the identity tests switch the guard to `enforce` themselves.
setIdentityGuardMode('observe');

// Mocha root hooks: the whole run shares one embedded database server.
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    // The first run on a machine builds the FerretDB launcher.
    this.timeout(15 * 60_000);
    await startTestDatabase();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await stopTestDatabase();
    // The guide forbids unacknowledged writes (they desynchronised the embedded database's
    // connections, issue 14); every test of the run went through the guard in src/db/connection.ts.
    const unacknowledged = unacknowledgedWriteCount();
    if (unacknowledged > 0) throw new Error(`${unacknowledged} unacknowledged (w: 0) writes were sent during the test run`);
  },
};
