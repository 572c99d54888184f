export { DistrictModel, UnitModel, UNIT_TYPES, type UnitType, type Unit, type District } from './models.js';
export { seedDemoOrganisation, DEMO_ORGANISATION } from './demo-seed.js';
export { isValidOrgNumber, normaliseOrgNumber } from './org-number.js';
export {
  findUnitIdsByName,
  listDistricts,
  listUnits,
  getUnit,
  createUnit,
  setUnitClosed,
  unitChoices,
  unitsByIds,
  findUnitsByRefs,
  findDistrictsByNames,
  unitImportChanges,
  unitNameTaken,
  applyUnitImportRow,
  allUnitsForImport,
  type UnitView,
  type DistrictView,
  type UnitImportRow,
  type ImportChange,
  type RowResult,
} from './organisation.service.js';
export { organisationRoutes } from './routes.js';
