import type { Logger } from '../lib/logger.js';
import { seedDemoOrganisation } from '../components/organisation/index.js';

/**
 * Demo data for development and demos. Every step is idempotent, so it runs at every start
 * and only fills in what is missing.
 */
export async function seedDemoData(logger: Logger): Promise<void> {
  const unitsCreated = await seedDemoOrganisation();
  logger.info({ unitsCreated }, unitsCreated ? 'demo municipality created' : 'demo data already present');
}
