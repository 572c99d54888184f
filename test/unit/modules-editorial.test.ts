import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { paths } from '../../src/config/index.js';
import { checkModules, checkModulesDir, formatProblem, PROBLEM_CODES } from '../../src/components/modules/index.js';
import { loadResources } from '../../src/web/i18n.js';
import { containsWord } from '../../src/lib/words.js';
import { lessonMd, moduleMd, sourceOf } from '../helpers/module-source.js';
import { prng } from '../helpers/prng.js';

/**
 * modules:check's editorial rules (issue 16): fixtures that break each rule once, a course that
 * meets them all, and generated cases (fixed seeds) for the rules that decide by comparing things.
 */

const FIXTURES = path.join(paths.root, 'test', 'fixtures');
const TODAY = new Date('2026-12-05T00:00:00Z');
const editorial = { today: TODAY };

const TRAIL = 'owner: "Redaksjonen"\nreviewed: 2026-11-01\nlegalCheck: 2026-11-01';
const GLOSSARY = ['ord-a', 'ord-b', 'ord-c', 'ord-d'].map((t) => `  - term: ${t}\n    explanation: "Forklaring."`).join('\n');
const summaryLesson = (title: string, body: string) => `---\ntitle: ${title}\nsummary: "Kort og enkelt."\n---\n\n${body}\n`;

describe('modules:check – editorial rules (issue 16)', () => {
  it('a course that meets every rule, with a nynorsk translation sharing its cast: no problems, reviews listed', async () => {
    const { problems, reviews } = await checkModulesDir(path.join(FIXTURES, 'modules-editorial'), { editorial });
    expect(problems.map(formatProblem)).to.deep.equal([]);
    expect(reviews.map((r) => [r.slug, r.reviewed, r.legalCheck, r.overdue])).to.deep.equal([
      ['godt-lag', '2026-11-20', '2026-11-20', []],
      ['godt-lag-nn', '2026-11-20', '2026-11-20', []],
    ]);
  });

  it('the broken fixtures: each rule reported once where it is broken, with file:line, errors and warnings marked', async () => {
    const { problems } = await checkModulesDir(path.join(FIXTURES, 'modules-editorial-broken'), { editorial });
    expect(problems.map(formatProblem)).to.deep.equal([
      'gammel-gjennomgang/lessons/01-laget.md:4: warning: "summary" starts with "Kort fortalt": leave it out, the page adds that heading',
      'gammel-gjennomgang/module.md:18: warning: "reviewed" is 2025-11-19, more than 12 months ago: review the module and update the date',
      'gammel-gjennomgang/module.md:19: warning: "legalCheck" is 2027-01-02, a date in the future',
      'mangler-spor/lessons/01-laget.md:1: the lesson has no "summary": write 1–3 short plain-language sentences (shown as "Kort fortalt")',
      'mangler-spor/module.md:2: "legalCheck" is required: the date the legal references were last checked, YYYY-MM-DD',
      'mangler-spor/module.md:2: "owner" is required: the subject owner, a role such as "Fellesskap redaksjon, fagansvarlig PPT"',
      'mangler-spor/module.md:2: "reviewed" is required: the date of the last subject review, YYYY-MM-DD',
      'mangler-spor/module.md:17: warning: the glossary has 2 term(s); give 4–12 terms a second-language reader may not know',
      'ordliste/module.md:23: warning: glossary term "barnekoordinator" is never used in a lesson of this module: use it or remove it',
      'ordliste/module.md:25: warning: glossary term "Ansvarsgruppe" is defined twice (first on line 21)',
      'ordliste/module.md:27: warning: glossary term "plan" is never used in a lesson of this module: use it or remove it',
      'quiz-form/lessons/01-laget.md:16: warning: question "q1": a correct option is the longest, as in 3 of 4 questions of this module (at most 2): make a wrong option as full',
      'quiz-form/lessons/01-laget.md:17: warning: question "q1" says how many answers are right ("Velg to"): leave that out unless the task needs it',
      'quiz-form/lessons/01-laget.md:31: warning: question "q2" has 3 option(s); give at least 4',
      'quiz-form/lessons/01-laget.md:31: warning: question "q2": a correct option is the longest, as in 3 of 4 questions of this module (at most 2): make a wrong option as full',
      'quiz-form/lessons/01-laget.md:43: warning: question "q3": a correct option is the longest, as in 3 of 4 questions of this module (at most 2): make a wrong option as full',
      'quiz-form/lessons/01-laget.md:44: warning: question "q3" says how many answers are right ("To svar er riktige"): leave that out unless the task needs it',
      'rollefigurer-to/module.md:32: cast name "Tiril" is also in the cast of rollefigurer: names are unique across the course',
      'rollefigurer/lessons/01-laget.md:7: warning: heading "Tiril som tar" names Tiril: name the situation, not the child',
      'rollefigurer/lessons/01-laget.md:9: warning: "Jonas" is a person in the cast of rollefigurer-to, not of this module: use a name from this module\'s cast',
      'rollefigurer/module.md:32: cast name "Tiril" is also in the cast of rollefigurer-to: names are unique across the course',
      'rollefigurer/module.md:36: cast name "Ulrik" is listed twice (first on line 34): one name, one person',
      'rollefigurer/module.md:38: warning: cast name "Vilja" is never used in this module\'s text',
    ]);
  });

  it('modules with format problems get no editorial findings (fix the format first); publishing checks stay format-only', async () => {
    const broken = path.join(FIXTURES, 'modules-broken');
    const format = await checkModulesDir(broken);
    const both = await checkModulesDir(broken, { editorial });
    expect(both.problems.map(formatProblem)).to.deep.equal(format.problems.map(formatProblem));
    const plain = await checkModulesDir(path.join(FIXTURES, 'modules-editorial-broken'));
    expect(plain.problems).to.deep.equal([]);
  });

  it('whole words, any case (generated): a glossary term counts when it stands alone, never inside a longer word', () => {
    const random = prng(16);
    const letters = 'abcdefghijklmnopqrstuvwxyzæøå';
    const word = (n: number) => Array.from({ length: n }, () => letters[Math.floor(random() * letters.length)]).join('');
    const separators = [' ', ', ', '. ', '\n', ' (', ') ', ' «', '» ', ': ', '-'];
    for (let i = 0; i < 500; i += 1) {
      const term = word(3 + Math.floor(random() * 8));
      const sep = () => separators[Math.floor(random() * separators.length)]!;
      const cased = random() < 0.5 ? term.toUpperCase() : term[0]!.toUpperCase() + term.slice(1);
      const alone = `${word(4)}${sep()}${cased}${sep()}${word(5)}`;
      expect(containsWord(alone, [term], { ignoreCase: true }), alone).to.equal(true);
      const inside = `${word(4)} ${word(1 + Math.floor(random() * 3))}${term}${random() < 0.5 ? word(2) : ''} ${word(3)}`;
      const embeddedOnly = !inside.split(/[^\p{L}\p{N}]+/u).some((w) => w.toLowerCase() === term);
      if (embeddedOnly) expect(containsWord(inside, [term], { ignoreCase: true }), inside).to.equal(false);
    }
  });

  it('the 12-month rule (generated dates): a review date is overdue exactly when it is before the same day a year earlier', () => {
    const random = prng(12);
    for (let i = 0; i < 120; i += 1) {
      const days = Math.floor(random() * 800) - 30;
      const date = new Date(TODAY.getTime() - days * 86_400_000).toISOString().slice(0, 10);
      const source = sourceOf('m', {
        'module.md': moduleMd('m', `owner: "R"\nreviewed: ${date}\nlegalCheck: 2026-12-01\nglossary:\n${GLOSSARY}`),
        'lessons/01-a.md': summaryLesson('A', 'ord-a ord-b ord-c ord-d'),
      });
      const { problems, reviews } = checkModules([source], { editorial });
      const overdue = date < '2025-12-05';
      expect(reviews[0]!.overdue, date).to.deep.equal(overdue ? ['reviewed'] : []);
      expect(problems.map((p) => p.code), date).to.deep.equal(overdue ? ['review.overdue'] : date > '2026-12-05' ? ['review.future'] : []);
    }
  });

  it('longest correct option (generated quizzes): warned on each such question exactly when they are more than half', () => {
    const random = prng(41);
    for (let i = 0; i < 150; i += 1) {
      const count = 1 + Math.floor(random() * 7);
      let longestCorrect = 0;
      const questions = Array.from({ length: count }, (_, q) => {
        const options = Array.from({ length: 4 }, (_, o) => ({ text: 'x'.repeat(3 + Math.floor(random() * 6)) + ` ${o}`, correct: o === 0 }));
        const lengths = options.map((o) => o.text.length);
        const max = Math.max(...lengths);
        if (lengths.filter((l) => l === max).length === 1 && lengths[0] === max) longestCorrect += 1;
        return [`  - id: q${q}`, `    text: Spørsmål ${q}?`, '    options:', ...options.flatMap((o) => [`      - text: "${o.text}"`, `        correct: ${o.correct}`, '        explanation: "Fordi."'])].join('\n');
      });
      const quiz = ['```quiz', 'id: sjekk', 'title: Sjekk', 'questions:', ...questions, '```'].join('\n');
      const source = sourceOf('m', {
        'module.md': moduleMd('m', `${TRAIL}\nglossary:\n${GLOSSARY}`),
        'lessons/01-a.md': summaryLesson('A', `ord-a ord-b ord-c ord-d\n\n${quiz}`),
      });
      const { problems } = checkModules([source], { editorial });
      expect(problems.filter((p) => p.code !== 'quiz.longestCorrect').map(formatProblem)).to.deep.equal([]);
      const warned = problems.filter((p) => p.code === 'quiz.longestCorrect').length;
      expect(warned, `${longestCorrect} of ${count}`).to.equal(longestCorrect > Math.floor(count / 2) ? longestCorrect : 0);
    }
  });

  it('count hints: bokmål, nynorsk and English phrasings are found; a question that only mentions a number is not', () => {
    const hinted = ['Velg to svar.', 'Vel tre alternativ.', 'To svar er riktige.', 'Kryss av for alle som passer.', 'To av svarene er riktige.', 'Choose two.', 'Tre påstandar er rette.'];
    const plain = ['Hva gjør du når to barn krangler?', 'Barnet er to år. Hva gjør du?', 'Hvilke tiltak passer?'];
    const withQuestion = (text: string) => {
      const quiz = ['```quiz', 'id: sjekk', 'title: Sjekk', 'questions:', '  - id: q1', `    text: "${text}"`, '    options:', ...['Ja', 'Nei', 'Kanskje', 'Aldri'].flatMap((t, i) => [`      - text: ${t}`, `        correct: ${i === 0}`, '        explanation: "Fordi."']), '```'].join('\n');
      const source = sourceOf('m', { 'module.md': moduleMd('m', `${TRAIL}\nglossary:\n${GLOSSARY}`), 'lessons/01-a.md': summaryLesson('A', `ord-a ord-b ord-c ord-d\n\n${quiz}`) });
      return checkModules([source], { editorial }).problems.map((p) => p.code);
    };
    for (const text of hinted) expect(withQuestion(text), text).to.include('quiz.countHint');
    for (const text of plain) expect(withQuestion(text), text).not.to.include('quiz.countHint');
    // lessonMd has no summary: that alone is the one error.
    const bare = checkModules([sourceOf('m', { 'module.md': moduleMd('m', `${TRAIL}\nglossary:\n${GLOSSARY}`), 'lessons/01-a.md': lessonMd('A', 'ord-a ord-b ord-c ord-d') })], { editorial });
    expect(bare.problems.map((p) => `${p.code}:${p.severity}`)).to.deep.equal(['lesson.summaryMissing:error']);
  });

  it('the command: warnings printed as such, overdue reviews listed, exit 1; --allow-warnings passes warnings only; a bad --today is refused', function () {
    this.timeout(60_000);
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/modules-check.ts', ...args], { cwd: paths.root, encoding: 'utf8' });
    const broken = run('test/fixtures/modules-editorial-broken', '--today', '2026-12-05');
    expect(broken.status).to.equal(1);
    const lines = broken.stdout.trim().split('\n');
    expect(lines).to.include('test/fixtures/modules-editorial-broken/rollefigurer/module.md:38: warning: cast name "Vilja" is never used in this module\'s text');
    expect(lines).to.include('  gammel-gjennomgang: reviewed 2025-11-19, legalCheck 2027-01-02 (owner: Fellesskap redaksjon, fagansvarlig PPT)');
    expect(lines.at(-1)).to.equal('modules:check: 7 problem(s) and 16 warning(s) in 9 file(s) across 6 module(s)');

    const valid = run('test/fixtures/modules-editorial', '--today', '2026-12-05');
    expect([valid.status, valid.stdout]).to.deep.equal([0, 'modules:check: 2 module(s) checked, no problems\n']);
    // A year later the same course is due for review: warnings only.
    const later = run('test/fixtures/modules-editorial', '--today', '2027-12-01');
    expect(later.status).to.equal(1);
    expect(later.stdout).to.contain('Modules whose review is more than 12 months old:\n  godt-lag: reviewed 2026-11-20');
    expect(run('test/fixtures/modules-editorial', '--today', '2027-12-01', '--allow-warnings').status).to.equal(0);
    const bad = run('test/fixtures/modules-editorial', '--today', '5.12.2026');
    expect([bad.status, bad.stderr]).to.deep.equal([2, 'modules:check: --today must be a date written YYYY-MM-DD, not "5.12.2026"\n']);
  });
});

describe('modules: problem messages in every language', () => {
  it('every problem code has a message in nb, nn and en (authoring:problems.<code>), so the browser editor can say what to fix', () => {
    const resources = loadResources();
    for (const lng of ['nb', 'nn', 'en']) {
      const problems = (resources[lng]!.authoring as { problems: Record<string, Record<string, string>> }).problems;
      const missing = PROBLEM_CODES.filter((code) => {
        const [group, key] = code.split('.');
        return typeof problems[group!]?.[key!] !== 'string';
      });
      expect(missing, lng).to.deep.equal([]);
    }
  });
});
