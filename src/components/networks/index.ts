export { networkRoutes } from './routes.js';
export { NetworkService, type NetworkInput, type GatheringInput, type NetworkView, type GatheringView, type GatheringAttendanceResult } from './networks.service.js';
