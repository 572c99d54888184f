import { expect } from 'chai';
import ts from 'typescript';
import { registry } from '../../../src/activities/index.js';
import { sourceFiles } from '../../helpers/source-files.js';

/**
 * Adding an activity kind is one file and one partial (GUIDE.md, "The activity registry"): code
 * outside src/activities/ asks the registry's hooks what it needs and never names a kind. This reads
 * every other file of src/ with the TypeScript parser (so comments do not count) and finds the
 * registered kind names written as strings: compared with, used as keys or values, or as literal
 * types. A table keyed by kind with plain identifiers (`quiz: 'submit'`) counts too; other object
 * keys are names of their own (the lesson page's `reading` part is what the page shows last).
 */

/** Places where a kind's name is a word with another meaning; each says why. */
const OTHER_MEANINGS: ReadonlyArray<{ file: string; name: string; why: string }> = [
  { file: 'src/components/modules/format.ts', name: 'video', why: 'the media type of an asset file (.mp4, .webm), not the activity kind' },
];

interface Naming {
  file: string;
  line: number;
  name: string;
  code: string;
}

function isConstant(node: ts.Expression): boolean {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isNumericLiteral(node) || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword;
}

function namingsIn(file: string, text: string, kindNames: ReadonlySet<string>): Naming[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Naming[] = [];
  const visit = (node: ts.Node): void => {
    const literal = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
    const key = ts.isIdentifier(node) && ts.isPropertyAssignment(node.parent) && node.parent.name === node && isConstant(node.parent.initializer);
    if ((literal || key) && kindNames.has(node.text)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      found.push({ file, line: line + 1, name: node.text, code: text.split('\n')[line]!.trim() });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('activities/kind names', () => {
  const kindNames = registry.kindNames;
  const outside = sourceFiles().filter((f) => !f.file.startsWith('src/activities/'));
  const namings = outside.flatMap((f) => namingsIn(f.file, f.text, kindNames));
  const isOtherMeaning = (n: Naming) => OTHER_MEANINGS.some((o) => o.file === n.file && o.name === n.name);

  it('reads the kind names from the registry, and the source files of src/ outside src/activities/', () => {
    expect(kindNames.size).to.be.at.least(1);
    expect(outside.length).to.be.at.least(50);
    expect(outside.some((f) => f.file.startsWith('src/activities/'))).to.equal(false);
  });

  it('no code outside src/activities/ names an activity kind', () => {
    const offending = namings.filter((n) => !isOtherMeaning(n)).map((n) => `${n.file}:${n.line} names "${n.name}": ${n.code}`);
    expect(offending, 'ask the registry (a hook on the kind) instead').to.deep.equal([]);
  });

  it('the scan finds a kind named in code, in each of the ways it looks for', () => {
    const name = [...kindNames][0]!;
    const sample = [
      `// a comment naming ${name} is fine`,
      `if (a.kind === '${name}') x();`,
      `const m = { ${name.includes('-') ? `'${name}'` : name}: 'act' };`,
      `type K = \`${name}\`;`,
    ].join('\n');
    expect(namingsIn('sample.ts', sample, kindNames).map((n) => n.line)).to.deep.equal([2, 3, 4]);
  });

  it('every declared other meaning still occurs (a stale one would hide a real naming)', () => {
    for (const other of OTHER_MEANINGS) {
      expect(kindNames.has(other.name), `${other.name} is a kind`).to.equal(true);
      expect(namings.some((n) => n.file === other.file && n.name === other.name), `${other.file} still says "${other.name}"`).to.equal(true);
    }
  });
});
