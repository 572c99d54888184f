import type { MarkdownIt, StateCore, Token } from 'markdown-it';
import { foldForId, wholeWords } from './words.js';

/**
 * Word explanations (issue 16): the first use of each glossary term in a document becomes a link
 * to the term on the module's glossary page, followed by its explanation in brackets. Both are
 * plain inline HTML (phrasing content, valid inside a paragraph), readable without JavaScript by
 * sighted readers and screen readers alike. It works on markdown-it's tokens, never on HTML: only
 * text in paragraphs, lists and tables is looked at; headings, link texts, code and image alt
 * texts are left alone.
 */

export interface GlossaryTerm {
  term: string;
  /** Other forms of the word that count as a use (plural, definite). */
  forms: readonly string[];
  explanation: string;
}

export interface GlossaryRenderOptions {
  terms: readonly GlossaryTerm[];
  /** URL of the module's glossary page; the term's anchor is appended. */
  href: string;
}

/** The id of a term on the glossary page: `ord-` and the term folded like heading ids. */
export function glossaryAnchor(term: string): string {
  return `ord-${foldForId(term) || 'ord'}`;
}

interface GlossaryEnv {
  glossary?: GlossaryRenderOptions;
  /** Terms (by index) already explained in this document. */
  glossaryUsed?: Set<number>;
  /** The terms explained, in order of first use (what the checker and tests read). */
  glossaryFound?: string[];
}

function markTerms(state: StateCore): void {
  const env = state.env as GlossaryEnv;
  const glossary = env.glossary;
  if (!glossary || glossary.terms.length === 0) return;
  const used = (env.glossaryUsed ??= new Set());
  const found = (env.glossaryFound ??= []);
  const indexOf = new Map<string, number>();
  glossary.terms.forEach((t, i) => {
    for (const word of [t.term, ...t.forms]) {
      const key = word.trim().toLocaleLowerCase('nb');
      if (!indexOf.has(key)) indexOf.set(key, i);
    }
  });
  // Each term is explained once: its words drop out of the pattern as soon as it is used, so the
  // pattern is rebuilt only then (at most once per term), not for every piece of text.
  const remainingPattern = () => wholeWords([...indexOf.entries()].filter(([, i]) => !used.has(i)).map(([word]) => word), { ignoreCase: true });
  let pattern = remainingPattern();
  let inHeading = false;
  for (const block of state.tokens) {
    if (block.type === 'heading_open') inHeading = true;
    if (block.type === 'heading_close') inHeading = false;
    if (block.type !== 'inline' || inHeading || !block.children) continue;
    const out: Token[] = [];
    let linkDepth = 0;
    for (const token of block.children) {
      if (token.type === 'link_open') linkDepth += 1;
      if (token.type === 'link_close') linkDepth -= 1;
      if (token.type !== 'text' || linkDepth > 0 || used.size === glossary.terms.length) {
        out.push(token);
        continue;
      }
      let text = token.content;
      for (;;) {
        if (!pattern) break;
        pattern.lastIndex = 0;
        const match = pattern.exec(text);
        if (!match) break;
        // The pattern ignores case by Unicode case folding; look the word up the same way.
        const index = indexOf.get(match[0].toLocaleLowerCase('nb')) ?? [...indexOf].find(([word]) => word.localeCompare(match[0], 'nb', { sensitivity: 'accent' }) === 0)?.[1];
        if (index === undefined) {
          out.push(Object.assign(new state.Token('text', '', 0), { content: text.slice(0, match.index + match[0].length) }));
          text = text.slice(match.index + match[0].length);
          continue;
        }
        const term = glossary.terms[index]!;
        if (match.index > 0) out.push(Object.assign(new state.Token('text', '', 0), { content: text.slice(0, match.index) }));
        const mark = new state.Token('glossary_term', '', 0);
        mark.content = match[0];
        mark.meta = { href: `${glossary.href}#${glossaryAnchor(term.term)}`, explanation: term.explanation };
        out.push(mark);
        used.add(index);
        found.push(term.term);
        pattern = remainingPattern();
        text = text.slice(match.index + match[0].length);
      }
      if (text) out.push(Object.assign(new state.Token('text', '', 0), { content: text }));
    }
    block.children = out;
  }
}

export function glossaryPlugin(md: MarkdownIt): void {
  md.core.ruler.push('fellesskap_glossary', markTerms);
  md.renderer.rules.glossary_term = (tokens, idx) => {
    const token = tokens[idx]!;
    const meta = token.meta as { href: string; explanation: string };
    const esc = md.utils.escapeHtml;
    return `<a class="term" href="${esc(meta.href)}">${esc(token.content)}</a><span class="term-explanation"> (${esc(meta.explanation)})</span>`;
  };
}
