import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, paths } from '../config/index.js';
import { createLogger } from '../lib/logger.js';
import { openDatabase } from '../db/index.js';
import { formatProblem, publishFromFolder } from '../components/modules/index.js';

/**
 * `npm run modules:publish [dir] [-- --note "change note"]` — publishes every module folder into the
 * database (MONGODB_URI, or the embedded database under DATA_DIR). Unchanged modules are left
 * alone; changed ones become a new version. Exit code 1 when a module could not be published.
 */
function parseArgs(argv: string[]): { dir: string; note: string } {
  let dir = paths.modules;
  let note = '';
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--note') note = argv[++i] ?? '';
    else dir = path.resolve(arg);
  }
  return { dir, note };
}

async function main(): Promise<void> {
  const { dir, note } = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  // The command's own output is the report; the app's logs only for errors.
  const logger = createLogger(config.logLevel === 'info' ? 'error' : config.logLevel);
  const db = await openDatabase(config, logger, { shareRunning: true });
  try {
    const outcomes = await publishFromFolder(dir, { by: { id: null, name: `modules:publish (${os.userInfo().username})` }, changeNote: note });
    const out = (line: string) => process.stdout.write(`${line}\n`);
    for (const o of outcomes) {
      if (o.action === 'unchanged') out(`${o.slug}: unchanged${o.versionId ? ` (${o.versionId})` : ''}`);
      if (o.action === 'published') out(`${o.slug}: published ${o.versionId} (${o.kind})${o.draftKept ? ' – the browser draft has unpublished changes and was kept' : ''}`);
      if (o.action === 'invalid') {
        out(`${o.slug}: not published, ${o.problems.length} problem(s):`);
        for (const p of o.problems) out(`  ${formatProblem({ ...p, file: path.join(path.relative(process.cwd(), dir) || '.', p.file) })}`);
      }
    }
    const count = (action: string) => outcomes.filter((o) => o.action === action).length;
    out(`modules:publish: ${count('published')} published, ${count('unchanged')} unchanged, ${count('invalid')} not published`);
    process.exitCode = count('invalid') > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `modules:publish failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
