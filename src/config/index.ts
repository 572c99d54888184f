import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from './paths.js';

export { paths } from './paths.js';

/**
 * The only reader of process.env (house rule 6). Everything is validated once at start-up;
 * an invalid value stops the process with one line that names the variable.
 */

const DEV_SESSION_SECRET = 'development-only-session-secret-not-for-production-use';

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A plain e-mail address (for a mailto: link); anything else must be an http(s) URL. */
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).optional(),
  METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters (a random secret)')
    .max(512)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it is sent in an Authorization header)')
    .optional(),
  SEED_DEMO: boolish.optional(),
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  MAIL_FROM: z.string().min(3).default('Fellesskap <ikke-svar@fellesskap.invalid>'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120000).default(10000),
  PERSON_CACHE_SIZE: z.coerce.number().int().min(0, 'must be 0 (off) or more').max(1000000, 'must be at most 1000000').default(10000),
  SESSION_CACHE_SIZE: z.coerce.number().int().min(0, 'must be 0 (off) or more').max(1000000, 'must be at most 1000000').default(10000),
  SESSION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000, 'must be at least 1000 (one second)').max(86400000, 'must be at most 86400000 (one day)').default(600000),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(500).max(120000).default(20000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3600000).default(120000),
  OIDC_ISSUER: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_SCOPES: z.string().regex(/(^|\s)openid(\s|$)/, 'must include openid').default('openid email profile'),
  OIDC_ID_CLAIM: z.string().min(1).max(200).default('sub'),
  OIDC_AUTO_CREATE: boolish.default(false),
  OIDC_DISPLAY_NAME: z.string().min(1).max(80).default('Logg inn med kommunens pålogging'),
  DIGEST_ENABLED: boolish.optional(),
  DIGEST_WEEKDAY: z.coerce.number().int().min(1, 'must be 1 (Monday) to 7 (Sunday)').max(7, 'must be 1 (Monday) to 7 (Sunday)').default(1),
  DIGEST_HOUR: z.coerce.number().int().min(0, 'must be an hour from 0 to 23').max(23, 'must be an hour from 0 to 23').default(7),
  ACCESSIBILITY_CONTACT: z
    .string()
    .max(300)
    .refine((v) => EMAIL.test(v) || /^https?:\/\/[^\s]+$/.test(v), 'must be an e-mail address or an http(s) URL')
    .optional(),
});

/** Every environment variable the app reads (the README's configuration table lists each). */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export type Environment = 'development' | 'test' | 'production';

export interface AppConfig {
  readonly env: Environment;
  readonly isProduction: boolean;
  readonly port: number;
  readonly host: string;
  /** Set when an external MongoDB is used; unset means: start the embedded FerretDB. */
  readonly mongodbUri: string | undefined;
  readonly dataDir: string;
  readonly sessionSecret: string;
  readonly baseUrl: string;
  readonly logLevel: string;
  /** JSON lines (production, tests, log collectors) or pino-pretty's coloured lines (a developer's terminal). */
  readonly logFormat: 'json' | 'pretty';
  /** The bearer token that opens /metrics; undefined: /metrics does not exist. */
  readonly metricsToken: string | undefined;
  readonly seedDemo: boolean;
  readonly trustProxy: number;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly shutdownTimeoutMs: number;
  /** How often the server deletes expired sessions (short only in the stress script, to run it often). */
  readonly sessionSweepIntervalMs: number;
  /** People kept in memory for sessions (src/components/accounts/person-cache.ts); 0 turns the cache off. */
  readonly personCacheSize: number;
  /** Sessions kept in memory per app (0: every request reads its session from the database). */
  readonly sessionCacheSize: number;
  /** How long a client may take to send a request's headers, and the whole request (slow-client limits). */
  readonly httpHeadersTimeoutMs: number;
  readonly httpRequestTimeoutMs: number;
  /** Single sign-on with OpenID Connect; undefined when OIDC_ISSUER is unset (no SSO button). */
  readonly oidc: OidcConfig | undefined;
  /** The weekly digest e-mail: when the server sends it (Norwegian time). */
  readonly digest: DigestConfig;
  /** Where the accessibility statement sends feedback; undefined: the statement says to tell one's leader. */
  readonly accessibilityContact: AccessibilityContact | undefined;
}

export interface AccessibilityContact {
  readonly kind: 'email' | 'url';
  readonly value: string;
}

export interface DigestConfig {
  /** Whether the server process sends the digest by itself (`npm run digest` works either way). */
  readonly enabled: boolean;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  readonly weekday: number;
  /** Hour of the day in Europe/Oslo, 0–23. */
  readonly hour: number;
}

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly scopes: string;
  /** The claim that identifies a person (e.g. `sub`, or `oid` for Entra ID). */
  readonly idClaim: string;
  /** Whether people the platform does not know get an account at their first SSO login. */
  readonly autoCreate: boolean;
  /** The text of the login button, e.g. "Logg inn med Feide". */
  readonly displayName: string;
  /** Plain-HTTP identity provider: only for a loopback issuer outside production (tests, local IdP). */
  readonly allowInsecureRequests: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates an environment (process.env or a test's own object) into a frozen config. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset, as they do in most deployment tools.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') ?? 'environment';
    const got = typeof cleaned[key] === 'string' ? ` (got "${String(cleaned[key]).slice(0, 60)}")` : '';
    throw new ConfigError(`Invalid configuration: ${key} ${issue?.message ?? 'is invalid'}${got}`);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  if (isProduction && !e.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration: SESSION_SECRET is required when NODE_ENV=production (at least 32 random characters)');
  }
  if (isProduction && !e.MONGODB_URI) {
    throw new ConfigError('Invalid configuration: MONGODB_URI is required when NODE_ENV=production (a MongoDB replica set)');
  }
  let oidc: OidcConfig | undefined;
  if (e.OIDC_ISSUER) {
    if (!e.OIDC_CLIENT_ID) throw new ConfigError('Invalid configuration: OIDC_CLIENT_ID is required when OIDC_ISSUER is set');
    const issuerUrl = new URL(e.OIDC_ISSUER);
    const insecure = issuerUrl.protocol === 'http:';
    if (insecure && (isProduction || !LOOPBACK_HOSTS.has(issuerUrl.hostname))) {
      throw new ConfigError('Invalid configuration: OIDC_ISSUER must be an https URL (plain http only for a loopback issuer outside production)');
    }
    oidc = Object.freeze({
      issuer: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      scopes: e.OIDC_SCOPES,
      idClaim: e.OIDC_ID_CLAIM,
      autoCreate: e.OIDC_AUTO_CREATE,
      displayName: e.OIDC_DISPLAY_NAME,
      allowInsecureRequests: insecure,
    });
  }
  // Node's HTTP server throws at creation on a headers timeout longer than the request timeout; say it here in one line.
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('Invalid configuration: HTTP_HEADERS_TIMEOUT_MS must not be longer than HTTP_REQUEST_TIMEOUT_MS');
  }
  const defaultLevel = e.NODE_ENV === 'test' ? 'silent' : 'info';
  return Object.freeze({
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    mongodbUri: e.MONGODB_URI,
    dataDir: path.resolve(projectRoot, e.DATA_DIR),
    sessionSecret: e.SESSION_SECRET ?? DEV_SESSION_SECRET,
    baseUrl: (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL ?? defaultLevel,
    // Only someone trying it out at a terminal gets pretty lines; tests and production stay JSON.
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === 'development' ? 'pretty' : 'json'),
    metricsToken: e.METRICS_TOKEN,
    seedDemo: e.SEED_DEMO ?? !isProduction,
    trustProxy: e.TRUST_PROXY,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    sessionSweepIntervalMs: e.SESSION_SWEEP_INTERVAL_MS,
    personCacheSize: e.PERSON_CACHE_SIZE,
    sessionCacheSize: e.SESSION_CACHE_SIZE,
    httpHeadersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    httpRequestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    oidc,
    // Tests drive the digest themselves; a timer in a test process would only add noise.
    digest: Object.freeze({ enabled: e.DIGEST_ENABLED ?? e.NODE_ENV !== 'test', weekday: e.DIGEST_WEEKDAY, hour: e.DIGEST_HOUR }),
    accessibilityContact: e.ACCESSIBILITY_CONTACT
      ? Object.freeze({ kind: EMAIL.test(e.ACCESSIBILITY_CONTACT) ? 'email' : 'url', value: e.ACCESSIBILITY_CONTACT } as const)
      : undefined,
  });
}
