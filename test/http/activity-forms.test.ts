import path from 'node:path';
import { expect } from 'chai';
import type { Express } from 'express';
import { buildTestApp } from '../helpers/app.js';
import { clearDatabase } from '../helpers/database.js';
import { createUser, signIn, type Agent } from '../helpers/auth.js';
import { activitySamples } from '../helpers/activity-samples.js';
import { paths } from '../../src/config/index.js';
import { registry } from '../../src/activities/index.js';
import { publishFromFolder } from '../../src/components/modules/index.js';
import { ModuleModel } from '../../src/components/modules/models.js';
import { blockData, findActivityBlocks } from '../../src/components/modules/activity-block.js';

const VALID = path.join(paths.root, 'test', 'fixtures', 'modules-valid');
const SLUG = 'samtale-med-barn';
const LESSON = `/forfatter/moduler/${SLUG}/leksjoner/01-lytte.md`;
const FORM = `${LESSON}/aktivitet`;

function decode(text: string): string {
  return text.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const attr = (attrs: string, name: string) => {
  const value = new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1];
  return value === undefined ? undefined : decode(value);
};

/** What a browser would send for the form `id` on the page, as it stands (checked boxes, selected options, text areas). */
function formOn(html: string, id: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*id="${id}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1];
  expect(form, `form #${id}`).to.be.a('string');
  const fields: Record<string, string> = {};
  for (const [, attrs] of form!.matchAll(/<input\b([^>]*)>/g)) {
    const name = attr(attrs!, 'name');
    const type = attr(attrs!, 'type') ?? 'text';
    if (!name || (type === 'checkbox' && !/\bchecked\b/.test(attrs!))) continue;
    fields[name] = attr(attrs!, 'value') ?? 'on';
  }
  // The HTML parser drops the newline right after <textarea>.
  for (const [, attrs, content] of form!.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) fields[attr(attrs!, 'name')!] = decode(content!.replace(/^\n/, ''));
  for (const [, attrs, options] of form!.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    fields[attr(attrs!, 'name')!] = attr(/<option\b([^>]*)\bselected\b/.exec(options!)?.[1] ?? '', 'value') ?? '';
  }
  return fields;
}

/** Settings as the form's flat field names (`questions.0.options.1.text`); booleans as checkboxes. */
function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (Array.isArray(value)) value.forEach((item, i) => flatten(item, `${prefix}.${i}`, out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  else if (typeof value === 'boolean') {
    if (value) out[prefix] = 'on';
  } else out[prefix] = String(value);
  return out;
}

async function draftText(): Promise<string> {
  const module = await ModuleModel.findById(SLUG).lean();
  return module!.draftFiles.find((f) => f.path === 'lessons/01-lytte.md')?.text ?? '';
}

describe('http: activities through forms in the lesson editor', function () {
  this.timeout(60_000);
  let app: Express;
  let author: Agent;
  let otherAuthor: Agent;

  before(async () => {
    app = await buildTestApp();
  });

  beforeEach(async () => {
    await clearDatabase();
    author = await signIn(app, (await createUser({ name: 'Astrid Forfatter', roles: ['author'] })).email);
    otherAuthor = await signIn(app, (await createUser({ name: 'Bjørn Forfatter', roles: ['author'] })).email);
    await publishFromFolder(VALID, { by: { id: null, name: 'Git' } });
  });

  it('activity forms, the lesson editor, lists the blocks with edit links and offers to insert one', async () => {
    const page = await author.get(LESSON).expect(200);

    expect(page.text).to.contain(`href="${FORM}"`);
    expect(page.text).to.contain('Sett inn aktivitet');
    expect(page.text).to.contain(`href="${FORM}?blokk=0"`);
    expect(page.text).to.contain(`href="${FORM}?blokk=1"`);
    expect(page.text).to.match(/Film: «En samtale i garderoben» <span class="muted">\(linje 12\)/);
  });

  it('activity forms, choosing a kind, offers every kind an author may write and works without JavaScript', async () => {
    const page = await author.get(FORM).expect(200);

    for (const kind of registry.authoredKinds) expect(page.text).to.contain(`name="type" value="${kind}"`);
    expect(page.text).not.to.contain('value="reading"');
    expect(page.text).to.match(/<form method="get" action="[^"]+\/aktivitet"/);
  });

  for (const kind of registry.authoredKinds) {
    it(`activity forms, a new ${kind} filled in and saved, is written at the end of the lesson and nothing else changes`, async () => {
      const before = await draftText();
      const page = await author.get(`${FORM}?type=${kind}`).expect(200);
      const shown = formOn(page.text, 'activity-form');
      const sample = flatten(activitySamples()[kind]);
      for (const name of Object.keys(sample)) {
        if (!(name in shown)) expect(page.text, `field ${name}`).to.contain(`name="${name}"`);
      }

      const res = await author.post(FORM).type('form').send({ ...shown, ...sample }).expect(303);

      expect(res.headers.location).to.equal(`${LESSON}?lagret=1`);
      const after = await draftText();
      expect(after.startsWith(before)).to.equal(true);
      const blocks = findActivityBlocks(after, registry.authoredKinds);
      const written = blocks[blocks.length - 1]!;
      expect(written.kind).to.equal(kind);
      const definition = registry.get(kind)!;
      expect(definition.settingsSchema.parse(blockData(written))).to.deep.equal(definition.settingsSchema.parse(activitySamples()[kind]));
      const editor = await author.get(LESSON).expect(200);
      expect(editor.text).to.contain(`\`\`\`${kind}\nid: ${String(activitySamples()[kind]!.id)}`);
    });
  }

  it('activity forms, a new block placed at the end of a section, is written before the next heading', async () => {
    const before = await draftText();
    const page = await author.get(`${FORM}?type=reflection&linje=8`).expect(200);
    // The cursor on line 8 (in "Hvorfor lytte?") chooses the end of that section.
    expect(page.text).to.match(/<option value="20" selected>På slutten av «Hvorfor lytte\?»<\/option>/);

    await author.post(FORM).type('form').send({ ...formOn(page.text, 'activity-form'), id: 'ny-refleksjon', prompt: 'Hva hørte du?' }).expect(303);

    expect(await draftText()).to.equal(before.replace('\n## Tenk selv', '\n```reflection\nid: ny-refleksjon\nprompt: Hva hørte du?\n```\n\n## Tenk selv'));
  });

  it('activity forms, an existing block edited, is written back and the rest of the file is byte for byte unchanged', async () => {
    const before = await draftText();
    const page = await author.get(`${FORM}?blokk=1`).expect(200);
    const form = formOn(page.text, 'activity-form');
    expect(form.prompt).to.equal('Tenk på en samtale du hadde med et barn i dag. Hva sa barnet?');

    await author.post(FORM).type('form').send({ ...form, prompt: 'Tenk på en samtale.\r\nHva sa barnet?' }).expect(303);

    const after = await draftText();
    expect(after).to.equal(before.replace('  Tenk på en samtale du hadde med et barn i dag. Hva sa barnet?\n', '  Tenk på en samtale.\n  Hva sa barnet?\n'));
  });

  it('activity forms, an existing block saved unchanged, leaves the lesson byte for byte as it was', async () => {
    const before = await draftText();
    const page = await author.get(`${FORM}?blokk=0`).expect(200);

    await author.post(FORM).type('form').send(formOn(page.text, 'activity-form')).expect(303);

    expect(await draftText()).to.equal(before);
  });

  it('activity forms, a required field left empty, answers 400 with the error beside the field and the input kept', async () => {
    const before = await draftText();
    const page = await author.get(`${FORM}?type=reflection`).expect(200);
    const form = formOn(page.text, 'activity-form');

    const res = await author.post(FORM).type('form').send({ ...form, id: 'min-refleksjon', title: 'Tittel <med> tegn', prompt: '' }).expect(400);

    expect(res.text).to.match(/<span class="field-error" id="af-prompt-error">«Spørsmål til refleksjon» må fylles ut\.<\/span>/);
    expect(res.text).to.match(/<textarea id="af-prompt" name="prompt"[^>]*aria-describedby="af-prompt-hint af-prompt-error" aria-invalid="true">/);
    expect(res.text).to.contain('<a href="#af-prompt">');
    expect(res.text).to.contain('value="min-refleksjon"');
    expect(res.text).to.contain('value="Tittel &lt;med&gt; tegn"');
    expect(await draftText()).to.equal(before);
  });

  it('activity forms, rows added, moved and removed without JavaScript, keep what was typed and save nothing', async () => {
    const before = await draftText();
    const page = await author.get(`${FORM}?type=quiz`).expect(200);
    const form = { ...formOn(page.text, 'activity-form'), title: 'Min quiz', 'questions.0.options.0.text': 'Første', 'questions.0.options.1.text': 'Andre' };
    expect(page.text).not.to.contain('name="questions.0.options.2.text"');

    const added = await author.post(FORM).type('form').send({ ...form, _op: 'add:questions.0.options' }).expect(200);
    expect(added.text).to.contain('name="questions.0.options.2.text"');
    expect(formOn(added.text, 'activity-form').title).to.equal('Min quiz');

    const moved = await author.post(FORM).type('form').send({ ...formOn(added.text, 'activity-form'), _op: 'down:questions.0.options.0' }).expect(200);
    const movedForm = formOn(moved.text, 'activity-form');
    expect([movedForm['questions.0.options.0.text'], movedForm['questions.0.options.1.text']]).to.deep.equal(['Andre', 'Første']);

    const removed = await author.post(FORM).type('form').send({ ...movedForm, _op: 'remove:questions.0.options.2' }).expect(200);
    expect(removed.text).not.to.contain('name="questions.0.options.2.text"');
    // Two options are the least a question may have: no remove buttons then.
    expect(removed.text).not.to.contain('value="remove:questions.0.options.1"');
    expect(await draftText()).to.equal(before);
  });

  it("activity forms, «Kontroller og forhåndsvis», shows the checker's findings for the form as it stands and the activity as learners see it, saving nothing", async () => {
    const before = await draftText();
    const page = await author.get(`${FORM}?type=quiz`).expect(200);
    expect(page.text).to.contain('name="_op" value="check"');
    // Two options, the right one the longest: the editorial rules' warnings, before anything is saved.
    const quiz = { ...activitySamples().quiz, id: 'ny-sjekk', questions: [{ id: 'q1', text: 'Hva er et åpent spørsmål?', options: [{ text: 'Et spørsmål barnet kan svare fritt på', correct: true, explanation: 'Ja.' }, { text: 'Ja/nei', correct: false, explanation: 'Nei.' }] }] };
    const checked = await author.post(FORM).type('form').send({ ...formOn(page.text, 'activity-form'), ...flatten(quiz), _op: 'check' }).expect(200);
    expect(checked.text).to.contain('Modulsjekken fant dette i aktiviteten slik den står i skjemaet');
    expect(checked.text).to.contain('Spørsmålet «q1» har 2 svaralternativer. Gi minst 4.');
    // The learner's view of it, from the same partials staff see.
    expect(checked.text).to.contain('Slik ser deltakerne aktiviteten');
    expect(checked.text).to.contain('Hva er et åpent spørsmål?');
    // What was filled in is still in the form, and nothing was written.
    expect(formOn(checked.text, 'activity-form')['questions.0.options.1.text']).to.equal('Ja/nei');
    expect(await draftText()).to.equal(before);

    // A block the checker has nothing to say about: said so, still unsaved.
    const reflectionPage = await author.get(`${FORM}?type=reflection`).expect(200);
    const clean = await author.post(FORM).type('form').send({ ...formOn(reflectionPage.text, 'activity-form'), id: 'tenk-etter', prompt: 'Hva gjorde du sist et barn ville si noe?', _op: 'check' }).expect(200);
    expect(clean.text).to.contain('Modulsjekken fant ingen problemer i aktiviteten slik den står i skjemaet');
    expect(clean.text).to.contain('Hva gjorde du sist et barn ville si noe?');
    expect(await draftText()).to.equal(before);

    // The preview shows a quiz as one learner would: its options shuffled, a new learner each check.
    const options = ['Alfa', 'Bravo', 'Charlie', 'Delta', 'Ekko', 'Foxtrot'];
    const six = { ...quiz, questions: [{ ...quiz.questions[0]!, options: options.map((text, i) => ({ text, correct: i === 0, explanation: 'Fordi.' })) }] };
    const orders = new Set<string>();
    for (let i = 0; i < 6; i += 1) {
      const res = await author.post(FORM).type('form').send({ ...formOn(page.text, 'activity-form'), ...flatten(six), _op: 'check' }).expect(200);
      const preview = res.text.slice(res.text.indexOf('id="activity-preview-heading"'));
      const shown = [...preview.matchAll(/<span>(Alfa|Bravo|Charlie|Delta|Ekko|Foxtrot)<\/span>/g)].map((m) => m[1]!);
      expect([...shown].sort(), 'every option, once').to.deep.equal(options);
      orders.add(shown.join(','));
    }
    expect(orders.size, 'orders seen in six checks').to.be.greaterThan(1);

    // A check of a form with a required field empty: the errors by the fields, as for saving.
    await author.post(FORM).type('form').send({ ...formOn(reflectionPage.text, 'activity-form'), id: 'tenk-etter', prompt: '', _op: 'check' }).expect(400);
  });

  it('activity forms, every form on the pages, carries the CSRF token; a post without it is refused', async () => {
    for (const url of [LESSON, FORM, `${FORM}?type=quiz`, `${FORM}?blokk=0`]) {
      const page = await author.get(url).expect(200);
      for (const [, attrs, body] of page.text.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
        if (/method="get"/.test(attrs!)) continue;
        expect(body, `${url}: ${attrs}`).to.match(/<input type="hidden" name="_csrf" value="[^"]+">/);
      }
    }
    const page = await author.get(`${FORM}?blokk=0`).expect(200);
    const { _csrf: _token, ...withoutToken } = formOn(page.text, 'activity-form');
    await author.post(FORM).type('form').send(withoutToken).expect(403);
  });

  it("activity forms, another author saved first, answers 409 with this author's input kept and nothing overwritten", async () => {
    const pageA = await author.get(`${FORM}?blokk=1`).expect(200);
    const pageB = await otherAuthor.get(`${FORM}?blokk=1`).expect(200);
    await author.post(FORM).type('form').send({ ...formOn(pageA.text, 'activity-form'), prompt: 'ASTRIDS SPØRSMÅL' }).expect(303);

    const res = await otherAuthor.post(FORM).type('form').send({ ...formOn(pageB.text, 'activity-form'), prompt: 'BJØRNS SPØRSMÅL' }).expect(409);

    expect(res.text).to.contain('Ikke lagret: noen andre har endret modulen samtidig med deg.');
    expect(formOn(res.text, 'activity-form').prompt).to.equal('BJØRNS SPØRSMÅL');
    const stored = await draftText();
    expect(stored).to.contain('ASTRIDS SPØRSMÅL');
    expect(stored).not.to.contain('BJØRNS SPØRSMÅL');
  });

  it("activity forms, a block with the checker's problems, lists them with their lines and keeps settings the form does not show", async () => {
    const broken = (await draftText()).replace('id: egen-samtale\n', 'id: egen-samtale\nfarge: blå\n');
    const editor = await author.get(LESSON).expect(200);
    const revision = /name="revision" value="(\d+)"/.exec(editor.text)![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(editor.text)![1]!;
    await author.post(LESSON).type('form').send({ _csrf: csrf, revision, text: broken }).expect(303);

    const page = await author.get(`${FORM}?blokk=1`).expect(200);
    expect(page.text).to.contain('Modulsjekken fant dette i aktiviteten');
    expect(page.text).to.match(/linje 24:\s*«farge» er ikke en kjent innstilling/);

    const res = await author.post(FORM).type('form').send({ ...formOn(page.text, 'activity-form'), prompt: 'Nytt spørsmål' }).expect(400);
    expect(res.text).to.contain('er ikke en kjent innstilling');
    expect(await draftText()).to.equal(broken);
  });

  it('activity forms, a block or kind that does not exist, answers 404', async () => {
    await author.get(`${FORM}?blokk=7`).expect(404);
    await author.get(`${FORM}?type=reading`).expect(404);
    await author.get(`${FORM}?type=ukjent`).expect(404);
  });

  describe('the glossary form', () => {
    const GLOSSARY = `/forfatter/moduler/${SLUG}/ordliste`;
    const moduleMd = async () => (await ModuleModel.findById(SLUG).lean())!.draftFiles.find((f) => f.path === 'module.md')!.text!;

    it('glossary form, words added as rows without JavaScript, written into module.md with the rest unchanged; the lesson explains the word and the toolbar offers it', async () => {
      const before = await moduleMd();
      const page = await author.get(GLOSSARY).expect(200);
      expect(page.text).to.contain('Ordlista er tom.');
      const added = await author.post(GLOSSARY).type('form').send({ ...formOn(page.text, 'glossary-form'), _op: 'add:glossary' }).expect(200);
      const form = formOn(added.text, 'glossary-form');
      expect(form).to.have.property('glossary.0.term', '');
      const withForm = await author.post(GLOSSARY).type('form').send({ ...form, 'glossary.0.term': 'hørt', 'glossary.0.explanation': 'At noen lytter til det du sier.', _op: 'add:glossary.0.forms' }).expect(200);
      const filled = { ...formOn(withForm.text, 'glossary-form'), 'glossary.0.forms.0': 'høre' };
      const saved = await author.post(GLOSSARY).type('form').send(filled).expect(303);
      expect(saved.headers.location).to.equal(`${GLOSSARY}?lagret=1`);

      const after = await moduleMd();
      expect(after).to.contain('glossary:\n  - term: hørt\n    forms:\n      - høre\n    explanation: At noen lytter til det du sier.\n');
      expect(after.replace(/glossary:\n(?: {2,}.*\n)+/, ''), 'nothing else in module.md changed').to.equal(before);
      expect((await author.get(`${GLOSSARY}?lagret=1`).expect(200)).text).to.contain('Ordlista er lagret (1 ord).');
      const editor = await author.get(LESSON).expect(200);
      expect(editor.text).to.match(/<select id="md-glossary-term">\s*<option value="hørt">hørt<\/option>/);
      const preview = await author.get(`/forfatter/moduler/${SLUG}/forhandsvis/lytte`).expect(200);
      expect(preview.text).to.match(/<a class="term" href="\/moduler\/samtale-med-barn\/ordliste#ord-[^"]+">hørt<\/a><span class="term-explanation"> \(At noen lytter til det du sier\.\)<\/span>/);

      // All rows removed: the key goes, and module.md is as it was.
      const current = await author.get(GLOSSARY).expect(200);
      const removed = await author.post(GLOSSARY).type('form').send({ ...formOn(current.text, 'glossary-form'), _op: 'remove:glossary.0' }).expect(200);
      await author.post(GLOSSARY).type('form').send(formOn(removed.text, 'glossary-form')).expect(303);
      expect(await moduleMd()).to.equal(before);
    });

    it('glossary form, a word without its explanation, answers 400 with the error beside the field and the input kept; nothing saved', async () => {
      const before = await moduleMd();
      const page = await author.get(GLOSSARY).expect(200);
      const added = await author.post(GLOSSARY).type('form').send({ ...formOn(page.text, 'glossary-form'), _op: 'add:glossary' }).expect(200);
      const res = await author.post(GLOSSARY).type('form').send({ ...formOn(added.text, 'glossary-form'), 'glossary.0.term': 'barne<hage>', 'glossary.0.explanation': '' }).expect(400);
      expect(res.text).to.match(/<span class="field-error" id="af-glossary-0-explanation-error">«Forklaring» må fylles ut\.<\/span>/);
      expect(res.text).to.contain('<a href="#af-glossary-0-explanation">');
      expect(res.text).to.contain('value="barne&lt;hage&gt;"');
      expect(await moduleMd()).to.equal(before);
    });

    it('glossary form, another author saved first, answers 409 with this author\'s words kept and nothing overwritten', async () => {
      const page = await author.get(GLOSSARY).expect(200);
      const added = formOn((await author.post(GLOSSARY).type('form').send({ ...formOn(page.text, 'glossary-form'), _op: 'add:glossary' }).expect(200)).text, 'glossary-form');
      const theirs = formOn((await otherAuthor.get(GLOSSARY).expect(200)).text, 'glossary-form');
      const theirRows = formOn((await otherAuthor.post(GLOSSARY).type('form').send({ ...theirs, _op: 'add:glossary' }).expect(200)).text, 'glossary-form');
      await otherAuthor.post(GLOSSARY).type('form').send({ ...theirRows, 'glossary.0.term': 'garderobe', 'glossary.0.explanation': 'Der klærne henger.' }).expect(303);
      const res = await author.post(GLOSSARY).type('form').send({ ...added, 'glossary.0.term': 'samtale', 'glossary.0.explanation': 'Når to snakker sammen.' }).expect(409);
      expect(res.text).to.contain('Noen andre lagret modulen mens du skrev.');
      expect(res.text).to.contain('value="samtale"');
      expect(await moduleMd()).to.contain('term: garderobe');
      expect(await moduleMd()).not.to.contain('term: samtale');
    });
  });
});
