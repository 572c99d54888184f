import { diffLines } from 'diff';
import type { StoredFile } from './models.js';

/** A line-by-line comparison of the Markdown of two versions (module.md and every lesson). */
export interface DiffLine {
  type: 'same' | 'added' | 'removed' | 'skipped';
  oldLine: number | null;
  newLine: number | null;
  text: string;
  /** For `skipped`: how many unchanged lines are not shown. */
  count?: number;
}

export interface FileDiff {
  path: string;
  status: 'changed' | 'added' | 'removed' | 'same';
  lines: DiffLine[];
}

const CONTEXT = 3;

function compare(oldText: string, newText: string): DiffLine[] {
  const lines: DiffLine[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (const change of diffLines(oldText, newText)) {
    const texts = change.value.replace(/\n$/, '').split('\n');
    for (const text of texts) {
      if (change.added) lines.push({ type: 'added', oldLine: null, newLine: newLine++, text });
      else if (change.removed) lines.push({ type: 'removed', oldLine: oldLine++, newLine: null, text });
      else lines.push({ type: 'same', oldLine: oldLine++, newLine: newLine++, text });
    }
  }
  // Long unchanged stretches are folded to a count, keeping a few lines of context around changes.
  const keep = lines.map((line, i) => line.type !== 'same' || lines.slice(Math.max(0, i - CONTEXT), i + CONTEXT + 1).some((l) => l.type !== 'same'));
  const folded: DiffLine[] = [];
  for (let i = 0; i < lines.length; ) {
    if (keep[i]) {
      folded.push(lines[i]!);
      i += 1;
      continue;
    }
    let j = i;
    while (j < lines.length && !keep[j]) j += 1;
    folded.push({ type: 'skipped', oldLine: null, newLine: null, text: '', count: j - i });
    i = j;
  }
  return folded;
}

const isMarkdown = (f: StoredFile) => f.text !== null && f.text !== undefined;

export function diffVersions(from: ReadonlyArray<StoredFile>, to: ReadonlyArray<StoredFile>): FileDiff[] {
  const before = new Map(from.filter(isMarkdown).map((f) => [f.path, f.text ?? '']));
  const after = new Map(to.filter(isMarkdown).map((f) => [f.path, f.text ?? '']));
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => (a === 'module.md' ? -1 : b === 'module.md' ? 1 : a.localeCompare(b)));
  return paths.map((path) => {
    const a = before.get(path);
    const b = after.get(path);
    const status = a === undefined ? 'added' : b === undefined ? 'removed' : a === b ? 'same' : 'changed';
    return { path, status, lines: status === 'same' ? [] : compare(a ?? '', b ?? '') };
  });
}
