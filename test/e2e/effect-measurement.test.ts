import { expect } from 'chai';
import { appInBrowser, expectAccessible, logIn } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser } from '../helpers/auth.js';
import { publishFixture, resetLearningCaches, SELF_ASSESSMENT_STATEMENTS } from '../helpers/learning-fixture.js';
import { learningVersion, ProgressService } from '../../src/components/learning/index.js';
import { createLogger } from '../../src/lib/logger.js';

/**
 * Issue 19 in the browser: the self-assessment is answered with the keyboard-reachable radio groups
 * each statement's fieldset names, the evaluation likewise, and the lesson pages and the author's
 * statistics page have no WCAG 2.1 A/AA violations axe can find.
 */
describe('browser: self-assessment, module evaluation and author statistics', function () {
  this.timeout(180_000);
  let staff: { id: string; email: string };
  let writer: { id: string; email: string };

  const suite = appInBrowser(async () => {
    await clearDatabase();
    resetLearningCaches();
    const unitId = await createUnit('Solsikken barnehage', 'barnehage');
    staff = await createUser({ name: 'Kari Nordmann', memberships: [{ unitId, role: 'ansatt' }] });
    writer = await createUser({ name: 'Forfatter Frida', roles: ['author'] });
    await publishFixture({ effect: true });
    // Five other learners, so the author's page has figures to show.
    const version = (await learningVersion('samtaler@1.0'))!;
    const progress = new ProgressService(createLogger('silent'));
    for (let i = 0; i < 5; i += 1) {
      const person = await createUser({ memberships: [{ unitId, role: 'ansatt' }] });
      await progress.act({ userId: person.id, version, activityId: 'kartlegging-for', action: 'assess', input: { ratings: { u1: 2, u2: 3, u3: 2, u4: 1 } }, actionId: `e2e-learner-${i}-1`, unitIds: [unitId] });
      await progress.act({ userId: person.id, version, activityId: 'sjekk', action: 'submit', input: { answers: { q1: [i % 2] } }, actionId: `e2e-learner-${i}-2`, unitIds: [unitId] });
      await progress.act({ userId: person.id, version, activityId: 'vurdering', action: 'evaluate', input: { usefulness: 4, relevance: 3, recommend: true, suggestion: `Innspill ${i}` }, actionId: `e2e-learner-${i}-3`, unitIds: [unitId] });
    }
  });

  it('a learner answers the self-assessment and the evaluation through labelled radio groups; the pages are accessible', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await logIn(page, suite.server.baseUrl, staff.email);
    await page.goto(`${suite.server.baseUrl}/moduler/samtaler/lytte`);
    await expectAccessible(page);
    for (const statement of SELF_ASSESSMENT_STATEMENTS) {
      await page.getByRole('group', { name: statement.text }).getByRole('radio', { name: '4 – Litt enig' }).check();
    }
    await page.getByRole('button', { name: 'Lagre svarene' }).click();
    await page.waitForURL(/#act-kartlegging-for-title$/);
    expect(await page.locator('.alert.success').first().textContent()).to.contain('Svarene på kartleggingen er lagret');
    await expectAccessible(page);

    await page.goto(`${suite.server.baseUrl}/moduler/samtaler/sammen`);
    await page.getByRole('group', { name: 'Hvor nyttig var modulen for deg i arbeidet?' }).getByRole('radio', { name: '5 – Svært nyttig' }).check();
    await page.getByRole('group', { name: /Hvor godt passet modulen/ }).getByRole('radio', { name: '4 – Passet godt' }).check();
    await page.getByRole('group', { name: 'Vil du anbefale modulen til en kollega?' }).getByRole('radio', { name: 'Ja' }).check();
    await page.getByLabel('Forslag til forfatterne (frivillig)').fill('Flere filmer');
    await page.getByRole('button', { name: 'Send vurderingen' }).click();
    await page.waitForURL(/#act-vurdering-title$/);
    expect(await page.locator('.alert.success').first().textContent()).to.contain('Takk for vurderingen');
    await expectAccessible(page);
    await context.close();
  });

  it('the author opens Statistikk from the module page; the page is accessible and names no one', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await logIn(page, suite.server.baseUrl, writer.email);
    await page.goto(`${suite.server.baseUrl}/forfatter/moduler/samtaler`);
    await page.getByRole('link', { name: 'Statistikk' }).click();
    await page.waitForURL(/\/forfatter\/moduler\/samtaler\/statistikk$/);
    await expectAccessible(page);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).to.contain('Riktig ved første forsøk').and.to.contain('Innspill 0').and.to.not.contain('Kari Nordmann');
    await context.close();
  });
});
