import { expect } from 'chai';
import { checkModules, parseModule, formatProblem, splitFrontMatter } from '../../src/components/modules/index.js';
import { sortProblems } from '../../src/components/modules/problems.js';
import { sanitiseAssetName, matchesType } from '../../src/components/modules/asset-types.js';
import { splitActivityMarkers } from '../../src/lib/markdown.js';
import { lessonMd, moduleMd, MP4, PNG, REFLECTION, sourceOf, VTT } from '../helpers/module-source.js';

const codes = (files: Record<string, string | Buffer>, slug = 'test') => sortProblems(parseModule(sourceOf(slug, files)).problems).map((p) => `${p.file}:${p.line}:${p.code}`);

describe('modules: parser and validator', () => {
  it('a valid module: lessons in order, activities with markers, an implicit reading per lesson, public views only', () => {
    const quiz = [
      '```quiz',
      'id: sjekk',
      'title: Sjekk',
      'questions:',
      '  - id: q1',
      '    text: Hva?',
      '    options:',
      '      - text: Dette',
      '        correct: true',
      '        explanation: HEMMELIG',
      '      - text: Det',
      '        explanation: HEMMELIG',
      '```',
    ].join('\n');
    const result = parseModule(
      sourceOf('god-modul', {
        'module.md': moduleMd('god-modul'),
        'lessons/02-videre.md': lessonMd('Videre', `## Del\n\n${quiz}\n\nSlutt.`),
        'lessons/01-start.md': lessonMd('Start', `## Innledning\n\n![Barn i ring](../assets/ring.png)\n\n${REFLECTION}\n\nSe [neste](02-videre.md#h-del).`),
        'assets/ring.png': PNG,
      }),
    );
    expect(result.problems.map(formatProblem)).to.deep.equal([]);
    const module = result.module!;
    expect(module.lessons.map((l) => [l.number, l.slug, l.title])).to.deep.equal([
      [1, 'start', 'Start'],
      [2, 'videre', 'Videre'],
    ]);
    expect(module.activities.map((a) => [a.id, a.kind, a.lessonSlug])).to.deep.equal([
      ['tenk', 'reflection', 'start'],
      ['lesson:start', 'reading', 'start'],
      ['sjekk', 'quiz', 'videre'],
      ['lesson:videre', 'reading', 'videre'],
    ]);
    const first = module.lessons[0]!;
    expect(splitActivityMarkers(first.html).filter((p) => p.type === 'activity')).to.deep.equal([{ type: 'activity', key: 'tenk' }]);
    expect(first.html).to.match(/<img src="\/moduler\/filer\/[0-9a-f]{64}\/ring.png" alt="Barn i ring"/);
    expect(first.html).to.contain('<a href="videre#h-del">neste</a>');
    expect(JSON.stringify(module.activities.map((a) => a.view))).not.to.contain('HEMMELIG');
    expect(module.assets).to.have.length(1);
    expect(module.contentHash).to.match(/^[0-9a-f]{64}$/);
  });

  it('front matter: ---js (and other code engines) is refused and never run; a lesson without front matter is reported', () => {
    expect(splitFrontMatter('---js\nmodule.exports = {}\n---\nText').problem).to.deep.equal({ line: 1, code: 'frontMatter.code', opener: '---js' });
    expect(splitFrontMatter('---javascript\n({})\n---\n').problem?.code).to.equal('frontMatter.code');
    expect(codes({ 'module.md': moduleMd('test'), 'lessons/01-a.md': '## Uten front matter\n' })).to.deep.equal(['test/lessons/01-a.md:1:frontMatter.missing']);
  });

  it('front matter: YAML tags that other parsers execute (!!js/function) are inert and reported', () => {
    const problems = codes({ 'module.md': moduleMd('test', 'evil: !!js/function "function () { return process.exit(1) }"'), 'lessons/01-a.md': lessonMd('A', 'Tekst.') });
    expect(problems[0]).to.match(/^test\/module.md:17:yaml.syntax$/);
  });

  it('front matter: an unknown key, a wrong type and a missing field are reported on their lines', () => {
    const md = moduleMd('test').replace('minutes: 20', 'minutes: mange').replace('license: CC-BY-4.0\n', '').replace('language: nb', 'language: nb\nlanguge: nb');
    expect(codes({ 'module.md': md, 'lessons/01-a.md': lessonMd('A', 'Tekst.') })).to.deep.equal([
      'test/module.md:2:field.required',
      'test/module.md:7:field.type',
      'test/module.md:9:field.unknown',
    ]);
  });

  it('YAML syntax errors in an activity are reported at the line inside the lesson', () => {
    const problems = codes({ 'module.md': moduleMd('test'), 'lessons/01-a.md': lessonMd('A', '```reflection\nid: tenk\nprompt: [uavsluttet\n```') });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^test\/lessons\/01-a.md:(8|9|10):yaml.syntax$/);
  });

  it('links: path traversal out of the module is a broken link; a missing heading anchor is reported', () => {
    const body = '[passord](../../../etc/passwd) [mangler](#h-finnes-ikke)\n\n## Finnes';
    expect(codes({ 'module.md': moduleMd('test'), 'lessons/01-a.md': lessonMd('A', body) })).to.deep.equal([
      'test/lessons/01-a.md:6:link.broken',
      'test/lessons/01-a.md:6:link.anchor',
    ]);
  });

  it('images: remote images and images without alt text are reported', () => {
    const body = '![](../assets/a.png)\n\n![Fjernt](https://example.org/x.png)';
    expect(codes({ 'module.md': moduleMd('test'), 'lessons/01-a.md': lessonMd('A', body), 'assets/a.png': PNG })).to.deep.equal([
      'test/lessons/01-a.md:6:image.alt',
      'test/lessons/01-a.md:8:image.remote',
    ]);
  });

  it('assets: wrong content for the extension, a scripted SVG, a bad name and an unknown type are refused', () => {
    const files = {
      'module.md': moduleMd('test'),
      'lessons/01-a.md': lessonMd('A', 'Tekst.'),
      'assets/side.png': Buffer.from('<html><script>alert(1)</script></html>'),
      'assets/tegning.svg': '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      'assets/navn med mellomrom.png': PNG,
      'assets/program.exe': Buffer.from('MZ'),
      'notater.txt': 'hei',
    };
    expect(codes(files)).to.deep.equal([
      'test/assets/navn med mellomrom.png:1:asset.name',
      'test/assets/program.exe:1:asset.type',
      'test/assets/side.png:1:asset.content',
      'test/assets/tegning.svg:1:asset.content',
      'test/notater.txt:1:file.unexpected',
    ]);
  });

  it('assets: over 15 MB is refused', () => {
    const big = Buffer.concat([PNG, Buffer.alloc(15 * 1024 * 1024)]);
    expect(codes({ 'module.md': moduleMd('test'), 'lessons/01-a.md': lessonMd('A', 'Tekst.'), 'assets/stor.png': big })).to.deep.equal(['test/assets/stor.png:1:asset.tooLarge']);
  });

  it('video: captions of the wrong type and an embed that is not allow-listed are reported on their lines', () => {
    const video = '```video\nid: film\ntitle: Film\nembed: https://evil.example/embed/1\ncaptions: assets/film.md\ntranscript: assets/film.md\n```';
    expect(codes({ 'module.md': moduleMd('test'), 'lessons/01-a.md': lessonMd('A', video), 'assets/film.md': 'Tekst' })).to.deep.equal(['test/lessons/01-a.md:9:video.embedHost']);
    const local = '```video\nid: film\ntitle: Film\nsrc: assets/film.mp4\ncaptions: assets/film.md\ntranscript: assets/film.md\n```';
    expect(codes({ 'module.md': moduleMd('test'), 'lessons/01-a.md': lessonMd('A', local), 'assets/film.md': 'Tekst', 'assets/film.mp4': MP4 })).to.deep.equal([
      'test/lessons/01-a.md:10:file.wrongType',
    ]);
    const ok = local.replace('captions: assets/film.md', 'captions: assets/film.vtt');
    expect(codes({ 'module.md': moduleMd('test'), 'lessons/01-a.md': lessonMd('A', ok), 'assets/film.md': 'Tekst', 'assets/film.mp4': MP4, 'assets/film.vtt': VTT })).to.deep.equal([]);
  });

  it('a ```reading block, a level-1 heading and an activity in module.md are reported', () => {
    const body = '# Stor overskrift\n\n```reading\nid: les\n```';
    expect(codes({ 'module.md': moduleMd('test', '', REFLECTION), 'lessons/01-a.md': lessonMd('A', body) })).to.deep.equal([
      'test/lessons/01-a.md:6:heading.level1',
      'test/lessons/01-a.md:8:activity.implicit',
      'test/module.md:19:file.unexpected',
    ]);
  });

  it('a module without module.md or without lessons is reported; an invalid folder name too', () => {
    expect(codes({ 'lessons/01-a.md': lessonMd('A', 'Tekst.') })).to.deep.equal(['test/module.md:1:module.missingFile']);
    expect(codes({ 'module.md': moduleMd('test') })).to.deep.equal(['test/module.md:1:lesson.none']);
    expect(codes({ 'module.md': moduleMd('Feil_Navn'), 'lessons/01-a.md': lessonMd('A', 'T') }, 'Feil_Navn')).to.deep.equal(['Feil_Navn/module.md:1:module.slug']);
  });

  it('cross-module: translationOf and prerequisites must name modules; a three-module cycle is reported in each', () => {
    const mod = (slug: string, prereq: string, extra = '') =>
      sourceOf(slug, { 'module.md': moduleMd(slug, extra).replace('prerequisites: []', `prerequisites: [${prereq}]`), 'lessons/01-a.md': lessonMd('A', 'T') });
    const { problems } = checkModules([mod('a', 'b'), mod('b', 'c'), mod('c', 'a', 'translationOf: finnes-ikke')]);
    expect(problems.map((p) => `${p.file}:${p.code}:${p.params.cycle ?? p.params.slug}`)).to.deep.equal([
      'a/module.md:prerequisite.cycle:a → b → c → a',
      'b/module.md:prerequisite.cycle:a → b → c → a',
      'c/module.md:prerequisite.cycle:a → b → c → a',
      'c/module.md:translationOf.unknown:finnes-ikke',
    ]);
  });

  it('asset names from uploads: folded, path segments dropped, traversal impossible', () => {
    expect(sanitiseAssetName('../../etc/passwd')).to.equal('passwd');
    expect(sanitiseAssetName('C:\\Users\\x\\Bilde av barn.PNG')).to.equal('Bilde-av-barn.PNG');
    expect(sanitiseAssetName('Ærlig Øving på tur.jpg')).to.equal('Aerlig-Oving-pa-tur.jpg');
    expect(sanitiseAssetName('..')).to.equal(undefined);
    expect(sanitiseAssetName('.htaccess')).to.equal('htaccess');
    expect(matchesType('.png', PNG)).to.equal(true);
    expect(matchesType('.vtt', Buffer.from(VTT))).to.equal(true);
    expect(matchesType('.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><a href="https://evil"><rect/></a></svg>'))).to.equal(false);
    expect(matchesType('.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect onload="x()"/></svg>'))).to.equal(false);
    expect(matchesType('.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><use href="#a"/></svg>'))).to.equal(true);
  });
  it('review trail, glossary, cast and lesson summary: optional, parsed into the module, wrong dates reported on their line', () => {
    const trail = [
      'owner: "Fellesskap redaksjon, fagansvarlig PPT"',
      'reviewed: 2026-12-05',
      'legalCheck: 2026-11-30',
      'glossary:',
      '  - term: ansvarsgruppe',
      '    forms: [ansvarsgruppa, ansvarsgrupper]',
      '    explanation: "En gruppe som samarbeider om tjenestene til ett barn."',
      'cast:',
      '  - name: Tiril',
      '    description: "20 måneder, småbarnsavdeling"',
    ].join('\n');
    const lesson = '---\ntitle: Start\nsummary: "Du lærer hva en ansvarsgruppe gjør."\n---\n\nTekst.\n';
    const result = parseModule(sourceOf('spor', { 'module.md': moduleMd('spor', trail), 'lessons/01-start.md': lesson }));
    expect(result.problems.map(formatProblem)).to.deep.equal([]);
    const fm = result.module!.frontMatter;
    expect([fm.owner, fm.reviewed, fm.legalCheck]).to.deep.equal(['Fellesskap redaksjon, fagansvarlig PPT', '2026-12-05', '2026-11-30']);
    expect(fm.glossary).to.deep.equal([{ term: 'ansvarsgruppe', forms: ['ansvarsgruppa', 'ansvarsgrupper'], explanation: 'En gruppe som samarbeider om tjenestene til ett barn.' }]);
    expect(fm.cast).to.deep.equal([{ name: 'Tiril', description: '20 måneder, småbarnsavdeling' }]);
    expect(result.module!.lessons[0]!.summary).to.equal('Du lærer hva en ansvarsgruppe gjør.');

    const bare = parseModule(sourceOf('bar', { 'module.md': moduleMd('bar'), 'lessons/01-start.md': lessonMd('Start', 'Tekst.') }));
    expect(bare.problems).to.deep.equal([]);
    expect([bare.module!.frontMatter.owner, bare.module!.frontMatter.glossary, bare.module!.frontMatter.cast, bare.module!.lessons[0]!.summary]).to.deep.equal([undefined, [], [], null]);

    // moduleMd's own front matter ends on line 16, so the extra lines start at 17.
    expect(codes({ 'module.md': moduleMd('test', 'reviewed: 2026-02-30\nlegalCheck: 5.12.2026'), 'lessons/01-a.md': lessonMd('A', 'x') })).to.deep.equal([
      'test/module.md:17:field.invalid',
      'test/module.md:18:field.format',
    ]);
  });
});
