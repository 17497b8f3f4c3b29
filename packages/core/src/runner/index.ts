export {
  ActionBase,
  Action,
  SingleStepAction,
  StreamingAction,
  SingleStepStreamingAction,
  Result,
  action,
  streamingAction,
  type ActionContext,
  type ActionInputs,
  type ActionKind,
  type ActionDeclaration,
  type ActionOptions,
  type StreamingActionOptions,
  type AnyAction,
  type SingleStepReturn,
  type StepOutput,
  type StateAfter,
  type ActionTypes,
  type ActionFor,
  type ResultOf,
  type ResultAction,
  type TypedResults,
} from './actions.js';
export { Condition, always, when, expr, type ConditionTest, type ConditionFor } from './conditions.js';
export type { TransitionSpec, ApplicationGraph, ActionDescription, TransitionDescription } from './graph.js';
export {
  PersisterHook,
  type LifecycleHooks,
  type ParentPointer,
  type PostApplicationCreateArgs,
  type PreRunStepArgs,
  type PostRunStepArgs,
} from './hooks.js';
export type { InitializeFromOptions } from './initialize.js';
export { StreamingResultContainer, type StreamedOutcome } from './streaming.js';
export { StepHookFailedError } from './errors.js';
export {
  Application,
  type StepResult,
  type StepResultOf,
  type RunResult,
  type RunResultOf,
  type RunOptions,
  type StreamResultOptions,
  type ActionMap,
  type ActionNames,
} from './application.js';
export { ApplicationBuilder, type ApplicationIdentifiers } from './builder.js';
