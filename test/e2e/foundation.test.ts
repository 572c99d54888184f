import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { appInBrowser, expectAccessible } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';

describe('browser: public pages', function () {
  this.timeout(60_000);
  const suite = appInBrowser(clearDatabase);
  let page: Page;

  beforeEach(async () => {
    const context = await suite.browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await page.context().close();
  });

  it('front page: says what the platform is for, and passes axe', async () => {
    await page.goto(`${suite.server.baseUrl}/`);
    expect(await page.locator('h1').textContent()).to.equal('Kompetanse for inkluderende fellesskap');
    expect(await page.getAttribute('html', 'lang')).to.equal('nb');
    await expectAccessible(page);
  });

  it('accessibility statement: reachable from the footer, passes axe', async () => {
    await page.goto(`${suite.server.baseUrl}/`);
    await page.getByRole('link', { name: 'Tilgjengelighetserklæring' }).click();
    await page.waitForURL(/\/tilgjengelighet$/);
    expect(await page.locator('h1').textContent()).to.contain('Tilgjengelighetserklæring');
    await expectAccessible(page);
  });

  it('404 page: friendly message, passes axe', async () => {
    const response = await page.goto(`${suite.server.baseUrl}/finnes-ikke`);
    expect(response?.status()).to.equal(404);
    expect(await page.locator('main').textContent()).to.contain('Vi fant ikke siden');
    await expectAccessible(page);
  });

  it('language switcher: nynorsk sets lang and the text, and passes axe', async () => {
    await page.goto(`${suite.server.baseUrl}/`);
    await page.getByRole('link', { name: 'Nynorsk' }).click();
    await page.waitForURL(/lang=nn/);
    expect(await page.getAttribute('html', 'lang')).to.equal('nn');
    expect(await page.locator('h1').textContent()).to.equal('Kompetanse for inkluderande fellesskap');
    await expectAccessible(page);
  });

  it('keyboard only: the first Tab reaches the skip link, Enter moves to main, header links follow in order', async () => {
    await page.goto(`${suite.server.baseUrl}/`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).to.equal('Hopp til hovedinnholdet');
    // The focused skip link is visible on screen (not just present).
    const box = await page.locator('.skip-link').boundingBox();
    expect(box && box.y >= 0).to.equal(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('main');

    await page.goto(`${suite.server.baseUrl}/`);
    const order: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ''));
    }
    expect(order).to.deep.equal(['Hopp til hovedinnholdet', '◐ Fellesskap', 'Logg inn', 'Bokmål', 'Nynorsk', 'English']);
  });

  it('works at 320 CSS px wide without horizontal scrolling', async () => {
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(`${suite.server.baseUrl}/`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).to.be.at.most(0);
  });
});
