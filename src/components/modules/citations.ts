import type { ModuleSource } from './source.js';

/**
 * Legal citations in module text, for a lawyer's review (`npm run modules:citations`): every
 * "§ N", "§§ N–M", "kapittel N" / "kap. N" and "artikkel N", with the law it belongs to. The law is
 * the one named last before the citation in its sentence, else the first after it, else the last
 * one named in the sentence just before; a citation with no law that near is listed with "?", so
 * nothing is left out and nothing is guessed.
 */

export interface Citation {
  /** Path relative to the modules folder. */
  file: string;
  line: number;
  /** The law as written in the text (e.g. "barnehageloven", "LOV-2023-06-09-30"), or "?". */
  law: string;
  /** The citation as written: "§ 46", "§§ 41–43", "kapittel 13", "artikkel 12". */
  section: string;
  /** The sentence it stands in, whitespace collapsed. */
  sentence: string;
}

// Names of laws and conventions: "barnehageloven", "opplæringslova", "pasient- og brukerrettighetsloven",
// "Grunnloven", "barnekonvensjonen", "forskrift om …" is left out on purpose (a regulation, not a law).
const LAW = new RegExp(
  [
    '[\\p{L}]*(?:loven|lova)\\s*\\(LOV-\\d{4}-\\d{2}-\\d{2}-\\d+\\)',
    '(?:[\\p{L}]+-\\s+og\\s+)?[\\p{L}]*(?:loven|lova|lovens|lovas|lovene)(?![\\p{L}])',
    '(?:FNs\\s+)?[\\p{L}]*konvensjon(?:en)?(?![\\p{L}])',
    'Grunnloven',
    'LOV-\\d{4}-\\d{2}-\\d{2}-\\d+',
  ].join('|'),
  'giu',
);
const SECTION_NUMBER = '\\d+(?:-\\d+)?[a-z]?';
const CITATION = new RegExp(
  `§§?\\s*${SECTION_NUMBER}(?:\\s*(?:–|—|-|,|og|til)\\s*${SECTION_NUMBER})*|(?<![\\p{L}])(?:kapittel|kapitlene|kap\\.|artikkel|artiklene|art\\.)\\s*(?:\\d+|[IVXLC]+(?![\\p{L}]))(?:\\s*(?:–|-|,|og)\\s*\\d+)*`,
  'giu',
);
// Words that end in "-loven" but are not a law's name.
const NOT_LAWS = new Set(['loven', 'lova', 'lovens', 'lovas', 'lovene']);

interface Found {
  index: number;
  text: string;
}

function laws(text: string): Found[] {
  return [...text.matchAll(LAW)]
    .map((m) => ({ index: m.index, text: m[0].replace(/\s+/g, ' ') }))
    .filter((m) => !NOT_LAWS.has(m.text.toLowerCase()));
}

/** Sentences of a paragraph with their start offsets (a full stop after a digit or "kap"/"art" does not end one). */
function sentences(paragraph: string): Array<{ start: number; text: string }> {
  const out: Array<{ start: number; text: string }> = [];
  const boundary = /(?<!\b(?:kap|art|nr|bl\.a|f\.eks|jf|ca|pkt))[.!?]+(?=\s+[\p{Lu}«"(§]|\s*$)/gu;
  let start = 0;
  for (const m of paragraph.matchAll(boundary)) {
    const end = m.index + m[0].length;
    out.push({ start, text: paragraph.slice(start, end) });
    start = end;
  }
  if (start < paragraph.length) out.push({ start, text: paragraph.slice(start) });
  return out;
}

/** Citations in one file's text. Lines are 1-based and count every line of the file. */
export function findCitations(file: string, text: string): Citation[] {
  const citations: Citation[] = [];
  const lines = text.split('\n');
  // Paragraphs: runs of non-blank lines; inside a fenced block each line stands alone (YAML values).
  let fence: string | undefined;
  let paragraph: Array<{ line: number; text: string }> = [];
  const flush = () => {
    if (paragraph.length === 0) return;
    const joined = paragraph.map((p) => p.text).join(' ');
    const lineAt = (offset: number) => {
      let at = 0;
      for (const p of paragraph) {
        if (offset < at + p.text.length + 1) return p.line;
        at += p.text.length + 1;
      }
      return paragraph.at(-1)!.line;
    };
    const parts = sentences(joined);
    let lastLaw: string | undefined;
    for (const sentence of parts) {
      const named = laws(sentence.text);
      for (const m of sentence.text.matchAll(CITATION)) {
        // The law named last before the citation in its sentence, else the first one after it in
        // the sentence ("… (opplæringslova § 12-4)" and "§ 3 i barnehageloven"), else the paragraph's.
        const before = named.filter((l) => l.index < m.index).at(-1);
        const after = named.find((l) => l.index > m.index);
        const law = before?.text ?? after?.text ?? lastLaw ?? '?';
        citations.push({ file, line: lineAt(sentence.start + m.index), law, section: m[0].replace(/\s+/g, ' ').trim(), sentence: sentence.text.replace(/\s+/g, ' ').trim() });
      }
      // "Nearby" is the sentence just before; further back is a guess a lawyer should not be given.
      lastLaw = named.length > 0 ? named.at(-1)!.text : undefined;
    }
    paragraph = [];
  };
  lines.forEach((raw, i) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(raw)?.[1];
    if (marker) {
      flush();
      if (!fence) fence = marker[0]!.repeat(marker.length);
      else if (raw.trim().startsWith(fence)) fence = undefined;
      return;
    }
    if (raw.trim() === '' || raw.trim() === '---') {
      flush();
      return;
    }
    // Headings, list items and YAML lines start a paragraph of their own.
    if (fence || /^\s{0,3}(#{1,6}\s|[-*+]\s|\d+[.)]\s|\|)|^\s*[\w-]+:(\s|$)/.test(raw)) flush();
    // Inside a fence (activity settings) the YAML key is not part of the sentence.
    const text = fence ? raw.trim().replace(/^(?:-\s+)?[\w-]+:\s*/, '') : raw.trim().replace(/^[-*+]\s+|^#{1,6}\s+/, '');
    paragraph.push({ line: i + 1, text });
    if (fence) flush();
  });
  flush();
  return citations;
}

/** Every citation in every Markdown file of the given modules, in file and line order. */
export function moduleCitations(sources: ReadonlyArray<ModuleSource>): Citation[] {
  return sources.flatMap((source) =>
    source.files
      .filter((f) => f.path.endsWith('.md') && !f.path.startsWith('assets/'))
      .sort((a, b) => (a.path === 'module.md' ? -1 : b.path === 'module.md' ? 1 : a.path.localeCompare(b.path)))
      .flatMap((f) => findCitations(`${source.slug}/${f.path}`, f.data.toString('utf8'))),
  );
}

/** A Markdown table (what a lawyer can read as text or paste into a document), with the count under it. */
export function citationTable(citations: ReadonlyArray<Citation>): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = citations.map((c) => `| ${cell(`${c.file}:${c.line}`)} | ${cell(c.law)} | ${cell(c.section)} | ${cell(c.sentence)} |`);
  return ['| file:line | law | section | sentence |', '| --- | --- | --- | --- |', ...rows, '', `${citations.length} citation(s)`].join('\n') + '\n';
}
