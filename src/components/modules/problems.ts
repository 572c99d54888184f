import type { z } from 'zod';

/**
 * Every problem the checker finds: a file (relative to the modules folder), a 1-based line, a code
 * and its parameters. The English message is for the command line; the browser editor shows the
 * Norwegian text of `authoring:problems.<code>` with the same parameters.
 */

const MESSAGES = {
  'file.unexpected': 'unexpected file {file}: a module holds module.md, lessons/NN-slug.md and assets/',
  'file.tooMany': 'the module has {count} files; at most {max} are allowed',
  'file.missing': '{field} refers to {target}, which is not a file in this module',
  'file.wrongType': '{field}: {target} must be a {extensions} file',
  'module.missingFile': 'module.md is missing',
  'module.slug': 'the folder name "{slug}" is not a valid module slug (a-z, 0-9 and single hyphens)',
  'module.tooLarge': 'the module\'s Markdown is {size} KB; at most {max} KB is allowed',
  'frontMatter.missing': 'front matter is missing: the file must start with a line "---", then YAML, then "---"',
  'frontMatter.code': 'front matter must be YAML between "---" lines; "{opener}" is not allowed (code is never run)',
  'frontMatter.unclosed': 'front matter is not closed by a "---" line',
  'yaml.syntax': 'YAML error: {detail}',
  'yaml.notMapping': 'the YAML must be "key: value" lines',
  'field.required': '{where}: "{field}" is required',
  'field.type': '{where}: "{field}" must be {expected}',
  'field.tooShortText': '{where}: "{field}" must have at least {minimum} characters',
  'field.tooLongText': '{where}: "{field}" must have at most {maximum} characters',
  'field.tooSmallNumber': '{where}: "{field}" must be at least {minimum}',
  'field.tooBigNumber': '{where}: "{field}" must be at most {maximum}',
  'field.tooFewItems': '{where}: "{field}" must have at least {minimum} item(s)',
  'field.tooManyItems': '{where}: "{field}" must have at most {maximum} items',
  'field.value': '{where}: "{field}" must be one of: {values}',
  'field.unknown': '{where}: unknown setting "{field}"',
  'field.format': '{where}: "{field}" {detail}',
  'field.invalid': '{where}: "{field}" is not valid ({detail})',
  'lesson.fileName': 'lesson file name "{name}" must be NN-slug.md (two digits, a hyphen, then a-z, 0-9 and hyphens)',
  'lesson.missing': 'lesson {number} is missing: lessons are numbered 01, 02, 03 … without gaps',
  'lesson.duplicateNumber': 'two lessons are numbered {number}',
  'lesson.none': 'the module has no lessons: add lessons/01-<slug>.md',
  'lesson.reservedSlug': 'lesson file name "{name}": "{slug}" is the address of the module\'s glossary page; choose another name',
  'heading.level1': 'use "##" and below for headings: the title is the page\'s only level-1 heading',
  'heading.duplicate': 'heading id "{id}" is already used on line {first}: give this heading a different text',
  'activity.unknownKind': 'unknown activity kind "{kind}" (known kinds: {kinds})',
  'activity.container': '"::: {kind}" containers are not supported: write a fenced block ```{kind} holding YAML settings',
  'activity.implicit': 'a "{kind}" activity is added to every lesson automatically: remove this block',
  'activity.duplicateId': 'activity id "{id}" is already used in {otherFile} on line {otherLine}',
  'link.refused': 'link to "{href}" is not allowed: use https:, http:, mailto: or a path inside the module',
  'link.broken': 'broken link: "{href}" is not a file in this module',
  'link.anchor': 'broken link: "{href}" points to a heading id that does not exist',
  'image.remote': 'image "{src}" must be a file in assets/ (images from other sites are not shown)',
  'image.missing': 'image "{src}" is not a file in this module\'s assets/',
  'image.alt': 'image "{src}" needs alt text: ![what the picture shows]({src})',
  'asset.name': 'asset file name "{name}" may only contain letters, digits, ".", "-" and "_"',
  'asset.type': 'asset "{name}": files of type "{ext}" are not allowed (allowed: {allowed})',
  'asset.tooLarge': 'asset "{name}" is {size} MB; at most {max} MB is allowed per file',
  'asset.content': 'asset "{name}" does not contain what its name says ({ext})',
  'prerequisite.unknown': 'prerequisite "{slug}" is not a module',
  'prerequisite.self': 'a module cannot be its own prerequisite',
  'prerequisite.cycle': 'prerequisites form a cycle: {cycle}',
  'translationOf.unknown': 'translationOf "{slug}" is not a module',
  'video.srcOrEmbed': '{where}: give either "src" (a file in assets/) or "embed" (an allow-listed URL), not both',
  'video.embedHost': '{where}: "embed" must be an https URL on {hosts}',
  'quiz.noCorrect': '{where}: question "{id}" has no correct answer (mark at least one option "correct: true")',
  'quiz.noExplanation': '{where}: option {option} of question "{id}" has no explanation',
  'quiz.duplicateQuestion': '{where}: question id "{id}" is used twice',
  'selfAssessment.duplicateStatement': '{where}: statement id "{id}" is used twice',
  'teamSession.stepsTooLong': '{where}: the steps take {total} minutes, more than the session\'s {minutes}',
  // Editorial rules (issue 16), checked by modules:check on modules that pass the format checks.
  'review.missing': '"{field}" is required: {hint}',
  'review.overdue': '"{field}" is {date}, more than 12 months ago: review the module and update the date',
  'review.future': '"{field}" is {date}, a date in the future',
  'lesson.summaryMissing': 'the lesson has no "summary": write 1–3 short plain-language sentences (shown as "Kort fortalt")',
  'lesson.summaryHeading': '"summary" starts with "Kort fortalt": leave it out, the page adds that heading',
  'glossary.count': 'the glossary has {count} term(s); give 4–12 terms a second-language reader may not know',
  'glossary.duplicate': 'glossary term "{term}" is defined twice (first on line {first})',
  'glossary.unused': 'glossary term "{term}" is never used in a lesson of this module: use it or remove it',
  'cast.duplicate': 'cast name "{name}" is listed twice (first on line {first}): one name, one person',
  'cast.unused': 'cast name "{name}" is never used in this module\'s text',
  'cast.shared': 'cast name "{name}" is also in the cast of {other}: names are unique across the course',
  'cast.foreign': '"{name}" is a person in the cast of {other}, not of this module: use a name from this module\'s cast',
  'heading.namesPerson': 'heading "{heading}" names {name}: name the situation, not the child',
  'quiz.fewOptions': 'question "{id}" has {count} option(s); give at least 4',
  'quiz.countHint': 'question "{id}" says how many answers are right ("{hint}"): leave that out unless the task needs it',
  'quiz.longestCorrect': 'question "{id}": a correct option is the longest, as in {count} of {total} questions of this module (at most {max}): make a wrong option as full',
} as const;

/** Codes reported as warnings: the module can still be published, but modules:check wants them fixed. */
const WARNINGS: ReadonlySet<string> = new Set([
  'review.overdue',
  'review.future',
  'lesson.summaryHeading',
  'glossary.count',
  'glossary.duplicate',
  'glossary.unused',
  'cast.unused',
  'cast.foreign',
  'heading.namesPerson',
  'quiz.fewOptions',
  'quiz.countHint',
  'quiz.longestCorrect',
]);
export type Severity = 'error' | 'warning';

export type ProblemCode = keyof typeof MESSAGES;
export const PROBLEM_CODES = Object.keys(MESSAGES) as ProblemCode[];
export type ProblemParams = Record<string, string | number>;

export interface Problem {
  /** Path relative to the modules folder, e.g. `inkluderende-fellesskap/lessons/01-intro.md`. */
  file: string;
  line: number;
  code: ProblemCode;
  params: ProblemParams;
  message: string;
  severity: Severity;
}

function fill(template: string, params: ProblemParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function problem(file: string, line: number, code: ProblemCode, params: ProblemParams = {}): Problem {
  return { file, line, code, params, message: fill(MESSAGES[code], params), severity: WARNINGS.has(code) ? 'warning' : 'error' };
}

/** `file:line: message`; warnings say so, errors keep the plain form editors already parse. */
export function formatProblem(p: Pick<Problem, 'file' | 'line' | 'message'> & { severity?: Severity }): string {
  return `${p.file}:${p.line}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}

export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.message.localeCompare(b.message));
}

/** Hints for regex formats, so the browser can say in Norwegian what the format is. */
const FORMAT_HINTS: Record<string, string> = {
  'must be lowercase letters, digits and single hyphens': 'slug',
  'must be a module slug': 'slug',
  'must be "MAJOR.MINOR" in quotes, e.g. "1.0"': 'version',
  'must be an SPDX licence id such as CC-BY-4.0': 'license',
  'must be a date written YYYY-MM-DD, e.g. 2026-12-05': 'date',
};

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = data;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

const fieldName = (path: ReadonlyArray<PropertyKey>) => path.map(String).join('.') || '(settings)';

/**
 * Turns zod issues into problems. `lineOf(path)` gives the line of a YAML key (or of its nearest
 * existing parent), so a missing or wrong setting is reported where the author can see it.
 */
export function zodProblems(
  issues: ReadonlyArray<z.core.$ZodIssue>,
  raw: unknown,
  file: string,
  lineOf: (path: ReadonlyArray<PropertyKey>) => number,
  where: string,
): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path;
    const field = fieldName(path);
    const line = lineOf(path);
    switch (issue.code) {
      case 'invalid_type':
        if (valueAt(raw, path) === undefined) out.push(problem(file, line, 'field.required', { where, field }));
        else out.push(problem(file, line, 'field.type', { where, field, expected: issue.expected }));
        break;
      case 'too_small': {
        const minimum = Number(issue.minimum);
        const code = issue.origin === 'string' ? 'field.tooShortText' : issue.origin === 'array' || issue.origin === 'set' ? 'field.tooFewItems' : 'field.tooSmallNumber';
        if (issue.origin === 'string' && minimum === 1) out.push(problem(file, line, 'field.required', { where, field }));
        else out.push(problem(file, line, code, { where, field, minimum }));
        break;
      }
      case 'too_big': {
        const maximum = Number(issue.maximum);
        const code = issue.origin === 'string' ? 'field.tooLongText' : issue.origin === 'array' || issue.origin === 'set' ? 'field.tooManyItems' : 'field.tooBigNumber';
        out.push(problem(file, line, code, { where, field, maximum }));
        break;
      }
      case 'invalid_value':
        out.push(problem(file, line, 'field.value', { where, field, values: issue.values.map(String).join(', ') }));
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          out.push(problem(file, lineOf([...path, key]), 'field.unknown', { where, field: fieldName([...path, key]) }));
        }
        break;
      case 'invalid_format':
        out.push(problem(file, line, 'field.format', { where, field, detail: issue.message, hint: FORMAT_HINTS[issue.message] ?? '' }));
        break;
      case 'custom': {
        const params = (issue.params ?? {}) as Record<string, string | number>;
        const code = params.code as ProblemCode | undefined;
        if (code && code in MESSAGES) out.push(problem(file, line, code, { ...params, where, field }));
        else out.push(problem(file, line, 'field.invalid', { where, field, detail: issue.message }));
        break;
      }
      default:
        out.push(problem(file, line, 'field.invalid', { where, field, detail: issue.message }));
    }
  }
  return out;
}
