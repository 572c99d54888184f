import { ASSET_NAME, ASSET_TYPES, MAX_ASSET_BYTES } from './format.js';
import { extensionOf, matchesType } from './asset-types.js';

/**
 * The one content check for every way a file reaches a module: a single upload, a zip import, and
 * the check before publishing (which reads every stored file again). What it refuses, no path
 * stores: a file outside module.md, lessons/*.md and assets/ (lesson names are the parser's to explain), an asset whose name, type or size is not
 * allowed, and an asset whose bytes are not what its extension says (an SVG with script, HTML
 * renamed to .png).
 */

export type ContentProblem = 'file.unexpected' | 'text.notUtf8' | 'asset.name' | 'asset.type' | 'asset.tooLarge' | 'asset.content';

function isUtf8Text(data: Buffer): boolean {
  if (data.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

export function checkModuleFile(path: string, data: Buffer): ContentProblem | null {
  const [dir, name, ...rest] = path.split('/');
  if (path === 'module.md' || (dir === 'lessons' && name && rest.length === 0 && name.endsWith('.md'))) {
    return isUtf8Text(data) ? null : 'text.notUtf8';
  }
  if (dir !== 'assets' || !name || rest.length > 0) return 'file.unexpected';
  if (!ASSET_NAME.test(name) || name.includes('..')) return 'asset.name';
  const ext = extensionOf(name);
  if (!(ext in ASSET_TYPES)) return 'asset.type';
  if (data.length > MAX_ASSET_BYTES) return 'asset.tooLarge';
  return matchesType(ext, data) ? null : 'asset.content';
}
