import { ensureUnitLists, removeUnitLists } from '../components/assignments/index.js';
import type { Migration } from './types.js';

/**
 * Databases from before the units' assignment lists existed get them built from the assignment
 * records (formerly done at every start: "assignment lists of the units built once").
 */
export const migration: Migration = {
  name: '0001-unit-assignment-lists',
  async up({ logger }) {
    const built = await ensureUnitLists();
    if (built !== null) logger.info({ lists: built }, 'assignment lists of the units built');
  },
  async down() {
    await removeUnitLists();
  },
};
