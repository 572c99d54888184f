export { leadershipRoutes, mayUseLeaderArea } from './routes.js';
export { addLeaderUnitLink, addLeaderAreaLink, leaderUnitLinks, type UnitLink, type AreaLink } from './links.js';
