import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, logIn, startAppServer } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, TEST_PASSWORD } from '../helpers/auth.js';
import { DistrictModel, UnitModel } from '../../src/components/organisation/index.js';
import { UserModel } from '../../src/components/accounts/index.js';

const STAFF_CSV = [
  'navn;epost;enhet;rolle',
  'Nora Olsen;nora.olsen@e2e.example;974760673;ansatt',
  'Emil Johansen;emil.johansen(at)e2e.example;974760673;ansatt',
  'Sara Larsen;sara.larsen@e2e.example;974 760 673;leder',
  '',
].join('\n');

describe('browser: a municipal admin sets up a unit and imports its staff', function () {
  this.timeout(120_000);
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startAppServer>>;
  let page: Page;
  let adminEmail: string;

  before(async () => {
    await clearDatabase();
    await DistrictModel.create({ name: 'Nordbyen' });
    adminEmail = (await createUser({ name: 'Jonas Moe', roles: ['municipal-admin'] })).email;
    server = await startAppServer();
    browser = await launchBrowser();
    page = await (await browser.newContext()).newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('logs in, creates a unit, imports staff with one bad row (sees line and reason), imports the valid rows, finds the new person', async () => {
    // Log in.
    await page.goto(`${server.baseUrl}/logg-inn`);
    await expectAccessible(page);
    await page.getByLabel('E-postadresse').fill(adminEmail);
    await page.getByLabel('Passord').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Logg inn' }).click();
    // A municipal admin lands on the municipality's figures.
    await page.waitForURL(`${server.baseUrl}/leder`);

    // The header menu leads to the administration.
    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Administrasjon' }).click();
    await page.waitForURL(/\/admin$/);
    await expectAccessible(page);

    // Units: the list, then a new unit — first with mistakes, then right.
    await page.getByRole('link', { name: 'Enheter', exact: true }).click();
    await page.waitForURL(/\/admin\/enheter$/);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Ny enhet' }).click();
    await page.waitForURL(/\/admin\/enheter\/ny$/);
    await expectAccessible(page);
    await page.getByLabel('Organisasjonsnummer (valgfritt)').fill('974760674');
    await page.getByRole('button', { name: 'Opprett enheten' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#error-summary').textContent()).to.contain('Skriv navnet på enheten.').and.to.contain('Organisasjonsnummeret er ikke gyldig');
    await expectAccessible(page);
    await page.getByLabel('Navn').fill('Solsikken barnehage');
    await page.getByLabel('Type').selectOption('barnehage');
    await page.getByLabel('Bydel').selectOption({ label: 'Nordbyen' });
    await page.getByLabel('Organisasjonsnummer (valgfritt)').fill('974 760 673');
    await page.getByRole('button', { name: 'Opprett enheten' }).click();
    await page.waitForURL(/\/admin\/enheter\/[a-f0-9]{24}$/);
    expect(await page.locator('main').textContent()).to.contain('Enheten «Solsikken barnehage» er opprettet.');
    await expectAccessible(page);
    expect(await UnitModel.findOne({ orgNumber: '974760673' }).lean()).to.include({ name: 'Solsikken barnehage' });

    // Import staff: upload, and the preview names the bad line and why.
    await page.goto(`${server.baseUrl}/admin/import`);
    await expectAccessible(page);
    await page.getByLabel('Ansatte').check();
    await page.getByLabel('CSV-fil').setInputFiles({ name: 'ansatte.csv', mimeType: 'text/csv', buffer: Buffer.from(STAFF_CSV) });
    await page.getByRole('button', { name: 'Last opp og se over' }).click();
    await page.waitForURL(/\/admin\/import\/[A-Za-z0-9_-]{24}$/);
    const preview = (await page.locator('main').textContent()) ?? '';
    expect(preview).to.contain('Linje 3: «emil.johansen(at)e2e.example» er ikke en gyldig e-postadresse.');
    expect(preview).to.contain('Avvist: 1');
    await expectAccessible(page);

    // Confirming without choosing "only the valid rows" imports nothing and says why.
    await page.getByRole('button', { name: 'Importer radene (2)' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#error-summary').textContent()).to.contain('Filen har avviste rader');
    expect(await UserModel.countDocuments({ email: /@e2e\.example$/ })).to.equal(0);
    await expectAccessible(page);

    await page.getByLabel('Importer bare de gyldige radene (2), og hopp over de avviste (1).').check();
    await page.getByRole('button', { name: 'Importer radene (2)' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').textContent()).to.contain('Importen av ansatte er fullført');
    expect(await page.locator('main').textContent()).to.contain('Opprettet: 2');
    await expectAccessible(page);

    // Find the new person.
    await page.goto(`${server.baseUrl}/admin/personer`);
    await expectAccessible(page);
    await page.getByLabel('Navn eller e-postadresse').fill('sara');
    await page.getByRole('button', { name: 'Søk' }).click();
    await page.waitForURL(/\/admin\/personer\?/);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Sara Larsen' }).click();
    await page.waitForURL(/\/admin\/personer\/[a-f0-9]{24}$/);
    const person = (await page.locator('main').textContent()) ?? '';
    expect(person).to.contain('sara.larsen@e2e.example').and.to.contain('Solsikken barnehage').and.to.contain('Leder');
    await expectAccessible(page);
  });

  it('system admin: districts, a deactivated person with the anonymise form, and "my data" pass axe', async () => {
    const sys = await createUser({ name: 'Mari Strand', roles: ['system-admin'] });
    const leaver = await createUser({ name: 'Siri Dahl' });
    await UserModel.updateOne({ _id: leaver.id }, { $set: { status: 'deactivated' } });
    const context = await browser.newContext();
    const sysPage = await context.newPage();
    await logIn(sysPage, server.baseUrl, sys.email, { landsOn: '/leder' });

    await sysPage.goto(`${server.baseUrl}/admin/bydeler`);
    await expectAccessible(sysPage);
    await sysPage.getByRole('link', { name: 'Nordbyen', exact: true }).click();
    await sysPage.waitForURL(/\/admin\/bydeler\/[a-f0-9]{24}$/);
    await expectAccessible(sysPage);

    await sysPage.goto(`${server.baseUrl}/admin/personer/${leaver.id}`);
    expect(await sysPage.locator('main').textContent()).to.contain('Anonymiser personen');
    await expectAccessible(sysPage);

    await sysPage.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Mine data' }).click();
    await sysPage.waitForURL(/\/mine-data$/);
    await expectAccessible(sysPage);
    await context.close();
  });
});
