import mongoose from 'mongoose';
import type { Logger } from '../lib/logger.js';

/**
 * The one mongoose connection. Timeouts are short on purpose: when the database is gone, a
 * request should fail fast with a clear 503 rather than hang for the driver's 30 s default.
 */
export async function connectDatabase(uri: string, logger: Logger, options: { monitorCommands?: boolean } = {}): Promise<typeof mongoose> {
  mongoose.set('strictQuery', true);
  // Indexes are created explicitly at start-up (ensureIndexes), not lazily per model.
  mongoose.set('autoIndex', false);
  const log = logger.child({ component: 'db' });
  mongoose.connection.on('disconnected', () => log.warn('database disconnected'));
  mongoose.connection.on('reconnected', () => log.info('database reconnected'));
  await mongoose.connect(uri, {
    serverSelectionTimeoutMS: 5000,
    heartbeatFrequencyMS: 2000,
    connectTimeoutMS: 5000,
    maxPoolSize: 50,
    // Command events feed /metrics' database timings; off unless metrics are (each event copies the command).
    monitorCommands: options.monitorCommands ?? false,
  });
  return mongoose;
}

/** Creates the indexes of every registered model (idempotent). */
export async function ensureIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.models)) {
    await model.createIndexes();
  }
}

/** True when the database answers a ping within the time limit. */
export async function pingDatabase(timeoutMs = 1000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== 1 || !db) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const ping = db.admin().command({ ping: 1 }, { timeoutMS: timeoutMs } as object).then((r) => r.ok === 1);
    return await Promise.race([ping, timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}
