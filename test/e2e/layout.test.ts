import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, logIn, startAppServer } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';

/**
 * Issue 17 in the browser: the trend chart's month labels never overlap from 320 px up (measured as
 * the labels' bounding boxes in Chromium); the phone menu folds into a <details> that works without
 * JavaScript, by keyboard, and shows every menu link when opened; the content column starts where
 * the header's does on narrow, normal and wide pages.
 */

const WIDTHS = [320, 390, 768, 1024, 1280, 1920];

/** The report's whole trend window (24 months up to this one), the most labels it can draw. */
function widestPeriod(): { from: string; to: string } {
  const now = new Date();
  const key = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  return { from: key(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 23, 1))), to: key(now) };
}

describe('browser: layout – chart labels, phone menu, content column (issue 17)', function () {
  this.timeout(300_000);
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startAppServer>>;
  let unitId: string;
  const contexts: BrowserContext[] = [];

  before(async () => {
    await clearDatabase();
    unitId = await createUnit('Solsikken barnehage', 'barnehage', 'Nordbyen');
    await publishFixture({ slug: 'samtaler', small: true });
    await createUser({ email: 'kommune@layout.test', name: 'Kommune Admin', roles: ['municipal-admin'] });
    await createUser({ email: 'leder@layout.test', name: 'Siri Dahl', memberships: [{ unitId, role: 'leder' }] });
    server = await startAppServer();
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
  });

  async function signedIn(email: string, width: number, javaScriptEnabled = true): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 800 }, javaScriptEnabled });
    contexts.push(context);
    const page = await context.newPage();
    await logIn(page, server.baseUrl, email);
    return page;
  }

  it('the trend chart: month labels never overlap at any width from 320 px, and stay inside the chart', async () => {
    const page = await signedIn('kommune@layout.test', 1280);
    const { from, to } = widestPeriod();
    for (const period of [`fra=${from}&til=${to}`, '']) {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${server.baseUrl}/kommune/rapport?${period}`);
        const boxes = await page.locator('svg.trend-chart text.x-tick').evaluateAll((els) => els.map((el) => {
          const r = el.getBoundingClientRect();
          return { text: el.textContent ?? '', left: r.left, right: r.right, top: r.top, bottom: r.bottom };
        }));
        const svg = (await page.locator('svg.trend-chart').boundingBox())!;
        expect(boxes.length, `labels at ${width} px`).to.be.greaterThan(3);
        for (let i = 1; i < boxes.length; i += 1) {
          expect(boxes[i]!.left, `${width} px: "${boxes[i - 1]!.text}" and "${boxes[i]!.text}" overlap`).to.be.greaterThan(boxes[i - 1]!.right);
        }
        for (const b of boxes) {
          expect(b.left, `${width} px: "${b.text}" leaves the chart`).to.be.at.least(svg.x - 0.5);
          expect(b.right, `${width} px: "${b.text}" leaves the chart`).to.be.at.most(svg.x + svg.width + 0.5);
        }
      }
    }
  });

  for (const javaScriptEnabled of [false, true]) {
    it(`the phone menu (390 px, JavaScript ${javaScriptEnabled ? 'on' : 'off'}): folded at first, opened by keyboard, every link reachable`, async () => {
      const page = await signedIn('leder@layout.test', 390, javaScriptEnabled);
      await page.goto(`${server.baseUrl}/leder`);
      const menuLink = page.locator('.main-nav a', { hasText: 'Ledelse' });
      expect(await menuLink.isVisible(), 'folded at first').to.equal(false);
      const header = (await page.locator('.site-header').boundingBox())!;
      expect(header.height, 'the folded header takes little of the first screen').to.be.lessThan(160);
      const summary = page.locator('summary.site-menu-button');
      expect(await summary.isVisible()).to.equal(true);
      // Skip link, brand, then the menu button.
      await summary.focus();
      await page.keyboard.press('Enter');
      expect(await page.locator('details.site-menu').getAttribute('open')).to.not.equal(null);
      expect(await menuLink.isVisible(), 'open after Enter').to.equal(true);
      await page.keyboard.press('Tab');
      expect(await page.locator('.site-menu :focus').count(), 'Tab continues into the menu').to.equal(1);
      for (const link of await page.locator('.site-menu a').all()) expect(await link.isVisible()).to.equal(true);
      // axe runs as a script in the page, so only where the page may run scripts.
      if (javaScriptEnabled) await expectAccessible(page);
      await Promise.all([page.waitForURL(`${server.baseUrl}/leder`), menuLink.click()]);
    });
  }

  it('wide screens show the menu in the header row, without the menu button', async () => {
    const page = await signedIn('leder@layout.test', 1280);
    expect(await page.locator('summary.site-menu-button').isVisible()).to.equal(false);
    expect(await page.locator('.main-nav a', { hasText: 'Ledelse' }).isVisible()).to.equal(true);
  });

  it('the content column starts where the header does on narrow, normal and wide pages', async () => {
    const leader = await signedIn('leder@layout.test', 1280);
    const admin = await signedIn('kommune@layout.test', 1280);
    const pages: Array<[Page, string]> = [
      [leader, '/leder'],
      [leader, `/leder/enheter/${unitId}`],
      [leader, '/varsler'],
      [leader, '/tilgjengelighet'],
      [admin, '/kommune/rapport'],
      [admin, '/admin/enheter'],
    ];
    for (const width of [390, 1280, 1920]) {
      for (const [page, url] of pages) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${server.baseUrl}${url}`);
        const [headerLeft, contentLeft] = await page.evaluate((selectors) =>
          selectors.map((selector) => {
            const el = document.querySelector(selector)!;
            return el.getBoundingClientRect().left + parseFloat(getComputedStyle(el).paddingLeft);
          }),
        ['.site-header .container', 'main > .container, main > article']);
        expect(Math.abs(contentLeft! - headerLeft!), `${url} at ${width} px`).to.be.lessThan(1);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${url} at ${width} px scrolls sideways`).to.be.at.most(0);
      }
    }
  });
});
