export { createAssignment, assignmentsFor, type AssignmentForPerson, type NewAssignment } from './service.js';
export { seedDemoAssignments, DEMO_ASSIGNMENTS } from './demo-seed.js';
export { TARGET_KINDS, type TargetKind } from './models.js';
