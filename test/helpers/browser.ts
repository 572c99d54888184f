import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'chai';
import { buildTestApp } from './app.js';
import { TEST_PASSWORD } from './auth.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Starts the app on a free loopback port against the run's test database. */
export async function startAppServer(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const app = await buildTestApp();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type AppServer = Awaited<ReturnType<typeof startAppServer>>;

/**
 * For a browser suite: before its tests, `arrange` (the data the whole suite reads, if any), then
 * the app on a free port and the browser; after them, both closed. Call it in the `describe`; read
 * `server` and `browser` inside hooks and tests.
 */
export function appInBrowser(arrange?: () => Promise<void>): { readonly server: AppServer; readonly browser: Browser } {
  let server: AppServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    await arrange?.();
    server = await startAppServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the app server starts in the suite’s before hook');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the browser starts in the suite’s before hook');
      return browser;
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // The machine has no network beyond loopback; background services would only fail.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Fails the test on any WCAG 2.1 A/AA violation axe finds on the current page. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`,
  );
  expect(summary, `axe violations on ${page.url()}`).to.deep.equal([]);
}

/**
 * Logs in through the real login form with the test password, and waits until the browser has
 * left the login page — or, given `landsOn` (a path), until it has arrived there.
 */
export async function logIn(page: Page, baseUrl: string, email: string, options: { landsOn?: string } = {}): Promise<void> {
  await page.goto(`${baseUrl}/logg-inn`);
  await page.getByLabel('E-postadresse').fill(email);
  await page.getByLabel('Passord', { exact: true }).fill(TEST_PASSWORD);
  const arrived = options.landsOn ? page.waitForURL(`${baseUrl}${options.landsOn}`) : page.waitForURL((url) => !url.pathname.startsWith('/logg-inn'));
  await Promise.all([arrived, page.getByRole('button', { name: 'Logg inn', exact: true }).click()]);
}
