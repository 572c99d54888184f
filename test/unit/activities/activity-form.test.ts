import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import i18next from 'i18next';
import { registry } from '../../../src/activities/index.js';
import {
  activityFormView,
  applyRowOperation,
  formSpec,
  labelPaths,
  parseRowOperation,
  readActivityForm,
  validateActivityForm,
  type FieldView,
} from '../../../src/components/modules/activity-form.js';
import { appendBlock, blockData, findActivityBlocks, insertBlock, placements, replaceBlock, settingsYaml } from '../../../src/components/modules/activity-block.js';
import { loadResources } from '../../../src/web/i18n.js';
import { activitySamples, bokmaal } from '../../helpers/activity-samples.js';

/** What a browser sends for the rendered form: every field's value, checked boxes as "on", text areas with CRLF. */
function postedBody(fields: readonly FieldView[], body: Record<string, string> = {}): Record<string, string> {
  for (const field of fields) {
    if (field.type === 'list' || field.type === 'group') for (const row of field.rows) postedBody(row.fields, body);
    else if (field.type === 'boolean') {
      if (field.checked) body[field.name] = 'on';
    } else body[field.name] = field.type === 'textarea' ? field.value.replace(/\n/g, '\r\n') : field.value;
  }
  return body;
}

const MODULES = path.resolve('modules');
const lessonFiles = readdirSync(MODULES)
  .filter((m) => existsSync(path.join(MODULES, m, 'lessons')))
  .flatMap((m) => readdirSync(path.join(MODULES, m, 'lessons')).filter((f) => f.endsWith('.md')).map((f) => path.join(MODULES, m, 'lessons', f)));

describe('activity form (schema → form → settings)', () => {
  let t: Awaited<ReturnType<typeof bokmaal>>;
  before(async () => {
    t = await bokmaal();
  });

  describe('every authored kind', () => {
    for (const kind of registry.authoredKinds) {
      const definition = registry.get(kind)!;

      it(`activity form, ${kind} sample through its form as a new block, reads back to the same settings`, () => {
        const sample = activitySamples()[kind]!;
        const fields = formSpec(definition.settingsSchema);

        const read = readActivityForm(fields, postedBody(activityFormView(kind, fields, sample, {}, t)));

        expect(validateActivityForm(definition.settingsSchema, read)).to.deep.equal({ ok: true });
        expect(definition.settingsSchema.parse(read)).to.deep.equal(definition.settingsSchema.parse(sample));
      });

      it(`activity form, ${kind} sample edited without changes, reads back exactly as it was`, () => {
        const sample = activitySamples()[kind]!;
        const fields = formSpec(definition.settingsSchema);

        const read = readActivityForm(fields, postedBody(activityFormView(kind, fields, sample, {}, t)), sample);

        expect(read).to.deep.equal(sample);
      });

      it(`activity form, ${kind}, every field has a label and a hint in nb, nn and en`, async () => {
        const resources = loadResources();
        for (const lng of ['nb', 'nn', 'en']) {
          const instance = i18next.createInstance();
          await instance.init({ resources, lng, defaultNS: 'common', interpolation: { escapeValue: false } });
          const missing = ['name', 'hint']
            .map((what) => `activities:form.${kind}.${what}`)
            .filter((key) => !instance.exists(key));
          for (const p of labelPaths(formSpec(definition.settingsSchema))) {
            for (const what of ['label', 'hint']) {
              const keys = [`activities:form.${kind}.${p}.${what}`, `activities:form.common.${p}.${what}`];
              if (!keys.some((key) => instance.exists(key))) missing.push(keys[0]!);
            }
          }
          expect(missing, lng).to.deep.equal([]);
        }
      });
    }
  });

  describe('every activity block in modules/', () => {
    it('activity form, every block through its form and written back, leaves the file byte for byte unchanged', () => {
      let blocks = 0;
      for (const file of lessonFiles) {
        const text = readFileSync(file, 'utf8');
        for (const block of findActivityBlocks(text, registry.authoredKinds)) {
          const definition = registry.get(block.kind)!;
          const original = blockData(block);
          expect(original, `${file}:${block.line}`).to.be.an('object');
          const fields = formSpec(definition.settingsSchema);

          const read = readActivityForm(fields, postedBody(activityFormView(block.kind, fields, original, {}, t)), original);
          const yaml = settingsYaml(read);

          expect(read, `${file}:${block.line}`).to.deep.equal(original);
          expect(yaml, `${file}:${block.line}`).to.equal(block.yaml);
          expect(replaceBlock(text, block, yaml)).to.equal(text);
          blocks += 1;
        }
      }
      expect(blocks).to.be.greaterThan(50);
    });

    it('activity form, a changed block, changes only the lines of that block', () => {
      for (const file of lessonFiles) {
        const text = readFileSync(file, 'utf8');
        const blocks = findActivityBlocks(text, registry.authoredKinds);
        for (const block of blocks) {
          const data = { ...blockData(block)!, id: 'endret-id' };

          const changed = replaceBlock(text, block, settingsYaml(data));

          const before = text.split('\n');
          const after = changed.split('\n');
          expect(after.slice(0, block.open + 1), file).to.deep.equal(before.slice(0, block.open + 1));
          expect(after.slice(after.length - (before.length - block.close)), file).to.deep.equal(before.slice(block.close));
          expect(blockData(findActivityBlocks(changed, registry.authoredKinds)[block.index]!)).to.deep.equal(data);
        }
      }
    });
  });

  describe('rows without JavaScript', () => {
    const definition = registry.get('quiz')!;
    const fields = formSpec(definition.settingsSchema);
    const quiz = () => structuredClone(activitySamples().quiz!) as { questions: Array<{ options: unknown[] }> } & Record<string, unknown>;

    it('activity form, add to a nested list, appends an empty row', () => {
      const data = quiz();
      applyRowOperation(fields, data, parseRowOperation('add:questions.0.options')!);
      expect(data.questions[0]!.options).to.have.length(3);
      expect(data.questions[0]!.options[2]).to.deep.equal({});
    });

    it('activity form, remove, up and down, change only that list', () => {
      const data = quiz();
      const [first, second] = data.questions[0]!.options;
      applyRowOperation(fields, data, parseRowOperation('down:questions.0.options.0')!);
      expect(data.questions[0]!.options).to.deep.equal([second, first]);
      applyRowOperation(fields, data, parseRowOperation('up:questions.0.options.1')!);
      expect(data.questions[0]!.options).to.deep.equal([first, second]);
      applyRowOperation(fields, data, parseRowOperation('remove:questions.0.options.1')!);
      expect(data.questions[0]!.options).to.deep.equal([first]);
    });

    it('activity form, an operation on a path that is not a list, does nothing', () => {
      const data = quiz();
      for (const op of ['add:title', 'add:questions.0.text', 'remove:questions.9', 'up:questions.0', 'add:nothing', 'add:__proto__']) {
        const operation = parseRowOperation(op);
        if (operation) applyRowOperation(fields, data, operation);
      }
      expect(data).to.deep.equal(quiz());
      expect(parseRowOperation('drop:questions')).to.equal(null);
    });
  });

  describe('errors and writing', () => {
    it('activity form, an empty required text in a row, is reported by that field with its label', () => {
      const definition = registry.get('quiz')!;
      const fields = formSpec(definition.settingsSchema);
      const data = structuredClone(activitySamples().quiz!) as { questions: Array<{ text: string }> };
      data.questions[0]!.text = '';
      const body = postedBody(activityFormView('quiz', fields, data, {}, t));

      const read = readActivityForm(fields, body);
      const checked = validateActivityForm(definition.settingsSchema, read);

      expect(checked.ok).to.equal(false);
      const errors = checked.ok ? {} : checked.errors;
      expect(errors['questions.0.text']?.key).to.equal('authoring:problems.field.required');
      const view = activityFormView('quiz', fields, read, errors, t);
      const question = view.find((f) => f.name === 'questions')!.rows[0]!.fields.find((f) => f.name === 'questions.0.text')!;
      expect(question.error?.params.field).to.equal(question.label);
    });

    it('activity form, a number field with text, keeps the text and says it is the wrong type', () => {
      const definition = registry.get('quiz')!;
      const fields = formSpec(definition.settingsSchema);
      const body = { ...postedBody(activityFormView('quiz', fields, activitySamples().quiz, {}, t)), passMark: 'åtti' };

      const read = readActivityForm(fields, body);
      const checked = validateActivityForm(definition.settingsSchema, read);

      expect(read.passMark).to.equal('åtti');
      expect(checked.ok ? null : checked.errors.passMark?.key).to.equal('authoring:problems.field.type');
    });

    it('activity form, new block at the end of a section, goes before the next heading and only adds lines', () => {
      const text = '---\ntitle: A\n---\n\n## Én\n\nTekst.\n\n```text\n## ikke en overskrift\n```\n\n## To\n\nMer.\n';
      const sections = placements(text);
      expect(sections).to.deep.equal([
        { heading: 'Én', before: 13 },
        { heading: 'To', before: 0 },
      ]);

      const written = insertBlock(text, 'reflection', settingsYaml({ id: 'tenk', prompt: 'Hva?' }), 13);

      expect(written).to.equal(text.replace('\n## To', '\n```reflection\nid: tenk\nprompt: Hva?\n```\n\n## To'));
    });

    it('activity form, new block, is appended after a blank line and the rest is unchanged', () => {
      const text = '---\ntitle: A\n---\n\nTekst.\n';
      const written = appendBlock(text, 'reflection', settingsYaml({ id: 'tenk', prompt: 'Linje 1\nLinje 2\n' }));
      expect(written).to.equal(`${text}\n\`\`\`reflection\nid: tenk\nprompt: |\n  Linje 1\n  Linje 2\n\`\`\`\n`);
      expect(findActivityBlocks(written, registry.authoredKinds)).to.have.length(1);
    });
  });
});
