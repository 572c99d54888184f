import path from 'node:path';
import { citationTable, moduleCitations, readModulesDir } from '../components/modules/index.js';

/**
 * `npm run modules:citations [dir]` — prints every legal citation in the modules (default:
 * modules/) as a Markdown table: file:line, law, section, sentence, for a lawyer to check against
 * the law's current text. Exit code 0; 2 when the folder cannot be read.
 */
async function main(): Promise<void> {
  const dir = process.argv[2] ?? 'modules';
  const citations = moduleCitations(await readModulesDir(path.resolve(dir)));
  process.stdout.write(citationTable(citations.map((c) => ({ ...c, file: path.join(dir, c.file) }))));
}

main().catch((err: unknown) => {
  process.stderr.write(`modules:citations failed: ${(err as Error).message}\n`);
  process.exitCode = 2;
});
