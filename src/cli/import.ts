/**
 * `npm run import -- staff|units FILE.csv [--dry-run] [--valid-only]`
 *
 * The same import as the admin pages (same checks, same preview, same idempotent apply), for files
 * too many to click through or for scripts. Prints the per-row report on stdout and a progress bar
 * on stderr. Exit codes: 0 done (or a clean dry run), 1 rows rejected or file refused and nothing
 * imported, 2 wrong usage.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { TFunction } from 'i18next';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../lib/logger.js';
import { openDatabase } from '../db/index.js';
import { createI18n } from '../web/i18n.js';
import { confirmImport, getImport, IMPORT_KINDS, previewImport, type ImportKind, type ImportView, type Problem } from '../components/imports/index.js';

export interface CliArgs {
  kind: ImportKind;
  file: string;
  dryRun: boolean;
  validOnly: boolean;
}

export function parseArgs(argv: readonly string[]): CliArgs | null {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const positional = argv.filter((a) => !a.startsWith('--'));
  const known = new Set(['--dry-run', '--valid-only']);
  if ([...flags].some((f) => !known.has(f)) || positional.length !== 2) return null;
  const [kind, file] = positional as [string, string];
  if (!(IMPORT_KINDS as readonly string[]).includes(kind)) return null;
  return { kind: kind as ImportKind, file, dryRun: flags.has('--dry-run'), validOnly: flags.has('--valid-only') };
}

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function say(t: TFunction, message: string | Problem): string {
  return typeof message === 'string' ? t(message) : t(message.key, message.params ?? {});
}

/** One line per row, then its reasons or changes indented below: the same facts as the preview page. */
export function reportLines(t: TFunction, view: ImportView): string[] {
  const lines: string[] = [];
  for (const row of view.rows) {
    const state = row.outcome ? t(`imports:outcome.${row.outcome.result}`) : t(`imports:action.${row.action}`);
    const d = row.display;
    const what =
      view.kind === 'staff'
        ? `${d.name ?? ''} <${d.email ?? ''}> – ${d.unit ?? ''}${d.role ? ` (${t(`people:membershipRoles.${d.role}`)})` : ''}`
        : `${d.name ?? ''} – ${d.type ? t(`organisation:types.${d.type}`) : ''}, ${d.district ?? ''}${d.orgNumber ? `, ${d.orgNumber}` : ''}`;
    lines.push(`${t('imports:cli.line', { line: row.line }).padEnd(10)} ${state.padEnd(12)} ${what}`);
    for (const reason of row.reasons) lines.push(`${' '.repeat(24)}${say(t, reason)}`);
    for (const c of row.changes) lines.push(`${' '.repeat(24)}${t(`imports:change.${c.field}`, { from: c.from || '–', to: c.to || '–' })}`);
    if (row.outcome?.result === 'rejected') lines.push(`${' '.repeat(24)}${say(t, row.outcome.reason)}`);
  }
  return lines;
}

async function main(argv: readonly string[]): Promise<number> {
  const i18n = await createI18n(false);
  const t = i18n.instance.getFixedT('nb');
  const args = parseArgs(argv);
  if (!args) {
    process.stderr.write(`${t('imports:cli.usage')}\n`);
    return 2;
  }
  const bytes = await readFile(path.resolve(args.file)).catch(() => null);
  if (!bytes) {
    process.stderr.write(`${t('imports:cli.fileMissing', { file: args.file })}\n`);
    return 1;
  }

  const config = loadConfig();
  // Info and warning lines from the database start and stop would interleave with the report.
  const logger = createLogger(config.logLevel === 'info' ? 'error' : config.logLevel);
  const db = await openDatabase(config, logger, { shareRunning: true });
  try {
    out(t('imports:cli.reading', { file: path.basename(args.file) }));
    const preview = await previewImport({ actor: 'cli', kind: args.kind, fileName: path.basename(args.file), bytes });
    if (!preview.ok) {
      out(say(t, preview.problem));
      return 1;
    }
    let view = await getImport('cli', preview.id);
    for (const line of reportLines(t, view)) out(line);
    out();
    out((['create', 'update', 'unchanged', 'rejected'] as const).map((a) => t(`imports:actionCount.${a}`, { n: view.counts[a] })).join(', '));

    const valid = view.total - view.counts.rejected;
    if (args.dryRun) {
      out(t('imports:cli.dryRun'));
      return view.counts.rejected ? 1 : 0;
    }
    if (view.counts.rejected && !args.validOnly) {
      out(t('imports:cli.nothingImported', { n: view.counts.rejected }));
      return 1;
    }
    if (!valid) {
      out(t('imports:cli.nothingValid'));
      return 1;
    }

    const bar = new cliProgress.SingleBar({ stream: process.stderr, clearOnComplete: false, hideCursor: true }, cliProgress.Presets.shades_classic);
    bar.start(view.total, 0);
    try {
      view = await confirmImport('cli', preview.id, { planHash: view.planHash, validOnly: args.validOnly, onProgress: (done) => bar.update(done) });
    } finally {
      bar.stop();
    }
    out();
    for (const line of reportLines(t, view)) out(line);
    out();
    out(t('imports:cli.done', view.outcomeCounts));
    return 0;
  } finally {
    await db.close();
  }
}

// Run only as a program, not when a test imports parseArgs or reportLines.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
