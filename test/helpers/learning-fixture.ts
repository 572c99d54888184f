import path from 'node:path';
import { paths } from '../../src/config/index.js';
import { parseModule, publishFromFolder, publishParsed, type PublishOutcome, type VersionKind } from '../../src/components/modules/index.js';
import { clearLearningCaches, CompletionModel, forgetCatalogue, learningVersion, ProgressService, progressId } from '../../src/components/learning/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { clearDatabase } from './database.js';
import { createUser } from './auth.js';
import { MP4, VTT, lessonMd, moduleMd, sourceOf } from './module-source.js';

/**
 * A module with every activity kind, for the learning tests: lesson 1 has a video and a
 * reflection, lesson 2 a quiz and a workplace task, lesson 3 a team session. Every lesson also has
 * its implicit reading activity.
 */

export const QUIZ_CORRECT_EXPLANATION = 'Riktig: et åpent spørsmål lar barnet fortelle selv.';
export const QUIZ_WRONG_EXPLANATION = 'Dette kan barnet svare ja eller nei på.';

const QUIZ = [
  '```quiz',
  'id: sjekk',
  'title: Sjekk forståelsen',
  'passMark: 100',
  'questions:',
  '  - id: q1',
  '    text: Hvilket spørsmål er åpent?',
  '    options:',
  '      - text: Hva skjedde da?',
  '        correct: true',
  `        explanation: "${QUIZ_CORRECT_EXPLANATION}"`,
  '      - text: Var det gøy?',
  '        correct: false',
  `        explanation: "${QUIZ_WRONG_EXPLANATION}"`,
  '```',
].join('\n');

const VIDEO = ['```video', 'id: film', 'title: En samtale i garderoben', 'src: assets/film.mp4', 'captions: assets/film.vtt', 'transcript: assets/film.md', '```'].join('\n');

const REFLECTION = ['```reflection', 'id: tanker', 'title: Dine tanker', 'prompt: Hva legger du merke til hos barna?', '```'].join('\n');

const TASK = ['```workplace-task', 'id: prov', 'title: Prøv i praksis', 'instructions: Still tre åpne spørsmål i løpet av dagen.', 'reportPrompt: Hva skjedde?', '```'].join('\n');

const TEAM = [
  '```team-session',
  'id: team',
  'title: Teammøte om samtaler',
  'purpose: Dele erfaringer med åpne spørsmål.',
  'minutes: 45',
  'steps:',
  '  - title: Runde',
  '    minutes: 20',
  '    description: Alle forteller kort.',
  'questions:',
  '  - Hva lærte vi?',
  '```',
].join('\n');

/** Issue 19: the self-assessment before (top of lesson 1) and after, and the evaluation (end of the last lesson). */
export const SELF_ASSESSMENT_STATEMENTS = [
  { id: 'u1', text: 'Jeg stiller åpne spørsmål til barna.' },
  { id: 'u2', text: 'Jeg gir barna tid til å svare.' },
  { id: 'u3', text: 'Jeg lytter også til barn som ikke bruker ord.' },
  { id: 'u4', text: 'Jeg forteller barna hva som skjedde med det de sa.' },
];
const selfAssessmentBlock = (id: string, phase: 'before' | 'after') =>
  ['```self-assessment', `id: ${id}`, `phase: ${phase}`, 'statements:', ...SELF_ASSESSMENT_STATEMENTS.flatMap((s) => [`  - id: ${s.id}`, `    text: ${s.text}`]), '```'].join('\n');
const EVALUATION = ['```module-evaluation', 'id: vurdering', '```'].join('\n');

/** Issue 16: the review trail and a glossary whose one term lesson 2 uses; lesson 2 has a summary. */
export const GLOSSARY_EXPLANATION = 'Et spørsmål barnet ikke kan svare ja eller nei på.';
export const LESSON2_SUMMARY = 'Du lærer å stille spørsmål som lar barnet fortelle.';
const REVIEW_TRAIL = [
  'owner: "Fellesskap redaksjon, fagansvarlig PPT"',
  'reviewed: 2026-11-20',
  'legalCheck: 2026-11-19',
  'glossary:',
  '  - term: åpne spørsmål',
  '    forms: [åpent spørsmål]',
  `    explanation: "${GLOSSARY_EXPLANATION}"`,
].join('\n');

export interface FixtureOptions {
  slug?: string;
  /** Extra front matter lines (e.g. `prerequisites: [other]` is replaced by `prerequisites`). */
  prerequisites?: string[];
  version?: string;
  language?: 'nb' | 'nn';
  translationOf?: string;
  title?: string;
  audience?: string[];
  themes?: string[];
  /** Changes the text of lesson 1, to make a new version. */
  wording?: string;
  /** Leaves out lessons 2 and 3 (a smaller module). */
  small?: boolean;
  /** Adds the self-assessment before and after and the module evaluation (issue 19). */
  effect?: boolean;
  kind?: VersionKind;
}

export function fixtureSource(options: FixtureOptions = {}) {
  const slug = options.slug ?? 'samtaler';
  let md = moduleMd(slug);
  if (options.title) md = md.replace(/^title: .*$/m, `title: ${options.title}`);
  if (options.prerequisites) md = md.replace(/^prerequisites: \[\]$/m, `prerequisites: [${options.prerequisites.join(', ')}]`);
  if (options.version) md = md.replace(/^version: .*$/m, `version: "${options.version}"`);
  if (options.language) md = md.replace(/^language: .*$/m, `language: ${options.language}`);
  if (options.audience) md = md.replace(/^audience: .*$/m, `audience: [${options.audience.join(', ')}]`);
  if (options.themes) md = md.replace(/^themes: .*$/m, `themes: [${options.themes.join(', ')}]`);
  if (options.translationOf) md = md.replace(/^license: /m, `translationOf: ${options.translationOf}\nlicense: `);
  md = md.replace(/^license: /m, `${REVIEW_TRAIL}\nlicense: `);
  const before = options.effect ? `${selfAssessmentBlock('kartlegging-for', 'before')}\n\n` : '';
  const after = options.effect ? `\n## Etter modulen\n\n${selfAssessmentBlock('kartlegging-etter', 'after')}\n\n${EVALUATION}\n` : '';
  const files: Record<string, string | Buffer> = {
    'module.md': md,
    'lessons/01-lytte.md': lessonMd('Å lytte', `${before}## Hvorfor lytte?\n\n${options.wording ?? 'Barn har rett til å bli hørt.'}\n\n${VIDEO}\n\n## Tenk selv\n\n${REFLECTION}\n${options.small ? after : ''}`),
    'assets/film.mp4': MP4,
    'assets/film.vtt': VTT,
    'assets/film.md': 'Pedagogen: Hei, hva har du gjort i dag?\n\nBarnet: Jeg har bygget en hytte.\n',
  };
  if (!options.small) {
    files['lessons/02-sporre.md'] = lessonMd('Å spørre', `## Åpne spørsmål\n\nÅpne spørsmål gir barnet plass.\n\n${QUIZ}\n\n## Prøv selv\n\n${TASK}\n`).replace('minutes: 10\n', `minutes: 10\nsummary: "${LESSON2_SUMMARY}"\n`);
    files['lessons/03-sammen.md'] = lessonMd('Sammen', `## Teammøtet\n\n${TEAM}\n${after}`);
  }
  return sourceOf(slug, files);
}

/** An empty database with an author and the valid fixture modules published as from Git; the author's e-mail. */
export async function authorWithValidModules(): Promise<string> {
  await clearDatabase();
  const { email } = await createUser({ name: 'Astrid Forfatter', roles: ['author'] });
  await publishFromFolder(path.join(paths.root, 'test', 'fixtures', 'modules-valid'), { by: { id: null, name: 'Git' } });
  return email;
}

/** For beforeEach: the database is emptied between tests, so version ids are reused with other content. */
export function resetLearningCaches(): void {
  clearLearningCaches();
}

/** Publishes the fixture (first version, or the next one as `kind`) and makes the catalogue see it at once. */
export async function publishFixture(options: FixtureOptions = {}): Promise<PublishOutcome> {
  const source = fixtureSource(options);
  const parsed = parseModule(source);
  if (!parsed.module) throw new Error(`fixture does not parse: ${parsed.problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('; ')}`);
  const outcome = await publishParsed(parsed.module, source, { by: { id: null, name: 'test' }, draft: 'if-not-ahead', kind: options.kind });
  forgetCatalogue();
  return outcome;
}

/**
 * Completes every activity of a published version for a person through the real progress service
 * (the team session as a leader would record it); returns the certificate code. `tag` keeps the
 * action ids of different suites apart.
 */
export async function completeModule(userId: string, unitId: string, versionId: string, tag = 'fixture'): Promise<string> {
  const version = await learningVersion(versionId);
  const progress = new ProgressService(createLogger('silent'));
  for (const activity of version!.activities) {
    const input = { reading: {}, video: {}, reflection: { text: 'Tanke' }, 'workplace-task': { tried: true, note: '' }, 'team-session': { attended: true, recordedBy: 'Leder' } }[activity.kind as string];
    const quiz = activity.kind === 'quiz' ? { answers: Object.fromEntries((activity.settings.questions as Array<{ id: string; options: Array<{ correct: boolean }> }>).map((q) => [q.id, q.options.flatMap((o, i) => (o.correct ? [i] : []))])) } : undefined;
    const action = { reading: 'markRead', video: 'markWatched', quiz: 'submit', reflection: 'save', 'workplace-task': 'report', 'team-session': 'recordAttendance' }[activity.kind as string];
    // Kinds that never count towards completion (a self-assessment, an evaluation) are left unanswered.
    if (!action) continue;
    await progress.act({ userId, version: version!, activityId: activity.id, action, input: quiz ?? input, actionId: `${tag}-${activity.id.replace(':', '-')}`, unitIds: [unitId] });
  }
  const fact = await CompletionModel.findById(progressId(userId, version!.slug, version!.major)).lean();
  return fact!.certificateCode;
}
