import { expect } from 'chai';
import { renderMarkdown } from '../../src/lib/markdown.js';
import { glossaryAnchor, type GlossaryTerm } from '../../src/lib/markdown-glossary.js';
import { prng } from '../helpers/prng.js';

/**
 * Word explanations (issue 16) over generated Markdown (fixed seeds): whatever the document, each
 * term is explained at most once, only in running text, never inside a heading, link or code, and
 * the result stays valid phrasing content (no link inside a link, nothing block-level in a paragraph).
 */

const TERMS: GlossaryTerm[] = [
  { term: 'ansvarsgruppe', forms: ['ansvarsgruppa', 'ansvarsgrupper'], explanation: 'En gruppe rundt ett barn.' },
  { term: 'individuell plan', forms: [], explanation: 'En plan for alle tjenestene.' },
  { term: 'hjelpemiddel', forms: ['hjelpemidler'], explanation: 'Et redskap <b>"som"</b> hjelper & støtter.' },
  { term: 'PPT', forms: [], explanation: 'Pedagogisk-psykologisk tjeneste.' },
];
const WORDS = ['barnet', 'leker', 'i', 'gruppa', 'og', 'de', 'voksne', 'ser', 'ansvarsgruppene', 'planen', 'hjelp', 'middel'];
const render = (source: string) => renderMarkdown(source, { glossary: { terms: TERMS, href: 'ordliste' } });

function generatedDocument(random: () => number): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const phrase = () =>
    Array.from({ length: 3 + Math.floor(random() * 8) }, () => {
      const r = random();
      if (r < 0.15) {
        const t = pick(TERMS);
        const word = pick([t.term, ...t.forms]);
        return random() < 0.3 ? word.toUpperCase() : word;
      }
      return pick(WORDS);
    }).join(' ');
  const blocks = Array.from({ length: 2 + Math.floor(random() * 6) }, () => {
    const r = random();
    if (r < 0.2) return `## ${phrase()}`;
    if (r < 0.35) return `- ${phrase()}\n- ${phrase()}`;
    if (r < 0.45) return `En [${phrase()}](https://example.org) og \`${pick(TERMS).term}\` og ![${pick(TERMS).term}](bilde.png).`;
    if (r < 0.55) return `| a | b |\n|---|---|\n| ${phrase()} | ${phrase()} |`;
    if (r < 0.62) return `> ${phrase()}`;
    return `${phrase()}, *${phrase()}* og **${phrase()}**.`;
  });
  return blocks.join('\n\n');
}

describe('markdown: word explanations from the module glossary', () => {
  it('generated documents: each term at most once, only in running text, the HTML nesting valid', () => {
    const random = prng(16);
    let explained = 0;
    for (let i = 0; i < 400; i += 1) {
      const source = generatedDocument(random);
      const { html, glossaryTerms } = render(source);
      expect(new Set(glossaryTerms).size, source).to.equal(glossaryTerms.length);
      const marks = [...html.matchAll(/<a class="term" href="ordliste#([a-z0-9-]+)">([^<]*)<\/a><span class="term-explanation"> \(([^<]*)\)<\/span>/g)];
      expect(marks.map((m) => m[1]), source).to.deep.equal(glossaryTerms.map(glossaryAnchor));
      explained += marks.length;
      for (const mark of marks) {
        const before = html.slice(0, mark.index);
        // Not inside a heading, a link, code or a picture's alt text.
        expect((before.match(/<h2/g) ?? []).length, source).to.equal((before.match(/<\/h2>/g) ?? []).length);
        expect((before.match(/<a /g) ?? []).length, source).to.equal((before.match(/<\/a>/g) ?? []).length);
        expect((before.match(/<code>/g) ?? []).length, source).to.equal((before.match(/<\/code>/g) ?? []).length);
      }
      // The explanation's text is escaped, never markup.
      expect(html).not.to.contain('<b>"som"</b>');
      // Every term the text uses in running text is explained: nothing left unmarked before its first mark.
      const plain = html.replace(/<h2[\s\S]*?<\/h2>|<a [\s\S]*?<\/a>|<code>[\s\S]*?<\/code>|<img[^>]*>|<span class="term-explanation">[\s\S]*?<\/span>/g, ' ');
      for (const term of TERMS) {
        const used = new RegExp(`(?<![\\p{L}\\p{N}])(?:${[term.term, ...term.forms].join('|')})(?![\\p{L}\\p{N}])`, 'iu').test(plain);
        if (used) expect(glossaryTerms, `${term.term} in ${source}`).to.include(term.term);
      }
    }
    expect(explained).to.be.greaterThan(300);
  });

  it('a heading first, then text: the explanation goes to the first use in running text', () => {
    const { html } = render('## Om ansvarsgruppe\n\nEn ansvarsgruppe møtes. Ansvarsgruppa igjen.');
    expect(html).to.contain('<h2 id="h-om-ansvarsgruppe">Om ansvarsgruppe</h2>');
    expect(html).to.contain('<p>En <a class="term" href="ordliste#ord-ansvarsgruppe">ansvarsgruppe</a><span class="term-explanation"> (En gruppe rundt ett barn.)</span> møtes. Ansvarsgruppa igjen.</p>');
  });

  it('no glossary: the HTML is exactly what it was without the plugin', () => {
    const source = 'En ansvarsgruppe og en individuell plan.';
    expect(renderMarkdown(source).html).to.equal('<p>En ansvarsgruppe og en individuell plan.</p>\n');
    expect(renderMarkdown(source, { glossary: { terms: [], href: 'ordliste' } }).html).to.equal('<p>En ansvarsgruppe og en individuell plan.</p>\n');
  });

  it('anchors: Norwegian letters folded, stable, unique for different terms', () => {
    expect(glossaryAnchor('Åpne spørsmål')).to.equal('ord-apne-sporsmal');
    expect(glossaryAnchor('individuell plan')).to.equal('ord-individuell-plan');
    expect(new Set(TERMS.map((t) => glossaryAnchor(t.term))).size).to.equal(TERMS.length);
  });
});
