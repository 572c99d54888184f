import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import MongoStore from 'connect-mongo';
import { parseCookie } from 'cookie';
import mongoose from 'mongoose';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../lib/logger.js';
import { RevocableCache, revocations } from '../lib/revocations.js';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
/** The store rewrites the idle expiry at most this often (connect-mongo's `touchAfter`). */
export const TOUCH_AFTER_MS = 60 * 1000;
/** The time-out warning shows this long before the session ends. */
export const WARNING_BEFORE_MS = 2 * 60 * 1000;

/** A cached session is trusted for at most this long, whatever happens (the revocation feed is the fast path). */
export const SESSION_CACHE_TTL_MS = 60 * 1000;
/** The revocation topic of sessions; its keys are `sessionKey(sid)`, never a session id. */
export const SESSION_TOPIC = 'session';

export function sessionCookieName(config: AppConfig): string {
  // __Host- cookies must be Secure, path=/ and host-only: the browser then refuses any subdomain or
  // plain-HTTP page that tries to set or shadow it.
  return config.isProduction ? '__Host-fellesskap.sid' : 'fellesskap.sid';
}

/** The cookie naming the version of the session this browser last wrote or was shown (see CheckedSessionStore). */
export function sessionVersionCookieName(config: AppConfig): string {
  return config.isProduction ? '__Host-fellesskap.sv' : 'fellesskap.sv';
}

/**
 * How a session is named in memory and in the revocation feed: a hash of its id, so the feed (a
 * collection any instance reads) never holds a session id, which is a bearer secret.
 */
export function sessionKey(sid: string): string {
  return createHash('sha256').update(sid).digest('base64url');
}

/** A stored session's version: a hash of its stored (serialised) form, the same on every instance. */
export function sessionVersion(serialised: string): string {
  return createHash('sha256').update(serialised).digest('base64url').slice(0, 22);
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

/** A session in memory: its stored form, that form's version, and when the store ends it. */
interface CachedSession {
  serialised: string;
  version: string;
  expires: number;
  lastModified: number | null;
}

/** The request a store call was made for, when express-session makes it while handling one. */
interface RequestAtHand {
  res: Response;
  /** The version the browser says it last saw (its version cookie), if it sent one. */
  version: string | undefined;
}

/**
 * connect-mongo's store with a careful read, and the sessions of this app in memory.
 *
 * The careful read: a stored document that is not this session's, or cannot be read as a session,
 * is treated as no session (the person signs in again) and logged — never a 500, and never somebody
 * else's session. The embedded database once answered requests with other requests' documents
 * (issue 14); this is the defence that would have held anyway.
 *
 * The memory (issue 15): every request reads its session, so a warm page takes it from here and
 * leaves the database one round trip fewer. Several instances share the sessions collection, and a
 * session changes on any of them (a flash message, a CSRF token, the login), so an entry is only used
 * when it is the very version this browser last saw: each write of a session, and each read from the
 * database, tells the browser the version in a cookie (a hash of the stored form, not secret: a
 * forged one only costs a database read), and a request whose cookie names another version, or none,
 * reads the database. So a browser always reads its own writes, on whichever instance it lands.
 * Ending a session (logout, login's new id, the absolute limit) drops it here at once and tells the
 * other instances through the revocation feed, which they read every second; entries are trusted only
 * while that feed is current (src/lib/revocations.ts) and for at most SESSION_CACHE_TTL_MS, and an
 * entry past its stored expiry is never used (the idle limit). Changes of the person behind a session
 * (deactivation, a new password, roles) are the person cache's: it is read on every request anyway.
 */
class CheckedSessionStore extends MongoStore {
  private readonly entries: RevocableCache<CachedSession>;
  /** The request express-session is reading the session of, during its synchronous call of get. */
  private atHand: RequestAtHand | null = null;

  constructor(
    options: ConstructorParameters<typeof MongoStore>[0],
    private readonly log: Logger,
    private readonly cache: { max: number; versionCookie: string; cookieOptions: ReturnType<typeof sessionCookieOptions> },
  ) {
    super(options);
    this.entries = new RevocableCache<CachedSession>(SESSION_TOPIC, { max: cache.max, ttlMs: SESSION_CACHE_TTL_MS, log });
    // connect-mongo tells when a touch wrote the stored expiry (at most once a minute): the entry follows.
    this.on('touch', (sid: string, data: session.SessionData) => this.followTouch(sid, data));
  }

  /** Reads the session of the request express-session handles in `run` (its get is called synchronously). */
  withRequest<T>(req: Request, res: Response, run: () => T): T {
    const header = req.headers.cookie;
    this.atHand = { res, version: header ? parseCookie(header)[this.cache.versionCookie] : undefined };
    try {
      return run();
    } finally {
      this.atHand = null;
    }
  }

  /** Sets the version cookie, as express-session sets its own: never a Secure cookie over plain HTTP. */
  private tellBrowser(res: Response | undefined, version: string): void {
    if (!res || res.headersSent || (this.cache.cookieOptions.secure && !res.req.secure)) return;
    res.cookie(this.cache.versionCookie, version, this.cache.cookieOptions);
  }

  override get(sid: string, callback: SessionCallback): void {
    const atHand = this.atHand;
    const key = sessionKey(sid);
    const hit = atHand?.version ? this.entries.get(key) : undefined;
    if (hit && hit.version === atHand?.version && hit.expires > Date.now()) {
      const data = readStoredSession(sid, { _id: sid, session: hit.serialised, lastModified: hit.lastModified === null ? undefined : new Date(hit.lastModified) });
      if (data) {
        callback(null, data);
        return;
      }
    }
    const collection = mongoose.connection.db?.collection<StoredSession>(SESSIONS);
    if (!collection) {
      callback(new Error('not connected to the database'));
      return;
    }
    const mark = this.entries.mark();
    collection
      .findOne({ _id: { $eq: sid }, $or: [{ expires: { $exists: false } }, { expires: { $gt: new Date() } }] })
      .then((doc) => {
        if (!doc) return callback(null, null);
        const data = readStoredSession(sid, doc);
        if (!data) {
          this.log.error({ component: 'sessions', storedId: typeof doc._id === 'string' ? doc._id === sid : typeof doc._id, fields: Object.keys(doc) }, 'unreadable session document; treated as no session');
          return callback(null, null);
        }
        const version = sessionVersion(doc.session as string);
        this.entries.set(key, { serialised: doc.session as string, version, expires: doc.expires ? doc.expires.getTime() : Number.MAX_SAFE_INTEGER, lastModified: doc.lastModified ? doc.lastModified.getTime() : null }, mark);
        // A browser that names another version may know of a write this read did not see yet (its
        // response came before the write was acknowledged): its cookie is left as it is, so its next
        // request reads the database again instead of trusting this older version.
        if (!atHand?.version) this.tellBrowser(atHand?.res, version);
        this.emit('get', sid);
        callback(null, data);
      }, callback);
  }

  /**
   * connect-mongo's set deletes `lastModified` from the session object it is given. After an
   * explicit save (every flash message) express-session then sees a session that differs from the
   * one it saved and writes it a second time at the end of the request. A copy keeps the object the
   * request holds as it was saved: one write.
   *
   * The browser learns the new version before the write is acknowledged (express-session sends the
   * headers first); its next request, on any instance, reads the database until that version is there.
   */
  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    const copy: session.SessionData & { lastModified?: Date } = { ...data };
    delete copy.lastModified;
    // What connect-mongo stores (its `serialize` is JSON.stringify of the same object).
    const serialised = JSON.stringify(copy);
    const version = sessionVersion(serialised);
    this.tellBrowser((data as { req?: Request }).req?.res, version);
    const key = sessionKey(sid);
    const mark = this.entries.mark();
    const expires = copy.cookie?.expires ? new Date(copy.cookie.expires).getTime() : Date.now() + IDLE_TIMEOUT_MS;
    super.set(sid, copy, (err?: unknown) => {
      if (err) this.entries.drop(key);
      else this.entries.set(key, { serialised, version, expires, lastModified: Date.now() }, mark);
      callback?.(err);
    });
  }

  /** The stored expiry moved on: the entry follows, so it keeps being used. */
  private followTouch(sid: string, data: session.SessionData): void {
    const key = sessionKey(sid);
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.set(key, { ...entry, expires: data.cookie?.expires ? new Date(data.cookie.expires).getTime() : Date.now() + IDLE_TIMEOUT_MS, lastModified: Date.now() }, this.entries.mark());
  }

  /** A session ended here (logout, login's new id, the absolute limit): gone here now, elsewhere within a second. */
  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    const key = sessionKey(sid);
    this.entries.drop(key);
    super.destroy(sid, (err?: unknown) => {
      // Told even when this instance keeps no sessions in memory: the others may.
      if (err) return callback?.(err);
      revocations.publish(SESSION_TOPIC, key).then(
        () => callback?.(),
        (publishErr: unknown) => callback?.(publishErr),
      );
    });
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
    { max: config.sessionCacheSize, versionCookie: sessionVersionCookieName(config), cookieOptions: sessionCookieOptions(config) },
  );
  const middleware = session({
    name: sessionCookieName(config),
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { ...sessionCookieOptions(config), maxAge: IDLE_TIMEOUT_MS },
  });
  return (req, res, next) => store.withRequest(req, res, () => middleware(req, res, next));
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
