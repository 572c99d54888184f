import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { paths } from '../../src/config/index.js';
import { checkModulesDir, formatProblem } from '../../src/components/modules/index.js';

const BROKEN = path.join(paths.root, 'test', 'fixtures', 'modules-broken');
const PWNED = '/tmp/fellesskap-pwned';

describe('modules:check', () => {
  it('the real modules/ folder: every module passes with zero problems', async function () {
    this.timeout(60_000);
    const { results, problems } = await checkModulesDir(paths.modules);
    expect(problems.map(formatProblem)).to.deep.equal([]);
    expect(results.length).to.be.at.least(1);
    expect(results.every((r) => r.module !== undefined)).to.equal(true);
  });

  it('the broken fixtures: each problem is reported once, with its file and line', async () => {
    rmSync(PWNED, { force: true });
    const { problems } = await checkModulesDir(BROKEN);
    expect(problems.map(formatProblem)).to.deep.equal([
      `brutt-bilde/lessons/01-start.md:8: image "assets/mangler.png" is not a file in this module's assets/`,
      'brutt-lenke/lessons/01-start.md:8: broken link: "02-finnes-ikke.md" is not a file in this module',
      'container-syntaks/lessons/01-start.md:8: "::: reflection" containers are not supported: write a fenced block ```reflection holding YAML settings',
      'dobbel-id/lessons/02-videre.md:9: activity id "tenk" is already used in dobbel-id/lessons/01-start.md on line 8',
      'dobbel-overskrift/lessons/01-start.md:10: heading id "h-hva-na" is already used on line 6: give this heading a different text',
      'feil-filnavn/lessons/leksjon-to.md:1: lesson file name "leksjon-to.md" must be NN-slug.md (two digits, a hyphen, then a-z, 0-9 and hyphens)',
      'feil-innstillinger/lessons/01-start.md:11: quiz "sjekk": "passMark" must be at most 100',
      'javascript-lenke/lessons/01-start.md:8: link to "javascript:alert(document.cookie)" is not allowed: use https:, http:, mailto: or a path inside the module',
      'js-front-matter/lessons/01-start.md:1: front matter must be YAML between "---" lines; "---js" is not allowed (code is never run)',
      'kartlegging-dobbel/lessons/01-start.md:16: self-assessment "kartlegging-etter": statement id "u2" is used twice',
      'kartlegging-dobbel/lessons/01-start.md:19: self-assessment "kartlegging-etter": "statements.3.text" is required',
      'kartlegging-for-fa/lessons/01-start.md:11: self-assessment "kartlegging-for": "statements" must have at least 4 item(s)',
      'mangler-leksjon/lessons/03-slutt.md:1: lesson 02 is missing: lessons are numbered 01, 02, 03 … without gaps',
      'mangler-teksting/lessons/01-start.md:12: captions refers to assets/film.vtt, which is not a file in this module',
      'quiz-uten-forklaring/lessons/01-start.md:18: quiz "sjekk": option 2 of question "q1" has no explanation',
      'quiz-uten-riktig/lessons/01-start.md:12: quiz "sjekk": question "q1" has no correct answer (mark at least one option "correct: true")',
      'sirkel-a/module.md:10: prerequisites form a cycle: sirkel-a → sirkel-b → sirkel-a',
      'sirkel-b/module.md:10: prerequisites form a cycle: sirkel-a → sirkel-b → sirkel-a',
      'ukjent-aktivitet/lessons/01-start.md:10: unknown activity kind "poll" (known kinds: video, quiz, reflection, workplace-task, team-session, self-assessment, module-evaluation)',
      'ukjent-forkunnskap/module.md:11: prerequisite "finnes-ikke" is not a module',
    ]);
    // The ---js block was never run.
    expect(existsSync(PWNED)).to.equal(false);
  });

  it('the command: prints file:line: message with the folder prefix, a summary, and exits 1', function () {
    this.timeout(60_000);
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/modules-check.ts', 'test/fixtures/modules-broken'], { cwd: paths.root, encoding: 'utf8' });
    expect(run.status).to.equal(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).to.include('test/fixtures/modules-broken/brutt-lenke/lessons/01-start.md:8: broken link: "02-finnes-ikke.md" is not a file in this module');
    expect(lines.at(-1)).to.equal('modules:check: 20 problem(s) in 19 file(s) across 19 module(s)');
  });

  it('the real modules/ folder with the editorial rules: no problem and no warning; the command agrees', async function () {
    this.timeout(60_000);
    const today = new Date();
    const { problems } = await checkModulesDir(paths.modules, { editorial: { today } });
    expect(problems.map(formatProblem)).to.deep.equal([]);
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/modules-check.ts', '--today', today.toISOString().slice(0, 10)], { cwd: paths.root, encoding: 'utf8' });
    expect(run.status).to.equal(0);
    expect(run.stdout.trim().split('\n').at(-1)).to.match(/^modules:check: \d+ module\(s\) checked, no problems$/);
  });
});
