export { ProgressService, activityStates, type VersionForLearning, type ProgressView, type ActionRequest, type ActionResult } from './progress.service.js';
export { ProgressModel, CompletionModel, CertificateModel, LearnerModel, progressId, type LearnerModuleEntry } from './models.js';
export { effectAnswers, type EffectAnswer } from './effect.js';
export { learnerModulesOf, completionTimesOf, allLearnerModules, allCompletions, progressStateOf, type LearnerModules } from './records.js';
export { onCompletionRecorded, onProgressStarted, onProgressUpdated, type CompletionRecorded, type ProgressStarted, type ProgressUpdated } from './events.js';
export { LearningService, moduleStatus, PrerequisitesNotMetError, type Learner, type CertificateData, type LearningLogEntry, type ModuleStatus } from './learning.service.js';
export { learningRoutes, learnerStartPage, type LearningPagesDeps } from './routes.js';
export { catalogue, forgetCatalogue, clearLearningCaches, learningVersion, CatalogueCache, type LearningVersion, type CatalogueItem } from './versions.js';
export { type LearnerNotice, type LearnerNoticeProvider, type LearnerNoticeProviders } from './notices.js';
