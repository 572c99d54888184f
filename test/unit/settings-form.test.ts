import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { paths } from '../../src/config/index.js';
import { splitFrontMatter } from '../../src/components/modules/parser.js';
import { formFromModuleMd, moduleMdFromForm, settingsFormSchema, type SettingsForm } from '../../src/components/modules/settings-form.js';
import { pick, prng } from '../helpers/prng.js';

/**
 * The module settings form shows some of module.md's front matter as fields; saving it must write
 * those fields and keep everything else the file says (glossary, cast, statements the form has no
 * field for, keys a later format adds) — an author who saves the form loses nothing.
 */

function frontMatterOf(source: string): Record<string, unknown> {
  const split = splitFrontMatter(source);
  return parse(split.yaml ?? '') as Record<string, unknown>;
}

function moduleFiles(): Array<{ name: string; source: string }> {
  const roots = [path.join(paths.root, 'modules'), path.join(paths.root, 'test', 'fixtures', 'modules-valid')];
  return roots.flatMap((root) =>
    fs
      .readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(root, entry.name, 'module.md')))
      .map((entry) => ({ name: entry.name, source: fs.readFileSync(path.join(root, entry.name, 'module.md'), 'utf8') })),
  );
}

const FORM_KEYS = Object.keys(settingsFormSchema.shape).filter((key) => key !== 'introduction');

describe('module settings form (module.md ⇄ fields)', () => {
  const modules = moduleFiles();

  it('finds the course modules to check', () => {
    expect(modules.length).to.be.greaterThan(5);
  });

  it('every module in modules/, saved through the form unchanged, keeps all of its front matter and its introduction', () => {
    for (const { name, source } of modules) {
      const { form, version } = formFromModuleMd(source);
      const saved = moduleMdFromForm(form, version, source);
      expect(frontMatterOf(saved), name).to.deep.equal(frontMatterOf(source));
      expect(splitFrontMatter(saved).body.trim(), name).to.equal(splitFrontMatter(source).body.trim());
    }
  });

  it('a form with changed fields (seeded, 300 cases) changes those keys and no other', () => {
    const random = prng(2112);
    for (let i = 0; i < 300; i += 1) {
      const { name, source } = pick(random, modules);
      const { form, version } = formFromModuleMd(source);
      const changed: Record<string, unknown> = { ...form };
      const key = pick(random, FORM_KEYS) as keyof SettingsForm;
      changed[key] = Array.isArray(form[key]) ? [`verdi ${i}`] : `Ny verdi ${i}`;
      const saved = frontMatterOf(moduleMdFromForm(changed as SettingsForm, version, source));
      const before = frontMatterOf(source);
      for (const other of Object.keys(before).filter((k) => !FORM_KEYS.includes(k) && k !== 'version')) {
        expect(saved[other], `${name}: ${other} after changing ${key}`).to.deep.equal(before[other]);
      }
      expect(saved[key], `${name}: ${key}`).to.not.deep.equal(before[key]);
    }
  });

  it('the review trail is in the form: owner, last review and legal check are read and written', () => {
    const { source } = modules.find((m) => m.name === 'medvirkning')!;
    const { form, version } = formFromModuleMd(source);
    expect(form.owner).to.equal(String(frontMatterOf(source).owner));
    const saved = frontMatterOf(moduleMdFromForm({ ...form, owner: 'Fagansvarlig PPT', reviewed: '2026-11-30', legalCheck: '' }, version, source));
    expect(saved.owner).to.equal('Fagansvarlig PPT');
    expect(saved.reviewed).to.equal('2026-11-30');
    expect(saved, 'an emptied field is left out, so the checker names it').to.not.have.property('legalCheck');
  });
});
