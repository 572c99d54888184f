import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkModulesDir, formatProblem } from '../components/modules/index.js';

/**
 * `npm run modules:check [dir] [--today YYYY-MM-DD] [--allow-warnings]` — validates every module
 * folder (default: modules/): the format, then the editorial rules (review trail, summaries,
 * glossary, cast, quizzes). Prints each problem as `file:line: message` (warnings as
 * `file:line: warning: message`), then the modules whose review is more than 12 months old.
 * Exit code 1 on any error or warning (warnings alone pass with --allow-warnings), 2 on bad usage.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { today: { type: 'string' }, 'allow-warnings': { type: 'boolean', default: false } },
  });
  const dir = positionals[0] ?? 'modules';
  let today = new Date();
  if (values.today !== undefined) {
    today = new Date(`${values.today}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.today) || Number.isNaN(today.getTime())) {
      process.stderr.write(`modules:check: --today must be a date written YYYY-MM-DD, not "${values.today}"\n`);
      process.exitCode = 2;
      return;
    }
  }
  const { results, problems, reviews } = await checkModulesDir(path.resolve(dir), { editorial: { today } });
  for (const p of problems) process.stdout.write(`${formatProblem({ ...p, file: path.join(dir, p.file) })}\n`);

  const due = reviews.filter((r) => r.overdue.length > 0);
  if (due.length > 0) {
    process.stdout.write('Modules whose review is more than 12 months old:\n');
    for (const r of due) process.stdout.write(`  ${r.slug}: reviewed ${r.reviewed ?? '-'}, legalCheck ${r.legalCheck ?? '-'} (owner: ${r.owner ?? '-'})\n`);
  }

  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const files = new Set(problems.map((p) => p.file)).size;
  const where = `in ${files} file(s) across ${results.length} module(s)`;
  process.stdout.write(
    problems.length === 0
      ? `modules:check: ${results.length} module(s) checked, no problems\n`
      : warnings === 0
        ? `modules:check: ${errors} problem(s) ${where}\n`
        : `modules:check: ${errors} problem(s) and ${warnings} warning(s) ${where}\n`,
  );
  process.exitCode = errors > 0 || (warnings > 0 && !values['allow-warnings']) ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`modules:check failed: ${(err as Error).message}\n`);
  process.exitCode = 2;
});
