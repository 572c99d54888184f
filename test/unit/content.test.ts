import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { paths } from '../../src/config/index.js';
import { checkModulesDir, formatProblem, parseModule, readModulesDir, type ParsedModule } from '../../src/components/modules/index.js';
import { scoreAnswers } from '../../src/activities/index.js';

/**
 * The course content (issue: seven real modules). Every module must have the parts a staff group
 * needs to learn together, and cite only law sections we are sure of (see shared REFERENCES.md).
 */

interface QuizQuestion { id: string; text: string; options: Array<{ text: string; correct: boolean; explanation?: string }> }
interface TeamSession { minutes: number; purpose: string; preparation: string[]; steps: Array<{ title: string; minutes: number; description: string }>; questions: string[]; followUp?: string }

/** Section numbers whose confidence is high in REFERENCES.md: barnehageloven § 3 and §§ 41–43, opplæringslova § 12-4. */
const SECTIONS_WE_ARE_SURE_OF = new Set(['3', '41', '42', '43', '12-4']);

/**
 * Issue 16: a section may also be cited when the module's review trail (docs/content-review/<slug>.md,
 * a translation using its source's trail too) records it as checked with high confidence: a table row
 * whose "How sure" cell starts with "high" and whose "Section" cell names it.
 */
function sectionsCheckedInTrail(slugs: string[]): Set<string> {
  const checked = new Set<string>();
  for (const slug of slugs) {
    const file = path.join(paths.root, 'docs', 'content-review', `${slug}.md`);
    if (!existsSync(file)) continue;
    let columns: { section: number; sure: number } | null = null;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.startsWith('|')) { columns = null; continue; }
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      if (!columns) {
        const section = cells.indexOf('Section');
        const sure = cells.indexOf('How sure');
        columns = section >= 0 && sure >= 0 ? { section, sure } : null;
        continue;
      }
      if (!/^high\b/i.test(cells[columns.sure] ?? '')) continue;
      for (const m of (cells[columns.section] ?? '').matchAll(/\d+(?:-\d+)?/g)) checked.add(m[0]);
    }
  }
  return checked;
}

describe('content: the course modules in modules/', () => {
  let modules: ParsedModule[] = [];

  before(async () => {
    const sources = await readModulesDir(paths.modules);
    const parsed = sources.map((source) => parseModule(source));
    const problems = parsed.flatMap((p) => p.problems.map((x) => `${x.file}:${x.line}: ${x.message}`));
    expect(problems, 'modules:check problems').to.deep.equal([]);
    modules = parsed.map((p) => p.module!);
  });

  it('there are the seven modules of the plan, the habilitation module and the nynorsk Medvirkning', () => {
    expect(modules.map((m) => m.slug).sort()).to.deep.equal([
      'bekymringsfullt-skolefravaer',
      'habilitering',
      'inkluderende-fellesskap',
      'laget-rundt-barnet',
      'medvirkning',
      'medvirkning-nn',
      'samspill-og-forebygging',
      'universell-utforming',
      'voksenrollen',
    ]);
  });

  it('every module: 45–90 minutes in 3–5 lessons, measure 3, goals, sources, CC BY 4.0', () => {
    for (const m of modules) {
      const fm = m.frontMatter;
      expect(fm.minutes, m.slug).to.be.within(45, 90);
      expect(m.lessons.length, m.slug).to.be.within(3, 5);
      expect(fm.measures, m.slug).to.include(3);
      expect(fm.goals.length, `${m.slug} goals`).to.be.at.least(3);
      expect(fm.sources.length, `${m.slug} sources`).to.be.at.least(2);
      expect(fm.license, m.slug).to.equal('CC-BY-4.0');
      expect(fm.audience, m.slug).to.include.members(['barnehage', 'skole', 'sfo']);
    }
  });

  it('every lesson has at least one reflection', () => {
    for (const m of modules) {
      for (const lesson of m.lessons) {
        const kinds = m.activities.filter((a) => a.lessonSlug === lesson.slug).map((a) => a.kind);
        expect(kinds, `${m.slug}/${lesson.slug}`).to.include('reflection');
      }
    }
  });

  it('every module has one scenario quiz whose declared correct options, and only those, score full marks', () => {
    for (const m of modules) {
      const quizzes = m.activities.filter((a) => a.kind === 'quiz');
      expect(quizzes, `${m.slug} quizzes`).to.have.length(1);
      const settings = quizzes[0]!.settings as { passMark: number; questions: QuizQuestion[] };
      expect(settings.questions.length, m.slug).to.be.within(4, 6);
      expect(settings.questions.some((q) => q.options.filter((o) => o.correct).length > 1), `${m.slug}: a question with several right answers`).to.equal(true);
      for (const q of settings.questions) {
        expect(q.options.every((o) => (o.explanation ?? '').trim().length > 20), `${m.slug}/${q.id}: an explanation for every option`).to.equal(true);
        const right = q.options.flatMap((o, i) => (o.correct ? [i] : []));
        const only = { passMark: 100, questions: [q] } as never;
        expect(scoreAnswers(only, { [q.id]: right }), `${m.slug}/${q.id} declared answers`).to.equal(100);
        // Any other choice of options is wrong: one option fewer, one option more, or another single option.
        if (right.length > 1) expect(scoreAnswers(only, { [q.id]: right.slice(1) }), `${m.slug}/${q.id} partial`).to.equal(0);
        const wrong = q.options.findIndex((o) => !o.correct);
        expect(scoreAnswers(only, { [q.id]: [...right, wrong] }), `${m.slug}/${q.id} extra`).to.equal(0);
        expect(scoreAnswers(only, { [q.id]: [wrong] }), `${m.slug}/${q.id} wrong`).to.equal(0);
      }
    }
  });

  it('every module has a workplace task and a 90-minute team-session guide for the leader', () => {
    for (const m of modules) {
      expect(m.activities.filter((a) => a.kind === 'workplace-task').length, `${m.slug} workplace tasks`).to.be.at.least(1);
      const sessions = m.activities.filter((a) => a.kind === 'team-session');
      expect(sessions, `${m.slug} team sessions`).to.have.length(1);
      const s = sessions[0]!.settings as unknown as TeamSession;
      expect(s.minutes, m.slug).to.equal(90);
      expect(s.purpose.trim(), m.slug).to.not.equal('');
      expect(s.preparation.length, `${m.slug} preparation`).to.be.at.least(1);
      expect(s.steps.reduce((sum, step) => sum + step.minutes, 0), `${m.slug} steps`).to.be.within(75, 90);
      expect(s.questions.length, `${m.slug} discussion questions`).to.be.at.least(3);
      expect((s.followUp ?? '').trim(), `${m.slug} follow-up`).to.not.equal('');
    }
  });

  it('no invented films or links: no video activities and no web links in the lesson text', () => {
    for (const m of modules) {
      expect(m.activities.filter((a) => a.kind === 'video'), m.slug).to.deep.equal([]);
      const folder = path.join(paths.modules, m.slug);
      const files = ['module.md', ...readdirSync(path.join(folder, 'lessons')).map((f) => `lessons/${f}`)];
      for (const file of files) {
        expect(readFileSync(path.join(folder, file), 'utf8'), `${m.slug}/${file}`).not.to.match(/https?:\/\//);
      }
    }
  });

  it('law sections are cited only where we are sure of the number', () => {
    for (const m of modules) {
      const folder = path.join(paths.modules, m.slug);
      const files = ['module.md', ...readdirSync(path.join(folder, 'lessons')).map((f) => `lessons/${f}`)];
      const trail = sectionsCheckedInTrail([m.slug, ...(m.frontMatter.translationOf ? [m.frontMatter.translationOf] : [])]);
      for (const file of files) {
        const text = readFileSync(path.join(folder, file), 'utf8');
        for (const match of text.matchAll(/§§?\s*(\d+(?:-\d+)?)(?:\s*[–-]\s*(\d+))?/g)) {
          for (const section of [match[1], match[2]].filter(Boolean) as string[]) {
            expect(SECTIONS_WE_ARE_SURE_OF.has(section) || trail.has(section), `${m.slug}/${file} cites § ${section}`).to.equal(true);
          }
        }
        expect(text, `${m.slug}/${file}: LK20 3.1 is not certain`).not.to.match(/overordnet del,? (kapittel |punkt )?3\.1/i);
      }
    }
  });

  it('the nynorsk Medvirkning is a full translation: same lessons and activities, language nn', () => {
    const nb = modules.find((m) => m.slug === 'medvirkning')!;
    const nn = modules.find((m) => m.slug === 'medvirkning-nn')!;
    expect(nn.frontMatter.language).to.equal('nn');
    expect(nn.frontMatter.translationOf).to.equal('medvirkning');
    expect(nn.lessons.map((l) => l.slug)).to.deep.equal(nb.lessons.map((l) => l.slug));
    expect(nn.activities.map((a) => `${a.kind}:${a.id}`)).to.deep.equal(nb.activities.map((a) => `${a.kind}:${a.id}`));
    // Written in nynorsk, not bokmål: common nynorsk forms appear, bokmål-only forms do not.
    const text = nn.lessons.map((l) => l.html).join(' ');
    expect(text).to.match(/\b(ikkje|korleis|kva|eit)\b/);
    expect(text).not.to.match(/\b(ikke|hvordan|hva)\b/);
  });

  it('issue 16 editorial rules (review trail, summaries, glossary, one cast, quiz form): every module meets every rule, warnings included', async () => {
    const { problems } = await checkModulesDir(paths.modules, { editorial: { today: new Date() } });
    expect(problems.map(formatProblem)).to.deep.equal([]);
  });
});
