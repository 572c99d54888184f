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
  type ActivityRegistry,
  type AnyActivityKind,
} from './registry.js';
export type { ActivityKind, CompletionMode, ViewContext, FileReference, LearnerContext } from './types.js';
export { isAllowedEmbed } from './video.js';
export { scoreAnswers, optionOrder, type QuizFeedback } from './quiz.js';
