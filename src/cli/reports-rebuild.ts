import { ConfigError, loadConfig } from '../config/index.js';
import { createLogger } from '../lib/logger.js';
import { openDatabase } from '../db/index.js';
import { listUnits } from '../components/organisation/index.js';
import { rebuildUnitLists } from '../components/assignments/index.js';
import { createServices } from '../app.js';

/**
 * `npm run reports:rebuild` — recomputes every report summary (rosters and unit counts) from the
 * sources (memberships in accounts, completion facts and progress in learning), prints the drift it
 * found between the stored summaries and the recomputation, and repairs it. Safe to run at any time;
 * a change arriving during the run is redone through the ordinary event path.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'error' : config.logLevel);
  const db = await openDatabase(config, logger, { shareRunning: true });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    // The unit dashboards read each unit's assignment list: rebuild those from the records first.
    const lists = await rebuildUnitLists();
    out(`reports:rebuild: ${lists} assignment lists of units rebuilt from the assignment records`);
    const report = await createServices({ config, logger }).reports.rebuild();
    const names = new Map((await listUnits({ status: 'all' })).map((u) => [u.id, u.name]));
    out(`reports:rebuild: ${report.people} people, ${report.units} units recomputed in ${report.seconds} s`);
    out(`  roster entries that differed from the recomputation: ${report.entriesChanged}`);
    out(`  units whose stored counts had drifted: ${report.unitsDrifted}`);
    for (const d of report.drift) out(`    ${names.get(d.unitId) ?? d.unitId} (${d.unitId}): ${d.what} stored ${d.stored}, recomputed ${d.actual}`);
    out(report.entriesChanged || report.unitsDrifted ? 'reports:rebuild: drift repaired' : 'reports:rebuild: no drift');
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `reports:rebuild failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
