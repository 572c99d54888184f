import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { appInBrowser, expectAccessible, logIn } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser } from '../helpers/auth.js';
import { paths } from '../../src/config/index.js';
import { publishFromFolder } from '../../src/components/modules/index.js';

const LESSON = '/forfatter/moduler/samtale-med-barn/leksjoner/01-lytte.md';
const GLOSSARY = [
  'glossary:',
  '  - term: samtale',
  '    forms: [samtalen]',
  '    explanation: Når to eller flere snakker sammen og lytter til hverandre.',
  '  - term: garderobe',
  '    forms: [garderoben]',
  '    explanation: Rommet der barna henger klærne sine.',
  '',
].join('\n');

/**
 * The lesson editor's formatting toolbar (public/js/markdown-toolbar.js): operable by keyboard alone
 * (one Tab stop, arrow keys, Enter), writes Markdown where the cursor is, says what it did to screen
 * readers, passes axe — and without JavaScript is not there at all, with the editor working as before.
 */
describe('browser: the Markdown toolbar in the lesson editor', function () {
  this.timeout(120_000);
  let email: string;
  const suite = appInBrowser(async () => {
    await clearDatabase();
    email = (await createUser({ name: 'Astrid Forfatter', roles: ['author'] })).email;
    // The test module with a glossary, so the toolbar offers its words.
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'toolbar-modules-'));
    fs.cpSync(path.join(paths.root, 'test', 'fixtures', 'modules-valid'), folder, { recursive: true });
    const moduleFile = path.join(folder, 'samtale-med-barn', 'module.md');
    fs.writeFileSync(moduleFile, fs.readFileSync(moduleFile, 'utf8').replace(/\n---\n/, `\n${GLOSSARY}---\n`));
    await publishFromFolder(folder, { by: { id: null, name: 'Git' } });
    fs.rmSync(folder, { recursive: true, force: true });
  });

  async function editor(javaScriptEnabled: boolean): Promise<Page> {
    const page = await (await suite.browser.newContext({ javaScriptEnabled })).newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, suite.server.baseUrl, email);
    await page.goto(`${suite.server.baseUrl}${LESSON}`);
    return page;
  }

  const text = (page: Page) => page.getByLabel('Leksjonen (01-lytte.md)');
  const selected = (page: Page) => page.evaluate(() => {
    const t = document.getElementById('lesson-text') as HTMLTextAreaElement;
    return t.value.slice(t.selectionStart, t.selectionEnd);
  });
  // The live region is emptied and then filled a moment later (so a repeated message is announced
  // again): wait for this action's message, not whatever the previous one left there.
  const status = async (page: Page, expected: string) => {
    await page.waitForFunction((text) => (document.getElementById('md-toolbar-status')?.textContent ?? '').trim() === text, expected).catch(() => undefined);
    return (await page.locator('#md-toolbar-status').textContent())!.trim();
  };

  it('by keyboard: one Tab stop, arrows between buttons, Enter writes at the cursor, selects the placeholder and announces it', async () => {
    const page = await editor(true);
    const toolbar = page.getByRole('toolbar', { name: 'Formatering' });
    await toolbar.waitFor();
    await expectAccessible(page);
    // The cursor at the very start of the text; Shift+Tab back from the text passes the glossary and
    // image pickers (each a button and a list) and lands in the toolbar's one stop.
    await text(page).click();
    await page.evaluate(() => (document.getElementById('lesson-text') as HTMLTextAreaElement).setSelectionRange(0, 0));
    const before = await text(page).inputValue();
    for (let i = 0; i < 5; i += 1) await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).to.equal('Overskrift');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).to.equal('Fet');
    // Only the focused button is in the Tab order.
    expect(await toolbar.locator('button[tabindex="0"]').count()).to.equal(1);
    await page.keyboard.press('Enter');
    expect(await text(page).inputValue()).to.equal(`**fet tekst**${before}`);
    expect(await selected(page), 'the placeholder is selected, to type over').to.equal('fet tekst');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('lesson-text');
    expect(await status(page, 'Fet satt inn i teksten.')).to.equal('Fet satt inn i teksten.');
    // Typing replaces the placeholder.
    await page.keyboard.type('viktig');
    expect((await text(page).inputValue()).startsWith('**viktig**')).to.equal(true);
  });

  it('the other buttons and Ctrl+I: heading, list and link on the selection, an image from the module with its alt text to write', async () => {
    const page = await editor(true);
    await page.getByRole('toolbar', { name: 'Formatering' }).waitFor();
    await text(page).fill('Første linje\nAndre linje');
    const select = (from: number, to: number) => page.evaluate(([a, b]) => (document.getElementById('lesson-text') as HTMLTextAreaElement).setSelectionRange(a!, b!), [from, to]);

    await select(0, 0);
    await page.getByRole('button', { name: 'Overskrift' }).click();
    expect(await text(page).inputValue()).to.equal('## Første linje\nAndre linje');

    await select(3, 26);
    await page.getByRole('button', { name: 'Punktliste' }).click();
    expect(await text(page).inputValue()).to.equal('- ## Første linje\n- Andre linje');

    await text(page).fill('Les mer her.');
    await select(4, 7);
    await page.getByRole('button', { name: 'Lenke' }).click();
    expect(await text(page).inputValue()).to.equal('Les [mer](https://) her.');
    expect(await selected(page), 'the address is selected next').to.equal('https://');

    await select(0, 3);
    await text(page).press('Control+i');
    expect(await text(page).inputValue()).to.equal('_Les_ [mer](https://) her.');

    await text(page).fill('Tekst');
    await select(5, 5);
    await page.getByLabel('Bilde fra modulen').selectOption('assets/samtale.png');
    await page.getByRole('button', { name: 'Sett inn bilde' }).click();
    expect(await text(page).inputValue()).to.equal('Tekst\n\n![Beskriv bildet](assets/samtale.png)\n');
    expect(await selected(page), 'the alt text is selected, to be written').to.equal('Beskriv bildet');
    expect(await status(page, 'Bilde fra modulen satt inn i teksten.')).to.equal('Bilde fra modulen satt inn i teksten.');
    await expectAccessible(page);
  });

  it("a word from the module's glossary: chosen by keyboard, written over the selection, selected and announced by name", async () => {
    const page = await editor(true);
    await page.getByRole('toolbar', { name: 'Formatering' }).waitFor();
    const picker = page.getByLabel('Ord fra ordlista');
    expect(await picker.locator('option').allTextContents()).to.deep.equal(['garderobe', 'samtale']);
    await text(page).fill('Vi tar en prat i gangen.');
    await page.evaluate(() => (document.getElementById('lesson-text') as HTMLTextAreaElement).setSelectionRange(10, 14));
    await picker.focus();
    await page.keyboard.press('ArrowDown');
    expect(await picker.inputValue()).to.equal('samtale');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).to.equal('Sett inn ord');
    await page.keyboard.press('Enter');
    expect(await text(page).inputValue()).to.equal('Vi tar en samtale i gangen.');
    expect(await selected(page)).to.equal('samtale');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('lesson-text');
    const message = '«samtale» satt inn. Første gang ordet står i leksjonen, får det en forklaring.';
    expect(await status(page, message)).to.equal(message);
    await expectAccessible(page);
  });

  it("a problem's line number above the editor moves the cursor to that line and selects it", async () => {
    const page = await editor(true);
    await page.getByRole('toolbar', { name: 'Formatering' }).waitFor();
    const lines = (await text(page).inputValue()).split('\n');
    // An image without alt text as the last line: the live check lists it with its line number.
    await text(page).fill([...lines, '![](assets/samtale.png)'].join('\n'));
    const line = lines.length + 1;
    await page.locator('#lesson-problems').getByRole('link', { name: `linje ${line}` }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('lesson-text');
    expect(await selected(page)).to.equal('![](assets/samtale.png)');
  });

  it('without JavaScript: no toolbar, no image or word picker, and the editor saves as before', async () => {
    const page = await editor(false);
    expect(await page.getByRole('toolbar').count()).to.equal(0);
    expect(await page.locator('[data-md-image]').isVisible()).to.equal(false);
    expect(await page.locator('[data-md-glossary]').isVisible()).to.equal(false);
    const original = await text(page).inputValue();
    await text(page).fill(`${original}\n\nEn **ny** setning.\n`);
    await page.getByRole('button', { name: 'Lagre', exact: true }).click();
    await page.waitForLoadState();
    expect(await text(page).inputValue()).to.contain('En **ny** setning.');
    expect(await page.getByText('Leksjonen er lagret').count()).to.be.greaterThan(0);
    // A problem's line number is still there, as a link to the editor.
    await text(page).fill(`${await text(page).inputValue()}![](assets/samtale.png)\n`);
    await page.getByRole('button', { name: 'Lagre', exact: true }).click();
    await page.waitForLoadState();
    const lineCount = (await text(page).inputValue()).replace(/\n$/, '').split('\n').length;
    expect(await page.locator('#lesson-problems a[href="#lesson-text"]').filter({ hasText: `linje ${lineCount}` }).count()).to.equal(1);
  });
});
