import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { paths } from '../../src/config/index.js';

/** Every TypeScript file under src/ with its text, for tests that check how the code is built. */
export function sourceFiles(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) out.push({ file: path.relative(paths.root, full), text: readFileSync(full, 'utf8') });
    }
  };
  walk(path.join(paths.root, 'src'));
  return out;
}
