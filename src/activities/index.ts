export {
  registry,
  buildRegistry,
  ActivityRegistryError,
  runAction,
  completingAction,
  stateOrInitial,
  isActivityComplete,
  countsForCompletion,
  activityFeedback,
  learnerView,
  lessonReadingKind,
  learnerActionOf,
  parseLearnerForm,
  learnerFieldId,
  lastTouchedAt,
  journalEntry,
  choiceQuestions,
  listedAs,
  isRecordedByLeader,
  shownToLeaders,
  activityStatistics,
  combinedStatistics,
  effectContribution,
  anonymisedFields,
  recordedAttendance,
  attendanceAction,
  type ActivityRegistry,
  type AnyActivityKind,
} from './registry.js';
export type { ActivityStatistics, StatisticsTable, EffectContribution } from './types.js';
export type { ActivityKind, CompletionMode, ViewContext, FileReference, LearnerContext, ParsedForm, JournalEntry, ChoiceQuestion } from './types.js';
export { isAllowedEmbed } from './video.js';
export { scoreAnswers, optionOrder, type QuizFeedback } from './quiz.js';
