export { reminderRoutes } from './routes.js';
export { ReminderService, claimAndSend, type OverdueAssignment, type SendReport } from './service.js';
export { runDigest, runDigestIfDue, startDigestSchedule, lastDigestFinishedAt, DIGEST_HORIZON_DAYS, type DigestReport } from './digest.js';
export { unsubscribeToken, verifyUnsubscribeToken } from './unsubscribe.js';
export { overdueReminderMail, digestMail } from './mail-templates.js';
