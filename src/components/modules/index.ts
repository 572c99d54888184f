export { checkModules, checkModulesDir, crossModuleProblems, type CheckResult } from './checker.js';
export { parseModule, splitFrontMatter, READING_ID_PREFIX, type ParsedModule, type ParsedLesson, type ParsedActivity, type ParsedAsset, type ParseResult } from './parser.js';
export { formatProblem, problem, PROBLEM_CODES, type Problem, type ProblemCode } from './problems.js';
export { readModuleFolder, readModulesDir, sourceHash, type ModuleSource, type SourceFile } from './source.js';
export { MAX_ASSET_BYTES, moduleFrontMatterSchema, type ModuleFrontMatter } from './format.js';
