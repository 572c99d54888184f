import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { paths } from '../../src/config/index.js';
import { citationTable, findCitations } from '../../src/components/modules/index.js';

/** `npm run modules:citations` (issue 16): every legal citation with its law, for a lawyer's review. */

const LAWS = ['barnehageloven', 'opplæringslova', 'Opplæringslova (LOV-2023-06-09-30)', 'barnevernsloven', 'pasient- og brukerrettighetsloven', 'barnekonvensjonen', 'FNs barnekonvensjon', 'Grunnloven', 'forvaltningsloven'];
const CITATIONS = ['§ 3', '§ 12-4', '§§ 41–43', '§§ 41 og 42', 'kapittel 12', 'kapittel VIII', 'kap. 11', 'artikkel 12', '§ 4-3'];

describe('modules:citations', () => {
  it('every law × every citation form × every placement (generated): found, with the law of its sentence or the one before, else "?"', () => {
    const placements: Array<{ text: (law: string, cit: string) => string; law: (law: string) => string }> = [
      { text: (law, cit) => `Dette står i ${law} ${cit}, og det gjelder alle.`, law: (law) => law },
      { text: (law, cit) => `Plikten er klar (${law} ${cit}).`, law: (law) => law },
      { text: (law, cit) => `Etter ${cit} i ${law} skal alle følge med.`, law: (law) => law },
      { text: (law, cit) => `Vi leser ${law} sammen. Etter ${cit} skal alle følge med.`, law: (law) => law },
      { text: (law, cit) => `Vi leser ${law} sammen. Så tar vi en pause. Etter ${cit} skal alle følge med.`, law: () => '?' },
      { text: (_law, cit) => `En regel i ${cit} uten lovnavn.`, law: () => '?' },
    ];
    let count = 0;
    for (const law of LAWS) {
      for (const cit of CITATIONS) {
        for (const placement of placements) {
          const text = `---\ntitle: T\n---\n\n${placement.text(law, cit)}\n`;
          const found = findCitations('m/lessons/01-a.md', text);
          expect(found.map((c) => [c.line, c.law, c.section]), text).to.deep.equal([[5, placement.law(law), cit]]);
          count += 1;
        }
      }
    }
    expect(count).to.equal(LAWS.length * CITATIONS.length * 6);
  });

  it('lines count from the top of the file, across wrapped paragraphs, lists and activity settings; YAML keys are not part of the sentence', () => {
    const text = [
      '---',
      'title: T',
      'sources:',
      '  - "Lov om barnehager (barnehageloven), § 3."',
      '---',
      '',
      'Barnehageloven kapittel VIII handler om miljøet. Etter §§ 41–43 skal',
      'alle ansatte følge med, og i skolen gjelder opplæringslova § 12-4.',
      '',
      '- Et punkt om barnevernsloven § 13-2.',
      '',
      '```quiz',
      'id: q',
      '    explanation: Se opplæringslova § 12-5.',
      '```',
      '',
      'Den nye loven trådte i kraft 1. august 2024.',
    ].join('\n');
    expect(findCitations('m/lessons/01-a.md', text).map((c) => `${c.line} ${c.law} ${c.section} | ${c.sentence}`)).to.deep.equal([
      '4 barnehageloven § 3 | "Lov om barnehager (barnehageloven), § 3."',
      '7 Barnehageloven kapittel VIII | Barnehageloven kapittel VIII handler om miljøet.',
      '7 opplæringslova §§ 41–43 | Etter §§ 41–43 skal alle ansatte følge med, og i skolen gjelder opplæringslova § 12-4.',
      '8 opplæringslova § 12-4 | Etter §§ 41–43 skal alle ansatte følge med, og i skolen gjelder opplæringslova § 12-4.',
      '10 barnevernsloven § 13-2 | Et punkt om barnevernsloven § 13-2.',
      '14 opplæringslova § 12-5 | Se opplæringslova § 12-5.',
    ]);
  });

  it('the table escapes pipes and ends with the count', () => {
    const table = citationTable([{ file: 'm/a.md', line: 3, law: 'loven', section: '§ 1', sentence: 'a | b' }]);
    expect(table).to.equal('| file:line | law | section | sentence |\n| --- | --- | --- | --- |\n| m/a.md:3 | loven | § 1 | a \\| b |\n\n1 citation(s)\n');
  });

  it('the command prints the table for a folder of modules and exits 0', function () {
    this.timeout(60_000);
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/modules-citations.ts', 'test/fixtures/modules-citations'], { cwd: paths.root, encoding: 'utf8' });
    expect(run.status).to.equal(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).to.equal('| file:line | law | section | sentence |');
    expect(lines).to.include('| test/fixtures/modules-citations/lovtekst/lessons/01-plikter.md:12 | barnevernsloven | § 13-2 | Plikten til å melde fra til barnevernet gjelder når det er grunn til å tro at et barn blir mishandlet (barnevernsloven § 13-2). |');
    expect(lines).to.include('| test/fixtures/modules-citations/lovtekst/lessons/01-plikter.md:9 | ? | § 12-4 | I skolen gjelder § 12-4. |');
    expect(lines.at(-1)).to.equal('12 citation(s)');
  });
});
