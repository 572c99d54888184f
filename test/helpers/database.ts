import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { createLogger } from '../../src/lib/logger.js';
import { EmbeddedServer, assertSafeTestDatabase } from '../../src/db/index.js';
import { connectDatabase, ensureIndexes } from '../../src/db/connection.js';
import { clearLearningCaches } from '../../src/components/learning/index.js';
import { forgetLoginLimitMemory } from '../../src/components/accounts/index.js';

/**
 * One embedded FerretDB per test run, with its own temporary data directory, or the
 * MONGODB_URI given for tests (which the guard checks does not look like production).
 */
let embedded: EmbeddedServer | undefined;
let dataDir: string | undefined;
let uri: string | undefined;

export const TEST_DB_NAME = 'fellesskap_test';

export function testDatabase(): { uri: string; embedded: EmbeddedServer | undefined } {
  if (!uri) throw new Error('test database not started (root hooks did not run)');
  return { uri, embedded };
}

export async function startTestDatabase(): Promise<void> {
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const external = process.env.MONGODB_URI;
  if (external) {
    uri = external;
  } else {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-test-'));
    embedded = new EmbeddedServer({ dataDir, logger });
    uri = (await embedded.start()) + TEST_DB_NAME;
  }
  assertSafeTestDatabase(uri);
  await connectDatabase(uri, logger, { embedded: !!embedded });
  await ensureIndexes();
}

export async function stopTestDatabase(): Promise<void> {
  await mongoose.disconnect();
  await embedded?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

/** Empties every collection, so each test arranges exactly the data it needs. */
export async function clearDatabase(): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  for (const { name } of collections) {
    if (name.startsWith('system.')) continue;
    await db.collection(name).deleteMany({});
  }
  // Learning keeps published versions in memory (immutable in real life); an emptied test database
  // reuses their ids for other content.
  clearLearningCaches();
  // Login limits block a source in memory once it is over its limit; the counts just went.
  forgetLoginLimitMemory();
}
