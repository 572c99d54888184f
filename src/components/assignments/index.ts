export { createAssignment, assignmentsFor, ensureUnitLists, rebuildUnitLists, removeUnitLists, type AssignmentForPerson, type NewAssignment } from './assignments.service.js';
export { seedDemoAssignments, DEMO_ASSIGNMENTS } from './demo-seed.js';
export {
  assignForUnits,
  changeDeadline,
  municipalAssignments,
  unitAssignmentRecords,
  allAssignmentRecords,
  assignedMembers,
  ledUnit,
  type AssignmentRecord,
  type UnitAssignmentView,
  type LeaderAssignmentInput,
  type MunicipalAssignmentInput,
  type MunicipalBatchView,
} from './leader.service.js';
export { parseDeadline } from './deadline.js';
export { assignmentRoutes } from './routes.js';
