import { ASSET_TYPES, isTextPath } from './format.js';
import { extensionOf } from './asset-types.js';
import { ModuleAssetModel, type StoredFile } from './models.js';
import { contentHash, sha256, type ModuleSource, type SourceFile } from './source.js';

/** Markdown of the module itself lives inline in the documents; everything in assets/ is content-addressed. */
export function isInlineText(file: string): boolean {
  return file === 'module.md' || (file.startsWith('lessons/') && file.endsWith('.md'));
}

/** Saves one asset under its sha256 (idempotent: the same bytes are stored once). */
export async function saveAsset(file: string, data: Buffer, now = new Date()): Promise<string> {
  const hash = sha256(data);
  const contentType = ASSET_TYPES[extensionOf(file)]?.contentType ?? 'application/octet-stream';
  try {
    await ModuleAssetModel.updateOne(
      { _id: { $eq: hash } },
      { $setOnInsert: { data, size: data.length, contentType, createdAt: now } },
      { upsert: true },
    );
  } catch (err) {
    // Two saves of the same new file at once: the other one stored it.
    if ((err as { code?: number }).code !== 11000) throw err;
  }
  return hash;
}

/** Stores a source's assets and returns its file list as kept in drafts and versions. */
export async function storeSource(source: ModuleSource): Promise<StoredFile[]> {
  const stored: StoredFile[] = [];
  for (const file of source.files) {
    if (isInlineText(file.path)) {
      stored.push({ path: file.path, text: file.data.toString('utf8'), sha256: sha256(file.data), size: file.data.length });
    } else if (file.stored) {
      stored.push({ path: file.path, text: null, sha256: file.stored.sha256, size: file.stored.size });
    } else {
      stored.push({ path: file.path, text: null, sha256: await saveAsset(file.path, file.data), size: file.data.length });
    }
  }
  return stored;
}

/** lean() hands binary fields back as BSON Binary, not as Buffer. */
export function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  const binary = value as { buffer: Uint8Array };
  return Buffer.from(binary.buffer.buffer, binary.buffer.byteOffset, binary.buffer.byteLength);
}

/**
 * The source of a stored file list, with the assets' bytes read back by their `_id`. With
 * `binary: 'skip'`, images and videos (already checked when stored) are not read; text assets
 * (transcripts, captions) always are, because the parser renders them.
 */
export async function loadSource(slug: string, files: ReadonlyArray<StoredFile>, options: { binary: 'load' | 'skip' } = { binary: 'load' }): Promise<ModuleSource> {
  const loaded = await Promise.all(
    files.map(async (file): Promise<SourceFile> => {
      if (file.text !== null && file.text !== undefined) return { path: file.path, data: Buffer.from(file.text, 'utf8') };
      if (options.binary === 'skip' && !isTextPath(file.path)) {
        return { path: file.path, data: Buffer.alloc(0), stored: { sha256: file.sha256, size: file.size } };
      }
      const asset = await ModuleAssetModel.findById(file.sha256).lean();
      if (!asset) throw new Error(`asset ${file.sha256} of ${slug}/${file.path} is missing from module_assets`);
      return { path: file.path, data: toBuffer(asset.data) };
    }),
  );
  return { slug, files: loaded.sort((a, b) => (a.path < b.path ? -1 : 1)) };
}

export function storedHash(files: ReadonlyArray<StoredFile>): string {
  return contentHash(files);
}
