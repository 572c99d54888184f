import { expect } from 'chai';
import ts from 'typescript';
import { sourceFiles } from '../helpers/source-files.js';

/**
 * What an app keeps in memory belongs to that app: services are built once per app by the
 * composition root (`createServices` in src/app.ts), never configured through module-level setters
 * (GUIDE.md, "Request flow"; docs/architecture.md, "The composition root"). This reads every file of
 * src/components/ and src/web/ with the TypeScript parser and finds module-level state: a `let` or
 * `var`, a container that starts empty and is filled while the process runs (`new Map()`, `new
 * Set()`, `[]`, an `EventEmitter`, an LRU or other cache), an exported function that assigns to a
 * module-level binding, and any exported `configure…` function. What is per process on purpose is
 * listed here, each with why.
 */

const SCANNED = ['src/components/', 'src/web/'];

/** Module-level state that is per process on purpose; each says why. */
const PER_PROCESS: ReadonlyArray<{ file: string; name: string; why: string }> = [
  { file: 'src/components/accounts/identity-guard.ts', name: 'mode', why: 'read by the mongoose plugin on the person schema, as process-wide as the model; a switch for tests' },
  { file: 'src/components/accounts/identity-guard.ts', name: 'setIdentityGuardMode', why: 'the tests’ switch of that plugin (observe while arranging people, enforce in the identity tests)' },
  { file: 'src/components/accounts/identity-guard.ts', name: 'observers', why: 'watchers of that plugin (the route-table test), process-wide like it' },
  { file: 'src/components/accounts/passwords.ts', name: 'dummyHash', why: 'a lazily made constant (the hash checked when an e-mail is unknown)' },
  { file: 'src/components/accounts/passwords.ts', name: 'verifyPassword', why: 'makes that constant the first time it is needed' },
  { file: 'src/components/mail/templates.ts', name: 'translator', why: 'the mail texts, loaded lazily once; they never change while the process runs' },
  { file: 'src/components/metrics/routes.ts', name: 'databaseWatched', why: 'the driver’s client is one per process, and so is the Prometheus registry: a second app must not count every command twice' },
  { file: 'src/components/reports/disclosure-audit.ts', name: 'solver', why: 'the HiGHS WebAssembly runtime, loaded lazily once; stateless between solves' },
  { file: 'src/components/reports/disclosure-audit.ts', name: 'loadSolver', why: 'loads that runtime the first time it is needed' },
  { file: 'src/components/reports/reports.service.ts', name: 'listening', why: 'learning’s and accounts’ events are announced per process; one recomputation per event is what the shared summaries need, so the report service that listened last answers them' },
  { file: 'src/components/reports/maintain.ts', name: 'orderCounter', why: 'with the time and the pid it makes the order keys of every writer in this process unique, whichever app it belongs to' },
  { file: 'src/components/reports/maintain.ts', name: 'nextOrder', why: 'counts that counter up' },
  { file: 'src/components/reports/maintain.ts', name: 'soonByService', why: 'keyed weakly by each app’s report service: the state is that service’s, kept beside it' },
  { file: 'src/components/reports/json-store.ts', name: 'queues', why: 'the write turns of one database document, coordinated across every writer in the process' },
  { file: 'src/components/reports/present.ts', name: 'cache', why: 'Intl formatters per language: immutable, made lazily once' },
  { file: 'src/components/reports/effect/present.ts', name: 'cache', why: 'Intl formatters per language: immutable, made lazily once' },
  { file: 'src/components/reports/effect/effect.service.ts', name: 'caches', why: 'keyed weakly by each app’s report context: the effect models are that app’s, kept beside it' },
  { file: 'src/components/reports/effect/effect.service.ts', name: 'lastCosts', why: 'keyed weakly by each app’s report context: what that app’s last effect model cost (for the bench)' },
  { file: 'src/components/reports/network-section/index.ts', name: 'caches', why: 'keyed weakly by each app’s report service: the proven sections are that app’s, kept beside it' },
  { file: 'src/components/learning/versions.ts', name: 'versions', why: 'published versions never change, so every app may share what any app read (tests clear it with the database)' },
  { file: 'src/components/learning/versions.ts', name: 'frozenMajors', why: 'the newest minor of a frozen major never changes, as `versions`' },
  { file: 'src/components/learning/versions.ts', name: 'forgetEveryCatalogue', why: 'how forgetCatalogue reaches every app’s catalogue cache in the process (the tests empty the database under all of them)' },
  { file: 'src/components/learning/versions.ts', name: 'sharedCatalogue', why: 'the catalogue of what reads it without an app’s learning service (the effect answers reports read, and tests standing in for one)' },
  { file: 'src/components/people/privacy.ts', name: 'sources', why: 'a declarative registry: each component’s routes register their personal-data source by name (a second app registers the same function again)' },
  { file: 'src/components/people/privacy.ts', name: 'anonymisers', why: 'as sources, for anonymisers' },
  { file: 'src/components/leadership/links.ts', name: 'unitLinks', why: 'a declarative registry: each component’s routes add their leader links once (deduplicated), the same for every app' },
  { file: 'src/components/leadership/links.ts', name: 'areaLinks', why: 'as unitLinks' },
  { file: 'src/web/navigation.ts', name: 'ENTRIES', why: 'a declarative registry: each component’s routes add their menu entry once (deduplicated), the same for every app' },
  { file: 'src/components/accounts/events.ts', name: 'listeners', why: 'membership announcements are per process, as the person model; the report service binds to them once (see listening)' },
  { file: 'src/components/learning/events.ts', name: 'completionListeners', why: 'progress announcements are per process; the report service binds to them once (see listening)' },
  { file: 'src/components/learning/events.ts', name: 'startListeners', why: 'as completionListeners' },
  { file: 'src/components/learning/events.ts', name: 'updateListeners', why: 'as completionListeners' },
  { file: 'src/web/assets.ts', name: 'hashes', why: 'content hashes of the files in public/, which do not change while the process runs' },
];

interface Finding {
  file: string;
  line: number;
  name: string;
  what: string;
}

const EMPTY_CONTAINERS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet']);

/** A container that starts empty and is filled at run time: `[]`, `new Map()`, `new EventEmitter()…`, `new LRUCache(…)`, `new XCache()`. */
function isFilledAtRunTime(init: ts.Expression): boolean {
  let expr = init;
  while (ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isParenthesizedExpression(expr)) expr = expr.expression;
  if (ts.isArrayLiteralExpression(expr)) return expr.elements.length === 0;
  // `new EventEmitter().setMaxListeners(0)` is still the emitter.
  while (ts.isCallExpression(expr) && ts.isPropertyAccessExpression(expr.expression)) expr = expr.expression.expression;
  if (!ts.isNewExpression(expr) || !ts.isIdentifier(expr.expression)) return false;
  const name = expr.expression.text;
  if (EMPTY_CONTAINERS.has(name)) return !expr.arguments?.length;
  return name === 'EventEmitter' || name.endsWith('Cache');
}

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

const ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
]);

/** Whether code in `body` assigns to one of `bindings` (=, +=, ??=, ++, --). */
function assignsTo(body: ts.Node, bindings: ReadonlySet<string>): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && ASSIGNMENTS.has(node.operatorToken.kind) && ts.isIdentifier(node.left) && bindings.has(node.left.text)) found = true;
    if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && ts.isIdentifier(node.operand) && bindings.has(node.operand.text)) {
      if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) found = true;
    }
    if (!found) ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

export function moduleStateIn(file: string, text: string): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Finding[] = [];
  const at = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const mutable = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const constant = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
    for (const decl of statement.declarationList.declarations) {
      if (!ts.isIdentifier(decl.name)) continue;
      if (!constant) {
        mutable.add(decl.name.text);
        found.push({ file, line: at(decl), name: decl.name.text, what: 'a module-level let/var' });
      } else if (decl.initializer && isFilledAtRunTime(decl.initializer)) {
        found.push({ file, line: at(decl), name: decl.name.text, what: 'a module-level container filled at run time' });
      }
    }
  }
  for (const statement of source.statements) {
    const functions: Array<{ name: string; node: ts.Node }> = [];
    if (ts.isFunctionDeclaration(statement) && statement.name && statement.body && isExported(statement)) functions.push({ name: statement.name.text, node: statement.body });
    if (ts.isVariableStatement(statement) && isExported(statement)) {
      for (const decl of statement.declarationList.declarations) {
        if (ts.isIdentifier(decl.name) && decl.initializer && (ts.isArrowFunction(decl.initializer) || ts.isFunctionExpression(decl.initializer))) {
          functions.push({ name: decl.name.text, node: decl.initializer.body });
        }
      }
    }
    for (const fn of functions) {
      if (/^configure[A-Z]/.test(fn.name)) found.push({ file, line: at(fn.node), name: fn.name, what: 'an exported configure function' });
      else if (assignsTo(fn.node, mutable)) found.push({ file, line: at(fn.node), name: fn.name, what: 'an exported setter of module-level state' });
    }
  }
  return found;
}

describe('module-level state: what an app keeps belongs to the app', () => {
  const scanned = sourceFiles().filter((f) => SCANNED.some((dir) => f.file.startsWith(dir)));
  const findings = scanned.flatMap((f) => moduleStateIn(f.file, f.text));
  const isPerProcess = (f: Finding) => PER_PROCESS.some((p) => p.file === f.file && p.name === f.name);

  it('reads the source files of src/components/ and src/web/', () => {
    expect(scanned.length).to.be.at.least(100);
    expect(scanned.every((f) => SCANNED.some((dir) => f.file.startsWith(dir)))).to.equal(true);
  });

  it('no module-level state in src/components/ or src/web/ but what is per process on purpose', () => {
    const offending = findings.filter((f) => !isPerProcess(f)).map((f) => `${f.file}:${f.line} ${f.name}: ${f.what}`);
    expect(offending, 'give it to an object the composition root builds (createServices), or list it with why').to.deep.equal([]);
  });

  it('the scan finds module-level state in each of the ways it looks for', () => {
    const sample = [
      'let counter = 0;',
      'var legacy = 1;',
      'const cache = new Map<string, number>();',
      'const bus = new EventEmitter().setMaxListeners(0);',
      'const people = new PersonCache({ max: 1 });',
      "const WORDS = new Set(['a', 'b']);",
      'const limit = 3;',
      'const entries: string[] = [];',
      'export function setCounter(n: number) { counter = n; }',
      'export const bump = () => { counter++; };',
      'export function configureThing(options: object) { return options; }',
      'export function setPlatformRoles(id: string) { return id; }',
      'function resetLocally() { counter = 0; }',
    ].join('\n');
    expect(moduleStateIn('sample.ts', sample).map((f) => `${f.line} ${f.name}`)).to.deep.equal([
      '1 counter',
      '2 legacy',
      '3 cache',
      '4 bus',
      '5 people',
      '8 entries',
      '9 setCounter',
      '10 bump',
      '11 configureThing',
    ]);
  });

  it('every per-process entry still occurs (a stale one would hide new state of the same name)', () => {
    for (const entry of PER_PROCESS) {
      expect(findings.some((f) => f.file === entry.file && f.name === entry.name), `${entry.file}: ${entry.name}`).to.equal(true);
    }
  });
});
