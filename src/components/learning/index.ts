export { ProgressService, activityStates, completionOf, type VersionForLearning, type ProgressView, type ActionRequest, type ActionResult } from './progress.service.js';
export { ProgressModel, CompletionModel, CertificateModel, LearnerModel, progressId, type LearnerModuleEntry } from './models.js';
export { newCertificateCode, normaliseCertificateCode } from './certificate-code.js';
export { onCompletionRecorded, onProgressStarted, type CompletionRecorded, type ProgressStarted } from './events.js';
