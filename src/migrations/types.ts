import type { Logger } from '../lib/logger.js';

/** What a migration gets: a logger. It reaches the data through the components' public faces. */
export interface MigrationContext {
  logger: Logger;
}

/**
 * One data change between versions: a numbered file under src/migrations exporting its `name`
 * (`NNNN-what-it-does`, the file's own name), an `up` and, where the change can be undone, a `down`.
 * `up` must be safe to run on a database that already has the change (a crash after the change
 * but before it was recorded runs it again).
 */
export interface Migration {
  name: string;
  up(context: MigrationContext): Promise<void>;
  down?(context: MigrationContext): Promise<void>;
}
