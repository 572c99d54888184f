import { expect } from 'chai';
import { appInBrowser, expectAccessible, logIn } from '../helpers/browser.js';
import { authorWithValidModules } from '../helpers/learning-fixture.js';
import { ModuleVersionModel } from '../../src/components/modules/models.js';

const SLUG = 'samtale-med-barn';

describe('browser: an author edits a lesson, previews it and publishes a new version', function () {
  this.timeout(180_000);
  const suite = appInBrowser(async () => {
    email = await authorWithValidModules();
  });
  let email: string;


  it('with JavaScript: live preview beside the editor, save, preview, publish a minor version, history and diff — every page passes axe', async () => {
    const page = await (await suite.browser.newContext()).newPage();
    await logIn(page, suite.server.baseUrl, email);

    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Forfatter' }).click();
    await page.waitForURL(/\/forfatter\/moduler$/);
    expect(await page.locator('h1').textContent()).to.equal('Moduler');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Samtale med barn' }).click();
    await page.waitForURL(new RegExp(`/forfatter/moduler/${SLUG}$`));
    expect(await page.getByText('Publisert v1.0').count()).to.be.greaterThan(0);
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Å lytte' }).click();
    await page.waitForURL(/\/leksjoner\/01-lytte\.md$/);
    // The script shows the live preview beside the text.
    const preview = page.locator('#live-preview-content');
    await preview.locator('h2#h-hvorfor-lytte').waitFor();
    await expectAccessible(page);

    const editor = page.getByLabel('Leksjonen (01-lytte.md)');
    const text = await editor.inputValue();
    await editor.fill(text.replace('Barn har rett til å bli hørt.', 'Alle barn har rett til å bli hørt, også de minste.'));
    await preview.getByText('også de minste').waitFor();
    // A broken image shows up as a problem while typing, before anything is saved.
    await editor.fill((await editor.inputValue()) + '\n![](../assets/finnes-ikke.png)\n');
    await page.locator('#lesson-problems').getByText('mangler alternativ tekst').waitFor();
    await editor.fill((await editor.inputValue()).replace('\n![](../assets/finnes-ikke.png)\n', '\n'));
    await page.locator('#lesson-problems').waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Lagre', exact: true }).click();
    await page.waitForURL(/\?lagret=1$/);
    await page.getByText('Leksjonen er lagret.').waitFor();
    await expectAccessible(page);

    // Preview: the lesson as staff will see it, with the activities' own forms (disabled).
    await page.getByRole('navigation', { name: 'Modulen' }).getByRole('link', { name: 'Forhåndsvis' }).click();
    await page.waitForURL(/\/forhandsvis$/);
    await expectAccessible(page);
    await page.getByRole('navigation', { name: 'Leksjoner' }).getByRole('link', { name: 'Å lytte' }).click();
    await page.waitForURL(/\/forhandsvis\/lytte$/);
    expect(await page.locator('h1').textContent()).to.equal('Å lytte');
    expect(await page.getByText('Alle barn har rett til å bli hørt, også de minste.').count()).to.equal(1);
    expect(await page.locator('video track[kind="captions"]').count()).to.equal(1);
    expect(await page.getByLabel('Ditt svar').isDisabled()).to.equal(true);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'neste leksjon' }).click();
    await page.waitForURL(/\/forhandsvis\/sporre$/);
    expect(await page.getByRole('radio', { name: 'Hva skjedde da?' }).count()).to.equal(1);
    await expectAccessible(page);

    // Publish a minor version with a change note.
    await page.getByRole('navigation', { name: 'Modulen' }).getByRole('link', { name: 'Publiser' }).click();
    await page.waitForURL(/\/publiser$/);
    await expectAccessible(page);
    await page.getByLabel('Liten endring: versjon 1.1').check();
    await page.getByLabel('Hva er endret?').fill('Tydeligere om de minste barna.');
    await page.getByRole('button', { name: 'Publiser' }).click();
    await page.waitForURL(/\/versjoner\?publisert=/);
    await page.getByText(`Versjon ${SLUG}@1.1 er publisert.`).waitFor();
    expect(await page.getByRole('cell', { name: 'Astrid Forfatter' }).count()).to.equal(1);
    await expectAccessible(page);

    await page.getByRole('link', { name: '1.0 → 1.1' }).click();
    await page.waitForURL(/\/versjoner\/sammenlign\?fra=1\.0&til=1\.1$/);
    expect(await page.locator('ins').filter({ hasText: 'også de minste' }).count()).to.equal(1);
    await expectAccessible(page);

    const version = await ModuleVersionModel.findById(`${SLUG}@1.1`).lean();
    expect(version).to.deep.include({ kind: 'minor', changeNote: 'Tydeligere om de minste barna.' });

    // Settings form.
    await page.goto(`${suite.server.baseUrl}/forfatter/moduler/${SLUG}/innstillinger`);
    await expectAccessible(page);
    await page.context().close();
  });

  it('without JavaScript: the editor saves and previews through plain form posts', async () => {
    const context = await suite.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, suite.server.baseUrl, email);
    await page.goto(`${suite.server.baseUrl}/forfatter/moduler/${SLUG}/leksjoner/02-sporre.md`);
    expect(await page.locator('.live-preview').isHidden()).to.equal(true);
    const editor = page.getByLabel('Leksjonen (02-sporre.md)');
    await editor.fill((await editor.inputValue()).replace('Åpne spørsmål gir barnet plass.', 'Åpne spørsmål gir barnet god plass.'));
    await page.getByRole('button', { name: 'Lagre og forhåndsvis' }).click();
    await page.waitForURL(/\/forhandsvis\/sporre$/);
    expect(await page.getByText('Åpne spørsmål gir barnet god plass.').count()).to.equal(1);
    // axe runs as a script, so these pages are checked in the test above (the same templates).
    await context.close();
  });
});
