import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';
import { ENVIRONMENT_VARIABLES, paths } from '../../src/config/index.js';

/**
 * Every relative link and #anchor in README.md and docs/**\/*.md resolves: the file exists, and an
 * anchor names a heading of the target the way GitHub renders it (github-slugger). Links are read
 * from markdown-it's tokens, so links in code are not links. External links are not fetched (there
 * is no network in CI); only their form is checked.
 */

const md = new MarkdownIt({ html: true });
type Token = ReturnType<typeof md.parse>[number];

function markdownFiles(): string[] {
  const files = [path.join(paths.root, 'README.md')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.md')) files.push(full);
    }
  };
  walk(path.join(paths.root, 'docs'));
  return files;
}

function allTokens(tokens: Token[]): Token[] {
  return tokens.flatMap((t) => [t, ...allTokens(t.children ?? [])]);
}

/** The anchors GitHub gives a file's headings (and explicit `id`/`name` attributes in its HTML). */
function anchorsOf(file: string): Set<string> {
  const tokens = md.parse(readFileSync(file, 'utf8'), {});
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  tokens.forEach((t, i) => {
    if (t.type === 'heading_open') {
      const inline = tokens[i + 1]!;
      const text = (inline.children ?? []).filter((c) => c.type === 'text' || c.type === 'code_inline').map((c) => c.content).join('');
      anchors.add(slugger.slug(text));
    }
    if (t.type === 'html_block' || t.type === 'html_inline') for (const m of t.content.matchAll(/\b(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  });
  return anchors;
}

function linksOf(file: string): string[] {
  return allTokens(md.parse(readFileSync(file, 'utf8'), {}))
    .flatMap((t) => (t.type === 'link_open' ? [t.attrGet('href')] : t.type === 'image' ? [t.attrGet('src')] : []))
    .filter((h): h is string => h !== null);
}

/** What is wrong with one link of `file`, or null. */
function problem(file: string, href: string): string | null {
  if (/^(https?:|mailto:)/.test(href)) return /^https?:\/\/[^\s/]+/.test(href) || href.startsWith('mailto:') ? null : 'malformed external link';
  if (/^[a-z]+:/i.test(href)) return 'unexpected scheme';
  const [rawPath, anchor] = href.split('#', 2) as [string, string | undefined];
  const target = rawPath ? path.resolve(path.dirname(file), decodeURIComponent(rawPath)) : file;
  if (!target.startsWith(paths.root + path.sep) && target !== paths.root) return 'points outside the repository';
  if (!existsSync(target)) return 'no such file';
  if (anchor !== undefined) {
    if (statSync(target).isDirectory() || !target.endsWith('.md')) return 'an anchor into something that is not a Markdown file';
    if (!anchorsOf(target).has(anchor)) return `no heading #${anchor} in ${path.relative(paths.root, target)}`;
  }
  return null;
}

describe('documentation: links', () => {
  const files = markdownFiles();

  it('README.md and docs/: every relative link and anchor resolves', () => {
    expect(files.length).to.be.greaterThan(5);
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      for (const href of linksOf(file)) {
        checked += 1;
        const why = problem(file, href);
        if (why) broken.push(`${path.relative(paths.root, file)}: ${href} — ${why}`);
      }
    }
    expect(broken, broken.join('\n')).to.deep.equal([]);
    expect(checked).to.be.greaterThan(20);
  });

  it('the checker itself: finds a missing file, a missing anchor and a link out of the repository', () => {
    const readme = path.join(paths.root, 'README.md');
    expect(problem(readme, 'docs/no-such-page.md')).to.equal('no such file');
    expect(problem(readme, 'docs/operations.md#no-such-heading')).to.equal('no heading #no-such-heading in docs/operations.md');
    expect(problem(readme, '#no-such-heading')).to.equal('no heading #no-such-heading in README.md');
    expect(problem(readme, '../outside.md')).to.equal('points outside the repository');
    expect(problem(readme, 'docs/operations.md#backup-and-moving-to-mongodb')).to.equal(null);
    expect(problem(readme, '#production-checklist')).to.equal(null);
    expect(problem(readme, 'https://example.org/x')).to.equal(null);
  });

  it('README.md: every environment variable src/config reads is in the configuration table', () => {
    const readme = readFileSync(path.join(paths.root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    const rows = table.split('\n').filter((l) => l.startsWith('| `'));
    expect(ENVIRONMENT_VARIABLES.length).to.be.greaterThan(20);
    const missing = ENVIRONMENT_VARIABLES.filter((v) => !rows.some((row) => row.split('|')[1]!.includes(`\`${v}\``)));
    expect(missing, 'not in the README table').to.deep.equal([]);
  });

  it('README.md stays short enough for a newcomer (at most 12 KB; details go to docs/)', () => {
    expect(statSync(path.join(paths.root, 'README.md')).size).to.be.at.most(12 * 1024);
  });
});
