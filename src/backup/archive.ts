import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import mongoose from 'mongoose';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { z } from 'zod';

/**
 * Backups and moves between databases (`npm run db:export`, `npm run db:import`): every collection
 * as MongoDB Extended JSON lines (canonical, so every BSON type comes back as it was: ObjectId,
 * Date, Int32 against Double, Long, Binary), in one gzip-compressed tar archive whose first entry is
 * a manifest (app version, migration level, and per collection its document count and SHA-256).
 *
 * The same archive moves data from the embedded database to MongoDB and back: both ends speak the
 * MongoDB wire protocol, and nothing here uses more than find and insertMany.
 */

const { EJSON } = mongoose.mongo.BSON;
type Db = mongoose.mongo.Db;
type Document = mongoose.mongo.Document;

export const ARCHIVE_FORMAT = 'fellesskap-backup';
export const ARCHIVE_FORMAT_VERSION = 1;
const MANIFEST = 'manifest.json';
const COLLECTION_DIR = 'collections/';
const BATCH = 500;

/**
 * Left out: login sessions and failed-login counters (short-lived, and a session restored elsewhere
 * would let its holder in there), the migration lock (held only while migrating), and the cache
 * revocation feed (news for running instances, meaningless after a restore).
 */
export const NOT_EXPORTED: ReadonlySet<string> = new Set(['sessions', 'login_limits', 'migration_lock', 'revocations']);
/** Collections an otherwise empty database may already hold (a first start records its migrations). */
const IGNORED_WHEN_EMPTY: ReadonlySet<string> = new Set([...NOT_EXPORTED, 'migrations']);

const COLLECTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,119}$/;

const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  formatVersion: z.number().int(),
  app: z.object({ name: z.string(), version: z.string() }),
  createdAt: z.string(),
  migrationLevel: z.string().nullable(),
  migrations: z.array(z.string()),
  collections: z.array(
    z.object({
      name: z.string().regex(COLLECTION_NAME).refine((n) => !n.startsWith('system.')),
      count: z.number().int().min(0),
      bytes: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** A backup that cannot be read or restored, with the sentence an operator needs. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

export interface Progress {
  /** Called once per collection before its documents, with the documents of all collections. */
  start?(total: number): void;
  advance?(documents: number, collection: string): void;
}

async function exportedCollections(db: Db): Promise<string[]> {
  const all = await db.listCollections({}, { nameOnly: true }).toArray();
  return all
    .map((c) => c.name)
    .filter((name) => !name.startsWith('system.') && !NOT_EXPORTED.has(name))
    .sort();
}

/**
 * Writes the archive to `outFile` (through a temporary name, so a failed export never leaves a file
 * that looks complete). Returns its manifest.
 */
export async function exportDatabase(
  db: Db,
  outFile: string,
  meta: { appVersion: string; migrations: string[] },
  progress: Progress = {},
): Promise<Manifest> {
  const names = await exportedCollections(db);
  const counts = await Promise.all(names.map((n) => db.collection(n).countDocuments({})));
  progress.start?.(counts.reduce((a, b) => a + b, 0));
  const work = await mkdtemp(path.join(os.tmpdir(), 'fellesskap-export-'));
  const partial = `${outFile}.partial`;
  try {
    const collections: Manifest['collections'] = [];
    for (const name of names) {
      const file = path.join(work, `${name}.jsonl`);
      const hash = createHash('sha256');
      const out = createWriteStream(file);
      let count = 0;
      let bytes = 0;
      for await (const doc of db.collection(name).find({}, { batchSize: BATCH })) {
        const line = Buffer.from(`${EJSON.stringify(doc, { relaxed: false })}\n`);
        hash.update(line);
        bytes += line.length;
        count += 1;
        if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        if (count % 100 === 0) progress.advance?.(100, name);
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      progress.advance?.(count % 100, name);
      collections.push({ name, count, bytes, sha256: hash.digest('hex') });
    }
    const executed = [...meta.migrations].sort();
    const manifest: Manifest = {
      format: ARCHIVE_FORMAT,
      formatVersion: ARCHIVE_FORMAT_VERSION,
      app: { name: 'fellesskap', version: meta.appVersion },
      createdAt: new Date().toISOString(),
      migrationLevel: executed.length ? executed[executed.length - 1]! : null,
      migrations: executed,
      collections,
    };
    const pack = tar.pack();
    const written = pipeline(pack, createGzip(), createWriteStream(partial));
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    await new Promise<void>((resolve, reject) => pack.entry({ name: MANIFEST, size: manifestBytes.length }, manifestBytes, (err) => (err ? reject(err) : resolve())));
    for (const c of collections) {
      const file = path.join(work, `${c.name}.jsonl`);
      const { size } = await stat(file);
      await new Promise<void>((resolve, reject) => {
        const entry = pack.entry({ name: `${COLLECTION_DIR}${c.name}.jsonl`, size }, (err) => (err ? reject(err) : resolve()));
        createReadStream(file).on('error', reject).pipe(entry);
      });
    }
    pack.finalize();
    await written;
    await rename(partial, outFile);
    return manifest;
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}

/** Calls `onEntry` for each entry of the archive in order; the manifest must come first. */
async function readArchive(file: string, onEntry: (name: string, entry: Readable) => Promise<void>): Promise<void> {
  const extract = tar.extract();
  const source = createReadStream(file);
  const notAnArchive = (err: unknown) =>
    err instanceof BackupError
      ? err
      : new BackupError(`${file} is not a Fellesskap backup, or is damaged (a gzip-compressed tar archive from npm run db:export was expected): ${(err as Error).message}`);
  const reading = pipeline(source, createGunzip(), extract);
  try {
    for await (const entry of extract) {
      await onEntry(entry.header.name, entry as unknown as Readable);
      entry.resume();
    }
    await reading;
  } catch (err) {
    source.destroy();
    await reading.catch(() => {});
    throw notAnArchive(err);
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function collectionOf(entryName: string, manifest: Manifest): Manifest['collections'][number] {
  const m = /^collections\/(.+)\.jsonl$/.exec(entryName);
  const found = m ? manifest.collections.find((c) => c.name === m[1]) : undefined;
  if (!found) throw new BackupError(`The backup holds ${entryName}, which its manifest does not list: the archive has been changed or is damaged.`);
  return found;
}

/**
 * Reads the manifest and checks every collection against its count and SHA-256, without touching a
 * database: a damaged or altered archive is refused before anything is written.
 */
export async function verifyArchive(file: string, progress: Progress = {}): Promise<Manifest> {
  try {
    await stat(file);
  } catch {
    throw new BackupError(`There is no file ${file}. Give the path of an archive written by npm run db:export.`);
  }
  let manifest: Manifest | undefined;
  const seen = new Set<string>();
  await readArchive(file, async (name, entry) => {
    if (!manifest) {
      if (name !== MANIFEST) throw new BackupError(`${file} does not start with a manifest: it is not a Fellesskap backup from npm run db:export.`);
      let raw: unknown;
      try {
        raw = JSON.parse((await readAll(entry)).toString('utf8'));
      } catch {
        throw new BackupError(`The manifest of ${file} is not valid JSON: the archive is damaged.`);
      }
      const parsed = manifestSchema.safeParse(raw);
      if (!parsed.success) throw new BackupError(`The manifest of ${file} is not one this version understands (${parsed.error.issues[0]?.path.join('.') || 'format'}).`);
      if (parsed.data.formatVersion > ARCHIVE_FORMAT_VERSION) {
        throw new BackupError(`${file} was written in backup format ${parsed.data.formatVersion}, newer than this version reads (${ARCHIVE_FORMAT_VERSION}). Restore it with Fellesskap ${parsed.data.app.version} or newer.`);
      }
      manifest = parsed.data;
      progress.start?.(documentCount(manifest));
      return;
    }
    const c = collectionOf(name, manifest);
    const hash = createHash('sha256');
    let lines = 0;
    for await (const chunk of entry) {
      hash.update(chunk as Buffer);
      for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
    }
    if (hash.digest('hex') !== c.sha256 || lines !== c.count) {
      throw new BackupError(`The collection ${c.name} in ${file} does not match its checksum in the manifest (${lines} of ${c.count} documents): the archive is damaged. Nothing was imported.`);
    }
    seen.add(c.name);
    progress.advance?.(c.count, c.name);
  });
  if (!manifest) throw new BackupError(`${file} is empty: it is not a Fellesskap backup.`);
  const missing = manifest.collections.filter((c) => !seen.has(c.name)).map((c) => c.name);
  if (missing.length) throw new BackupError(`${file} is incomplete: the collections ${missing.join(', ')} listed in its manifest are missing. Nothing was imported.`);
  return manifest;
}

/** Collections of `db` that hold data (anything but what a first start may already have written). */
export async function nonEmptyCollections(db: Db): Promise<Array<{ name: string; count: number }>> {
  const found: Array<{ name: string; count: number }> = [];
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (name.startsWith('system.') || IGNORED_WHEN_EMPTY.has(name)) continue;
    const count = await db.collection(name).countDocuments({});
    if (count > 0) found.push({ name, count });
  }
  return found;
}

/**
 * Restores a verified archive into an empty database. `knownMigrations` are the migrations this
 * version has: an archive that has had others comes from a newer version and is refused.
 */
export async function importArchive(
  db: Db,
  file: string,
  options: { knownMigrations: readonly string[]; progress?: Progress; verifyProgress?: Progress },
): Promise<Manifest> {
  const manifest = await verifyArchive(file, options.verifyProgress);
  const known = new Set(options.knownMigrations);
  const newer = manifest.migrations.filter((m) => !known.has(m));
  if (newer.length) {
    throw new BackupError(
      `The backup comes from a newer version of Fellesskap (${manifest.app.version}, migration level ${manifest.migrationLevel}; this version does not know ${newer.join(', ')}). ` +
        'Upgrade Fellesskap to that version or newer, then import again.',
    );
  }
  const occupied = await nonEmptyCollections(db);
  if (occupied.length) {
    const list = occupied.map((c) => `${c.name} (${c.count})`).join(', ');
    throw new BackupError(
      `The database is not empty: ${list}. db:import restores only into an empty database, so nothing is overwritten. ` +
        'Point MONGODB_URI at a new database, or set DATA_DIR to an empty directory, and import again.',
    );
  }
  // A first start may have recorded its own migrations; the restored data has exactly the archive's.
  await db.collection('migrations').deleteMany({});
  options.progress?.start?.(documentCount(manifest));
  await readArchive(file, async (name, entry) => {
    if (name === MANIFEST) return;
    const c = collectionOf(name, manifest);
    const collection = db.collection(c.name);
    let batch: Document[] = [];
    const flush = async () => {
      if (!batch.length) return;
      await collection.insertMany(batch, { ordered: true });
      options.progress?.advance?.(batch.length, c.name);
      batch = [];
    };
    for await (const line of readline.createInterface({ input: entry, crlfDelay: Infinity })) {
      if (!line) continue;
      batch.push(EJSON.parse(line, { relaxed: false }) as Document);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
  });
  return manifest;
}

/** How many documents an archive holds, over all its collections. */
export function documentCount(manifest: Pick<Manifest, 'collections'>): number {
  return manifest.collections.reduce((a, c) => a + c.count, 0);
}
