import type { Express, Router } from 'express';
import { loadConfig, type AppConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { createApp } from '../../src/app.js';
import { testDatabase } from './database.js';

export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({ NODE_ENV: 'test', MONGODB_URI: testDatabase().uri, ...overrides });
}

export async function buildTestApp(
  options: { env?: Record<string, string>; extraRoutes?: Router } = {},
): Promise<Express> {
  const config = testConfig(options.env);
  return createApp({ config, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), extraRoutes: options.extraRoutes });
}
