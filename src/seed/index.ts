import type { AppConfig } from '../config/index.js';
import type { Logger } from '../lib/logger.js';
import { seedDemoOrganisation } from '../components/organisation/index.js';
import { seedDemoUsers, DEMO_USERS, DEMO_PASSWORD } from '../components/accounts/index.js';
import { publishFromFolder } from '../components/modules/index.js';
import { seedDemoAssignments } from '../components/assignments/index.js';
import type { ReportService } from '../components/reports/index.js';
import { seedDemoTeamSession } from '../components/teams/index.js';
import { seedDemoNetwork } from '../components/networks/index.js';
import { paths } from '../config/index.js';
import { seedDemoMunicipality } from './municipality.js';

/**
 * Demo data for development and demos. Every step is idempotent, so it runs at every start
 * and only fills in what is missing.
 */
/** `now`: the day the demo municipality's history leads up to (the real time outside the date-sweep check). */
export async function seedDemoData(config: AppConfig, logger: Logger, reports: ReportService, now = new Date()): Promise<void> {
  const unitsCreated = await seedDemoOrganisation();
  const usersCreated = await seedDemoUsers();
  logger.info({ unitsCreated, usersCreated }, unitsCreated || usersCreated ? 'demo municipality created' : 'demo data already present');
  // The logins are printed only where they are harmless: a first start outside production.
  if (usersCreated > 0 && !config.isProduction) {
    const lines = DEMO_USERS.map((u) => `  ${u.email.padEnd(30)} ${u.description}`).join('\n');
    process.stdout.write(`\nDemo logins (password for all: ${DEMO_PASSWORD}):\n${lines}\n\n`);
  }
  await publishDemoModules(logger);
  const assignmentsCreated = await seedDemoAssignments();
  if (assignmentsCreated) logger.info({ assignmentsCreated }, 'demo assignments created');
  if (await seedDemoTeamSession(logger)) logger.info('demo team session planned');
  const started = Date.now();
  const municipality = await seedDemoMunicipality(logger, reports, now);
  if (municipality.people) logger.info({ ...municipality, seconds: (Date.now() - started) / 1000 }, 'demo municipality history created');
  if (await seedDemoNetwork(logger, now)) logger.info('demo learning network created');
  // The demo people were created before the app listens for changes: build the report summaries once.
  const built = await reports.ensureSummaries();
  if (built) logger.info({ people: built.people, units: built.units }, 'report summaries built');
}

/**
 * Publishes modules/ so a fresh development database has courses. Unchanged modules cost one hash
 * comparison each; a module with problems is skipped (and named in the log), never half-published.
 */
async function publishDemoModules(logger: Logger): Promise<void> {
  const outcomes = await publishFromFolder(paths.modules, { by: { id: null, name: 'modules/ (demodata)' } });
  for (const outcome of outcomes) {
    if (outcome.action === 'published') logger.info({ module: outcome.slug, version: outcome.versionId, kind: outcome.kind }, 'module published');
    if (outcome.action === 'invalid') {
      logger.warn({ module: outcome.slug, problems: outcome.problems.map((p) => `${p.file}:${p.line}: ${p.message}`) }, 'module not published: run npm run modules:check');
    }
  }
}
