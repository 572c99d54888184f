import { expect } from 'chai';
import type { Page } from 'playwright-core';
import mongoose from 'mongoose';
import { appInBrowser, expectAccessible, logIn } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, TEST_PASSWORD } from '../helpers/auth.js';

const NEW_PASSWORD = 'Et nytt og langt passord';

/** Presses Tab until the focused element matches, so the test follows the real tab order. */
async function tabTo(page: Page, selector: string, maxPresses = 30): Promise<void> {
  for (let i = 0; i < maxPresses; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function outboxLinkFor(email: string): Promise<string> {
  const outbox = mongoose.connection.db!.collection<{ to: string; text: string }>('mail_outbox');
  for (let i = 0; i < 100; i += 1) {
    const mail = await outbox.findOne({ to: email });
    const link = /http:\/\/\S+\/passord\/ny\/[\w-]+/.exec(mail?.text ?? '')?.[0];
    if (link) return new URL(link).pathname;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no reset mail for ${email} in the outbox`);
}

describe('browser: signing in, signing out and resetting a password', function () {
  this.timeout(90_000);
  const suite = appInBrowser();
  let page: Page;

  beforeEach(async () => {
    await clearDatabase();
    page = await (await suite.browser.newContext()).newPage();
  });
  afterEach(async () => {
    await page.context().close();
  });

  it('keyboard only: log in through the form and log out with the header button; each page passes axe', async () => {
    const { email } = await createUser({ name: 'Tora Tastatur' });
    await page.goto(`${suite.server.baseUrl}/logg-inn`);
    await expectAccessible(page);

    await tabTo(page, '#email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('password');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${suite.server.baseUrl}/`);
    expect(await page.locator('.user-name').textContent()).to.equal('Tora Tastatur');
    await expectAccessible(page);

    await tabTo(page, '.header-form button');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).to.equal('Logg ut');
    await page.keyboard.press('Enter');
    // The logout lands on the same address, so wait for the signed-in header to go, not for the URL.
    await page.locator('.user-name').waitFor({ state: 'detached' });
    expect(page.url()).to.equal(`${suite.server.baseUrl}/`);
    expect(await page.getByRole('link', { name: 'Logg inn', exact: true }).count()).to.be.at.least(1);
  });

  it('a wrong password: the message is announced, tied to the e-mail field, and the page passes axe', async () => {
    const { email } = await createUser();
    await page.goto(`${suite.server.baseUrl}/logg-inn`);
    await page.getByLabel('E-postadresse').fill(email);
    await page.getByLabel('Passord', { exact: true }).fill('Feil-passord-123');
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('alert').textContent()).to.contain('E-postadressen eller passordet er feil');
    expect(await page.getByLabel('E-postadresse').getAttribute('aria-describedby')).to.equal('login-error');
    await expectAccessible(page);
  });

  it('"Glemt passord?": request a link, choose a new password (fixing mistakes on the way), log in with it; every page passes axe', async () => {
    const { email } = await createUser();
    await page.goto(`${suite.server.baseUrl}/logg-inn`);
    await page.getByRole('link', { name: 'Glemt passord?' }).click();
    await page.waitForURL(/\/passord\/glemt$/);
    expect(await page.locator('h1').textContent()).to.equal('Glemt passord?');
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Send lenke' }).click();
    await page.waitForLoadState();
    expect(await page.locator('.field-error').textContent()).to.contain('Skriv en gyldig e-postadresse');
    expect(await page.getByLabel('E-postadresse').getAttribute('aria-invalid')).to.equal('true');
    await expectAccessible(page);

    await page.getByLabel('E-postadresse').fill(email);
    await page.getByRole('button', { name: 'Send lenke' }).click();
    await page.waitForURL(/\/passord\/glemt\/sendt$/);
    expect(await page.getByRole('status').textContent()).to.contain('Hvis e-postadressen finnes hos oss, har vi sendt en lenke');
    await expectAccessible(page);

    await page.goto(`${suite.server.baseUrl}${await outboxLinkFor(email)}`);
    expect(await page.locator('h1').textContent()).to.equal('Velg nytt passord');
    await expectAccessible(page);

    await page.getByLabel('Nytt passord').fill(NEW_PASSWORD);
    await page.getByLabel('Gjenta passordet').fill('Noe helt annet her');
    await page.getByRole('button', { name: 'Lagre nytt passord' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('alert').textContent()).to.contain('Passordene er ikke like');
    expect(await page.getByLabel('Gjenta passordet').getAttribute('aria-invalid')).to.equal('true');
    await expectAccessible(page);

    await page.getByLabel('Nytt passord').fill(NEW_PASSWORD);
    await page.getByLabel('Gjenta passordet').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Lagre nytt passord' }).click();
    await page.waitForURL(/\/logg-inn$/);
    expect(await page.getByRole('status').textContent()).to.contain('Passordet er endret');
    await expectAccessible(page);

    await page.getByLabel('E-postadresse').fill(email);
    await page.getByLabel('Passord', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.waitForURL(`${suite.server.baseUrl}/`);
    expect(await page.locator('.user-name').count(), await page.locator('main').innerText()).to.equal(1);
  });

  it('a link that no longer works: explains why and offers a new one; passes axe', async () => {
    await page.goto(`${suite.server.baseUrl}/passord/ny/${'x'.repeat(43)}`);
    expect(await page.locator('h1').textContent()).to.equal('Lenken virker ikke');
    expect(await page.getByRole('link', { name: 'Be om ny lenke' }).count()).to.equal(1);
    await expectAccessible(page);
  });

  it('the development outbox: a system admin finds the mail and its link; both pages pass axe', async () => {
    const { email } = await createUser();
    const admin = await createUser({ roles: ['system-admin'] });
    await page.goto(`${suite.server.baseUrl}/passord/glemt`);
    await page.getByLabel('E-postadresse').fill(email);
    await page.getByRole('button', { name: 'Send lenke' }).click();
    await page.waitForURL(/sendt$/);
    await outboxLinkFor(email);

    // A system admin lands on the municipality's figures (/leder).
    await logIn(page, suite.server.baseUrl, admin.email, { landsOn: '/leder' });
    await page.getByRole('link', { name: 'Utboks' }).click();
    await page.waitForURL(/\/utvikling\/e-post$/);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Nytt passord til Fellesskap' }).click();
    await page.waitForURL(/\/utvikling\/e-post\/[0-9a-f]{24}$/);
    expect(await page.getByRole('link', { name: /\/passord\/ny\// }).count()).to.equal(1);
    await expectAccessible(page);
  });
});
