export { importRoutes } from './routes.js';
export { previewImport, confirmImport, getImport, type ImportActor, type ImportView, type RowOutcome } from './imports.service.js';
export { readCsv, IMPORT_MAX_BYTES, type Problem, type CsvRow } from './csv.js';
export { checkStaffRows, STAFF_COLUMNS } from './staff.js';
export { checkUnitRows, UNIT_COLUMNS, normaliseUnitType } from './units.js';
export { ImportModel, IMPORT_KINDS, type ImportKind } from './models.js';
export type { PlannedRow } from './plan.js';
