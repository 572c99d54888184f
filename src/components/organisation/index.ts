export { DistrictModel, UnitModel, UNIT_TYPES, type UnitType, type Unit, type District } from './models.js';
export { seedDemoOrganisation, DEMO_ORGANISATION } from './demo-seed.js';
export { findUnitIdsByName } from './service.js';
