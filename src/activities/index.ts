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
  type ActivityRegistry,
  type AnyActivityKind,
} from './registry.js';
export type { ActivityKind, CompletionMode, ViewContext, FileReference } from './types.js';
export { isAllowedEmbed } from './video.js';
export { scoreAnswers, type QuizFeedback } from './quiz.js';
