import { choiceQuestions, registry } from '../../activities/index.js';
import { renderMarkdown } from '../../lib/markdown.js';
import { containsWord, wholeWords } from '../../lib/words.js';
import type { ParseResult, ParsedModule } from './parser.js';
import { splitFrontMatter } from './parser.js';
import { problem, type Problem } from './problems.js';
import type { ModuleSource } from './source.js';
import { parseYaml } from './yaml-source.js';

/**
 * The editorial rules of issue 16 ("content a municipality can put its name on"), on top of the
 * format checks: a review trail on every module, a plain-language summary on every lesson, a used
 * glossary, one cast of named people across the course, and quizzes whose form gives nothing away.
 * They run in `modules:check` only (publishing still needs just a valid format), and only on
 * modules without format problems: those are fixed first, and their content cannot be read reliably.
 */

export interface EditorialOptions {
  /** "Now" for the 12-month review rule; passed in so tests and CI get the same answer every day. */
  today: Date;
}

export interface ReviewStatus {
  slug: string;
  file: string;
  owner: string | null;
  reviewed: string | null;
  legalCheck: string | null;
  /** Fields whose date is more than 12 months before `today`. */
  overdue: Array<'reviewed' | 'legalCheck'>;
}

export interface EditorialResult {
  problems: Problem[];
  reviews: ReviewStatus[];
}

/** Hints like "velg to", "to svar er riktige", "vel tre" (nynorsk), "choose two". */
const COUNT_WORDS = '(?:to|tre|fire|fem|seks|alle|flere|fleire|\\d+|two|three|four|all)';
const COUNT_HINTS = [
  new RegExp(`(?<![\\p{L}])(?:velg|vel|kryss av for|merk|choose|select|pick)\\s+(?:de\\s+|dei\\s+|the\\s+)?${COUNT_WORDS}(?![\\p{L}])`, 'iu'),
  new RegExp(`(?<![\\p{L}])${COUNT_WORDS}\\s+(?:av\\s+)?(?:(?:svar|svaralternativ|alternativ|påstand)(?:ene|a|er|ar|en)?|answers|options)\\s+(?:er|is|are)\\s+(?:riktige|rette|korrekte|riktig|rett|correct|right)(?![\\p{L}])`, 'iu'),
];

const MONTHS_BEFORE_REVIEW = 12;

function monthsBefore(date: Date, months: number): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - months, date.getUTCDate()));
  return d.toISOString().slice(0, 10);
}

interface LessonText {
  file: string;
  body: string;
  bodyOffset: number;
  summaryLine: number;
}

interface ModuleText {
  parsed: ParsedModule;
  source: ModuleSource;
  /** Path prefix of problem files (the slug). */
  at: (file: string) => string;
  lineOf: (path: ReadonlyArray<PropertyKey>) => number;
  introBody: string;
  introOffset: number;
  lessons: LessonText[];
  /** The module's family: a translation shares its source's cast. */
  family: string;
}

function readModuleText(source: ModuleSource, parsed: ParsedModule, prefix: string): ModuleText {
  const at = (file: string) => (prefix ? `${prefix}/${file}` : file);
  const text = (file: string) => source.files.find((f) => f.path === file)?.data.toString('utf8') ?? '';
  const moduleSplit = splitFrontMatter(text('module.md'));
  const yaml = parseYaml(moduleSplit.yaml ?? '', 2);
  const lessons = parsed.lessons.map((lesson) => {
    const split = splitFrontMatter(text(lesson.file));
    const lessonYaml = parseYaml(split.yaml ?? '', 2);
    return { file: lesson.file, body: split.body, bodyOffset: split.bodyOffset, summaryLine: lessonYaml.lineOf(['summary']) };
  });
  return { parsed, source, at, lineOf: yaml.lineOf, introBody: moduleSplit.body, introOffset: moduleSplit.bodyOffset, lessons, family: parsed.frontMatter.translationOf ?? parsed.slug };
}

function reviewTrail(m: ModuleText, today: Date, problems: Problem[]): ReviewStatus {
  const fm = m.parsed.frontMatter;
  const file = m.at('module.md');
  const hints = {
    owner: 'the subject owner, a role such as "Fellesskap redaksjon, fagansvarlig PPT"',
    reviewed: 'the date of the last subject review, YYYY-MM-DD',
    legalCheck: 'the date the legal references were last checked, YYYY-MM-DD',
  } as const;
  for (const field of ['owner', 'reviewed', 'legalCheck'] as const) {
    if (!fm[field]) problems.push(problem(file, m.lineOf([field]), 'review.missing', { field, hint: hints[field] }));
  }
  const cutoff = monthsBefore(today, MONTHS_BEFORE_REVIEW);
  const todayText = today.toISOString().slice(0, 10);
  const overdue: ReviewStatus['overdue'] = [];
  for (const field of ['reviewed', 'legalCheck'] as const) {
    const date = fm[field];
    if (!date) continue;
    if (date < cutoff) {
      overdue.push(field);
      problems.push(problem(file, m.lineOf([field]), 'review.overdue', { field, date }));
    } else if (date > todayText) {
      problems.push(problem(file, m.lineOf([field]), 'review.future', { field, date }));
    }
  }
  return { slug: m.parsed.slug, file, owner: fm.owner ?? null, reviewed: fm.reviewed ?? null, legalCheck: fm.legalCheck ?? null, overdue };
}

function summaries(m: ModuleText, problems: Problem[]): void {
  m.parsed.lessons.forEach((lesson, i) => {
    const text = m.lessons[i]!;
    if (!lesson.summary) problems.push(problem(m.at(lesson.file), 1, 'lesson.summaryMissing'));
    else if (/^\s*kort fortalt/i.test(lesson.summary)) problems.push(problem(m.at(lesson.file), text.summaryLine, 'lesson.summaryHeading'));
  });
}

function glossary(m: ModuleText, problems: Problem[]): void {
  const entries = m.parsed.frontMatter.glossary;
  const file = m.at('module.md');
  if (entries.length < 4 || entries.length > 12) problems.push(problem(file, m.lineOf(['glossary']), 'glossary.count', { count: entries.length }));
  const firstLine = new Map<string, number>();
  const lessonText = m.lessons.map((l) => l.body).join('\n');
  entries.forEach((entry, i) => {
    const line = m.lineOf(['glossary', i, 'term']);
    const key = entry.term.toLocaleLowerCase('nb');
    const first = firstLine.get(key);
    if (first !== undefined) problems.push(problem(file, line, 'glossary.duplicate', { term: entry.term, first }));
    else firstLine.set(key, line);
    if (!containsWord(lessonText, [entry.term, ...entry.forms], { ignoreCase: true })) problems.push(problem(file, line, 'glossary.unused', { term: entry.term }));
  });
}

/** A cast name as written, and the families (a module and its translations) whose cast lists it. */
interface CastOwner {
  name: string;
  /** family → the first module slug of that family listing the name. */
  families: Map<string, string>;
}

/** Cast rules within a module and across the course (`owners` keyed by the lower-cased name). */
function cast(m: ModuleText, owners: ReadonlyMap<string, CastOwner>, problems: Problem[]): void {
  const file = m.at('module.md');
  const texts = [{ file: 'module.md', body: m.introBody, bodyOffset: m.introOffset }, ...m.lessons];
  const allText = texts.map((t) => t.body).join('\n');
  const firstLine = new Map<string, number>();
  m.parsed.frontMatter.cast.forEach((member, i) => {
    const line = m.lineOf(['cast', i, 'name']);
    const key = member.name.toLocaleLowerCase('nb');
    const first = firstLine.get(key);
    if (first !== undefined) problems.push(problem(file, line, 'cast.duplicate', { name: member.name, first }));
    else firstLine.set(key, line);
    if (!containsWord(allText, [member.name], { ignoreCase: false })) problems.push(problem(file, line, 'cast.unused', { name: member.name }));
    const others = [...(owners.get(key)?.families.entries() ?? [])].filter(([family]) => family !== m.family).map(([, slug]) => slug);
    if (others.length > 0) problems.push(problem(file, line, 'cast.shared', { name: member.name, other: others.sort().join(', ') }));
  });

  // A person from another module's cast turning up here is one name standing for two children.
  const own = new Set(m.parsed.frontMatter.cast.map((c) => c.name.toLocaleLowerCase('nb')));
  const foreign = new Map<string, string>();
  for (const [key, owner] of owners) {
    if (own.has(key)) continue;
    const other = [...owner.families.entries()].find(([family]) => family !== m.family);
    if (other) foreign.set(owner.name, other[1]);
  }
  const pattern = wholeWords([...foreign.keys()], { ignoreCase: false });
  if (!pattern) return;
  for (const text of texts) {
    const reported = new Set<string>();
    text.body.split('\n').forEach((lineText, i) => {
      for (const match of lineText.matchAll(pattern)) {
        if (reported.has(match[0])) continue;
        reported.add(match[0]);
        problems.push(problem(m.at(text.file), text.bodyOffset + i + 1, 'cast.foreign', { name: match[0], other: foreign.get(match[0])! }));
      }
    });
  }
}

interface QuestionRef {
  file: string;
  line: number;
  id: string;
}

/**
 * Headings that name a person of the cast, and the form of each quiz question. Returns the number
 * of questions and those whose (a) correct option is the strictly longest, for the module-wide rule.
 */
function headingsAndQuizzes(m: ModuleText, problems: Problem[]): { total: number; longestCorrect: QuestionRef[] } {
  let total = 0;
  const longestCorrect: QuestionRef[] = [];
  const names = m.parsed.frontMatter.cast.map((c) => c.name);
  for (const lesson of m.lessons) {
    const rendered = renderMarkdown(lesson.body, { activityKinds: registry.kindNames, lineOffset: lesson.bodyOffset });
    for (const heading of rendered.headings) {
      const named = names.find((name) => containsWord(heading.text, [name], { ignoreCase: false }));
      if (named) problems.push(problem(m.at(lesson.file), heading.line, 'heading.namesPerson', { heading: heading.text, name: named }));
    }
    for (const fence of rendered.fences) {
      // Only kinds that ask multiple-choice questions (see ActivityKind.choiceQuestions) are checked here.
      if (!registry.get(fence.info)?.choiceQuestions) continue;
      const yaml = parseYaml(fence.content, fence.line + 1);
      const id = (yaml.data as { id?: unknown } | null)?.id;
      const activity = m.parsed.activities.find((a) => a.kind === fence.info && a.id === id);
      if (!activity) continue;
      for (const question of choiceQuestions(activity.kind, activity.settings)) {
        const line = yaml.lineOf(question.path);
        const file = m.at(lesson.file);
        total += 1;
        if (question.options.length < 4) problems.push(problem(file, line, 'quiz.fewOptions', { id: question.id, count: question.options.length }));
        for (const pattern of COUNT_HINTS) {
          const hint = pattern.exec(question.text)?.[0];
          if (hint) {
            problems.push(problem(file, yaml.lineOf(question.textPath), 'quiz.countHint', { id: question.id, hint }));
            break;
          }
        }
        const lengths = question.options.map((o) => [...o.text.trim()].length);
        const max = Math.max(...lengths);
        const longestAt = lengths.flatMap((l, i) => (l === max ? [i] : []));
        if (longestAt.length === 1 && question.options[longestAt[0]!]!.correct) longestCorrect.push({ file, line, id: question.id });
      }
    }
  }
  return { total, longestCorrect };
}

/** The editorial checks for every module that passed the format checks. */
export function editorialProblems(
  sources: ReadonlyArray<ModuleSource>,
  results: ReadonlyArray<ParseResult>,
  /** Slugs of modules with format problems: skipped here. */
  skip: ReadonlySet<string>,
  options: EditorialOptions,
): EditorialResult {
  const problems: Problem[] = [];
  const modules: ModuleText[] = [];
  results.forEach((result, i) => {
    const source = sources[i]!;
    if (!result.module || skip.has(source.slug)) return;
    modules.push(readModuleText(source, result.module, source.slug));
  });

  const owners = new Map<string, CastOwner>();
  for (const m of modules) {
    for (const member of m.parsed.frontMatter.cast) {
      const key = member.name.toLocaleLowerCase('nb');
      const owner = owners.get(key) ?? { name: member.name, families: new Map<string, string>() };
      if (!owner.families.has(m.family)) owner.families.set(m.family, m.parsed.slug);
      owners.set(key, owner);
    }
  }

  const reviews: ReviewStatus[] = [];
  for (const m of modules) {
    reviews.push(reviewTrail(m, options.today, problems));
    summaries(m, problems);
    glossary(m, problems);
    cast(m, owners, problems);
    const { total, longestCorrect } = headingsAndQuizzes(m, problems);
    const allowed = Math.floor(total / 2);
    if (longestCorrect.length > allowed) {
      for (const q of longestCorrect) problems.push(problem(q.file, q.line, 'quiz.longestCorrect', { id: q.id, count: longestCorrect.length, total, max: allowed }));
    }
  }
  return { problems, reviews };
}
