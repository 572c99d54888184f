import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { appInBrowser, expectAccessible, logIn } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser, TEST_PASSWORD } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS } from '../../src/web/session.js';
import { editStoredSession, sessions, storedSession } from '../helpers/stored-session.js';

/** Makes the stored session about to end (one minute left, last written just now). */
async function nearlyExpired(userId: string): Promise<number> {
  const stored = await storedSession(userId);
  const expires = Date.now() + 60_000;
  await editStoredSession(stored._id, { $set: { expires: new Date(expires), lastModified: new Date() } });
  return expires;
}

async function setLoginAge(userId: string, ms: number): Promise<void> {
  const stored = await storedSession(userId);
  const data = JSON.parse(stored.session) as Record<string, unknown>;
  data.authenticatedAt = Date.now() - ms;
  await editStoredSession(stored._id, { $set: { session: JSON.stringify(data) } });
}

const isOpen = (page: Page) => page.evaluate(() => (document.getElementById('session-timeout') as HTMLDialogElement | null)?.open ?? false);
const activeElement = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { text: el?.textContent?.trim() ?? '', inDialog: !!el?.closest('#session-timeout'), id: el?.id ?? '', tag: el?.tagName.toLowerCase() ?? '' };
  });

/**
 * The time-out warning (WCAG 2.2.1) with Playwright's fake clock: the page's timers run forward
 * without waiting. A page sees 29 minutes of sure idle time (30 minus the store's once-a-minute
 * renewal), so the warning comes after 27 minutes and the end after 29.
 */
describe('browser: the session time-out warning', function () {
  this.timeout(90_000);
  const suite = appInBrowser();
  let context: BrowserContext;
  let page: Page;

  beforeEach(async () => {
    await clearDatabase();
    context = await suite.browser.newContext();
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  it('idle: no warning at 26 minutes; at 27 it opens with focus on «Fortsett å være innlogget» and passes axe; the button renews the session and gives focus back', async () => {
    const { id, email } = await createUser();
    await page.clock.install();
    await logIn(page, suite.server.baseUrl, email, { landsOn: '/' });
    await page.goto(`${suite.server.baseUrl}/mine-kurs`);
    const link = page.locator('main a').first();
    await link.focus();
    const linkText = (await link.textContent())?.trim();

    await page.clock.fastForward('26:00');
    expect(await isOpen(page), 'no warning 3 minutes before the limit').to.equal(false);
    await page.clock.fastForward('01:01');
    await page.locator('#session-timeout').waitFor({ state: 'visible' });

    expect(await page.getByRole('alertdialog', { name: 'Du blir snart logget ut' }).count()).to.equal(1);
    expect(await page.locator('#session-timeout-message').textContent()).to.contain('Om 2 minutter blir du logget ut');
    expect(await activeElement(page)).to.include({ text: 'Fortsett å være innlogget', inDialog: true });
    expect(await page.getByRole('button', { name: 'Logg ut' }).filter({ visible: true }).count()).to.be.at.least(1);
    await expectAccessible(page);
    // At 400 % zoom (320 CSS px) the dialog fits the width.
    await page.setViewportSize({ width: 320, height: 640 });
    const fits = await page.evaluate(() => {
      const box = document.getElementById('session-timeout')!.getBoundingClientRect();
      return box.left >= 0 && box.right <= 320 && document.documentElement.scrollWidth <= 320;
    });
    expect(fits, 'the dialog fits 320 CSS px').to.equal(true);
    await page.setViewportSize({ width: 1280, height: 720 });

    const expiresBefore = await nearlyExpired(id);
    await page.getByRole('button', { name: 'Fortsett å være innlogget' }).click();
    await page.locator('#session-timeout').waitFor({ state: 'hidden' });

    expect((await storedSession(id)).expires.getTime(), 'the stored expiry moved forward').to.be.greaterThan(expiresBefore + 20 * 60_000);
    expect((await storedSession(id)).expires.getTime()).to.be.closeTo(Date.now() + IDLE_TIMEOUT_MS, 10_000);
    expect(await activeElement(page)).to.include({ text: linkText, inDialog: false });
    // The count starts again: 26 more minutes bring no warning.
    await page.clock.fastForward('26:00');
    expect(await isOpen(page)).to.equal(false);
  });

  it('a reflection saved while typing (autosave) renewed the session: the warning counts from the save, not the page load', async () => {
    const unitId = await createUnit('Solsikken barnehage', 'barnehage');
    const { email } = await createUser({ memberships: [{ unitId, role: 'ansatt' }] });
    await publishFixture();
    await page.clock.install();
    await logIn(page, suite.server.baseUrl, email, { landsOn: '/' });
    await page.goto(`${suite.server.baseUrl}/moduler/samtaler/lytte`);

    await page.clock.fastForward('20:00');
    await page.getByLabel('Ditt svar').fill('Barna forteller mer når jeg venter.');
    await page.getByLabel('Ditt svar').blur();
    await page.locator('.autosave-status', { hasText: /Lagret kl\. \d\d:\d\d/ }).waitFor();

    await page.clock.fastForward('08:00');
    expect(await isOpen(page), '28 minutes after the page load, 8 after the save: no warning').to.equal(false);
    await page.clock.fastForward('19:01');
    await page.getByRole('alertdialog', { name: 'Du blir snart logget ut' }).waitFor({ state: 'visible' });
  });

  it('keyboard only: Tab and Shift+Tab stay in the dialog, Enter on «Logg ut» logs out, Escape keeps the person signed in', async () => {
    const { id, email } = await createUser();
    await page.clock.install();
    await logIn(page, suite.server.baseUrl, email, { landsOn: '/' });
    await page.goto(`${suite.server.baseUrl}/mine-kurs`);

    await page.clock.fastForward('27:01');
    await page.locator('#session-timeout').waitFor({ state: 'visible' });
    expect(await activeElement(page)).to.include({ text: 'Fortsett å være innlogget' });
    await page.keyboard.press('Tab');
    expect(await activeElement(page)).to.include({ text: 'Logg ut', inDialog: true });
    await page.keyboard.press('Tab');
    expect(await activeElement(page), 'Tab goes round inside the dialog').to.include({ text: 'Fortsett å være innlogget' });
    await page.keyboard.press('Shift+Tab');
    expect(await activeElement(page), 'Shift+Tab goes round too').to.include({ text: 'Logg ut', inDialog: true });

    // Escape: the person is here, so they stay signed in.
    const expiresBefore = await nearlyExpired(id);
    await page.keyboard.press('Escape');
    await page.locator('#session-timeout').waitFor({ state: 'hidden' });
    expect((await storedSession(id)).expires.getTime()).to.be.greaterThan(expiresBefore + 20 * 60_000);
    expect(await activeElement(page)).to.include({ id: 'main', inDialog: false });

    // Next warning: Tab to «Logg ut» and Enter ends the session.
    await page.clock.fastForward('27:01');
    await page.locator('#session-timeout').waitFor({ state: 'visible' });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('.user-name').waitFor({ state: 'detached' });
    const left = await sessions().find({}).toArray();
    expect(left.some((s) => (JSON.parse(s.session) as { passport?: { user?: string } }).passport?.user === id)).to.equal(false);
  });

  it('idle time up: the dialog says the person is logged out and links to the login page back to this page', async () => {
    const { id, email } = await createUser();
    await page.clock.install();
    await logIn(page, suite.server.baseUrl, email, { landsOn: '/' });
    await page.goto(`${suite.server.baseUrl}/mine-kurs?tema=medvirkning`);

    await page.clock.fastForward('29:01');
    await page.getByRole('alertdialog', { name: 'Du er logget ut' }).waitFor({ state: 'visible' });
    expect(await page.getByRole('button', { name: 'Fortsett å være innlogget' }).isVisible()).to.equal(false);
    const login = page.getByRole('link', { name: 'Logg inn igjen' });
    expect(await login.getAttribute('href')).to.equal('/logg-inn?returnTo=%2Fmine-kurs%3Ftema%3Dmedvirkning');
    expect(await activeElement(page)).to.include({ text: 'Logg inn igjen', inDialog: true });
    await expectAccessible(page);

    // The server has ended the session by now too.
    const stored = await storedSession(id);
    await editStoredSession(stored._id, { $set: { expires: new Date(Date.now() - 1000) } });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/logg-inn\?returnTo=/);
    await page.getByLabel('E-postadresse').fill(email);
    await page.getByLabel('Passord', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
    await page.waitForURL(`${suite.server.baseUrl}/mine-kurs?tema=medvirkning`);
  });

  it('the 12-hour limit: the warning has no button to extend, closes with Escape, and the end is still announced', async () => {
    const { id, email } = await createUser();
    await page.clock.install();
    await logIn(page, suite.server.baseUrl, email, { landsOn: '/' });
    // Ten minutes of the twelve hours are left: the absolute limit comes before the idle one.
    await setLoginAge(id, ABSOLUTE_TIMEOUT_MS - 10 * 60_000);
    await page.goto(`${suite.server.baseUrl}/mine-kurs`);
    await page.locator('main a').first().focus();

    await page.clock.fastForward('07:30');
    expect(await isOpen(page)).to.equal(false);
    await page.clock.fastForward('00:35');
    await page.getByRole('alertdialog', { name: 'Økten din slutter snart' }).waitFor({ state: 'visible' });
    expect(await page.getByRole('button', { name: 'Fortsett å være innlogget' }).isVisible()).to.equal(false);
    expect(await page.locator('#session-timeout-message').textContent()).to.contain('12 timer');
    expect(await activeElement(page)).to.include({ text: 'Lukk', inDialog: true });
    await expectAccessible(page);

    await page.keyboard.press('Escape');
    await page.locator('#session-timeout').waitFor({ state: 'hidden' });
    expect(await activeElement(page)).to.include({ inDialog: false, tag: 'a' });
    await page.clock.fastForward('01:00');
    expect(await isOpen(page), 'a closed 12-hour warning stays closed').to.equal(false);

    await page.clock.fastForward('01:00');
    await page.getByRole('alertdialog', { name: 'Du er logget ut' }).waitFor({ state: 'visible' });
  });

  it('nynorsk and English: the dialog speaks the page language', async () => {
    const { email } = await createUser();
    await page.clock.install();
    await logIn(page, suite.server.baseUrl, email, { landsOn: '/' });
    await page.goto(`${suite.server.baseUrl}/mine-kurs?lang=nn`);
    await page.clock.fastForward('27:01');
    await page.getByRole('alertdialog', { name: 'Du blir snart logga ut' }).waitFor({ state: 'visible' });
    expect(await activeElement(page)).to.include({ text: 'Hald fram med å vere innlogga' });

    await page.goto(`${suite.server.baseUrl}/mine-kurs?lang=en`);
    await page.clock.fastForward('27:01');
    await page.getByRole('alertdialog', { name: 'You will soon be signed out' }).waitFor({ state: 'visible' });
    expect(await activeElement(page)).to.include({ text: 'Stay signed in' });
  });

  it('without JavaScript: pages render, the dialog stays closed, and the person stays signed in and can log out', async () => {
    await context.close();
    context = await suite.browser.newContext({ javaScriptEnabled: false });
    page = await context.newPage();
    const { email } = await createUser({ name: 'Uten Skript' });
    await logIn(page, suite.server.baseUrl, email, { landsOn: '/' });
    await page.goto(`${suite.server.baseUrl}/mine-kurs`);
    expect(await page.locator('.user-name').textContent()).to.equal('Uten Skript');
    expect(await page.locator('#session-timeout').isVisible()).to.equal(false);
    expect(await page.locator('#session-timeout').getAttribute('open')).to.equal(null);
    expect(await page.getByRole('heading', { level: 1 }).isVisible()).to.equal(true);
    await page.locator('.header-form button').click();
    await page.locator('.user-name').waitFor({ state: 'detached' });
  });
});
