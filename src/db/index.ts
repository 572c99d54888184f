import path from 'node:path';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../lib/logger.js';
import { connectDatabase, disconnectDatabase, ensureIndexes } from './connection.js';
import { EmbeddedServer, explainStorageError } from './embedded-server.js';

export { pingDatabase } from './connection.js';
export { assertSafeTestDatabase, UnsafeTestDatabaseError } from './test-guard.js';
export { EmbeddedServer, EmbeddedDatabaseError, findFreePort, explainStorageError } from './embedded-server.js';

export interface DatabaseHandle {
  uri: string;
  embedded: EmbeddedServer | undefined;
  close(): Promise<void>;
}

/**
 * Connects to MONGODB_URI, or starts the embedded FerretDB under DATA_DIR and connects to it.
 */
export interface OpenDatabaseOptions {
  dbName?: string;
  /**
   * For the command-line tools: when the app is running on the same DATA_DIR, use its embedded
   * database rather than refuse (see EmbeddedServerOptions.shareRunning). The app leaves it off.
   */
  shareRunning?: boolean;
}

export async function openDatabase(config: AppConfig, logger: Logger, options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  const dbName = options.dbName ?? 'fellesskap';
  let embedded: EmbeddedServer | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = new EmbeddedServer({ dataDir: path.join(config.dataDir, 'ferretdb'), logger, shareRunning: options.shareRunning });
    uri = (await embedded.start()) + dbName;
  }
  try {
    await connectDatabase(uri, logger, { embedded: !!embedded });
    await ensureIndexes();
  } catch (err) {
    await embedded?.stop();
    throw (embedded && explainStorageError(embedded.dataDir, err)) || err;
  }
  return {
    uri,
    embedded,
    async close() {
      await disconnectDatabase();
      await embedded?.stop();
    },
  };
}
