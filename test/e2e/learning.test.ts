import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { appInBrowser, expectAccessible, logIn } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser } from '../helpers/auth.js';
import { publishFixture, QUIZ_CORRECT_EXPLANATION, QUIZ_WRONG_EXPLANATION } from '../helpers/learning-fixture.js';
import { createAssignment } from '../../src/components/assignments/index.js';
import { CompletionModel, LearningService, ProgressService, progressId } from '../../src/components/learning/index.js';
import { createLogger } from '../../src/lib/logger.js';
import type { SessionUser } from '../../src/web/session-user.js';

/**
 * A staff member's journey: finds the assigned module on "Mine kurs", does every activity kind,
 * stops halfway, resumes exactly there in another session, completes the module (the leader
 * records the team session) and downloads a certificate whose code verifies at /bevis/<code>.
 */
describe('browser: learning – from Mine kurs to a verified certificate', function () {
  this.timeout(180_000);
  let staff: { id: string; email: string };
  let leader: { id: string; email: string };
  let unitId: string;

  const suite = appInBrowser(async () => {
    await clearDatabase();
    unitId = await createUnit('Solsikken barnehage', 'barnehage');
    staff = await createUser({ name: 'Kari Nordmann', memberships: [{ unitId, role: 'ansatt' }] });
    leader = await createUser({ name: 'Siri Dahl', memberships: [{ unitId, role: 'leder' }] });
    await publishFixture();
    await createAssignment({ moduleSlug: 'samtaler', target: { kind: 'unit', unitId }, deadline: new Date('2099-06-30T00:00:00Z'), createdBy: { id: leader.id, name: 'Siri Dahl' } });
  });

  async function noHorizontalScroll(page: Page): Promise<void> {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `horizontal overflow on ${page.url()}`).to.be.at.most(0);
  }

  it('completes every activity kind across two sessions and verifies the certificate', async () => {
    // Session 1: Mine kurs → the assigned module → lesson 1.
    const first = await suite.browser.newContext();
    let page = await first.newPage();
    await logIn(page, suite.server.baseUrl, staff.email, { landsOn: '/' });
    await expectAccessible(page);
    const assigned = page.locator('section[aria-labelledby="assigned-heading"]');
    expect(await assigned.textContent()).to.contain('Testmodul samtaler').and.to.contain('30. juni 2099').and.to.contain('Ikke startet');
    await assigned.getByRole('link', { name: 'Testmodul samtaler' }).click();
    await page.waitForURL(/\/moduler\/samtaler\/$/);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Start modulen' }).click();
    await page.waitForURL(/\/moduler\/samtaler\/lytte$/);
    await expectAccessible(page);

    // Video: captions and an open transcript; marked as watched.
    expect(await page.locator('video track[kind="captions"]').count()).to.equal(1);
    expect(await page.locator('details.transcript').getAttribute('open')).to.not.equal(null);
    await page.getByRole('button', { name: 'Jeg har sett filmen' }).click();
    await page.waitForURL(/\/moduler\/samtaler\/lytte#act-film-title$/);
    expect(await page.locator('.alert.success').first().textContent()).to.contain('Filmen er merket som sett');

    // Reflection: autosaved while typing (JavaScript on), announced in a live region.
    await page.getByLabel('Ditt svar').fill('Jeg merker at barna forteller mer når jeg venter.');
    await page.getByLabel('Ditt svar').blur();
    await page.locator('.autosave-status', { hasText: /Lagret kl\. \d\d:\d\d/ }).waitFor();
    expect(await page.locator('.autosave-status').getAttribute('aria-live')).to.equal('polite');
    await page.getByRole('button', { name: 'Marker leksjonen som lest' }).click();
    await page.waitForURL(/#act-lesson-lytte-title$/);
    await expectAccessible(page);

    // Lesson 2: the quiz – wrong first (explanation shown), then right; then stop halfway.
    await page.getByRole('link', { name: /Neste: Å spørre/ }).click();
    await page.waitForURL(/\/moduler\/samtaler\/sporre$/);
    expect(await page.content()).not.to.contain(QUIZ_CORRECT_EXPLANATION);
    await page.getByLabel('Var det gøy?').check();
    await page.getByRole('button', { name: 'Send svarene' }).click();
    await page.waitForURL(/#act-sjekk-title$/);
    expect(await page.locator('.activity-quiz').textContent()).to.contain(QUIZ_WRONG_EXPLANATION).and.to.contain('Ikke bestått ennå');
    await page.getByLabel('Hva skjedde da?').check();
    await page.getByRole('button', { name: 'Send svarene på nytt' }).click();
    await page.waitForURL(/#act-sjekk-title$/);
    expect(await page.locator('.activity-quiz').textContent()).to.contain('Bestått');
    await expectAccessible(page);
    await first.close();

    // Session 2 (another browser context): Mine kurs shows progress; "Fortsett" lands exactly on lesson 2.
    const second = await suite.browser.newContext();
    page = await second.newPage();
    await logIn(page, suite.server.baseUrl, staff.email, { landsOn: '/' });
    expect(await page.locator('section[aria-labelledby="assigned-heading"]').textContent()).to.match(/Påbegynt – \d+ % fullført/);
    await page.locator('section[aria-labelledby="assigned-heading"]').getByRole('link', { name: 'Testmodul samtaler' }).click();
    await page.waitForURL(/\/moduler\/samtaler\/$/);
    await page.getByRole('link', { name: 'Fortsett der du slapp: Å spørre' }).click();
    await page.waitForURL(`${suite.server.baseUrl}/moduler/samtaler/sporre`);
    expect(await page.locator('.remaining').textContent()).to.contain('Prøv i praksis');

    // Workplace task: report tried, with a note; then mark lesson 2 as read.
    await page.getByLabel('Ja, jeg har prøvd det').check();
    await page.getByLabel('Hva skjedde?').fill('Barna svarte med hele setninger.');
    await page.getByRole('button', { name: 'Send rapporten' }).click();
    await page.waitForURL(/#act-prov-title$/);
    await page.getByRole('button', { name: 'Marker leksjonen som lest' }).click();
    await page.waitForURL(/#act-lesson-sporre-title$/);

    // Lesson 3: the team session is recorded by the leader.
    await page.getByRole('link', { name: /Neste: Sammen/ }).click();
    await page.waitForURL(/\/moduler\/samtaler\/sammen$/);
    expect(await page.locator('.activity-team-session').textContent()).to.contain('Lederen registrerer hvem som var med');
    await page.getByRole('button', { name: 'Marker leksjonen som lest' }).click();
    await page.waitForURL(/#act-lesson-sammen-title$/);
    await expectAccessible(page);
    expect(await CompletionModel.countDocuments()).to.equal(0);

    const learning = new LearningService(new ProgressService(createLogger('silent')), createLogger('silent'), suite.server.baseUrl);
    const leaderUser: SessionUser = { id: leader.id, name: 'Siri Dahl', email: leader.email, roles: new Set(), memberOf: new Set([unitId]), leaderOf: new Set([unitId]) };
    expect((await learning.recordTeamAttendance(leaderUser, { personId: staff.id, slug: 'samtaler', activityId: 'team', attended: true })).completedNow).to.equal(true);

    // Completed: the certificate downloads as a PDF with the code, and the code verifies.
    await page.reload();
    expect(await page.locator('main').textContent()).to.contain('Du har fullført hele modulen');
    const code = (await CompletionModel.findById(progressId(staff.id, 'samtaler', 1)).lean())!.certificateCode;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Last ned kursbeviset (PDF)' }).click()]);
    const pdf = readFileSync((await download.path())!);
    expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
    expect(pdf.toString('latin1')).to.contain(code);

    await page.goto(`${suite.server.baseUrl}/bevis`);
    await expectAccessible(page);
    await page.getByLabel('Kontrollkode').fill(code.toLowerCase().replace(/-/g, ' '));
    await page.getByRole('button', { name: 'Kontroller' }).click();
    await page.waitForURL(`${suite.server.baseUrl}/bevis/${code}`);
    expect(await page.locator('main').textContent()).to.contain('Kursbeviset er ekte').and.to.contain('Kari Nordmann').and.to.contain('Testmodul samtaler');
    await expectAccessible(page);

    // Mine kurs, the module page and the learning log after completion.
    await page.goto(`${suite.server.baseUrl}/mine-kurs`);
    expect(await page.locator('section[aria-labelledby="assigned-heading"]').textContent()).to.contain('Fullført');
    await expectAccessible(page);
    await page.goto(`${suite.server.baseUrl}/moduler/samtaler/`);
    await expectAccessible(page);
    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Min læringslogg' }).click();
    await page.waitForURL(/\/mine-kurs\/laeringslogg$/);
    expect(await page.locator('main').textContent()).to.contain('Jeg merker at barna forteller mer').and.to.contain('Barna svarte med hele setninger.');
    await expectAccessible(page);
    await second.close();
  });

  it('works at 320 CSS px: Mine kurs, the module page and a lesson with a quiz reflow without horizontal scrolling', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    await logIn(page, suite.server.baseUrl, staff.email, { landsOn: '/' });
    await noHorizontalScroll(page);
    for (const path of ['/moduler/samtaler/', '/moduler/samtaler/lytte', '/moduler/samtaler/sporre']) {
      await page.goto(`${suite.server.baseUrl}${path}`);
      await noHorizontalScroll(page);
    }
    await context.close();
  });

  it('without JavaScript: the reflection saves with the plain button and comes back on the page', async () => {
    const context = await suite.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await logIn(page, suite.server.baseUrl, staff.email, { landsOn: '/' });
    await page.goto(`${suite.server.baseUrl}/moduler/samtaler/lytte`);
    await page.getByLabel('Ditt svar').fill('Lagret uten JavaScript.');
    await page.getByRole('button', { name: 'Lagre svaret' }).click();
    await page.waitForURL(/#act-tanker-title$/);
    expect(await page.getByLabel('Ditt svar').inputValue()).to.equal('Lagret uten JavaScript.');
    expect(await page.locator('.alert.success').first().textContent()).to.contain('Svaret ditt er lagret');
    await context.close();
  });
});
