import type { Migration } from './types.js';
import { migration as m0001 } from './0001-unit-assignment-lists.js';
import { migration as m0002 } from './0002-user-status.js';

/**
 * Every migration, in order. A new one is a new numbered file plus one line here (a unit test
 * checks that the files and this list agree, so none is forgotten).
 */
export const MIGRATIONS: readonly Migration[] = [m0001, m0002];
