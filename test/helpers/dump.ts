import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';

const { EJSON } = mongoose.mongo.BSON;

/** Every document of every collection (system and skipped ones aside) as canonical Extended JSON, sorted. */
export async function dumpDatabase(db: mongoose.mongo.Db, skip: ReadonlySet<string> = new Set()): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.') && !skip.has(n)).sort();
  for (const name of names) {
    const docs = await db.collection(name).find({}).toArray();
    if (docs.length) out[name] = docs.map((d) => EJSON.stringify(d, { relaxed: false })).sort();
  }
  return out;
}

/** Loads a directory of `<collection>.jsonl` files (canonical Extended JSON lines) into `db`. */
export async function loadJsonLines(db: mongoose.mongo.Db, dir: string): Promise<void> {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    const docs = readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => EJSON.parse(line, { relaxed: false }) as mongoose.mongo.Document);
    await db.collection(file.replace(/\.jsonl$/, '')).insertMany(docs);
  }
}

export function nativeDb(): mongoose.mongo.Db {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  return db;
}
