import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, logIn, startAppServer } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { doActivities } from '../helpers/progress.js';
import { createAssignment } from '../../src/components/assignments/index.js';
import { todayDateOnly } from '../../src/lib/dates.js';

/**
 * Reports in a real browser: a leader reads the unit dashboard, sorts it, drills into a person and
 * downloads the exports; a municipal admin sets a target, reads the measure-3 report with its trend,
 * drills down to a district and a unit, and downloads CSV, XLSX and the printable report. Every page is
 * checked with axe, and no staff name ever appears on a municipal page.
 */
describe('browser: reports – a leader and a municipal admin', function () {
  this.timeout(240_000);
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startAppServer>>;
  let unitA: string;
  const staffNames = ['Kari Nordmann', 'Ola Hansen', 'Ingrid Berg', 'Per Lie', 'Aisha Khan', 'Jonas Moe'];
  let leader: { email: string };
  let admin: { email: string };

  before(async () => {
    await clearDatabase();
    unitA = await createUnit('Solsikken barnehage', 'barnehage', 'Nordbyen');
    const unitB = await createUnit('Nordbyen skole', 'skole', 'Nordbyen');
    await createUnit('Tusenfryd barnehage', 'barnehage', 'Sentrum');
    await publishFixture({ slug: 'medvirkning', title: 'Medvirkning', small: true });
    await createAssignment({ moduleSlug: 'medvirkning', target: { kind: 'unit', unitId: unitA }, deadline: new Date(todayDateOnly().getTime() - 7 * 86_400_000), createdBy: { id: null, name: 'Test' } });
    const people = [];
    for (const name of staffNames) people.push(await createUser({ name, memberships: [{ unitId: unitA, role: 'ansatt' }] }));
    for (let i = 0; i < 6; i += 1) people.push(await createUser({ name: `Lærer ${i}`, memberships: [{ unitId: unitB, role: 'ansatt' }] }));
    leader = await createUser({ name: 'Siri Dahl', memberships: [{ unitId: unitA, role: 'leder' }] });
    admin = await createUser({ name: 'Mari Strand', roles: ['municipal-admin'] });
    for (const p of people.slice(0, 5)) await doActivities(p.id, unitA, 'medvirkning@1.0');
    for (const p of people.slice(6, 11)) await doActivities(p.id, unitB, 'medvirkning@1.0');
    server = await startAppServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function download(page: Page, link: string): Promise<{ name: string; body: Buffer }> {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: link }).click()]);
    return { name: file.suggestedFilename(), body: readFileSync((await file.path())!) };
  }

  it('a leader reads the unit dashboard, sorts it, opens a person and downloads the exports', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await logIn(page, server.baseUrl, leader.email, { landsOn: '/leder' });

    await page.getByRole('link', { name: 'Fullføring i enheten' }).click();
    await page.waitForURL(`${server.baseUrl}/leder/enheter/${unitA}`);
    await expectAccessible(page);
    const matrix = page.getByRole('table', { name: 'Status per ansatt og modul i Solsikken barnehage' });
    expect(await matrix.getByRole('row').count()).to.equal(1 + 7 + 1);
    // Ola (and the leader) have not completed the assigned module, whose deadline has passed.
    expect(await page.getByRole('table', { name: /Ansatte som har passert fristen/ }).textContent()).to.contain('Jonas Moe');

    // Sorting is a link per column: no JavaScript needed, and the header says how it is sorted.
    await matrix.getByRole('link', { name: 'Medvirkning' }).click();
    await page.waitForURL(/sort=medvirkning&retning=asc/);
    expect(await page.getByRole('columnheader', { name: /Medvirkning/ }).getAttribute('aria-sort')).to.equal('ascending');
    const firstRow = await page.locator('table.matrix tbody tr').first().textContent();
    expect(firstRow).to.contain('Over fristen');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Kari Nordmann' }).click();
    await page.getByRole('heading', { name: 'Fremdriften til Kari Nordmann' }).waitFor();
    expect(await page.locator('main').textContent()).to.contain('Refleksjon').and.not.contain('Tanke');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Tilbake til Solsikken barnehage' }).click();

    const csv = await download(page, 'Last ned CSV');
    expect(csv.name).to.equal('fullforing-solsikken-barnehage.csv');
    expect(csv.body.toString('utf8')).to.contain('Kari Nordmann;Ansatt;1;Fullført');
    const xlsx = await download(page, 'Last ned Excel (XLSX)');
    expect(xlsx.name).to.equal('fullforing-solsikken-barnehage.xlsx');
    expect(xlsx.body.subarray(0, 2).toString()).to.equal('PK');

    await page.getByRole('link', { name: 'Utskriftsvennlig versjon' }).click();
    await page.getByRole('heading', { name: 'Fullføring i Solsikken barnehage' }).waitFor();
    await expectAccessible(page);
    await context.close();
  });

  it('a municipal admin sets a target, reads the measure-3 report with its trend, drills down and downloads CSV, XLSX and the printable report', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await logIn(page, server.baseUrl, admin.email, { landsOn: '/leder' });
    const noNames = async () => {
      const text = (await page.locator('main').textContent()) ?? '';
      for (const name of [...staffNames, 'Siri Dahl']) expect(text, page.url()).to.not.contain(name);
    };

    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Rapport tiltak 3' }).click();
    await page.waitForURL(`${server.baseUrl}/kommune/rapport`);
    await expectAccessible(page);
    await noNames();
    expect(await page.locator('main').textContent()).to.contain('Det er ikke satt noe mål.');

    // The target: first a mistake, then a good one.
    await page.getByRole('link', { name: 'Kjernesett og mål' }).first().click();
    await expectAccessible(page);
    const all = page.getByRole('group', { name: 'Hele kommunen' });
    await all.getByLabel('Andel fullført (prosent)').fill('800');
    await all.getByLabel('Innen dato').fill('2027-06-30');
    await page.getByRole('button', { name: 'Lagre innstillingene' }).click();
    await page.locator('#error-summary').waitFor();
    expect(await page.locator('#mal-all-prosent-error').textContent()).to.contain('mellom 1 og 100');
    await expectAccessible(page);
    await all.getByLabel('Andel fullført (prosent)').fill('80');
    await page.getByRole('button', { name: 'Lagre innstillingene' }).click();
    await page.getByText('Innstillingene er lagret.').waitFor();
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Tilbake til rapporten' }).click();
    await page.waitForURL(`${server.baseUrl}/kommune/rapport`);
    const chart = page.getByRole('img', { name: /Andel fullført per måned – Hele kommunen/ });
    await chart.waitFor();
    expect(await page.locator('svg.trend-chart desc').textContent()).to.contain('Målet er 80 % innen');
    expect(await page.getByRole('table', { name: /Tallene bak figuren/ }).isVisible()).to.equal(true);
    expect(await page.getByRole('table', { name: 'Fullføring per bydel' }).textContent()).to.contain('Nordbyen');
    await expectAccessible(page);
    await noNames();

    // Drill-down: district, then unit; aggregates only.
    await page.getByRole('table', { name: 'Fullføring per bydel' }).getByRole('link', { name: 'Nordbyen' }).click();
    await page.getByRole('heading', { name: 'Fullføring i Nordbyen' }).waitFor();
    await expectAccessible(page);
    await noNames();
    await page.getByRole('link', { name: 'Solsikken barnehage' }).click();
    await page.getByRole('heading', { name: 'Fullføring i Solsikken barnehage' }).waitFor();
    await expectAccessible(page);
    await noNames();

    await page.getByRole('link', { name: 'Hele kommunen' }).click();
    const csv = await download(page, 'Last ned CSV');
    expect(csv.name).to.match(/^tiltak-3-status-\d{4}-\d{2}\.csv$/);
    const text = csv.body.toString('utf8');
    expect(text).to.contain('Tiltak 3: Kompetanseutvikling for ansatte om medvirkning og inkludering — status');
    expect(text).to.contain('Enhet;Solsikken barnehage;Nordbyen;Barnehage');
    for (const name of staffNames) expect(text).to.not.contain(name);
    const xlsx = await download(page, 'Last ned Excel (XLSX)');
    expect(xlsx.body.subarray(0, 2).toString()).to.equal('PK');

    await page.getByRole('link', { name: 'Rapport for utskrift' }).click();
    await page.getByRole('heading', { name: 'Tiltak 3: Kompetanseutvikling for ansatte om medvirkning og inkludering — status' }).waitFor();
    await expectAccessible(page);
    await noNames();

    await page.goto(`${server.baseUrl}/kommune/rapport/fornying`);
    await expectAccessible(page);
    await page.goto(`${server.baseUrl}/kommune/rapport/logg`);
    expect(await page.locator('main').textContent()).to.contain('Mari Strand').and.contain('Lastet ned');
    await expectAccessible(page);
    await context.close();
  });
});
