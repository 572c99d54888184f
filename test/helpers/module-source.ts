import type { ModuleSource } from '../../src/components/modules/index.js';

/** Valid front matter for test modules; override fields by passing YAML lines. */
export function moduleMd(slug: string, extraYaml = '', body = 'Introduksjon.'): string {
  return [
    '---',
    `title: Testmodul ${slug}`,
    'summary: En modul for testene.',
    'audience: [barnehage, skole]',
    'themes: [inkludering]',
    'measures: [3]',
    'minutes: 20',
    'language: nb',
    'version: "1.0"',
    'prerequisites: []',
    'authors: [Testforfatter]',
    'license: CC-BY-4.0',
    'goals:',
    '  - Et mål.',
    'sources:',
    '  - "En kilde."',
    ...(extraYaml ? [extraYaml] : []),
    '---',
    '',
    body,
    '',
  ].join('\n');
}

export function lessonMd(title: string, body: string): string {
  return `---\ntitle: ${title}\nminutes: 10\n---\n\n${body}\n`;
}

export const REFLECTION = '```reflection\nid: tenk\nprompt: Hva tenker du?\n```';

/** A module source from a map of path → text or bytes. */
export function sourceOf(slug: string, files: Record<string, string | Buffer>): ModuleSource {
  return {
    slug,
    files: Object.entries(files)
      .map(([path, data]) => ({ path, data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data }))
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
  };
}

/** The smallest files that pass the type checks. */
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);
export const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(16)]);
export const VTT = 'WEBVTT\n\n00:00.000 --> 00:02.000\nHei\n';
