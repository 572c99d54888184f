import path from 'node:path';
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { appInBrowser, expectAccessible, logIn } from '../helpers/browser.js';
import { clearDatabase } from '../helpers/database.js';
import { createUnit, createUser } from '../helpers/auth.js';
import { paths } from '../../src/config/index.js';
import { ModuleVersionModel } from '../../src/components/modules/models.js';
import { blockData, findActivityBlocks } from '../../src/components/modules/activity-block.js';
import { registry } from '../../src/activities/index.js';

const SLUG = 'trygg-hverdag';
const BASE = `/forfatter/moduler/${SLUG}`;
const LESSON_FILE = '01-innledning.md';
const ASSETS = path.join(paths.root, 'test', 'fixtures', 'modules-valid', 'samtale-med-barn', 'assets');

/**
 * An author who never sees YAML: creates a module, uploads the video's files, inserts one activity
 * of each kind through the lesson editor's forms (the quiz partly by keyboard), publishes, and a
 * staff member takes the lesson.
 */
describe('browser: an author builds a whole module with the activity forms, and a learner takes it', function () {
  this.timeout(300_000);
  let author: { email: string };
  let staff: { email: string };

  const suite = appInBrowser(async () => {
    await clearDatabase();
    author = await createUser({ name: 'Astrid Forfatter', roles: ['author'] });
    const unitId = await createUnit('Solsikken barnehage', 'barnehage');
    staff = await createUser({ name: 'Kari Nordmann', memberships: [{ unitId, role: 'ansatt' }] });
  });

  /** Presses Tab until `target` has focus (at most `max` times): the field is reachable by keyboard. */
  async function tabTo(page: Page, target: Locator, max = 12): Promise<void> {
    for (let i = 0; i < max; i += 1) {
      await page.keyboard.press('Tab');
      if (await target.evaluate((el) => el === document.activeElement)) return;
    }
    expect.fail(`Tab never reached ${String(target)}`);
  }

  /** From the lesson editor: "Sett inn aktivitet", choose the kind, land on its empty form. */
  async function openForm(page: Page, kindName: string, checkChooser = false): Promise<void> {
    await page.getByRole('link', { name: 'Sett inn aktivitet' }).click();
    await page.waitForURL(/\/aktivitet(\?.*)?$/);
    expect(await page.locator('h1').textContent()).to.equal('Sett inn aktivitet');
    if (checkChooser) {
      // Every kind an author writes; the reading at the end of each lesson is implicit.
      expect(await page.getByRole('radio').evaluateAll((radios) => radios.map((r) => (r as HTMLInputElement).value))).to.have.members([...registry.authoredKinds]);
      expect([...registry.kindNames].filter((k) => !registry.authoredKinds.has(k))).to.deep.equal(['reading']);
      await expectAccessible(page);
    }
    await page.getByRole('radio', { name: new RegExp(`^${kindName}\\b`) }).check();
    await page.getByRole('button', { name: 'Neste' }).click();
    await page.waitForURL(/\/aktivitet\?.*type=/);
    expect(await page.locator('h1').textContent()).to.equal(`Ny aktivitet: ${kindName}`);
    await expectAccessible(page);
  }

  async function save(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Lagre aktiviteten' }).first().click();
    await page.waitForURL(new RegExp(`/leksjoner/${LESSON_FILE.replace('.', '\\.')}\\?lagret=1$`));
  }

  it('creates, fills, publishes and is taken – every form passes axe, the Markdown is clean', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, suite.server.baseUrl, author.email);

    // A new module from the list page.
    await page.getByRole('navigation', { name: 'Hovedmeny' }).getByRole('link', { name: 'Forfatter' }).click();
    await page.waitForURL(/\/forfatter\/moduler$/);
    await page.getByLabel('Tittel').fill('Trygg hverdag');
    await page.getByLabel('Kortnavn (brukes i adressen)').fill(SLUG);
    await page.getByRole('button', { name: 'Opprett modulen' }).click();
    await page.waitForURL(`${suite.server.baseUrl}${BASE}`);

    // Settings: what publishing needs.
    await page.getByRole('navigation', { name: 'Modulen' }).getByRole('link', { name: 'Innstillinger' }).click();
    await page.waitForURL(/\/innstillinger$/);
    await page.getByLabel('Sammendrag').fill('Hvordan de voksne skaper en trygg hverdag for barna.');
    await page.getByLabel('Barnehage', { exact: true }).check();
    await page.getByLabel('Inkludering', { exact: true }).check();
    await page.getByLabel('Forfattere').fill('Astrid Forfatter');
    await page.getByLabel('Læringsmål').fill('Se hvert barn\nSkape trygghet');
    await page.getByLabel('Kilder').fill('Rammeplan for barnehagen (2017)');
    await page.getByLabel('Introduksjon').fill('Velkommen til modulen.');
    await page.getByLabel('Faglig ansvarlig').fill('Fellesskap redaksjon, fagansvarlig PPT');
    await page.getByLabel('Sist faglig gjennomgått').fill('2026-12-01');
    await page.getByLabel('Lovhenvisninger sist kontrollert').fill('2026-12-01');
    await page.getByRole('button', { name: 'Lagre innstillingene' }).click();
    await page.waitForURL(/\/innstillinger\?lagret=1$/);
    await page.getByText('Innstillingene er lagret.').waitFor();

    // The glossary: a word as a row of the form.
    await page.getByRole('navigation', { name: 'Modulen' }).getByRole('link', { name: 'Ordliste' }).click();
    await page.waitForURL(/\/ordliste$/);
    await page.getByRole('button', { name: 'Legg til: Ord' }).click();
    await page.getByLabel('Ordet').fill('trygghet');
    await page.getByLabel('Forklaring').fill('Å kjenne seg trygg og ivaretatt.');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Lagre ordlista' }).first().click();
    await page.waitForURL(/\/ordliste\?lagret=1$/);
    await page.getByText('Ordlista er lagret (1 ord).').waitFor();

    // The video's files, uploaded on the module page.
    await page.getByRole('navigation', { name: 'Modulen' }).getByRole('link', { name: 'Oversikt' }).click();
    await page.waitForURL(`${suite.server.baseUrl}${BASE}`);
    for (const name of ['samtale.mp4', 'samtale.vtt', 'samtale.md']) {
      await page.getByLabel('Last opp en fil').setInputFiles(path.join(ASSETS, name));
      await page.getByRole('button', { name: 'Last opp', exact: true }).click();
      await page.getByRole('cell', { name: `assets/${name}`, exact: true }).waitFor();
    }

    // The lesson the new module came with.
    await page.getByRole('link', { name: 'Innledning' }).click();
    await page.waitForURL(new RegExp(`/leksjoner/${LESSON_FILE.replace('.', '\\.')}$`));
    await page.getByText('Leksjonen har ingen aktiviteter ennå.').waitFor();

    // A sentence with the glossary's word, put in with the toolbar's word picker.
    const lessonText = page.getByLabel(`Leksjonen (${LESSON_FILE})`);
    await lessonText.press('ControlOrMeta+End');
    await page.keyboard.type('Alle barn trenger ');
    await page.getByLabel('Ord fra ordlista').selectOption('trygghet');
    await page.getByRole('button', { name: 'Sett inn ord' }).click();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.type(' i hverdagen.\n');
    await page.getByRole('button', { name: 'Lagre', exact: true }).click();
    await page.waitForURL(/\?lagret=1$/);
    expect(await lessonText.inputValue()).to.contain('Alle barn trenger trygghet i hverdagen.');

    // Video: the uploaded files.
    await openForm(page, 'Film', true);
    await page.getByLabel('Id', { exact: true }).fill('film-trygghet');
    await page.getByLabel('Tittel', { exact: true }).fill('En morgen i garderoben');
    await page.getByLabel('Filmfil').fill('assets/samtale.mp4');
    await page.getByLabel('Tekstingsfil').fill('assets/samtale.vtt');
    await page.getByLabel('Transkripsjon').fill('assets/samtale.md');
    await save(page);

    // Quiz: rows added and moved with the row buttons, then filled in by keyboard.
    await openForm(page, 'Quiz');
    const question = page.getByRole('group', { name: 'Spørsmål 1', exact: true });
    const option = (n: number) => question.getByRole('group', { name: `Svaralternativ ${n}`, exact: true });
    expect(await option(3).count()).to.equal(0);
    await page.getByLabel('Tittel', { exact: true }).fill('Sjekk forståelsen');
    await option(1).getByLabel('Svar', { exact: true }).fill('Først skrevet');
    await question.getByRole('button', { name: 'Legg til: Svaralternativ' }).click();
    await option(3).waitFor();
    await question.getByRole('button', { name: 'Legg til: Svaralternativ' }).click();
    await option(4).waitFor();
    // What was typed survives the row posts; moving the first row down swaps it with the second.
    expect(await page.getByLabel('Tittel', { exact: true }).inputValue()).to.equal('Sjekk forståelsen');
    await option(1).getByRole('button', { name: 'Flytt ned Svaralternativ 1' }).click();
    await option(2).getByLabel('Svar', { exact: true }).waitFor();
    expect(await option(2).getByLabel('Svar', { exact: true }).inputValue()).to.equal('Først skrevet');
    expect(await option(1).getByLabel('Svar', { exact: true }).inputValue()).to.equal('');
    await option(2).getByRole('button', { name: 'Fjern Svaralternativ 2' }).click();
    await option(4).waitFor({ state: 'detached' });
    await question.getByRole('button', { name: 'Legg til: Svaralternativ' }).click();
    await option(4).waitFor();
    await expectAccessible(page);

    // The keyboard only from here: Tab to each field, type, Space on the right answer, Enter on save.
    await page.getByLabel('Id', { exact: true }).focus();
    await page.keyboard.type('sjekk');
    await tabTo(page, question.getByLabel('Spørsmålets id'));
    await page.keyboard.type('q1');
    await tabTo(page, question.getByLabel('Spørsmålstekst'));
    await page.keyboard.type('Et barn gråter når mor går. Hva gjør du?');
    const answers = [
      ['Setter meg ned ved barnet og sier at jeg ser at det er lei seg.', true, 'Riktig: barnet blir sett og får hjelp med følelsen.'],
      ['Sier at store barn ikke gråter.', false, 'Galt: det avviser følelsen barnet har.'],
      ['Lar barnet være i fred til det slutter.', false, 'Galt: barnet blir alene med følelsen.'],
      ['Distraherer barnet med en leke med en gang.', false, 'Galt: følelsen blir ikke møtt først.'],
    ] as const;
    for (const [i, [text, correct, explanation]] of answers.entries()) {
      const row = option(i + 1);
      await tabTo(page, row.getByLabel('Svar', { exact: true }));
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type(text);
      await tabTo(page, row.getByLabel('Riktig svar'));
      if (correct) await page.keyboard.press('Space');
      expect(await row.getByLabel('Riktig svar').isChecked()).to.equal(correct);
      await tabTo(page, row.getByLabel('Forklaring'));
      await page.keyboard.type(explanation);
    }
    const lastSave = page.getByRole('button', { name: 'Lagre aktiviteten' }).last();
    await tabTo(page, lastSave, 20);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?lagret=1$/);

    // Reflection.
    await openForm(page, 'Refleksjon');
    await page.getByLabel('Id', { exact: true }).fill('mine-tanker');
    await page.getByLabel('Spørsmål til refleksjon').fill('Når kjente et barn seg trygt hos deg denne uka?\nHva gjorde du da?');
    await save(page);

    // Workplace task.
    await openForm(page, 'Praksisoppgave');
    await page.getByLabel('Id', { exact: true }).fill('prov-selv');
    await page.getByLabel('Tittel', { exact: true }).fill('Prøv i praksis – møt følelsen');
    await page.getByLabel('Instruksjoner').fill('Sett ord på et barns følelse tre ganger i morgen.');
    await page.getByLabel('Spørsmål til rapporten').fill('Hva skjedde?');
    await save(page);

    // Team session: a step and a question (the rows the form starts with), and one preparation row added.
    await openForm(page, 'Teammøte');
    await page.getByLabel('Id', { exact: true }).fill('teammote');
    // Only the leader can complete it for the staff; optional, so a learner can finish the module.
    await page.getByLabel('Må gjøres for å fullføre modulen').uncheck();
    await page.getByLabel('Tittel', { exact: true }).fill('Teammøte – trygg hverdag');
    await page.getByLabel('Formål').fill('Bli enige om hvordan vi tar imot barn om morgenen.');
    await page.getByLabel('Varighet (minutter)').fill('45');
    await page.getByRole('button', { name: 'Legg til: Forberedelse' }).click();
    await page.getByLabel('Forberedelse 1').fill('Les leksjonen.');
    const step = page.getByRole('group', { name: 'Steg 1', exact: true });
    await step.getByLabel('Stegets tittel').fill('Innledning');
    await step.getByLabel('Minutter', { exact: true }).fill('15');
    await step.getByLabel('Beskrivelse').fill('Leder forteller kort om målet med møtet.');
    await page.getByLabel('Samtalespørsmål 1').fill('Hva gjør vi når et barn gråter i levering?');
    await save(page);

    // The lesson editor lists the five blocks; its Markdown has one clean fenced block per kind.
    const listed = page.locator('section[aria-labelledby="lesson-activities-heading"] li');
    expect(await listed.count()).to.equal(5);
    const markdown = await page.getByLabel(`Leksjonen (${LESSON_FILE})`).inputValue();
    for (const kind of ['video', 'quiz', 'reflection', 'workplace-task', 'team-session']) {
      expect(markdown.match(new RegExp(`^\`\`\`${kind}\\n`, 'gm')), kind).to.have.length(1);
    }
    expect(markdown).not.to.match(/undefined|null|NaN|\[object/);
    expect(markdown).not.to.match(/:\s*(""|''|\[\]|\{\})\s*$/m);
    expect(markdown).to.contain('```video\nid: film-trygghet\ntitle: En morgen i garderoben\nsrc: assets/samtale.mp4\ncaptions: assets/samtale.vtt\ntranscript: assets/samtale.md\n```');
    expect(markdown).to.contain('```reflection\nid: mine-tanker\nprompt: |\n  Når kjente et barn seg trygt hos deg denne uka?\n  Hva gjorde du da?\n```');
    expect(markdown).to.contain(
      [
        '```quiz',
        'id: sjekk',
        'title: Sjekk forståelsen',
        'questions:',
        '  - id: q1',
        '    text: Et barn gråter når mor går. Hva gjør du?',
        '    options:',
        ...answers.flatMap(([text, correct, explanation]) => [
          `      - text: ${text}`,
          ...(correct ? ['        correct: true'] : []),
          `        explanation: "${explanation}"`,
        ]),
        '```',
      ].join('\n'),
    );
    // Each block is valid for its kind as written, and holds no empty or missing values.
    const blocks = findActivityBlocks(markdown, registry.authoredKinds);
    expect(blocks.map((b) => b.kind)).to.deep.equal(['video', 'quiz', 'reflection', 'workplace-task', 'team-session']);
    const empty = (value: unknown): boolean =>
      value === undefined || value === null || value === '' || (Array.isArray(value) && (value.length === 0 || value.some(empty))) || (typeof value === 'object' && value !== null && Object.values(value).some(empty));
    for (const block of blocks) {
      const data = blockData(block);
      expect(registry.get(block.kind)!.settingsSchema.safeParse(data).success, block.kind).to.equal(true);
      expect(empty(data), `${block.kind}: ${JSON.stringify(data)}`).to.equal(false);
    }
    expect(markdown).to.match(/```team-session\nid: teammote\nrequired: false\n/);
    await expectAccessible(page);

    // "Rediger" opens a block in the same form, filled in; saving it unchanged leaves the lesson as it was.
    await page.getByRole('link', { name: 'Rediger Quiz Sjekk forståelsen' }).click();
    await page.waitForURL(/\/aktivitet\?blokk=1$/);
    expect(await page.locator('h1').textContent()).to.equal('Rediger aktivitet: Quiz');
    expect(await option(1).getByLabel('Svar', { exact: true }).inputValue()).to.equal(answers[0][0]);
    expect(await option(1).getByLabel('Riktig svar').isChecked()).to.equal(true);
    await expectAccessible(page);
    await save(page);
    expect(await page.getByLabel(`Leksjonen (${LESSON_FILE})`).inputValue()).to.equal(markdown);

    // Publish the first version.
    await page.getByRole('navigation', { name: 'Modulen' }).getByRole('link', { name: 'Publiser' }).click();
    await page.waitForURL(/\/publiser$/);
    await page.getByText('Dette blir modulens første versjon.').waitFor();
    await page.getByLabel('Hva er endret?').fill('Første versjon.');
    await page.getByRole('button', { name: 'Publiser' }).click();
    await page.waitForURL(/\/versjoner\?publisert=/);
    await page.getByText(`Versjon ${SLUG}@1.0 er publisert.`).waitFor();
    expect(await ModuleVersionModel.countDocuments({ _id: `${SLUG}@1.0` })).to.equal(1);
    await context.close();

    // The learner.
    const learnerContext = await suite.browser.newContext();
    const learner = await learnerContext.newPage();
    learner.setDefaultTimeout(20_000);
    await logIn(learner, suite.server.baseUrl, staff.email);
    await learner.goto(`${suite.server.baseUrl}/moduler/${SLUG}/`);
    await learner.getByRole('link', { name: 'Start modulen' }).click();
    await learner.waitForURL(/\/moduler\/trygg-hverdag\/innledning$/);
    const main = learner.locator('main');
    for (const title of ['En morgen i garderoben', 'Sjekk forståelsen', 'Prøv i praksis – møt følelsen', 'Teammøte – trygg hverdag', 'Ferdig med leksjonen?']) {
      expect(await main.getByRole('heading', { name: title }).count(), title).to.be.greaterThan(0);
    }
    expect(await learner.locator('video track[kind="captions"]').count()).to.equal(1);
    // The glossary's word is explained where it is first used.
    expect(await main.locator('a.term', { hasText: 'trygghet' }).count()).to.equal(1);
    expect(await main.locator('.term-explanation').first().textContent()).to.equal(' (Å kjenne seg trygg og ivaretatt.)');
    await expectAccessible(learner);

    await learner.getByRole('button', { name: 'Jeg har sett filmen' }).click();
    await learner.waitForURL(/#act-film-trygghet-title$/);

    await learner.getByLabel(answers[0][0]).check();
    await learner.getByRole('button', { name: 'Send svarene' }).click();
    await learner.waitForURL(/#act-sjekk-title$/);
    expect(await learner.locator('.activity-quiz').textContent()).to.contain('Bestått').and.to.contain(answers[0][2]);

    await learner.getByLabel('Ditt svar').fill('Da jeg satte meg ned med et barn i garderoben.');
    await learner.getByRole('button', { name: 'Lagre svaret' }).click();
    await learner.waitForURL(/#act-mine-tanker-title$/);

    await learner.getByLabel('Ja, jeg har prøvd det').check();
    await learner.getByLabel('Hva skjedde?').fill('Barnet roet seg fortere.');
    await learner.getByRole('button', { name: 'Send rapporten' }).click();
    await learner.waitForURL(/#act-prov-selv-title$/);

    expect(await learner.locator('.activity-team-session').textContent()).to.contain('Lederen registrerer hvem som var med');
    await learner.getByRole('button', { name: 'Marker leksjonen som lest' }).click();
    await learner.waitForURL(/#act-lesson-innledning-title$/);
    expect(await main.textContent()).to.contain('Du har fullført hele modulen');
    await expectAccessible(learner);
    await learnerContext.close();
  });
});
