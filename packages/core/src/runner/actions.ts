import type { State } from '../state.js';

/** What an action knows about the run it is part of. */
export interface ActionContext {
  readonly appId: string;
  /** `null` when the application has no partition. */
  readonly partitionKey: string | null;
  /** Sequence id of the step running this action. */
  readonly sequenceId: number;
}

/** The inputs an action receives: only the names it declared in `inputs` and `optionalInputs`. */
export type ActionInputs = Record<string, unknown>;

/** An action's outcome: its result and the state it wants (only its `writes` are kept). */
export interface StepOutput<R = unknown> {
  result: R;
  state: State;
}

/** What a single-step action may return: a state alone (its result is then `{}`) or `{ result, state }`. */
export type SingleStepReturn<R = unknown> = State | StepOutput<R>;

/** The four ways an action can run (Python's `Action`, `SingleStepAction`, `StreamingAction`, `SingleStepStreamingAction`). */
export type ActionKind = 'two-phase' | 'single-step' | 'streaming' | 'single-step-streaming';

/**
 * What every action declares. Do not extend this directly: extend
 * {@link Action}, {@link SingleStepAction}, {@link StreamingAction} or
 * {@link SingleStepStreamingAction}, or use {@link action} / {@link streamingAction}.
 */
export abstract class ActionBase {
  /** How the runner calls this action. */
  abstract readonly kind: ActionKind;
  /** State keys the action reads. */
  abstract readonly reads: readonly string[];
  /** State keys the action writes; only these are taken from the state it returns. */
  abstract readonly writes: readonly string[];
  /** Inputs the caller must pass to `step`/`run` when this action runs next. */
  readonly inputs: readonly string[] = [];
  /** Inputs passed on when given, not required. */
  readonly optionalInputs: readonly string[] = [];

  /** Whether the action yields partial results (see `Application.streamResult`). */
  get streaming(): boolean {
    return this.kind === 'streaming' || this.kind === 'single-step-streaming';
  }
}

/**
 * A two-phase action (Python's `Action`): `run` computes a result from the
 * state, `update` turns the result into a new state.
 *
 * @example
 * class Increment extends Action<{ count: number }> {
 *   readonly reads = ['count'];
 *   readonly writes = ['count'];
 *   run(state: State) { return { count: (state.get('count') as number) + 1 }; }
 *   update(result: { count: number }, state: State) { return state.update(result); }
 * }
 */
export abstract class Action<R = unknown> extends ActionBase {
  readonly kind = 'two-phase' as const;
  /** Computes the result; may be async. */
  abstract run(state: State, inputs: ActionInputs, context: ActionContext): R | Promise<R>;
  /** Applies the result to the state; must return a {@link State}. */
  abstract update(result: R, state: State): State;
}

/** An action that computes its result and new state in one call (what {@link action} builds). */
export abstract class SingleStepAction<R = unknown> extends ActionBase {
  readonly kind = 'single-step' as const;
  /** Runs the action; may be async. */
  abstract runAndUpdate(state: State, inputs: ActionInputs, context: ActionContext): SingleStepReturn<R> | Promise<SingleStepReturn<R>>;
}

/**
 * A two-phase streaming action: `stream` yields partial results and returns
 * the final result, then `update` turns that into a new state.
 */
export abstract class StreamingAction<R = unknown, P = unknown> extends ActionBase {
  readonly kind = 'streaming' as const;
  /** Yields partial results; its return value is the final result. */
  abstract stream(state: State, inputs: ActionInputs, context: ActionContext): AsyncIterator<P, R>;
  /** Applies the final result to the state; must return a {@link State}. */
  abstract update(result: R, state: State): State;
}

/** A streaming action whose generator returns `{ result, state }` (what {@link streamingAction} builds). */
export abstract class SingleStepStreamingAction<R = unknown, P = unknown> extends ActionBase {
  readonly kind = 'single-step-streaming' as const;
  /** Yields partial results and returns the final `{ result, state }` (or a state alone). */
  abstract streamAndUpdate(state: State, inputs: ActionInputs, context: ActionContext): AsyncIterator<P, SingleStepReturn<R>>;
}

/** Any action the application can run. */
export type AnyAction = Action | SingleStepAction | StreamingAction | SingleStepStreamingAction;

/** What every function-based action declares. */
export interface ActionDeclaration {
  /** State keys the action reads. */
  reads: readonly string[];
  /** State keys the action writes; only these are taken from the state it returns. */
  writes: readonly string[];
  /** Inputs the caller must pass when this action runs. */
  inputs?: readonly string[];
  /** Inputs passed on when given. */
  optionalInputs?: readonly string[];
}

/** Options of {@link action}. */
export interface ActionOptions<R> extends ActionDeclaration {
  /** Receives the full state; returns the new state, or `{ result, state }`. */
  run(state: State, inputs: ActionInputs, context: ActionContext): SingleStepReturn<R> | Promise<SingleStepReturn<R>>;
}

/** Options of {@link streamingAction}. */
export interface StreamingActionOptions<R, P> extends ActionDeclaration {
  /** An async generator: `yield` partial results, then `return { result, state }`. */
  stream(state: State, inputs: ActionInputs, context: ActionContext): AsyncIterator<P, SingleStepReturn<R>>;
}

/**
 * A function-based action.
 *
 * @example
 * const counter = action({
 *   reads: ['count'], writes: ['count'],
 *   run: (state) => state.update({ count: (state.get('count') as number) + 1 }),
 * });
 */
export function action<R = Record<string, never>>(options: ActionOptions<R>): SingleStepAction<R> {
  return new (class extends SingleStepAction<R> {
    override readonly reads = [...options.reads];
    override readonly writes = [...options.writes];
    override readonly inputs = [...(options.inputs ?? [])];
    override readonly optionalInputs = [...(options.optionalInputs ?? [])];
    runAndUpdate(state: State, inputs: ActionInputs, context: ActionContext): SingleStepReturn<R> | Promise<SingleStepReturn<R>> {
      return options.run(state, inputs, context);
    }
  })();
}

/**
 * A function-based streaming action.
 *
 * @example
 * const reply = streamingAction({
 *   reads: ['prompt'], writes: ['response'],
 *   async *stream(state) {
 *     let text = '';
 *     for (const word of ['hello', 'world']) { text += word; yield { delta: word }; }
 *     return { result: { response: text }, state: state.update({ response: text }) };
 *   },
 * });
 */
export function streamingAction<R = unknown, P = unknown>(options: StreamingActionOptions<R, P>): SingleStepStreamingAction<R, P> {
  return new (class extends SingleStepStreamingAction<R, P> {
    override readonly reads = [...options.reads];
    override readonly writes = [...options.writes];
    override readonly inputs = [...(options.inputs ?? [])];
    override readonly optionalInputs = [...(options.optionalInputs ?? [])];
    streamAndUpdate(state: State, inputs: ActionInputs, context: ActionContext): AsyncIterator<P, SingleStepReturn<R>> {
      return options.stream(state, inputs, context);
    }
  })();
}

/**
 * Returns the named state keys as its result and leaves the state unchanged
 * (Python's `Result`); typically the terminal action of a graph.
 *
 * @example new Result('chat_history')
 */
export class Result extends Action<Record<string, unknown>> {
  override readonly reads: readonly string[];
  override readonly writes: readonly string[] = [];

  constructor(...keys: string[]) {
    super();
    this.reads = keys;
  }

  /** The named keys and their values; a missing key is an error. */
  run(state: State): Record<string, unknown> {
    return Object.fromEntries(this.reads.map((key) => [key, state.get(key)]));
  }

  /** Leaves the state unchanged. */
  update(_result: Record<string, unknown>, state: State): State {
    return state;
  }
}
