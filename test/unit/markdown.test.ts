import { expect } from 'chai';
import {
  classifyUrl,
  renderMarkdown,
  renameActivityMarkers,
  slugifyHeading,
  splitActivityMarkers,
} from '../../src/lib/markdown.js';

const assetsOnly = (href: string) => (href.startsWith('assets/') ? `/moduler/filer/abc/${href.slice(7)}` : undefined);

describe('markdown: the one renderer', () => {
  it('raw HTML: script tags and event handlers come out as text, never as markup', () => {
    const { html } = renderMarkdown('Hei <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n<iframe src="https://evil"></iframe>');
    expect(html).not.to.match(/<script|<img|<iframe/);
    expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('links: javascript:, data:, vbscript: and obfuscated variants are not links, and are reported with their line', () => {
    const source = [
      'Første linje',
      '[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](java&#x09;script:alert(1))',
      '[d](data:text/html;base64,PHNjcmlwdD4=) [e](vbscript:msgbox) <javascript:alert(1)>',
      '',
      '[ref]: javascript:alert(1)',
      '',
      '[f][ref]',
    ].join('\n');
    const { html, links } = renderMarkdown(source, { lineOffset: 3 });
    expect(html).not.to.contain('<a');
    const refused = links.filter((l) => l.kind === 'refused');
    expect(refused.map((l) => l.line)).to.include.members([5, 6, 8]);
    expect(refused.length).to.be.at.least(6);
  });

  it('links: https, http, mailto and relative links are kept; relative ones resolved; unresolvable ones become text', () => {
    const { html, links } = renderMarkdown('[a](https://udir.no) [b](mailto:post@example.no) [c](assets/plan.md) [d](assets/mangler.md)', {
      resolveHref: (h) => (h === 'assets/plan.md' ? '/moduler/filer/abc/plan.md' : undefined),
    });
    expect(html).to.contain('<a href="https://udir.no">a</a>');
    expect(html).to.contain('<a href="mailto:post@example.no">b</a>');
    expect(html).to.contain('<a href="/moduler/filer/abc/plan.md">c</a>');
    expect(html).to.contain('<span>d</span>');
    expect(links.find((l) => l.href === 'assets/mangler.md')).to.include({ resolved: false, line: 1 });
  });

  it('classifyUrl: protocol-relative and scheme-like relative paths are refused', () => {
    expect(classifyUrl('//evil.example/x')).to.equal('refused');
    expect(classifyUrl(' javascript:alert(1)')).to.equal('refused');
    expect(classifyUrl('lessons/02-x.md')).to.equal('relative');
    expect(classifyUrl('#h-x')).to.equal('fragment');
    expect(classifyUrl('/tilgjengelighet')).to.equal('site');
  });

  it('images: module assets resolve to their served URL; remote and data: images become their alt text', () => {
    const { html, images } = renderMarkdown('![Barn i ring](assets/ring.jpg)\n![Fjern](https://evil.example/x.png) ![Data](data:image/png;base64,AAAA)', {
      resolveHref: assetsOnly,
    });
    expect(html).to.contain('<img src="/moduler/filer/abc/ring.jpg" alt="Barn i ring" loading="lazy">');
    expect(html).not.to.contain('evil.example');
    expect(html).not.to.contain('src="data:');
    expect(images[0]).to.include({ src: 'assets/ring.jpg', alt: 'Barn i ring', resolved: true });
    expect(images[1]).to.include({ resolved: false, line: 2 });
  });

  it('headings: ## and below get stable h- ids with Norwegian letters folded; a table of contents is extracted', () => {
    const { html, toc, headings } = renderMarkdown('# Tittel\n\n## Hva er inkludering?\n\n### Tegn på at noe er galt\n\n## Hva er inkludering?', {
      lineOffset: 4,
    });
    expect(html).to.contain('<h2 id="h-hva-er-inkludering">');
    expect(html).to.contain('<h3 id="h-tegn-pa-at-noe-er-galt">');
    expect(html).to.contain('<h2 id="h-hva-er-inkludering-2">');
    expect(html).to.contain('<h1>Tittel</h1>');
    expect(toc).to.deep.equal([
      { level: 2, id: 'h-hva-er-inkludering', text: 'Hva er inkludering?' },
      { level: 3, id: 'h-tegn-pa-at-noe-er-galt', text: 'Tegn på at noe er galt' },
      { level: 2, id: 'h-hva-er-inkludering-2', text: 'Hva er inkludering?' },
    ]);
    expect(headings.filter((h) => h.slug === 'h-hva-er-inkludering').map((h) => h.line)).to.deep.equal([7, 11]);
    expect(slugifyHeading('Ærlig talt: Øving & Åpenhet')).to.equal('h-aerlig-talt-oving-apenhet');
  });

  it('activity fences become markers in order, other fences stay code; lines are reported', () => {
    const source = 'Tekst\n\n```quiz\nid: a\n```\n\nMer\n\n```reflection\nid: b\n```\n\n```yaml\nid: c\n```\n';
    const { html, fences } = renderMarkdown(source, { activityKinds: new Set(['quiz', 'reflection']), lineOffset: 2 });
    expect(fences.map((f) => [f.info, f.activity, f.line])).to.deep.equal([
      ['quiz', true, 5],
      ['reflection', true, 11],
      ['yaml', false, 15],
    ]);
    const named = renameActivityMarkers(html, (i) => ['a', 'b'][i]);
    const parts = splitActivityMarkers(named);
    expect(parts.map((p) => (p.type === 'activity' ? `[${p.key}]` : 'html'))).to.deep.equal(['html', '[a]', 'html', '[b]', 'html']);
    expect(html).to.contain('<code class="language-yaml">');
  });

  it('markers cannot be forged from author text (html is off)', () => {
    const { html } = renderMarkdown('<!--activity:quiz-->');
    expect(splitActivityMarkers(html).every((p) => p.type === 'html')).to.equal(true);
  });
});
