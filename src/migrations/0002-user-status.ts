import { backfillUserStatus } from '../components/accounts/index.js';
import type { Migration } from './types.js';

/**
 * People stored before accounts had a status (active, invited, deactivated, anonymised) get
 * `active`, what the code has read a missing status as; queries on `status` then find them too.
 * No `down`: which people had no status is not kept, and an older version ignores the field.
 */
export const migration: Migration = {
  name: '0002-user-status',
  async up({ logger }) {
    const updated = await backfillUserStatus();
    if (updated) logger.info({ people: updated }, 'status set on people stored without one');
  },
};
