import mongoose from 'mongoose';
import type { Logger } from '../lib/logger.js';

/** Query operations that only read, so that running one twice changes nothing. */
const IDEMPOTENT_READS = new Set(['find', 'findOne', 'countDocuments', 'estimatedDocumentCount', 'distinct']);

/**
 * The retry's state lives on mongoose itself (a registered symbol), not in this module: mongoose is
 * one instance per process, while this module can be loaded twice (the test runner loads its hooks
 * and its tests through different loaders), and exec must be wrapped exactly once.
 */
const READ_RETRY = Symbol.for('fellesskap.readRetry');
interface ReadRetryState {
  log: Logger;
}
const holder = mongoose as unknown as { [READ_RETRY]?: ReadRetryState };

// Per process, as the one mongoose connection whose commands it counts.
let unacknowledgedWrites = 0;

/**
 * A reply whose shape does not fit its command (MongoUnexpectedServerResponseError: "BSON element
 * 'cursor' is missing", a batch that is not a batch) for a read is retried once and logged with the
 * command. The embedded database once sent such replies when its connections desynchronised
 * (issue 14); the cause is fixed in the launcher, and this keeps a stray one from becoming a 500.
 * Writes are never retried here: they are not known to be idempotent.
 */
export function installReadRetry(logger: Logger): Logger | undefined {
  const installed = holder[READ_RETRY];
  if (installed) {
    const previous = installed.log;
    installed.log = logger;
    return previous;
  }
  const state: ReadRetryState = { log: logger };
  holder[READ_RETRY] = state;
  const exec = mongoose.Query.prototype.exec;
  mongoose.Query.prototype.exec = async function retryingExec(this: mongoose.Query<unknown, unknown>, ...args: []) {
    try {
      return await exec.apply(this, args);
    } catch (err) {
      // `op` is set on every query at run time, though mongoose's types do not declare it.
      const op = (this as unknown as { op?: string }).op ?? '';
      if (!(err instanceof mongoose.mongo.MongoUnexpectedServerResponseError) || !IDEMPOTENT_READS.has(op)) throw err;
      state.log.warn({ err, collection: this.model?.collection?.name, op, filter: Object.keys(this.getFilter()) }, 'malformed database reply to a read; retrying once');
      return await exec.apply(this.clone(), args);
    }
  };
  const aggregate = mongoose.Aggregate.prototype.exec;
  mongoose.Aggregate.prototype.exec = async function retryingAggregate(this: mongoose.Aggregate<unknown>) {
    try {
      return await aggregate.apply(this);
    } catch (err) {
      // Our pipelines only read ($match, $group, …: see the guide); none writes with $out or $merge.
      if (!(err instanceof mongoose.mongo.MongoUnexpectedServerResponseError)) throw err;
      state.log.warn({ err, collection: this.model()?.collection?.name, op: 'aggregate' }, 'malformed database reply to a read; retrying once');
      return await aggregate.apply(this);
    }
  };
  return undefined;
}

/** Whether a command is a write sent without acknowledgement (write concern zero). */
export function isUnacknowledgedWrite(command: Record<string, unknown>): boolean {
  const concern = command.writeConcern as { w?: unknown } | undefined;
  return concern?.w === 0;
}

/** How many unacknowledged writes this process has sent (the test suite requires none). */
export function unacknowledgedWriteCount(): number {
  return unacknowledgedWrites;
}

/**
 * The one mongoose connection. Timeouts are short on purpose: when the database is gone, a
 * request should fail fast with a clear 503 rather than hang for the driver's 30 s default.
 */
export async function connectDatabase(uri: string, logger: Logger, options: { embedded?: boolean } = {}): Promise<typeof mongoose> {
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
    // The embedded database is one standalone server the app restarts on the same port: connect to
    // it directly, so the driver's topology is that one server and never drops it while it is
    // restarting. The fault drill's database kill left the driver without any server, answering
    // every request 503 for good, in some runs. MongoDB (a replica set) is discovered as usual.
    ...(options.embedded ? { directConnection: true } : {}),
    // Command events let us refuse to stay silent about unacknowledged writes (below), and feed
    // /metrics' database timings when metrics are on.
    monitorCommands: true,
  });
  installReadRetry(log);
  mongoose.connection.getClient().on('commandStarted', (event: mongoose.mongo.CommandStartedEvent) => {
    if (!isUnacknowledgedWrite(event.command)) return;
    // The guide forbids them: the embedded database answers them anyway (see tools/ferretdb/front.go).
    unacknowledgedWrites += 1;
    log.error({ command: event.commandName, collection: event.command[event.commandName] }, 'unacknowledged write sent (write concern zero)');
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
