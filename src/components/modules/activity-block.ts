import { Document, Scalar, parseDocument, visit } from 'yaml';
import { splitFrontMatter } from './parser.js';

/**
 * Activity blocks in a lesson's Markdown, found and written back as text: a block is the lines
 * between a fence that opens at the start of a line with an activity kind (```quiz) and its
 * closing fence. Only those lines change when a block is written; the rest of the file stays
 * byte for byte as it was. The YAML is written as authors write it by hand: keys in the given
 * order, plain scalars, multi-line text as `|` blocks, no line folding.
 */

export interface ActivityBlock {
  /** Position among the file's editable activity blocks (what an edit link names). */
  index: number;
  kind: string;
  /** 1-based line of the opening fence in the file. */
  line: number;
  /** The YAML between the fences, each line ending with a newline. */
  yaml: string;
  /** 0-based indexes of the opening and closing fence lines. */
  open: number;
  close: number;
}

const FENCE = /^(`{3,}|~{3,})\s*([^\s`]*)/;

/** The file's activity blocks, in order. Fences that are indented (in a list) or never closed are not editable. */
export function findActivityBlocks(text: string, kinds: ReadonlySet<string>): ActivityBlock[] {
  const lines = text.split('\n');
  const blocks: ActivityBlock[] = [];
  let i = splitFrontMatter(text).bodyOffset;
  while (i < lines.length) {
    const line = lines[i]!;
    const match = FENCE.exec(line.replace(/^ {1,3}/, ''));
    if (!match) {
      i += 1;
      continue;
    }
    const marker = match[1]!;
    const closing = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
    let close = i + 1;
    while (close < lines.length && !closing.test(lines[close]!)) close += 1;
    const info = match[2]!;
    if (close < lines.length && line.startsWith(marker) && kinds.has(info)) {
      blocks.push({ index: blocks.length, kind: info, line: i + 1, yaml: lines.slice(i + 1, close).map((l) => `${l}\n`).join(''), open: i, close });
    }
    i = close + 1;
  }
  return blocks;
}

/** A block's settings as plain data (the core YAML schema, as the parser reads it); null if it is not a mapping. */
export function blockData(block: Pick<ActivityBlock, 'yaml'>): Record<string, unknown> | null {
  const doc = parseDocument(block.yaml, { schema: 'core', uniqueKeys: true });
  if (doc.errors.length) return null;
  const data: unknown = doc.toJS({ maxAliasCount: 50 });
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
}

/** Settings as YAML in the hand-written style of modules/. */
export function settingsYaml(data: Record<string, unknown>): string {
  const doc = new Document(data, { schema: 'core' });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && node.value.includes('\n')) node.type = Scalar.BLOCK_LITERAL;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** The file with one block's YAML replaced; nothing else changes. */
export function replaceBlock(text: string, block: ActivityBlock, yaml: string): string {
  if (yaml === block.yaml) return text;
  const lines = text.split('\n');
  const body = yaml.endsWith('\n') ? yaml.slice(0, -1).split('\n') : yaml.split('\n');
  return [...lines.slice(0, block.open + 1), ...body, ...lines.slice(block.close)].join('\n');
}

/** The file with a new block at the end, after a blank line. */
export function appendBlock(text: string, kind: string, yaml: string): string {
  const ending = text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return `${text}${ending}\`\`\`${kind}\n${yaml}\`\`\`\n`;
}

/** A place a new block may go: at the end of a section, just before the heading that follows it. */
export interface Placement {
  /** The section's heading text. */
  heading: string;
  /** 1-based line of the next heading, which the block is written before; 0 for the end of the file. */
  before: number;
}

/** The sections of the lesson (headings outside code blocks), each with where a block at its end goes. */
export function placements(text: string): Placement[] {
  const lines = text.split('\n');
  const headings: Array<{ text: string; line: number }> = [];
  let fence: RegExp | null = null;
  for (let i = splitFrontMatter(text).bodyOffset; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (fence) {
      if (fence.test(line)) fence = null;
      continue;
    }
    const open = FENCE.exec(line.replace(/^ {1,3}/, ''));
    if (open) {
      const marker = open[1]!;
      fence = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
      continue;
    }
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) headings.push({ text: heading[1]!, line: i + 1 });
  }
  return headings.map((h, i) => ({ heading: h.text, before: headings[i + 1]?.line ?? 0 }));
}

/**
 * The file with a new block before line `before` (a heading; 0: at the end), set apart by blank
 * lines. Only lines are added; none is changed.
 */
export function insertBlock(text: string, kind: string, yaml: string, before: number): string {
  const lines = text.split('\n');
  if (before < 1 || before > lines.length) return appendBlock(text, kind, yaml);
  const index = before - 1;
  const block = [`\`\`\`${kind}`, ...(yaml.endsWith('\n') ? yaml.slice(0, -1) : yaml).split('\n'), '```', ''];
  const blankBefore = index > 0 && lines[index - 1]!.trim() !== '' ? [''] : [];
  return [...lines.slice(0, index), ...blankBefore, ...block, ...lines.slice(index)].join('\n');
}
