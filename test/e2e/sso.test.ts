import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchBrowser } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser } from '../helpers/auth.js';
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, startOidcProvider, startSsoApp, type TestOidcProvider } from '../helpers/oidc.js';
import { UserModel } from '../../src/components/accounts/index.js';
import { findFreePort } from '../../src/db/index.js';

/** Signs in at the provider's development login page and consents, as a person would. */
async function signInAtProvider(page: Page, accountId: string): Promise<void> {
  await page.locator('input[name="login"]').fill(accountId);
  await page.locator('input[name="password"]').fill('irrelevant');
  await page.locator('button[type="submit"]').first().click();
  await page.waitForURL(/\/interaction\//);
  await page.locator('button[type="submit"]').first().click();
}

describe('browser: single sign-on', function () {
  this.timeout(90_000);
  let browser: Browser;
  let provider: TestOidcProvider;
  let app: Awaited<ReturnType<typeof startSsoApp>>;
  let page: Page;

  before(async () => {
    const port = await findFreePort();
    provider = await startOidcProvider([`http://127.0.0.1:${port}/logg-inn/sso/callback`]);
    app = await startSsoApp(
      () => ({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_DISPLAY_NAME: 'Logg inn med Testkommune' }),
      String(port),
    );
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await provider?.close();
  });
  beforeEach(async () => {
    await clearDatabase();
    provider.accounts.clear();
    page = await (await browser.newContext()).newPage();
  });
  afterEach(async () => {
    await page.context().close();
  });

  it('the SSO button on the login page leads through the provider and back, signed in; the login page passes axe', async () => {
    const { id, email } = await createUser({ name: 'Siri Sso' });
    await UserModel.updateOne({ _id: id }, { $set: { externalId: 'idp-siri' } });
    provider.accounts.set('idp-siri', { email, email_verified: true });

    await page.goto(`${app.baseUrl}/logg-inn`);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Logg inn med Testkommune' }).click();
    await page.waitForURL(/\/interaction\//);
    await signInAtProvider(page, 'idp-siri');
    await page.waitForURL(`${app.baseUrl}/`);
    expect(await page.locator('.user-name').textContent()).to.equal('Siri Sso');
  });

  it('someone the platform does not know: a clear page saying whom to contact, which passes axe', async () => {
    provider.accounts.set('idp-stranger', { email: 'fremmed@test.example', email_verified: true });
    await page.goto(`${app.baseUrl}/logg-inn/sso`);
    await page.waitForURL(/\/interaction\//);
    await signInAtProvider(page, 'idp-stranger');
    await page.waitForURL(/\/logg-inn\/sso\/callback/);
    expect(await page.locator('h1').textContent()).to.equal('Du har ikke konto i Fellesskap ennå');
    expect(await page.locator('main').textContent()).to.contain('Ta kontakt med lederen din');
    await expectAccessible(page);
  });
});
