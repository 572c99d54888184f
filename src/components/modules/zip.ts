import { Unzip, UnzipInflate, zipSync, type Zippable } from 'fflate';
import { ValidationError } from '../../lib/errors.js';
import { MAX_ASSET_BYTES, MAX_FILES, SLUG, isTextPath } from './format.js';
import { normaliseFile, type ModuleSource } from './source.js';

/**
 * Zip export and import of a module in the folder format (`<slug>/module.md`, `lessons/`,
 * `assets/`), so Git-based and browser-based authoring meet in one format. Import is guarded
 * against zip-slip (paths are checked before anything is used) and zip bombs (entries are
 * inflated as a stream and stopped at the size limits, whatever the headers claim).
 */

export const MAX_ZIP_BYTES = 60 * 1024 * 1024;
export const MAX_ZIP_ENTRIES = MAX_FILES + 50;
export const MAX_ZIP_UNCOMPRESSED = 150 * 1024 * 1024;
const MAX_TEXT_FILE = 1024 * 1024;

export function exportZip(source: ModuleSource): Buffer {
  const entries: Zippable = {};
  for (const file of source.files) {
    // Pictures and video are compressed already; deflating them again only costs time.
    entries[`${source.slug}/${file.path}`] = [new Uint8Array(file.data), { level: isTextPath(file.path) ? 6 : 0 }];
  }
  return Buffer.from(zipSync(entries, { mtime: new Date('2020-01-01T00:00:00Z') }));
}

class ZipRefused extends ValidationError {
  constructor(reason: string) {
    super(`zip refused: ${reason}`, { zip: `authoring:import.${reason}` });
  }
}

/** A path inside a zip, or undefined for entries that are skipped (folders, OS litter). Throws on an unsafe path. */
function safePath(name: string): string | undefined {
  if (name.endsWith('/')) return undefined;
  if (name.includes('\\') || name.includes('\0') || name.startsWith('/') || /^[a-zA-Z]:/.test(name)) throw new ZipRefused('unsafePath');
  const segments = name.split('/');
  if (segments.some((s) => s === '..' || s === '.' || s === '')) throw new ZipRefused('unsafePath');
  if (segments.some((s) => s.startsWith('.')) || segments[0] === '__MACOSX') return undefined;
  return name;
}

export function readZip(data: Buffer): ModuleSource {
  if (data.length > MAX_ZIP_BYTES) throw new ZipRefused('tooLarge');
  const entries = new Map<string, Buffer>();
  let count = 0;
  let total = 0;
  let failure: ZipRefused | undefined;
  const unzip = new Unzip((file) => {
    count += 1;
    if (failure) return;
    if (count > MAX_ZIP_ENTRIES) {
      failure = new ZipRefused('tooManyFiles');
      return;
    }
    let path: string | undefined;
    try {
      path = safePath(file.name);
    } catch (err) {
      failure = err as ZipRefused;
      return;
    }
    if (!path) return;
    const limit = isTextPath(path) ? MAX_TEXT_FILE : MAX_ASSET_BYTES;
    if ((file.originalSize ?? 0) > limit) {
      failure = new ZipRefused('fileTooLarge');
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    file.ondata = (err, chunk, final) => {
      if (failure) return;
      if (err) {
        failure = new ZipRefused('unreadable');
        return;
      }
      size += chunk.length;
      total += chunk.length;
      // Checked as the bytes arrive: a header that lies about the size does not help a zip bomb.
      if (size > limit) failure = new ZipRefused('fileTooLarge');
      else if (total > MAX_ZIP_UNCOMPRESSED) failure = new ZipRefused('tooLarge');
      if (failure) {
        file.terminate();
        return;
      }
      chunks.push(chunk);
      if (final) entries.set(path!, Buffer.concat(chunks));
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    unzip.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), true);
  } catch {
    throw new ZipRefused('unreadable');
  }
  if (failure) throw failure;
  if (entries.size === 0) throw new ZipRefused('noModule');

  // The module is either at the root of the zip or in one folder named after its slug.
  const paths = [...entries.keys()];
  let prefix = '';
  let slug: string | undefined;
  if (!entries.has('module.md')) {
    const top = new Set(paths.map((p) => p.split('/')[0]!));
    const [only] = [...top];
    if (top.size !== 1 || !only || !entries.has(`${only}/module.md`)) throw new ZipRefused('noModule');
    prefix = `${only}/`;
    slug = only;
  }
  if (slug !== undefined && !SLUG.test(slug)) throw new ZipRefused('badSlug');
  const files = paths
    .filter((p) => p.startsWith(prefix))
    .map((p) => ({ path: p.slice(prefix.length), data: normaliseFile(p, entries.get(p)!) }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  return { slug: slug ?? '', files };
}
