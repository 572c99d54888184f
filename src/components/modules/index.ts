export { checkModules, checkModulesDir, type CheckResult, type CheckOptions } from './checker.js';
export { citationTable, findCitations, moduleCitations, type Citation } from './citations.js';
export { parseModule, splitFrontMatter, type ParsedModule, type ParsedLesson, type ParsedActivity, type ParsedAsset, type ParseResult } from './parser.js';
export { formatProblem, problem, PROBLEM_CODES, type Problem, type ProblemCode, type Severity } from './problems.js';
export { readModulesDir, type ModuleSource, type SourceFile } from './source.js';
export type { ModuleFrontMatter } from './format.js';
export { versionId, type ModuleStatus, type VersionKind, type Publisher } from './models.js';
export {
  publishFromFolder,
  publishParsed,
  nextVersion,
  setModuleStatus,
  listCatalogue,
  getModuleVersion,
  type PublishOutcome,
  type CatalogueEntry,
  type ModuleVersionSnapshot,
} from './publishing.service.js';
export { moduleAssetRoutes } from './asset-routes.js';
export { modulesForReports, type ModuleForReports } from './report-catalogue.js';
export { authoringRoutes } from './authoring.routes.js';
export { listVersions } from './authoring.service.js';
