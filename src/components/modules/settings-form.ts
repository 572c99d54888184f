import { isMap, parseDocument, stringify, type Document } from 'yaml';
import { z } from 'zod';
import { splitFrontMatter } from './parser.js';
import { parseYaml } from './yaml-source.js';

/**
 * The module settings form and module.md: the form shows the front matter as fields, and saving
 * writes module.md back as YAML in the documented order. Values the checker would refuse are
 * written as typed, so the problem is shown next to the field instead of being silently dropped.
 */

const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
const field = (max: number) => z.string().max(max).optional().default('');

/** What the settings form posts (zod at the edge: shapes and sizes, not the module rules). */
export const settingsFormSchema = z.object({
  title: field(500),
  summary: field(2000),
  audience: list,
  themes: list,
  measures: list,
  minutes: field(20),
  language: field(10),
  prerequisites: list,
  translationOf: field(200),
  authors: field(5000),
  license: field(100),
  goals: field(20_000),
  sources: field(20_000),
  owner: field(200),
  reviewed: field(20),
  legalCheck: field(20),
  introduction: field(90_000),
});
export type SettingsForm = z.infer<typeof settingsFormSchema>;

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
const numberOrText = (text: string): number | string => (/^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : text.trim());

/** The front-matter values the form stands for, in the documented order (an empty optional field: no key). */
function formValues(form: SettingsForm, currentVersion: string): Array<[string, unknown]> {
  const optional = (value: string) => value.trim() || undefined;
  return [
    ['title', form.title.trim()],
    ['summary', form.summary.trim()],
    ['audience', form.audience],
    ['themes', form.themes],
    ['measures', form.measures.map(numberOrText)],
    ['minutes', numberOrText(form.minutes)],
    ['language', form.language.trim()],
    ['version', currentVersion],
    ['prerequisites', form.prerequisites],
    ['translationOf', optional(form.translationOf)],
    ['authors', lines(form.authors)],
    ['license', form.license.trim()],
    ['goals', lines(form.goals)],
    ['sources', lines(form.sources)],
    ['owner', optional(form.owner)],
    ['reviewed', optional(form.reviewed)],
    ['legalCheck', optional(form.legalCheck)],
  ];
}

/** The current front matter as an editable YAML document, or none when it cannot be read as a map. */
function currentDocument(source: string | undefined): Document | undefined {
  if (source === undefined) return undefined;
  const split = splitFrontMatter(source);
  if (split.yaml === undefined) return undefined;
  const doc = parseDocument(split.yaml, { schema: 'core', uniqueKeys: true });
  return doc.errors.length === 0 && isMap(doc.contents) ? doc : undefined;
}

/**
 * Writes module.md from the form, keeping the version already in the file. The form's keys are
 * written in place; every other key of the current front matter (glossary, cast, keys the form has
 * no field for) is kept as the author or Git wrote it, so saving the form loses nothing.
 */
export function moduleMdFromForm(form: SettingsForm, currentVersion: string, currentSource?: string): string {
  const doc = currentDocument(currentSource);
  let yaml: string;
  if (doc) {
    for (const [key, value] of formValues(form, currentVersion)) {
      if (value === undefined) doc.delete(key);
      else doc.set(key, doc.createNode(value));
    }
    yaml = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  } else {
    const data = Object.fromEntries(formValues(form, currentVersion).filter(([, value]) => value !== undefined));
    yaml = stringify(data, { lineWidth: 0, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' });
  }
  // The version is always a quoted string, so YAML never reads "1.10" as the number 1.1.
  yaml = yaml.replace(/^version: .*$/m, `version: "${currentVersion.replace(/"/g, '')}"`);
  return `---\n${yaml}---\n\n${form.introduction.replace(/\r\n/g, '\n').trim()}\n`;
}

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const textList = (v: unknown) => (Array.isArray(v) ? v.map(text) : v === undefined || v === null ? [] : [text(v)]);

/** The form's values from module.md, as far as its YAML can be read. */
export function formFromModuleMd(source: string): { form: SettingsForm; version: string } {
  const split = splitFrontMatter(source);
  const raw = split.yaml !== undefined ? parseYaml(split.yaml, 2).data : undefined;
  const data = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  return {
    version: /^\d+\.\d+$/.test(text(data.version)) ? text(data.version) : '1.0',
    form: {
      title: text(data.title),
      summary: text(data.summary),
      audience: textList(data.audience),
      themes: textList(data.themes),
      measures: textList(data.measures),
      minutes: text(data.minutes),
      language: text(data.language) || 'nb',
      prerequisites: textList(data.prerequisites),
      translationOf: text(data.translationOf),
      authors: textList(data.authors).join('\n'),
      license: text(data.license),
      goals: textList(data.goals).join('\n'),
      sources: textList(data.sources).join('\n'),
      owner: text(data.owner),
      reviewed: text(data.reviewed),
      legalCheck: text(data.legalCheck),
      introduction: split.body.replace(/^\n+/, '').replace(/\n+$/, ''),
    },
  };
}

/** The glossary as module.md writes it (plain data for its form; nothing when there is none or it cannot be read). */
export function glossaryOf(source: string): unknown[] {
  const glossary = currentDocument(source)?.toJS({ maxAliasCount: 50 })?.glossary;
  return Array.isArray(glossary) ? (glossary as unknown[]) : [];
}

/**
 * module.md with its glossary replaced (an empty glossary: no key), every other key and the
 * introduction as they were; null when the front matter cannot be read (the settings page shows why).
 */
export function withGlossary(source: string, glossary: readonly unknown[]): string | null {
  const doc = currentDocument(source);
  if (!doc) return null;
  if (glossary.length === 0) doc.delete('glossary');
  else doc.set('glossary', doc.createNode(glossary));
  return `---\n${doc.toString({ lineWidth: 0, flowCollectionPadding: false })}---\n${splitFrontMatter(source).body}`;
}

/** Sets the version in module.md's front matter (browser publishing numbers the version). */
export function withVersion(source: string, version: string): string {
  const split = splitFrontMatter(source);
  if (split.yaml === undefined) return source;
  const yaml = /^version:.*$/m.test(split.yaml) ? split.yaml.replace(/^version:.*$/m, `version: "${version}"`) : `${split.yaml}\nversion: "${version}"`;
  return `---\n${yaml}\n---\n${split.body}`;
}

/** The starting module.md of a module created in the browser: valid except what only the author can write. */
export function newModuleMd(title: string): string {
  return moduleMdFromForm(
    {
      title,
      summary: '',
      audience: [],
      themes: [],
      measures: ['3'],
      minutes: '30',
      language: 'nb',
      prerequisites: [],
      translationOf: '',
      authors: '',
      license: 'CC-BY-4.0',
      goals: '',
      sources: '',
      owner: '',
      reviewed: '',
      legalCheck: '',
      introduction: '',
    },
    '1.0',
  );
}

export function newLessonMd(title: string): string {
  return `---\n${stringify({ title, minutes: 10 }, { lineWidth: 0 })}---\n\n## ${title}\n\n`;
}

/** Which form field a problem in module.md belongs to: its front-matter key, or the introduction. */
export function settingsFieldOf(problemField: string | undefined, line: number, source: string): string {
  const key = (problemField ?? '').split('.')[0] ?? '';
  if (key && key in settingsFormSchema.shape) return key;
  const split = splitFrontMatter(source);
  return line > split.bodyOffset ? 'introduction' : 'general';
}
