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
} from './actions.js';
export { Condition, always, when, expr, type ConditionTest } from './conditions.js';
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
export { Application, type StepResult, type RunResult, type RunOptions, type StreamResultOptions } from './application.js';
export { ApplicationBuilder, type ApplicationIdentifiers } from './builder.js';
