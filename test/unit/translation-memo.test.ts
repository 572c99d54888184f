import { expect } from 'chai';
import { createI18n, LANGUAGES, loadResources, TranslationMemo } from '../../src/web/i18n.js';

/** Every key of a namespace's resources, as `ns:a.b.c` (plural suffixes included, as they are keys too). */
function keysOf(ns: string, value: unknown, prefix = ''): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => keysOf(ns, v, prefix ? `${prefix}.${k}` : k));
  }
  return [`${ns}:${prefix}`];
}

describe('unit: remembered translations (TranslationMemo)', () => {
  it('gives exactly what i18next gives for every key of every namespace in every language, asked twice', async () => {
    const { instance } = await createI18n(false);
    const resources = loadResources();
    const memo = new TranslationMemo();
    let checked = 0;
    for (const language of LANGUAGES) {
      const direct = instance.getFixedT(language);
      const remembered = memo.wrap(language, direct);
      const keys = Object.entries(resources[language]!).flatMap(([ns, tree]) => keysOf(ns, tree));
      for (const round of [1, 2]) {
        for (const key of keys) {
          expect(remembered(key), `${language} ${key} (round ${round})`).to.equal(direct(key));
          checked += 1;
        }
      }
    }
    expect(checked).to.be.greaterThan(1000);
  });

  it('passes calls with options to i18next each time (interpolation is never remembered)', async () => {
    const { instance } = await createI18n(false);
    const memo = new TranslationMemo();
    let calls = 0;
    const direct = instance.getFixedT('nb');
    const counting = ((...args: Parameters<typeof direct>) => ((calls += 1), direct(...args))) as typeof direct;
    const remembered = memo.wrap('nb', counting);
    remembered('learning:flash.moduleCompleted', { module: 'A' });
    remembered('learning:flash.moduleCompleted', { module: 'B' });
    expect(calls).to.equal(2);
    expect(remembered('learning:flash.moduleCompleted', { module: 'Bølger' })).to.contain('Bølger');
    remembered('common:skipToContent');
    remembered('common:skipToContent');
    expect(calls, 'a key alone is resolved once').to.equal(4);
  });
});
