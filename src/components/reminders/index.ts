export { reminderRoutes } from './routes.js';
export { ReminderService, type OverdueAssignment, type SendReport } from './reminders.service.js';
export { runDigest, runDigestIfDue, startDigestSchedule, lastDigestFinishedAt, type DigestDeps, type DigestReport } from './digest.js';
export { unsubscribeToken, verifyUnsubscribeToken } from './unsubscribe.js';
