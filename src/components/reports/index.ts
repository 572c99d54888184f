export { reportRoutes, type ReportRouteOptions } from './routes.js';
export { ReportService, type ReportServiceOptions } from './reports.service.js';
export { type RebuildReport, type DriftLine } from './rebuild.js';
export { type AuditCosts } from './context.js';
export { EXPIRING_WITHIN_DAYS, overviewOf, type UnitOverview, type MunicipalHome } from './home.service.js';
export { formatters, type Formatters } from './present.js';
