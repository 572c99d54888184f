import path from 'node:path';
import { checkModulesDir, formatProblem } from '../components/modules/index.js';

/**
 * `npm run modules:check [dir]` — validates every module folder (default: modules/) and prints each
 * problem as `file:line: message`. Exit code 1 on any problem, so CI and editors can use it.
 */
async function main(): Promise<void> {
  const dir = process.argv[2] ?? 'modules';
  const { results, problems } = await checkModulesDir(path.resolve(dir));
  for (const p of problems) process.stdout.write(`${formatProblem({ ...p, file: path.join(dir, p.file) })}\n`);
  const files = new Set(problems.map((p) => p.file)).size;
  process.stdout.write(
    problems.length === 0
      ? `modules:check: ${results.length} module(s) checked, no problems\n`
      : `modules:check: ${problems.length} problem(s) in ${files} file(s) across ${results.length} module(s)\n`,
  );
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`modules:check failed: ${(err as Error).message}\n`);
  process.exitCode = 2;
});
