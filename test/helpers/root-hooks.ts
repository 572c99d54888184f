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
  },
};
