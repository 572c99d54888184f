import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { appInBrowser, expectAccessible, logIn } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser } from '../helpers/auth.js';
import { LESSON2_SUMMARY, publishFixture, resetLearningCaches } from '../helpers/learning-fixture.js';

/**
 * «Les opp» in Chromium. Headless Chromium may have no voices at all, so the Web Speech API is
 * replaced in the page by a small recording stand-in (a browser API, not our server): it reports
 * the voices a test gives it, records what is spoken and lets the test end utterances.
 */
// Plain JavaScript in a string: it runs in the page as written (no compiler helpers).
const SPEECH_STUB = `(function (voices, voicesLater) {
  var listeners = [];
  var available = voicesLater ? [] : voices;
  var queue = [];
  var record = { spoken: [], calls: [] };
  var synth = {
    getVoices: function () { return available; },
    speak: function (u) { record.spoken.push({ text: u.text, lang: u.lang, voice: u.voice ? u.voice.name : null }); queue.push(u); },
    pause: function () { record.calls.push('pause'); },
    resume: function () { record.calls.push('resume'); },
    cancel: function () {
      record.calls.push('cancel');
      var dropped = queue; queue = [];
      dropped.forEach(function (u) { if (u.onerror) u.onerror({ error: 'canceled' }); });
    },
    addEventListener: function (type, fn) { if (type === 'voiceschanged') listeners.push(fn); }
  };
  function Utterance(text) { this.text = text; this.lang = ''; this.voice = null; }
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: Utterance, configurable: true });
  window.speechRecord = record;
  window.finishUtterance = function () { var u = queue.shift(); if (u && u.onend) u.onend({}); };
  window.loadVoices = function () { available = voices; listeners.forEach(function (fn) { fn(); }); };
})`;

function speech(voices: Array<{ name: string; lang: string }>, options: { voicesLater?: boolean } = {}) {
  return (ctx: BrowserContext) => ctx.addInitScript({ content: `${SPEECH_STUB}(${JSON.stringify(voices)}, ${options.voicesLater ? 'true' : 'false'});` });
}

type Recorded = { spoken: Array<{ text: string; lang: string; voice: string | null }>; calls: string[] };
const recorded = (page: Page) => page.evaluate(() => (window as unknown as { speechRecord: Recorded }).speechRecord);
const finishUtterance = (page: Page) => page.evaluate(() => (window as unknown as { finishUtterance: () => void }).finishUtterance());
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
const controls = (page: Page) => page.locator('#read-aloud');
const statusText = async (page: Page) => ((await page.locator('#read-aloud-status').textContent()) ?? '').trim();

describe('browser: «Les opp» reads the lesson aloud (speech synthesis, progressive enhancement)', function () {
  this.timeout(90_000);
  const suite = appInBrowser();
  let context: BrowserContext;
  let page: Page;
  let email: string;

  beforeEach(async () => {
    await clearDatabase();
    resetLearningCaches();
    const unitId = await createUnit('Solsikken barnehage', 'barnehage');
    email = (await createUser({ memberships: [{ unitId, role: 'ansatt' }] })).email;
    await publishFixture();
    await publishFixture({ slug: 'samtaler-nn', language: 'nn', translationOf: 'samtaler' });
  });
  afterEach(async () => {
    await context?.close();
  });

  async function open(path: string, setup?: (ctx: BrowserContext) => Promise<unknown>, javaScriptEnabled = true): Promise<void> {
    context = await suite.browser.newContext({ javaScriptEnabled });
    if (setup) await setup(context);
    page = await context.newPage();
    await logIn(page, suite.server.baseUrl, email, { landsOn: '/' });
    await page.goto(`${suite.server.baseUrl}${path}`);
  }

  it('no voice for the language (none at all, or only English for a Norwegian lesson): the controls stay hidden', async () => {
    await open('/moduler/samtaler/sporre', speech([]));
    expect(await controls(page).isVisible()).to.equal(false);
    await context.close();
    await open('/moduler/samtaler/sporre', speech([{ name: 'English', lang: 'en-US' }]));
    expect(await controls(page).isVisible()).to.equal(false);
  });

  it('without JavaScript the controls are not shown and the lesson reads as before', async () => {
    await open('/moduler/samtaler/sporre', undefined, false);
    expect(await controls(page).isVisible()).to.equal(false);
    expect(await page.getByText(LESSON2_SUMMARY).isVisible()).to.equal(true);
  });

  it('with a Norwegian voice, by keyboard: read → pause → resume → stop, each state announced, focus kept on a usable button; axe passes', async () => {
    await open('/moduler/samtaler/sporre', speech([{ name: 'English', lang: 'en-US' }, { name: 'Nora', lang: 'nb-NO' }]));
    await controls(page).waitFor({ state: 'visible' });
    expect(await page.locator('#read-aloud-status').getAttribute('aria-live')).to.equal('polite');
    await expectAccessible(page);

    await page.locator('[data-action="read"]').focus();
    await page.keyboard.press('Enter');
    expect(await statusText(page)).to.equal('Leser opp …');
    expect(await focusedText(page)).to.equal('Pause');
    const first = await recorded(page);
    expect(first.spoken[0]).to.deep.equal({ text: 'Å spørre', lang: 'nb-NO', voice: 'Nora' });

    await page.keyboard.press('Enter');
    expect(await statusText(page)).to.equal('Opplesingen er satt på pause.');
    expect(await focusedText(page)).to.equal('Fortsett');
    await page.keyboard.press('Space');
    expect(await statusText(page)).to.equal('Leser opp …');
    expect(await focusedText(page)).to.equal('Pause');
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).to.equal('Stopp');
    await page.keyboard.press('Enter');
    expect(await statusText(page)).to.equal('Opplesingen er stoppet.');
    expect(await focusedText(page)).to.equal('Les opp');
    expect((await recorded(page)).calls).to.deep.equal(['cancel', 'pause', 'resume', 'cancel']);
    expect(await page.locator('[data-action="pause"]').isDisabled()).to.equal(true);
  });

  it('reading to the end: title, "Kort fortalt" and the lesson text block by block (word explanations included, form controls not), then "Opplesingen er ferdig"', async () => {
    await open('/moduler/samtaler/sporre', speech([{ name: 'Nora', lang: 'nb-NO' }]));
    await page.locator('[data-action="read"]').click();
    for (let i = 0; i < 200 && (await controls(page).getAttribute('data-state')) === 'speaking'; i += 1) await finishUtterance(page);
    expect(await statusText(page)).to.equal('Opplesingen er ferdig.');
    const texts = (await recorded(page)).spoken.map((s) => s.text);
    expect(texts.slice(0, 5)).to.deep.equal([
      'Å spørre',
      'Kort fortalt',
      LESSON2_SUMMARY,
      'Åpne spørsmål',
      'Åpne spørsmål (Et spørsmål barnet ikke kan svare ja eller nei på.) gir barnet plass.',
    ]);
    // Form controls (the quiz's options, buttons) are not read as text.
    expect(texts.join(' ')).not.to.contain('Send svarene').and.not.to.contain('Var det gøy?');
  });

  it('voices that arrive after the page loaded (Chrome\'s voiceschanged) show the controls; a nynorsk lesson is read with a Norwegian voice', async () => {
    await open('/moduler/samtaler-nn/sporre', speech([{ name: 'Nora', lang: 'nb-NO' }], { voicesLater: true }));
    expect(await controls(page).isVisible()).to.equal(false);
    expect(await controls(page).getAttribute('data-lang')).to.equal('nn-NO');
    await page.evaluate(() => (window as unknown as { loadVoices: () => void }).loadVoices());
    await controls(page).waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Les opp' }).click();
    expect((await recorded(page)).spoken[0]).to.include({ lang: 'nb-NO', voice: 'Nora' });
  });
});
