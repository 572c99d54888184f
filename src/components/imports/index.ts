export { importRoutes, SAMPLE_FILES } from './routes.js';
export { previewImport, confirmImport, getImport, recentImports, forgetPersonInImports, type ImportActor, type ImportView, type RowOutcome } from './service.js';
export { readCsv, IMPORT_MAX_BYTES, IMPORT_MAX_LABEL, type Problem, type CsvRow } from './csv.js';
export { checkStaffRows, STAFF_COLUMNS } from './staff.js';
export { checkUnitRows, UNIT_COLUMNS, normaliseUnitType } from './units.js';
export { ImportModel, IMPORT_KINDS, type ImportKind } from './models.js';
export type { PlannedRow } from './plan.js';
