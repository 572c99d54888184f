import path from 'node:path';
import { ConfigError, loadConfig } from '../config/index.js';
import { createLogger } from '../lib/logger.js';
import { openDatabase } from '../db/index.js';
import { runDigest } from '../components/reminders/index.js';
import { createServices } from '../app.js';

/**
 * `npm run digest [-- --now 2027-03-01T07:00:00+01:00]` — sends this week's digest now, to everyone
 * who has not had it yet this week (running it twice sends nothing more). `--now` runs it as of
 * another moment (ops: resend after an outage; tests). Exit code 1 when a mail could not be sent.
 */
export function parseArgs(argv: string[]): { now: Date } | null {
  if (argv.length === 0) return { now: new Date() };
  if (argv.length !== 2 || argv[0] !== '--now') return null;
  const now = new Date(argv[1]!);
  return Number.isNaN(now.getTime()) ? null : { now };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stderr.write('usage: npm run digest [-- --now <ISO date and time>]\n');
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'error' : config.logLevel);
  const db = await openDatabase(config, logger, { shareRunning: true });
  try {
    const { mail, progress, learning } = createServices({ config, logger });
    const report = await runDigest({ progress, learning, logger, mailer: mail, secret: config.sessionSecret }, args.now);
    process.stdout.write(
      `digest ${report.week}: ${report.sent} sent, ${report.skipped} skipped (already sent this week), ${report.optedOut} opted out, ` +
        `${report.nothingToSay} with nothing to send, ${report.failed} failed (${report.people} people)\n`,
    );
    process.exitCode = report.failed > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}

// Only when run as a command: tests import parseArgs.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((err: unknown) => {
    process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `digest failed: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
