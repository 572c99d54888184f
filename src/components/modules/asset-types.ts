import path from 'node:path';
import { ASSET_NAME, ASSET_TYPES } from './format.js';

/**
 * Checks that a file is what its extension says, by its first bytes. Uploads and module folders go
 * through the same check, so an HTML page renamed to .png never reaches a browser as an image.
 */

const startsWith = (data: Buffer, bytes: number[], at = 0) => bytes.every((b, i) => data[at + i] === b);
const ascii = (data: Buffer, text: string, at = 0) => data.subarray(at, at + text.length).toString('latin1') === text;

function utf8Text(data: Buffer): string | undefined {
  if (data.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
}

/** SVG may carry script; it is only accepted without any (and is served under a sandboxing CSP too). */
function isHarmlessSvg(data: Buffer): boolean {
  const text = utf8Text(data);
  if (text === undefined) return false;
  if (!/<svg[\s>]/i.test(text.slice(0, 4096))) return false;
  if (/<script|<foreignobject|<iframe|<embed|<object|\son[a-z]+\s*=|javascript:|<!entity/i.test(text)) return false;
  // Links inside the drawing may only point within it (#id), never to another document.
  return !/\bhref\s*=\s*(["'])(?!#)/i.test(text) && !/\bhref\s*=\s*[^"'\s#]/i.test(text);
}

export function matchesType(ext: string, data: Buffer): boolean {
  switch (ext) {
    case '.png':
      return startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case '.jpg':
    case '.jpeg':
      return startsWith(data, [0xff, 0xd8, 0xff]);
    case '.webp':
      return ascii(data, 'RIFF') && ascii(data, 'WEBP', 8);
    case '.svg':
      return isHarmlessSvg(data);
    case '.vtt': {
      const text = utf8Text(data);
      return text !== undefined && /^\ufeff?WEBVTT(\s|$)/.test(text);
    }
    case '.md':
      return utf8Text(data) !== undefined;
    case '.mp4':
      return ascii(data, 'ftyp', 4);
    case '.webm':
      return startsWith(data, [0x1a, 0x45, 0xdf, 0xa3]);
    default:
      return false;
  }
}

export function extensionOf(name: string): string {
  return path.posix.extname(name).toLowerCase();
}

export function isAllowedAssetName(name: string): boolean {
  return ASSET_NAME.test(name) && !name.includes('..') && extensionOf(name) in ASSET_TYPES;
}

/**
 * A safe file name from whatever a browser sent: the last path segment, Norwegian letters folded,
 * everything else outside [A-Za-z0-9._-] to hyphens. Returns undefined when nothing usable is left.
 */
export function sanitiseAssetName(raw: string): string | undefined {
  const last = raw.split(/[\\/]/).pop() ?? '';
  const folded = last
    .replace(/æ/g, 'ae').replace(/Æ/g, 'Ae').replace(/ø/g, 'o').replace(/Ø/g, 'O').replace(/å/g, 'a').replace(/Å/g, 'A')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
  const cleaned = folded.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/\.{2,}/g, '.').replace(/^[-._]+/, '').slice(-100);
  return cleaned && ASSET_NAME.test(cleaned) ? cleaned : undefined;
}
