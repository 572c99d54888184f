/**
 * Does a database server keep every acknowledged write when it is killed? Inserts one document at a
 * time (each acknowledged) for a few seconds, SIGKILLs the server right after the last acknowledgement,
 * starts it again on the same files and counts. For docs/decisions/0001-embedded-database.md.
 *
 *   npx tsx tools/embedded-alternatives/kill-durability.ts ferretdb
 *   npx tsx tools/embedded-alternatives/kill-durability.ts mongo-java-server   (build it first, see its README)
 *
 * Loopback only; the temporary data directory is removed at the end. Prints one JSON line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { findFreePort } from '../../src/db/index.js';
import { ensureLauncherBuilt } from '../../src/db/embedded-server.js';
import { pino } from 'pino';
import { paths } from '../../src/config/index.js';

const kind = process.argv[2];
if (kind !== 'ferretdb' && kind !== 'mongo-java-server') {
  console.error('usage: kill-durability.ts ferretdb|mongo-java-server');
  process.exit(2);
}
const WRITE_MS = 3000;
const dir = mkdtempSync(path.join(os.tmpdir(), `fellesskap-durability-${kind}-`));
const port = await findFreePort();
const javaProject = path.join(paths.root, 'tools', 'embedded-alternatives', 'mongo-java-server', 'target');

function start(): Promise<ChildProcess> {
  const child =
    kind === 'ferretdb'
      ? spawn(ensureLauncherBuilt(pino({ level: 'silent' })), ['--listen', `127.0.0.1:${port}`, '--data', dir], { stdio: ['pipe', 'pipe', 'ignore'] })
      : spawn('java', ['-cp', `${javaProject}/classes:${javaProject}/lib/*`, 'mjs.Launcher', String(port), path.join(dir, 'db.mv')], { stdio: ['pipe', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('READY')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${kind} exited (${code}) before it was ready`)));
  });
}

async function count(): Promise<number> {
  const client = new mongoose.mongo.MongoClient(`mongodb://127.0.0.1:${port}/`, { directConnection: true });
  await client.connect();
  try {
    return await client.db('durability').collection('acks').countDocuments();
  } finally {
    await client.close();
  }
}

let server = await start();
try {
  const client = new mongoose.mongo.MongoClient(`mongodb://127.0.0.1:${port}/`, { directConnection: true });
  await client.connect();
  const coll = client.db('durability').collection<{ _id: number }>('acks');
  let acked = 0;
  const end = Date.now() + WRITE_MS;
  while (Date.now() < end) {
    await coll.insertOne({ _id: acked });
    acked += 1;
  }
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGKILL');
  await exited;
  await client.close(true).catch(() => undefined);
  server = await start();
  const stored = await count();
  console.log(JSON.stringify({ server: kind, acknowledged: acked, stored, lost: acked - stored }));
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  rmSync(dir, { recursive: true, force: true });
}
