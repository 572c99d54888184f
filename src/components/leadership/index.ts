export { leadershipRoutes, type LeaderHomeSources } from './routes.js';
export { addLeaderUnitLink, addLeaderAreaLink, leaderUnitLinks, type UnitLink, type AreaLink } from './links.js';
