import type { RequestHandler } from 'express';
import session from 'express-session';
import MongoStore from 'connect-mongo';
import mongoose from 'mongoose';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../lib/logger.js';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
/** The store rewrites the idle expiry at most this often (connect-mongo's `touchAfter`). */
export const TOUCH_AFTER_MS = 60 * 1000;
/** The time-out warning shows this long before the session ends. */
export const WARNING_BEFORE_MS = 2 * 60 * 1000;

export function sessionCookieName(config: AppConfig): string {
  // __Host- cookies must be Secure, path=/ and host-only: the browser then refuses any subdomain or
  // plain-HTTP page that tries to set or shadow it.
  return config.isProduction ? '__Host-fellesskap.sid' : 'fellesskap.sid';
}

/**
 * The session cookie's attributes, shared by the session middleware and the logout that clears it:
 * a browser ignores a `__Host-` cookie set without Secure, so a clear without the same attributes
 * would leave the (already dead) cookie in place.
 */
export function sessionCookieOptions(config: AppConfig): { httpOnly: true; secure: boolean; sameSite: 'lax'; path: '/' } {
  return { httpOnly: true, secure: config.isProduction, sameSite: 'lax', path: '/' };
}

declare module 'express-session' {
  interface SessionData {
    /** When the person logged in: the absolute session limit counts from here. */
    authenticatedAt?: number;
    returnTo?: string;
    flash?: { type: 'success' | 'error' | 'info'; key: string; params?: Record<string, string | number> };
  }
}

const SESSIONS = 'sessions';

/** The stored form of a session, as connect-mongo writes it. */
interface StoredSession {
  _id: string;
  session?: unknown;
  expires?: Date;
  lastModified?: Date;
}

type SessionCallback = (err: unknown, session?: session.SessionData | null) => void;

/**
 * connect-mongo's store with a careful read. A stored document that is not this session's, or
 * cannot be read as a session, is treated as no session (the person signs in again) and logged —
 * never a 500, and never somebody else's session. The embedded database once answered requests
 * with other requests' documents (issue 14); this is the defence that would have held anyway.
 */
class CheckedSessionStore extends MongoStore {
  constructor(
    options: ConstructorParameters<typeof MongoStore>[0],
    private readonly log: Logger,
  ) {
    super(options);
  }

  override get(sid: string, callback: SessionCallback): void {
    const collection = mongoose.connection.db?.collection<StoredSession>(SESSIONS);
    if (!collection) {
      callback(new Error('not connected to the database'));
      return;
    }
    collection
      .findOne({ _id: { $eq: sid }, $or: [{ expires: { $exists: false } }, { expires: { $gt: new Date() } }] })
      .then((doc) => {
        if (!doc) return callback(null, null);
        const data = readStoredSession(sid, doc);
        if (!data) {
          this.log.error({ component: 'sessions', storedId: typeof doc._id === 'string' ? doc._id === sid : typeof doc._id, fields: Object.keys(doc) }, 'unreadable session document; treated as no session');
          return callback(null, null);
        }
        this.emit('get', sid);
        callback(null, data);
      }, callback);
  }

  /**
   * connect-mongo's set deletes `lastModified` from the session object it is given. After an
   * explicit save (every flash message) express-session then sees a session that differs from the
   * one it saved and writes it a second time at the end of the request. A copy keeps the object the
   * request holds as it was saved: one write.
   */
  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    super.set(sid, { ...data }, callback);
  }
}

/** The session held in doc when doc is this session's and readable, else undefined. */
export function readStoredSession(sid: string, doc: StoredSession): session.SessionData | undefined {
  if (doc._id !== sid || typeof doc.session !== 'string') return undefined;
  let data: unknown;
  try {
    data = JSON.parse(doc.session);
  } catch {
    return undefined;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data) || typeof (data as { cookie?: unknown }).cookie !== 'object') return undefined;
  // What connect-mongo's own get adds, so its touch() knows when the expiry was last written.
  if (doc.lastModified) (data as { lastModified?: Date }).lastModified = doc.lastModified;
  return data as session.SessionData;
}

/**
 * Deletes expired sessions with an acknowledged write. FerretDB v1 has no TTL indexes, and
 * connect-mongo's own interval sweep sends an unacknowledged delete (write concern zero), which desynchronised
 * the embedded database's connections (issue 14); so the sweep is ours.
 */
export async function sweepExpiredSessions(now = new Date()): Promise<number> {
  const db = mongoose.connection.db;
  if (!db) return 0;
  const result = await db.collection(SESSIONS).deleteMany({ expires: { $lt: now } });
  return result.deletedCount;
}

/** Runs the sweep every intervalMs in the server process; returns the function that stops it. */
export function startSessionSweep(logger: Logger, intervalMs = 10 * 60 * 1000): () => void {
  const log = logger.child({ component: 'sessions' });
  const timer = setInterval(() => {
    sweepExpiredSessions().then(
      (deleted) => log.debug({ deleted }, 'expired sessions swept'),
      (err: unknown) => log.warn({ err }, 'sweeping expired sessions failed; the next sweep tries again'),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Server-side sessions in the database (shared by every app instance). Expired sessions are
 * removed by our own sweep (startSessionSweep), never by connect-mongo's.
 */
export function sessionMiddleware(config: AppConfig, logger: Logger): RequestHandler {
  const store = new CheckedSessionStore(
    {
      // connect-mongo is typed against the top-level mongodb package and mongoose against its own
      // copy (a few versions apart); at runtime it is the one client mongoose connected.
      client: mongoose.connection.getClient() as unknown as NonNullable<ConstructorParameters<typeof MongoStore>[0]['client']>,
      collectionName: SESSIONS,
      ttl: IDLE_TIMEOUT_MS / 1000,
      autoRemove: 'disabled',
      // Refresh the stored expiry at most once a minute instead of on every request.
      touchAfter: TOUCH_AFTER_MS / 1000,
    },
    logger,
  );
  return session({
    name: sessionCookieName(config),
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { ...sessionCookieOptions(config), maxAge: IDLE_TIMEOUT_MS },
  });
}

/**
 * Ends sessions older than the absolute limit, whatever the activity. Runs before passport reads
 * the session: the old session is deleted from the store and this request goes on in a fresh,
 * empty one, so it is anonymous (and still has a session for the login form's CSRF token).
 *
 * The idle limit needs no code here: every response renews the cookie (`rolling`) and the stored
 * expiry (at most once a minute, `touchAfter`) to 30 minutes ahead; a session left alone longer is
 * no longer found by the store, and its document is swept.
 */
export const absoluteTimeout: RequestHandler = (req, _res, next) => {
  const at = req.session?.authenticatedAt;
  if (at && Date.now() - at > ABSOLUTE_TIMEOUT_MS) {
    req.log?.info('session ended: absolute limit reached');
    req.session.regenerate(next);
    return;
  }
  next();
};

export interface SessionLimits {
  /**
   * Seconds the session surely lives without more activity. A page view renews the stored expiry
   * only when the last renewal is a minute old (`touchAfter`), so the store may end the session up
   * to a minute earlier than 30 minutes from now: the warning counts from the earliest end.
   */
  idleSeconds: number;
  /** Seconds until the absolute limit, which nothing extends. */
  absoluteSeconds: number;
  /** How long before either end the warning shows. */
  warningSeconds: number;
}

/** What the time-out warning needs to know about the signed-in person's session, right now. */
export function sessionLimits(authenticatedAt: number | undefined, now = Date.now()): SessionLimits {
  const absoluteMs = authenticatedAt ? Math.max(0, authenticatedAt + ABSOLUTE_TIMEOUT_MS - now) : ABSOLUTE_TIMEOUT_MS;
  return {
    idleSeconds: Math.floor((IDLE_TIMEOUT_MS - TOUCH_AFTER_MS) / 1000),
    absoluteSeconds: Math.floor(absoluteMs / 1000),
    warningSeconds: WARNING_BEFORE_MS / 1000,
  };
}
