import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isTextPath } from './format.js';

/**
 * A module's files in memory, whatever they came from: a folder on disk, a zip, or a browser
 * draft in the database. Paths are POSIX and relative to the module folder (`lessons/01-x.md`).
 */
export interface SourceFile {
  path: string;
  data: Buffer;
  /**
   * Set for an asset already checked and stored (a browser draft): its bytes are not loaded, so
   * checking a draft does not read every video back from the database.
   */
  stored?: { sha256: string; size: number };
}

export interface ModuleSource {
  slug: string;
  files: SourceFile[];
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Text files without a byte-order mark and with LF line ends, so hashes do not depend on the editor. */
export function normaliseFile(file: string, data: Buffer): Buffer {
  if (!isTextPath(file)) return data;
  let text = data.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return Buffer.from(text.replace(/\r\n?/g, '\n'), 'utf8');
}

/**
 * The content hash of a module: sha256 over each file's path and the sha256 of its normalised
 * bytes, in path order. Computed before anything is rendered, so unchanged content costs little.
 */
export function contentHash(entries: ReadonlyArray<{ path: string; sha256: string }>): string {
  const lines = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((e) => `${e.path}\0${e.sha256}\n`);
  return sha256(lines.join(''));
}

export function fileHash(file: SourceFile): string {
  return file.stored?.sha256 ?? sha256(file.data);
}

export function sourceHash(source: ModuleSource): string {
  return contentHash(source.files.map((f) => ({ path: f.path, sha256: fileHash(f) })));
}

async function walk(dir: string, prefix: string, out: SourceFile[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    // Editor and OS litter (.DS_Store, .gitkeep) is not part of a module.
    if (entry.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, rel, out);
    else if (entry.isFile()) out.push({ path: rel, data: normaliseFile(rel, await readFile(full)) });
  }
}

/** Reads one module folder; symlinks are not followed, so a module cannot pull in files from elsewhere. */
export async function readModuleFolder(dir: string): Promise<ModuleSource> {
  const files: SourceFile[] = [];
  await walk(dir, '', files);
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { slug: path.basename(dir), files };
}

/** Every module folder under a modules directory (folders holding a module.md or anything else but README). */
export async function readModulesDir(dir: string): Promise<ModuleSource[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  return Promise.all(folders.map((name) => readModuleFolder(path.join(dir, name))));
}
