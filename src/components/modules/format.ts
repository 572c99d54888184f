import { z } from 'zod';

/**
 * The module format (modules/README.md is the reference for authors): front-matter schemas, file
 * names, allowed asset types and the limits that keep a module inside one database document.
 */

export const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const LESSON_FILE = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;
/** Asset names as they may appear in a URL and a Content-Disposition header without escaping. */
export const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export const AUDIENCES = ['barnehage', 'skole', 'sfo', 'ppt', 'barnevern', 'helsetjeneste', 'voksenopplaering', 'annet'] as const;
export const THEMES = [
  'inkludering',
  'medvirkning',
  'voksenrollen',
  'tidlig-innsats',
  'skolefravaer',
  'samspill',
  'laget-rundt-barnet',
  'universell-utforming',
  'habilitering',
  'laeringsmiljo',
] as const;
export const LANGUAGES = ['nb', 'nn', 'en'] as const;

/** Each asset is stored as one database document, under MongoDB's 16 MB BSON limit. */
export const MAX_ASSET_BYTES = 15 * 1024 * 1024;
/** All Markdown of a module together: the published snapshot holds it plus the rendered HTML. */
export const MAX_TEXT_BYTES = 2 * 1024 * 1024;
export const MAX_FILES = 300;

export const ASSET_TYPES: Readonly<Record<string, { contentType: string; kind: 'image' | 'captions' | 'transcript' | 'video' }>> = {
  '.png': { contentType: 'image/png', kind: 'image' },
  '.jpg': { contentType: 'image/jpeg', kind: 'image' },
  '.jpeg': { contentType: 'image/jpeg', kind: 'image' },
  '.webp': { contentType: 'image/webp', kind: 'image' },
  '.svg': { contentType: 'image/svg+xml', kind: 'image' },
  '.vtt': { contentType: 'text/vtt; charset=utf-8', kind: 'captions' },
  '.md': { contentType: 'text/plain; charset=utf-8', kind: 'transcript' },
  '.mp4': { contentType: 'video/mp4', kind: 'video' },
  '.webm': { contentType: 'video/webm', kind: 'video' },
};

/** Text files are normalised (no BOM, LF line ends) before hashing and storing. */
export function isTextPath(file: string): boolean {
  return /\.(md|vtt)$/i.test(file);
}

const version = z.string().regex(/^\d{1,3}\.\d{1,3}$/, 'must be "MAJOR.MINOR" in quotes, e.g. "1.0"');
const nonEmptyText = (max: number) => z.string().trim().min(1).max(max);

/**
 * A calendar date written YYYY-MM-DD. The core YAML schema keeps it a string (no timestamp type), so
 * it is checked here as a real date: 2026-02-30 is refused.
 */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date written YYYY-MM-DD, e.g. 2026-12-05', abort: true })
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'must be a date that exists, written YYYY-MM-DD');

/** A word a second-language reader may not know, explained once for the whole module. */
export const glossaryEntrySchema = z
  .object({
    term: nonEmptyText(60),
    /** Other forms of the word (plural, definite) that count as a use of the term. */
    forms: z.array(nonEmptyText(60)).max(12).default([]),
    explanation: nonEmptyText(300),
  })
  .strict();
export type GlossaryEntry = z.infer<typeof glossaryEntrySchema>;

/** A named person in the module's cases: one name, one person, across the whole course. */
export const castMemberSchema = z
  .object({
    name: nonEmptyText(40),
    description: nonEmptyText(200),
  })
  .strict();
export type CastMember = z.infer<typeof castMemberSchema>;

export const moduleFrontMatterSchema = z
  .object({
    title: z.string().trim().min(3).max(120),
    summary: nonEmptyText(300),
    audience: z.array(z.enum(AUDIENCES)).min(1),
    themes: z.array(z.enum(THEMES)).min(1),
    measures: z.array(z.number().int().min(1).max(7)).min(1),
    minutes: z.number().int().min(5).max(600),
    language: z.enum(LANGUAGES),
    version,
    prerequisites: z.array(z.string().regex(SLUG, 'must be a module slug')).default([]),
    translationOf: z.string().regex(SLUG, 'must be a module slug').optional(),
    authors: z.array(nonEmptyText(120)).min(1),
    license: z.string().trim().regex(/^[A-Za-z0-9.+-]{2,40}$/, 'must be an SPDX licence id such as CC-BY-4.0'),
    goals: z.array(nonEmptyText(300)).min(1),
    sources: z.array(nonEmptyText(500)).min(1),
    /** Review trail (issue 16): the subject owner (a role), the last subject review, the last legal check. */
    owner: nonEmptyText(120).optional(),
    reviewed: isoDate.optional(),
    legalCheck: isoDate.optional(),
    glossary: z.array(glossaryEntrySchema).max(30).default([]),
    cast: z.array(castMemberSchema).max(40).default([]),
  })
  .strict();
export type ModuleFrontMatter = z.infer<typeof moduleFrontMatterSchema>;

export const lessonFrontMatterSchema = z
  .object({
    title: z.string().trim().min(1).max(120),
    minutes: z.number().int().min(1).max(240).optional(),
    /** "Kort fortalt": 1–3 plain-language sentences; the page adds the heading. */
    summary: nonEmptyText(500).optional(),
  })
  .strict();

export function parseVersion(value: string): { major: number; minor: number } {
  const [major, minor] = value.split('.').map(Number);
  return { major: major ?? 1, minor: minor ?? 0 };
}
