import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { loadResources, LANGUAGES } from '../../src/web/i18n.js';
import { paths } from '../../src/config/index.js';

function flattenKeys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => flattenKeys(v, prefix ? `${prefix}.${k}` : k));
}

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full, ext) : full.endsWith(ext) ? [full] : [];
  });
}

describe('i18n: translations', () => {
  const resources = loadResources();
  const keysOf = (lng: string) =>
    new Set(Object.entries(resources[lng] ?? {}).flatMap(([ns, data]) => flattenKeys(data).map((k) => `${ns}:${k}`)));
  const source = keysOf('nb');

  for (const lng of LANGUAGES.filter((l) => l !== 'nb')) {
    it(`${lng}: has every bokmål key and no extra ones`, () => {
      const keys = keysOf(lng);
      expect([...source].filter((k) => !keys.has(k)), `missing in ${lng}`).to.deep.equal([]);
      expect([...keys].filter((k) => !source.has(k)), `only in ${lng}`).to.deep.equal([]);
    });
  }

  it('every language: no empty strings', () => {
    for (const lng of LANGUAGES) {
      const empty = Object.entries(resources[lng] ?? {}).flatMap(([ns, data]) =>
        flattenKeys(data).filter((k) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], data) === '').map((k) => `${ns}:${k}`),
      );
      expect(empty, lng).to.deep.equal([]);
    }
  });

  it('views and source: every literal t("ns:key") exists in bokmål', () => {
    const files = [...filesUnder(paths.views, '.ejs'), ...filesUnder(path.join(paths.root, 'src'), '.ts')];
    const missing: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([a-z][\w-]*:[\w.-]+)'/g)) {
        const key = m[1]!;
        // Keys whose last part is built at runtime end in '.' and are checked by the pages that build them.
        // A plural key exists as its forms (i18next resolves `key` with a count to `key_one`, `key_other`).
        if (!key.endsWith('.') && !source.has(key) && !source.has(`${key}_other`)) missing.push(`${path.relative(paths.root, file)}: ${key}`);
      }
    }
    expect(missing).to.deep.equal([]);
  });
});
