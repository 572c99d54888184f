import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository root, found by walking up to package.json. The app runs both from
 * `src/` (tsx, tests) and from `dist/src/` (compiled), so a fixed `../..` would be wrong
 * in one of the two.
 */
function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
}

export const projectRoot = findProjectRoot(import.meta.dirname);

export const paths = {
  root: projectRoot,
  views: path.join(projectRoot, 'views'),
  public: path.join(projectRoot, 'public'),
  modules: path.join(projectRoot, 'modules'),
  locales: path.join(projectRoot, 'src', 'locales'),
  launcherSource: path.join(projectRoot, 'tools', 'ferretdb'),
  launcherBinary: path.join(projectRoot, '.cache', 'ferretdb-launcher'),
} as const;
