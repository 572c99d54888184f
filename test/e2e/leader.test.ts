import { expect } from 'chai';
import mongoose from 'mongoose';
import { appInBrowser, expectAccessible, logIn } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser } from '../helpers/auth.js';
import { publishFixture } from '../helpers/learning-fixture.js';
import { doActivities } from '../helpers/progress.js';
import { createAssignment } from '../../src/components/assignments/index.js';
import { ProgressModel, progressId } from '../../src/components/learning/index.js';
import { isoDate, todayDateOnly } from '../../src/lib/dates.js';

const outbox = () => mongoose.connection.db!.collection<{ to: string; template: string; subject: string }>('mail_outbox');
const inDays = (days: number) => new Date(todayDateOnly().getTime() + days * 86_400_000);

/**
 * A kindergarten leader's journey: assigns a module to the staff, plans a team session and runs it
 * from the guide, records attendance, sends reminders to those behind; a staff member who was absent
 * sees what they missed; the municipality assigns a core module to every barnehage. Every page is
 * checked with axe.
 */
describe('browser: a leader – assignments, a team session, attendance and reminders', function () {
  this.timeout(180_000);
  let unitId: string;
  let kari: { id: string; email: string };
  let ola: { id: string; email: string };
  let siri: { id: string; email: string };
  let admin: { id: string; email: string };

  const suite = appInBrowser(async () => {
    await clearDatabase();
    unitId = await createUnit('Solsikken barnehage', 'barnehage');
    kari = await createUser({ name: 'Kari Nordmann', email: 'kari@leder.test', memberships: [{ unitId, role: 'ansatt' }] });
    ola = await createUser({ name: 'Ola Hansen', email: 'ola@leder.test', memberships: [{ unitId, role: 'ansatt' }] });
    siri = await createUser({ name: 'Siri Dahl', email: 'siri@leder.test', memberships: [{ unitId, role: 'leder' }] });
    admin = await createUser({ name: 'Jonas Moe', roles: ['municipal-admin'] });
    await publishFixture();
    await publishFixture({ slug: 'medvirkning', title: 'Medvirkning', small: true });
    // Assigned before the term started, and now overdue for those who have not done it.
    await createAssignment({ moduleSlug: 'medvirkning', target: { kind: 'unit', unitId }, deadline: inDays(-7), createdBy: { id: siri.id, name: 'Siri Dahl' } });
    await doActivities(siri.id, unitId, 'medvirkning@1.0');
    // Kari has done everything in "samtaler" except the team session.
    await doActivities(kari.id, unitId, 'samtaler@1.0', { skipTeamSession: true });
  });

  it('assigns a module, runs a team session from the guide, records attendance and sends reminders', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await logIn(page, suite.server.baseUrl, siri.email);

    // The leader lands on the leader's area (the header menu marks it).
    await page.waitForURL(`${suite.server.baseUrl}/leder`);
    expect(await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Ledelse' }).getAttribute('aria-current')).to.equal('page');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Tildelinger' }).click();
    await page.waitForURL(`${suite.server.baseUrl}/leder/${unitId}/tildelinger`);
    await expectAccessible(page);

    // A deadline in the past is refused with the reason by the field; then a good one is accepted.
    await page.getByLabel('Modul', { exact: true }).selectOption({ label: 'Testmodul samtaler' });
    await page.getByLabel('Frist', { exact: true }).fill(isoDate(inDays(-1)));
    await page.getByRole('button', { name: 'Tildel modulen' }).click();
    await page.locator('#error-summary').waitFor();
    expect(await page.locator('#deadline-error').textContent()).to.contain('Fristen kan ikke være tilbake i tid');
    await expectAccessible(page);
    await page.getByLabel('Frist', { exact: true }).fill(isoDate(inDays(30)));
    await page.getByRole('button', { name: 'Tildel modulen' }).click();
    await page.locator('.alert.success', { hasText: 'Modulen er tildelt.' }).waitFor();
    expect(await page.locator('table').textContent()).to.contain('Testmodul samtaler').and.to.contain('Alle ansatte (også nye)');
    await expectAccessible(page);

    // Plan a team session for today, open the guide and record attendance from it.
    await page.getByRole('navigation', { name: 'Sider for Solsikken barnehage' }).getByRole('link', { name: 'Teammøter' }).click();
    await page.waitForURL(`${suite.server.baseUrl}/leder/${unitId}/teammoter`);
    await expectAccessible(page);
    await page.getByLabel('Teammøte', { exact: true }).selectOption({ index: 1 });
    await page.getByLabel('Dato').fill(isoDate(todayDateOnly()));
    await page.getByLabel('Klokkeslett').fill('00:05');
    await page.getByLabel('Sted').fill('Personalrommet');
    await page.getByRole('button', { name: 'Planlegg teammøtet' }).click();
    await page.locator('.alert.success', { hasText: 'Teammøtet er planlagt.' }).waitFor();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Åpne veiledningen for møtet' }).click();
    await page.waitForURL(/\/guide$/);
    await expectAccessible(page);
    expect(await page.locator('h1').textContent()).to.equal('Teammøte om samtaler');
    expect(await page.locator('.guide-steps').textContent()).to.contain('Runde').and.to.contain('20 min (minutt 0–20)');
    // The script shows the full-screen and print buttons; the page prints without menus or buttons.
    expect(await page.getByRole('button', { name: 'Vis i fullskjerm' }).isVisible()).to.equal(true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-header').isVisible()).to.equal(false);
    expect(await page.getByRole('button', { name: 'Vis i fullskjerm' }).isVisible()).to.equal(false);
    expect(await page.getByText('Hva lærte vi?').isVisible()).to.equal(true);
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('link', { name: 'Registrer oppmøte' }).click();
    await page.waitForURL(/\/teammoter\/[0-9a-f-]{36}#attendance-heading$/);
    const attendance = page.getByRole('group', { name: 'Hvem var med på teammøtet?' });
    await attendance.getByLabel('Kari Nordmann').check();
    await attendance.getByLabel('Siri Dahl').check();
    await page.getByRole('button', { name: 'Lagre oppmøte' }).click();
    await page.locator('.alert.success', { hasText: 'Oppmøtet er lagret: 2 var med, 1 var ikke med. 1 fullførte modulen nå.' }).waitFor();
    expect(await page.locator('#absent-heading + ul').textContent()).to.contain('Ola Hansen');
    await expectAccessible(page);
    const kariProgress = await ProgressModel.findById(progressId(kari.id, 'samtaler', 1)).lean<{ completedAt: Date | null }>();
    expect(kariProgress!.completedAt).to.be.an.instanceOf(Date);

    // Reminders: everyone behind on the overdue module, one click; a second click sends nothing more.
    await page.getByRole('navigation', { name: 'Sider for Solsikken barnehage' }).getByRole('link', { name: 'Påminnelser' }).click();
    await page.waitForURL(`${suite.server.baseUrl}/leder/${unitId}/paminnelser`);
    await expectAccessible(page);
    await page.getByRole('button', { name: /Send påminnelse til alle som er forsinket \(2\)/ }).click();
    await page.locator('.alert.success', { hasText: 'Påminnelser sendt: 2. Hoppet over (allerede påminnet i dag): 0.' }).waitFor();
    await expectAccessible(page);
    await page.getByRole('button', { name: /Send påminnelse til alle som er forsinket \(0\)/ }).click();
    await page.locator('.alert', { hasText: 'Ingen nye påminnelser sendt: alle 2 er allerede påminnet i dag.' }).waitFor();
    expect((await outbox().find({ template: 'reminders.overdue' }).toArray()).map((m) => m.to).sort()).to.deep.equal(['kari@leder.test', 'ola@leder.test']);

    // The leader's own e-mail settings.
    await page.goto(`${suite.server.baseUrl}/varsler`);
    await expectAccessible(page);
    await context.close();
  });

  it('a staff member who was absent sees what the group went through', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await logIn(page, suite.server.baseUrl, ola.email);

    const notice = page.locator('.notices');
    expect(await notice.textContent()).to.contain('Du var ikke med på teammøtet «Teammøte om samtaler»');
    await expectAccessible(page);
    await notice.getByRole('link', { name: 'Se teammøtet' }).click();
    await page.waitForURL(/\/teammoter\/[0-9a-f-]{36}$/);
    await expectAccessible(page);
    expect(await page.locator('main').textContent()).to.contain('Dele erfaringer med åpne spørsmål.').and.not.to.contain('Kari Nordmann');
    await context.close();
  });

  it('the municipality assigns a core module to every barnehage', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await logIn(page, suite.server.baseUrl, admin.email);

    await page.waitForURL(`${suite.server.baseUrl}/leder`);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Tildelinger fra kommunen' }).click();
    await page.waitForURL(`${suite.server.baseUrl}/kommune/tildelinger`);
    await expectAccessible(page);
    await page.getByRole('group', { name: 'Moduler' }).getByLabel('Medvirkning').check();
    await page.getByRole('group', { name: 'Enhetstyper' }).getByLabel('Barnehage').check();
    await page.getByLabel('Frist', { exact: true }).fill(isoDate(inDays(200)));
    await page.getByRole('button', { name: 'Tildel modulene' }).click();
    await page.locator('.alert.success', { hasText: 'Tildelt til 1 enheter: 1 nye, 0 med ny frist.' }).waitFor();
    expect(await page.locator('table').textContent()).to.contain('Medvirkning').and.to.contain('Barnehage');
    await expectAccessible(page);
    await context.close();
  });

  it('without JavaScript: the guide reads the same (no script buttons) and attendance is saved by the plain form', async () => {
    // axe runs as a script, so these pages are checked in the first test (the same templates).
    const context = await suite.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, suite.server.baseUrl, siri.email);
    await page.goto(`${suite.server.baseUrl}/leder/${unitId}/teammoter`);
    await page.locator('#past-heading, #upcoming-heading').first().waitFor();
    await page.getByRole('link', { name: 'Teammøte om samtaler' }).first().click();
    await page.waitForURL(/\/teammoter\/[0-9a-f-]{36}$/);
    await page.getByRole('link', { name: 'Åpne veiledningen for møtet' }).click();
    await page.waitForURL(/\/guide$/);
    expect(await page.getByRole('button', { name: 'Vis i fullskjerm' }).isVisible()).to.equal(false);
    expect(await page.getByText('Hva lærte vi?').isVisible()).to.equal(true);
    await page.goBack();
    await page.getByRole('button', { name: 'Lagre oppmøte' }).click();
    await page.locator('.alert.success', { hasText: 'Oppmøtet er lagret: 2 var med, 1 var ikke med. 0 fullførte modulen nå.' }).waitFor();
    await context.close();
  });
});
