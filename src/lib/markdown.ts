import markdownIt from 'markdown-it';
import type { MarkdownIt, StateCore, Token } from 'markdown-it';
import anchor from 'markdown-it-anchor';
import { glossaryPlugin, type GlossaryRenderOptions } from './markdown-glossary.js';
import { foldForId } from './words.js';

/**
 * The one markdown-it instance (GUIDE: lib/). Raw HTML is off, so nothing an author writes can
 * become markup of its own; links pass two checks (markdown-it's validateLink, which we replace
 * with an allow-list, and a core rule that resolves relative targets); headings from `##` down
 * get stable `h-` ids for the table of contents; fences whose info string is an activity kind
 * become markers that the lesson page replaces with the activity's partial.
 */

/** Schemes a link may use. Anything else with a scheme (javascript:, data:, vbscript:, file:…) is refused. */
const ALLOWED_SCHEMES = new Set(['http', 'https', 'mailto']);
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
// Browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:").
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\ufeff]/g;

export type UrlKind = 'absolute' | 'relative' | 'site' | 'fragment' | 'refused';

/** Classifies a link target; `refused` for disallowed schemes and protocol-relative URLs. */
export function classifyUrl(raw: string): UrlKind {
  const url = raw.replace(INVISIBLE, '');
  if (url === '') return 'refused';
  const scheme = SCHEME.exec(url)?.[1];
  if (scheme) return ALLOWED_SCHEMES.has(scheme.toLowerCase()) ? 'absolute' : 'refused';
  // A colon before any slash would be read as a scheme by some parsers.
  if (/^[^/?#]*:/.test(url)) return 'refused';
  if (url.startsWith('//') || url.startsWith('\\')) return 'refused';
  if (url.startsWith('#')) return 'fragment';
  if (url.startsWith('/')) return 'site';
  return 'relative';
}

export function isAllowedUrl(url: string): boolean {
  return classifyUrl(url) !== 'refused';
}

/** Stable heading ids: Norwegian letters folded, everything else to hyphens, prefixed `h-`. */
export function slugifyHeading(text: string): string {
  return `h-${foldForId(text) || 'seksjon'}`;
}

export interface TocEntry {
  level: number;
  id: string;
  text: string;
}

export interface FenceRef {
  /** The info string (first word), e.g. `quiz`. */
  info: string;
  content: string;
  /** 1-based line of the opening fence in the file. */
  line: number;
  /** True when `info` is an activity kind: the fence was replaced by a marker. */
  activity: boolean;
  /** Position among this document's activity fences (the marker's index). */
  index: number;
}

export interface LinkRef {
  href: string;
  line: number;
  kind: UrlKind;
  /** False when a relative target could not be resolved (a broken link). */
  resolved: boolean;
}

export interface ImageRef {
  src: string;
  alt: string;
  line: number;
  resolved: boolean;
}

export interface HeadingRef {
  level: number;
  /** The id before de-duplication; two headings with the same `slug` clash. */
  slug: string;
  id: string;
  text: string;
  line: number;
}

export interface RenderOptions {
  /** Fence info strings that are activities (the registry's kinds). */
  activityKinds?: ReadonlySet<string>;
  /**
   * Maps a relative link or image path to the URL it is served at; undefined means the target
   * does not exist (the link is rendered as plain text and reported).
   */
  resolveHref?: (href: string, kind: 'link' | 'image') => string | undefined;
  /** Lines before the Markdown body in its file (front matter), so reported lines match the file. */
  lineOffset?: number;
  /** The module's glossary: the first use of each term gets its explanation (see markdown-glossary.ts). */
  glossary?: GlossaryRenderOptions;
}

export interface RenderedMarkdown {
  html: string;
  toc: TocEntry[];
  headings: HeadingRef[];
  fences: FenceRef[];
  links: LinkRef[];
  images: ImageRef[];
  /** Glossary terms explained in this document, in order of first use. */
  glossaryTerms: string[];
}

interface Env {
  options: RenderOptions;
  result: RenderedMarkdown;
  activityCount: number;
  glossary?: GlossaryRenderOptions;
  glossaryFound?: string[];
}

/** The marker left where an activity goes; html is off, so author text can never produce it. */
export function activityMarker(key: string | number): string {
  return `<!--activity:${key}-->`;
}
const MARKER = /<!--activity:([a-z0-9:-]+)-->\n?/g;

export type LessonPart = { type: 'html'; html: string } | { type: 'activity'; key: string };

/** Splits rendered lesson HTML into text and activity slots, in order. */
export function splitActivityMarkers(html: string): LessonPart[] {
  const parts: LessonPart[] = [];
  let last = 0;
  for (const m of html.matchAll(MARKER)) {
    if (m.index > last) parts.push({ type: 'html', html: html.slice(last, m.index) });
    parts.push({ type: 'activity', key: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < html.length) parts.push({ type: 'html', html: html.slice(last) });
  return parts;
}

/** Rewrites index markers (`<!--activity:0-->`) to id markers once the activities' ids are known. */
export function renameActivityMarkers(html: string, keyFor: (index: number) => string | undefined): string {
  return html.replace(MARKER, (whole, key: string) => {
    const next = /^\d+$/.test(key) ? keyFor(Number(key)) : undefined;
    return next ? `${activityMarker(next)}\n` : whole;
  });
}

function fenceInfo(token: Token): string {
  return token.info.trim().split(/\s+/)[0] ?? '';
}

function tokenText(children: Token[] | null): string {
  return (children ?? [])
    .filter((t) => t.type === 'text' || t.type === 'code_inline')
    .map((t) => t.content)
    .join('');
}

// Link, reference-definition and autolink targets as they appear in source text.
const TARGET_PATTERNS = [/\]\(\s*<?([^\s)>]+)/g, /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)/gm, /<([a-z][a-z0-9+.-]{1,31}:[^\s<>]*)>/gi];

/**
 * markdown-it leaves a refused link as plain text, so nothing unsafe is rendered; this finds such
 * targets in the inline source so the checker can tell the author where they are.
 */
function recordRefusedTargets(state: StateCore, content: string, firstLine: number, env: Env): void {
  for (const pattern of TARGET_PATTERNS) {
    for (const m of content.matchAll(pattern)) {
      let raw = m[1]!;
      if (pattern === TARGET_PATTERNS[0]) {
        // Inline links may hold balanced parentheses; markdown-it's own helper finds where they end.
        const start = m.index + m[0].length - raw.length - (m[0].includes('<') ? 1 : 0);
        const parsed = state.md.helpers.parseLinkDestination(content, start, content.length);
        if (parsed.ok) raw = parsed.str;
      }
      const target = state.md.utils.unescapeAll(raw);
      if (classifyUrl(target) !== 'refused') continue;
      const line = firstLine + (content.slice(0, m.index).match(/\n/g)?.length ?? 0);
      env.result.links.push({ href: target, line, kind: 'refused', resolved: false });
    }
  }
}

/** Walks links and images, resolving relative targets and neutralising what may not be shown. */
function resolveLinks(state: StateCore): void {
  const env = state.env as unknown as Env;
  const offset = env.options.lineOffset ?? 0;
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    let line = (block.map?.[0] ?? 0) + 1 + offset;
    recordRefusedTargets(state, block.content, line, env);
    const children = block.children;
    const openLinks: Token[] = [];
    for (let i = 0; i < children.length; i += 1) {
      const token = children[i]!;
      if (token.type === 'softbreak' || token.type === 'hardbreak') line += 1;
      if (token.type === 'link_open') {
        const href = String(token.attrGet('href') ?? '');
        const kind = classifyUrl(href);
        let target: string | undefined = href;
        if (kind === 'relative' || kind === 'fragment') {
          target = env.options.resolveHref ? env.options.resolveHref(href, 'link') : href;
        } else if (kind === 'refused') {
          target = undefined;
        }
        env.result.links.push({ href, line, kind, resolved: target !== undefined });
        if (target === undefined) {
          // Keep the words, drop the link.
          token.tag = 'span';
          token.attrs = null;
        } else {
          token.attrSet('href', target);
        }
        openLinks.push(token);
      } else if (token.type === 'link_close') {
        const open = openLinks.pop();
        if (open?.tag === 'span') token.tag = 'span';
      } else if (token.type === 'image') {
        const src = String(token.attrGet('src') ?? '');
        const alt = tokenText(token.children) || token.content;
        const kind = classifyUrl(src);
        // Only the module's own files: remote images would track readers and break the CSP.
        const target = kind === 'relative' && env.options.resolveHref ? env.options.resolveHref(src, 'image') : undefined;
        env.result.images.push({ src, alt, line, resolved: target !== undefined });
        if (target === undefined) {
          children[i] = Object.assign(new state.Token('text', '', 0), { content: alt });
        } else {
          token.attrSet('src', target);
          token.attrSet('loading', 'lazy');
        }
      }
    }
  }
}

/** Collects headings (with their lines) and the table of contents after markdown-it-anchor ran. */
function collectHeadings(state: StateCore): void {
  const env = state.env as unknown as Env;
  const offset = env.options.lineOffset ?? 0;
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    if (token.type !== 'heading_open') continue;
    const level = Number(token.tag.slice(1));
    const text = tokenText(tokens[i + 1]?.children ?? null);
    const rawId = token.attrGet('id');
    const id = rawId === null ? '' : String(rawId);
    const line = (token.map?.[0] ?? 0) + 1 + offset;
    if (!id) {
      env.result.headings.push({ level, slug: '', id: '', text, line });
      continue;
    }
    const slug = slugifyHeading(text);
    env.result.headings.push({ level, slug, id, text, line });
    if (level <= 3) env.result.toc.push({ level, id, text });
  }
}

function collectFences(state: StateCore): void {
  const env = state.env as unknown as Env;
  const offset = env.options.lineOffset ?? 0;
  const kinds = env.options.activityKinds ?? new Set<string>();
  for (const token of state.tokens) {
    if (token.type !== 'fence') continue;
    const info = fenceInfo(token);
    const activity = kinds.has(info);
    const index = activity ? env.activityCount++ : -1;
    token.meta = { activityIndex: index };
    env.result.fences.push({ info, content: token.content, line: (token.map?.[0] ?? 0) + 1 + offset, activity, index });
  }
}

function createMarkdown(): MarkdownIt {
  const md = markdownIt({ html: false, linkify: false, typographer: false, breaks: false });
  // Refuses disallowed schemes at parse time; the core rule below resolves and records the rest.
  md.validateLink = isAllowedUrl;
  md.use(anchor, {
    level: [2, 3, 4, 5, 6],
    slugify: slugifyHeading,
    tabIndex: false,
    uniqueSlugStartIndex: 2,
  });
  md.core.ruler.push('fellesskap_fences', collectFences);
  md.core.ruler.push('fellesskap_links', resolveLinks);
  md.core.ruler.push('fellesskap_headings', collectHeadings);
  md.use(glossaryPlugin);

  const defaultFence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const index = (tokens[idx]!.meta as { activityIndex?: number } | null)?.activityIndex ?? -1;
    if (index >= 0) return `${activityMarker(index)}\n`;
    return defaultFence(tokens, idx, options, env, self);
  };
  // Wide tables scroll inside their own box instead of making the page scroll sideways.
  md.renderer.rules.table_open = () => '<div class="table-wrap">\n<table>\n';
  md.renderer.rules.table_close = () => '</table>\n</div>\n';
  return md;
}

const md = createMarkdown();

/** Renders Markdown and reports what it found (headings, activity fences, links, images). */
export function renderMarkdown(source: string, options: RenderOptions = {}): RenderedMarkdown {
  const result: RenderedMarkdown = { html: '', toc: [], headings: [], fences: [], links: [], images: [], glossaryTerms: [] };
  const env: Env = { options, result, activityCount: 0, glossary: options.glossary, glossaryFound: [] };
  result.html = md.render(source, env as unknown as Record<string, unknown>);
  result.glossaryTerms = env.glossaryFound ?? [];
  return result;
}

/** Renders a short author text (a prompt, an explanation) with the same rules and no resolver. */
export function renderText(source: string): string {
  return renderMarkdown(source).html;
}
