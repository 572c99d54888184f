import { randomUUID } from 'node:crypto';
import compression from 'compression';
import express, { type Express, type Router } from 'express';
import { pinoHttp } from 'pino-http';
import type { AppConfig } from './config/index.js';
import { paths } from './config/index.js';
import type { Logger } from './lib/logger.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createI18n } from './web/i18n.js';
import { securityHeaders } from './web/security.js';
import { ejsWithLayout } from './web/render.js';
import { staticFiles } from './web/assets.js';
import { baseLocals } from './web/locals.js';
import { errorHandler, notFoundHandler } from './web/error-handler.js';
import { healthRoutes } from './components/health/index.js';
import { pageRoutes } from './components/pages/index.js';
import { accountRoutes, createAuthenticator, floodGuard, PersonCache, sessionRoutes } from './components/accounts/index.js';
import { Mailer, outboxRoutes } from './components/mail/index.js';
import { authoringRoutes, moduleAssetRoutes } from './components/modules/index.js';
import { organisationRoutes } from './components/organisation/index.js';
import { ENDPOINT_MANIFEST, type EndpointInfo } from './web/endpoints.js';
import { peopleRoutes } from './components/people/index.js';
import { importRoutes } from './components/imports/index.js';
import { adminRoutes } from './components/admin/index.js';
import { CatalogueCache, learnerStartPage, learningRoutes, LearningService, ProgressService, type LearningPagesDeps } from './components/learning/index.js';
import { leadershipRoutes } from './components/leadership/index.js';
import { assignmentRoutes } from './components/assignments/index.js';
import { teamRoutes, TeamSessionService } from './components/teams/index.js';
import { networkRoutes, NetworkService } from './components/networks/index.js';
import { reminderRoutes, ReminderService } from './components/reminders/index.js';
import { formatters, reportRoutes, ReportService } from './components/reports/index.js';
import { metricsRoutes } from './components/metrics/index.js';
import { sessionMiddleware, absoluteTimeout } from './web/session.js';
import { csrfProtection, csrfTokenLocal } from './web/csrf.js';

/**
 * The services an app is built from, each built once here from config, logger and clock (the
 * composition root): what a service keeps in memory (caches, its clock) belongs to one app, so two
 * apps built in one process share none of it.
 */
export interface Services {
  clock: Clock;
  /** The signed-in people kept in memory for sessions (revoked through the process's feed). */
  people: PersonCache;
  mail: Mailer;
  reports: ReportService;
  progress: ProgressService;
  learning: LearningService;
  teamSessions: TeamSessionService;
  networks: NetworkService;
  reminders: ReminderService;
}

export interface ServiceDependencies {
  config: AppConfig;
  logger: Logger;
  /** The system time unless given (tests move time this way). */
  clock?: Clock | undefined;
  /** How long reports may cache structure: a minute, none in tests (each test sees its own data) unless given. */
  reportCacheMs?: number | undefined;
  /** How long learning may cache the catalogue: CATALOGUE_TTL_MS (5 s) unless given. */
  catalogueCacheMs?: number | undefined;
}

export function createServices({ config, logger, clock = systemClock, reportCacheMs, catalogueCacheMs }: ServiceDependencies): Services {
  const mail = new Mailer(config, logger);
  const progress = new ProgressService(logger);
  const learning = new LearningService(progress, logger, config.baseUrl, new CatalogueCache(catalogueCacheMs));
  return {
    clock,
    people: new PersonCache({ max: config.personCacheSize, logger }),
    mail,
    reports: new ReportService({ logger, clock, cacheMs: reportCacheMs ?? (config.env === 'test' ? 0 : 60_000) }),
    progress,
    learning,
    teamSessions: new TeamSessionService(learning, logger),
    networks: new NetworkService(learning, logger),
    reminders: new ReminderService(progress, logger, mail, learning),
  };
}

export interface AppDependencies {
  config: AppConfig;
  logger: Logger;
  /** The app's services (built from config and logger when not given; tests pass their own to reach them). */
  services?: Services | undefined;
  /** Routers mounted after the app's own (tests use this to add probes). */
  extraRoutes?: Router | undefined;
  /** Why the database cannot take writes although it answers pings (the embedded one's stuck write), or undefined. */
  writePathProblem?: (() => string | undefined) | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Builds the Express app. It never listens, so tests can use it without side effects. */
export async function createApp({ config, logger, services = createServices({ config, logger }), extraRoutes, writePathProblem }: AppDependencies): Promise<Express> {
  const { mail, reports, learning, teamSessions, networks } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('views', paths.views);
  app.engine('ejs', ejsWithLayout);
  app.set('view engine', 'ejs');
  if (config.isProduction) app.enable('view cache');

  const i18n = await createI18n(config.isProduction);
  // A source already over its login or new-password limit is refused first of all, before the
  // request log, headers, sessions and parsing: a flood from one address then costs almost nothing.
  app.use(floodGuard((key, params) => i18n.instance.t(key, { lng: 'nb', ...params })));
  app.use(
    pinoHttp({
      logger,
      // Reuse a well-formed id from the load balancer so one request can be followed across hops.
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      // Multipart forms carry their CSRF token in the URL, and mailed links a single-use token (or
      // the digest's unsubscribe token) in the path; keep them out of the logs.
      serializers: {
        req: (req: { url?: string }) => ({
          ...req,
          url: req.url
            ?.replace(/([?&]_csrf=)[^&]*/, '$1[redacted]')
            .replace(/^(\/passord\/ny\/)[^/?#]+/, '$1[redacted]')
            .replace(/^(\/varsler\/avmeld\/)[^/?#]+/, '$1[redacted]'),
        }),
      },
    }),
  );
  // Every router is mounted through here, so the manifest of declared endpoints (src/web/endpoints.ts)
  // holds every route the app has, for the tests generated from it.
  const manifest: EndpointInfo[] = [];
  const mount = (router: Router & { manifest?: readonly EndpointInfo[] }) => {
    app.use(router);
    manifest.push(...(router.manifest ?? []));
  };
  // Before everything else that answers, so every request is counted (only when METRICS_TOKEN is set).
  mount(metricsRoutes({ token: config.metricsToken }));
  app.use(securityHeaders(config.isProduction));
  app.use(compression());
  app.use(staticFiles());
  mount(healthRoutes(writePathProblem));

  app.use(i18n.middleware);
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  app.use(express.json({ limit: '100kb' }));

  app.use(sessionMiddleware(config, logger));
  // Before passport reads the session, so a session past its absolute limit never authenticates.
  app.use(absoluteTimeout);
  const passport = createAuthenticator(services.people);
  app.use(passport.initialize());
  app.use(passport.session());
  // Checks login before CSRF (an ended session answers 401), then CSRF itself.
  mount(sessionRoutes());
  app.use(csrfProtection);
  app.use(csrfTokenLocal);

  // Locals every view may use: the translator, the page language, the person and the menu.
  app.use(baseLocals);

  // Learning shows what other components tell a learner (a team session they missed, a network's
  // gatherings) without depending on them.
  const learnerPages: LearningPagesDeps = {
    logger,
    learning,
    clock: services.clock,
    notices: { teams: (learner) => teamSessions.missedNotices(learner), networks: (learner) => networks.notices(learner, services.clock()) },
  };
  mount(learningRoutes(learnerPages));
  // A signed-in person's start page is "Mine kurs"; others get the public front page.
  mount(pageRoutes({ config, signedInStart: learnerStartPage(learnerPages) }));
  mount(accountRoutes(config, mail, passport));
  // The development outbox does not exist in production, not even behind a permission.
  if (!config.isProduction) mount(outboxRoutes());
  mount(moduleAssetRoutes());
  mount(authoringRoutes());
  mount(organisationRoutes());
  mount(peopleRoutes({ mailer: mail }));
  mount(importRoutes());
  mount(adminRoutes());
  // Leaders and the municipality: the leader's area, assignments, team sessions, reminders and digests.
  mount(
    leadershipRoutes({
      unitOverviews: (user) => reports.unitOverviews(user),
      municipalHome: (user, typeLabel, municipalityLabel) => reports.municipalHome(user, typeLabel, municipalityLabel),
      formatters,
      nextSession: async (user, unitId) => (await teamSessions.forUnit(user, unitId)).upcoming[0] ?? null,
    }),
  );
  mount(assignmentRoutes());
  mount(teamRoutes({ sessions: teamSessions }));
  mount(networkRoutes({ networks, mailer: mail }));
  mount(reminderRoutes({ config, logger, reminders: services.reminders }));
  // Completion reports: summaries kept from learning's and accounts' events from now on.
  reports.listen();
  mount(reportRoutes(reports, { sweepIntervalMs: config.env === 'test' ? 0 : 5 * 60_000 }));
  if (extraRoutes) app.use(extraRoutes);
  app.set(ENDPOINT_MANIFEST, manifest);

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
