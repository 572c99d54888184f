export { networkRoutes } from './routes.js';
export { NetworkService, type NetworkInput, type GatheringInput, type NetworkView, type GatheringView, type GatheringAttendanceResult } from './networks.service.js';
export { seedDemoNetwork, DEMO_NETWORK } from './demo-seed.js';
export { networkParticipation, type NetworkParticipation } from './participation.js';
