import { readFileSync } from 'node:fs';
import path from 'node:path';
import { paths } from '../config/index.js';

export { documentCount, exportDatabase, importArchive, verifyArchive, BackupError, NOT_EXPORTED, type Manifest, type Progress } from './archive.js';

/** This version of the app, as package.json says (written into each backup's manifest). */
export function appVersion(): string {
  return (JSON.parse(readFileSync(path.join(paths.root, 'package.json'), 'utf8')) as { version: string }).version;
}
