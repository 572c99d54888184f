import type { Express, Router } from 'express';
import { loadConfig, type AppConfig } from '../../src/config/index.js';
import { createLogger, type Logger } from '../../src/lib/logger.js';
import type { Clock } from '../../src/lib/clock.js';
import { createApp, createServices, type Services } from '../../src/app.js';
import { testDatabase } from './database.js';

export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({ NODE_ENV: 'test', MONGODB_URI: testDatabase().uri, ...overrides });
}

export function testLogger(): Logger {
  return createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
}

/** An app's services, for a test that reaches them directly (its clock, the report service). */
export function testServices(options: { env?: Record<string, string>; clock?: Clock; logger?: Logger } = {}): Services {
  return createServices({ config: testConfig(options.env), logger: options.logger ?? testLogger(), clock: options.clock });
}

export async function buildTestApp(
  options: { env?: Record<string, string>; extraRoutes?: Router; services?: Services } = {},
): Promise<Express> {
  const config = testConfig(options.env);
  const logger = testLogger();
  return createApp({ config, logger, services: options.services ?? createServices({ config, logger }), extraRoutes: options.extraRoutes });
}
