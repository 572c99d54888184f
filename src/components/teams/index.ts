export { teamRoutes } from './routes.js';
export { TeamSessionService, type SessionView, type Guide, type AttendanceResult, type PlanInput } from './teams.service.js';
export { seedDemoTeamSession, DEMO_TEAM_SESSION } from './demo-seed.js';
