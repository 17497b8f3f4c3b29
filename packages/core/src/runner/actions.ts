import type { State, StateKey, StateValues, WrittenOnly } from '../state.js';

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

/**
 * A state an action may return: of shape `S`, with no key marked written
 * (see {@link WrittenOnly}) outside the action's `writes` `W`.
 */
export type StateAfter<S extends object = StateValues, W extends string = string> = State<S> & WrittenOnly<W>;

/** An action's outcome: its result and the state it wants (only its `writes` are kept). */
export interface StepOutput<R = unknown, S extends object = StateValues, W extends string = string> {
  result: R;
  state: StateAfter<S, W>;
}

/** What a single-step action may return: a state alone (its result is then `{}`) or `{ result, state }`. */
export type SingleStepReturn<R = unknown, S extends object = StateValues, W extends string = string> = StateAfter<S, W> | StepOutput<R, S, W>;

/** The four ways an action can run (Python's `Action`, `SingleStepAction`, `StreamingAction`, `SingleStepStreamingAction`). */
export type ActionKind = 'two-phase' | 'single-step' | 'streaming' | 'single-step-streaming';

declare const ACTION_TYPES: unique symbol;
declare const RESULT_KEYS: unique symbol;

/** Whether `S` is the untyped state shape (any string key). @inline */
type IsUntyped<S> = string extends keyof S ? true : false;

/**
 * Type-only description of an action, which `ApplicationBuilder.withActions`
 * checks against the application's state: the state must have what the
 * action needs (`S`), and what it writes must fit the state. Untyped actions
 * (a plain `State`) fit any application.
 */
export interface ActionTypes<R, S, W extends string> {
  /** The action's result type. */
  result: () => R;
  /** The state the action was written for (contravariant: the application's state must be assignable to it). */
  needs: (state: Loose<S, S>) => void;
  /** The types of the keys it writes. */
  writes: () => Loose<S, Pick<S, W & keyof S>>;
}

/**
 * `T`, or `any` when `S` is untyped: an untyped action (or condition) fits
 * every application, and every action fits an untyped one. Types only.
 * @inline
 */
// biome-ignore lint/suspicious/noExplicitAny: the one type that is both assignable to and from every state shape.
export type Loose<S, T> = IsUntyped<S> extends true ? any : T;

/**
 * What every action declares. Do not extend this directly: extend
 * {@link Action}, {@link SingleStepAction}, {@link StreamingAction} or
 * {@link SingleStepStreamingAction}, or use {@link action} / {@link streamingAction}.
 *
 * `S` is the state shape the action works on (`StateValues`, untyped, by
 * default) and `W` the keys it writes.
 */
export abstract class ActionBase<R = unknown, S extends object = StateValues, W extends string = StateKey<S>> {
  /** How the runner calls this action. */
  abstract readonly kind: ActionKind;
  /** State keys the action reads. */
  abstract readonly reads: readonly StateKey<S>[];
  /** State keys the action writes; only these are taken from the state it returns. */
  abstract readonly writes: readonly W[];
  /** Inputs the caller must pass to `step`/`run` when this action runs next. */
  readonly inputs: readonly string[] = [];
  /** Inputs passed on when given, not required. */
  readonly optionalInputs: readonly string[] = [];
  /** @internal Types only: what the builder checks this action against. */
  declare readonly [ACTION_TYPES]?: ActionTypes<R, S, W>;

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
 * type Counter = { count: number };
 * class Increment extends Action<{ count: number }, Counter> {
 *   readonly reads = ['count'] as const;
 *   readonly writes = ['count'] as const;
 *   run(state: State<Counter>) { return { count: state.get('count') + 1 }; }
 *   update(result: { count: number }, state: State<Counter>) { return state.update(result); }
 * }
 */
export abstract class Action<R = unknown, S extends object = StateValues, W extends string = StateKey<S>> extends ActionBase<R, S, W> {
  readonly kind = 'two-phase' as const;
  /** Computes the result; may be async. */
  abstract run(state: State<S>, inputs: ActionInputs, context: ActionContext): R | Promise<R>;
  /** Applies the result to the state; must return a {@link State}. */
  abstract update(result: R, state: State<S>): State<S>;
}

/** An action that computes its result and new state in one call (what {@link action} builds). */
export abstract class SingleStepAction<R = unknown, S extends object = StateValues, W extends string = StateKey<S>> extends ActionBase<R, S, W> {
  readonly kind = 'single-step' as const;
  /** Runs the action; may be async. */
  abstract runAndUpdate(state: State<S>, inputs: ActionInputs, context: ActionContext): SingleStepReturn<R, S, W> | Promise<SingleStepReturn<R, S, W>>;
}

/**
 * A two-phase streaming action: `stream` yields partial results and returns
 * the final result, then `update` turns that into a new state.
 */
export abstract class StreamingAction<R = unknown, P = unknown, S extends object = StateValues> extends ActionBase<R, S> {
  readonly kind = 'streaming' as const;
  /** Yields partial results; its return value is the final result. */
  abstract stream(state: State<S>, inputs: ActionInputs, context: ActionContext): AsyncIterator<P, R>;
  /** Applies the final result to the state; must return a {@link State}. */
  abstract update(result: R, state: State<S>): State<S>;
}

/** A streaming action whose generator returns `{ result, state }` (what {@link streamingAction} builds). */
export abstract class SingleStepStreamingAction<R = unknown, P = unknown, S extends object = StateValues, W extends string = StateKey<S>> extends ActionBase<R, S, W> {
  readonly kind = 'single-step-streaming' as const;
  /** Yields partial results and returns the final `{ result, state }` (or a state alone). */
  abstract streamAndUpdate(state: State<S>, inputs: ActionInputs, context: ActionContext): AsyncIterator<P, SingleStepReturn<R, S, W>>;
}

/** A state shape the runner does not know: it executes actions of every shape. @inline */
// biome-ignore lint/suspicious/noExplicitAny: the runner executes actions of every state shape.
type AnyShape = any;

/** Any action the application can run (of any state shape: the runner itself is untyped). */
export type AnyAction =
  | Action<unknown, AnyShape, string>
  | SingleStepAction<unknown, AnyShape, string>
  | StreamingAction<unknown, unknown, AnyShape>
  | SingleStepStreamingAction<unknown, unknown, AnyShape, string>;

/**
 * What `ApplicationBuilder.withActions` accepts for an application whose
 * state has shape `S`: any action whose needs `S` satisfies and whose writes
 * fit `S` (every action, while `S` is untyped).
 */
export interface ActionFor<S> {
  /** How the runner calls this action. */
  readonly kind: ActionKind;
  /** State keys the action reads. */
  readonly reads: readonly string[];
  /** State keys the action writes. */
  readonly writes: readonly string[];
  /** @internal */
  readonly [ACTION_TYPES]?: { result: () => unknown; needs: (state: Loose<S, S>) => void; writes: () => Loose<S, Partial<S>> };
}

/** The result type of an action. */
export type ResultOf<A> = A extends { readonly [ACTION_TYPES]?: infer T } ? (T extends { result: () => infer R } ? R : unknown) : unknown;

/**
 * How an application of state `S` records a {@link Result} action: with its
 * result typed `Pick<S, K>` (types only).
 */
export interface ResultAction<R> {
  /** A `Result` is a two-phase action. */
  readonly kind: 'two-phase';
  /** @internal */
  readonly [ACTION_TYPES]?: { result: () => R };
}

/** Actions as registered in an application of state `S`: each {@link Result} gets its typed result. */
export type TypedResults<N, S> = {
  [K in keyof N]: N[K] extends { readonly [RESULT_KEYS]?: infer RK }
    ? ResultAction<string extends keyof S ? (N[K] extends { readonly [ACTION_TYPES]?: { result: () => infer R } } ? R : unknown) : Pick<S, Extract<RK, keyof S>>>
    : N[K];
};

/** What every function-based action declares. */
export interface ActionDeclaration<Reads extends string = string, W extends string = string> {
  /** State keys the action reads. */
  reads: readonly Reads[];
  /** State keys the action writes; only these are taken from the state it returns. */
  writes: readonly W[];
  /** Inputs the caller must pass when this action runs. */
  inputs?: readonly string[] | undefined;
  /** Inputs passed on when given. */
  optionalInputs?: readonly string[] | undefined;
}

/**
 * Options of {@link action}. Annotate the state parameter of `run`
 * (`(state: State<MyState>) => ...`) and `reads`/`writes` are checked against
 * the keys of `MyState`, `state.get` is typed, and the returned state must
 * fit `MyState` and write only the keys in `writes`.
 */
export interface ActionOptions<R, S extends object = StateValues, Reads extends string = StateKey<S>, W extends string = StateKey<S>> extends ActionDeclaration<Reads, W> {
  /** Receives the full state; returns the new state, or `{ result, state }`. */
  run(state: State<S>, inputs: ActionInputs, context: ActionContext): SingleStepReturn<R, NoInfer<S>, NoInfer<W>> | Promise<SingleStepReturn<R, NoInfer<S>, NoInfer<W>>>;
}

/** Options of {@link streamingAction}; typed like {@link ActionOptions}. */
export interface StreamingActionOptions<R, P, S extends object = StateValues, Reads extends string = StateKey<S>, W extends string = StateKey<S>>
  extends ActionDeclaration<Reads, W> {
  /** An async generator: `yield` partial results, then `return { result, state }`. */
  stream(state: State<S>, inputs: ActionInputs, context: ActionContext): AsyncIterator<P, SingleStepReturn<R, NoInfer<S>, NoInfer<W>>>;
}

/**
 * A function-based action. The state type comes from the annotation of
 * `run`'s parameter; leave it out (or write a plain `State`) for an untyped
 * action.
 *
 * @example
 * type Counter = { count: number };
 * const counter = action({
 *   reads: ['count'], writes: ['count'],
 *   run: (state: State<Counter>) => state.update({ count: state.get('count') + 1 }),
 * });
 */
export function action<R = Record<string, never>, S extends object = StateValues, const Reads extends StateKey<S> = StateKey<S>, const W extends StateKey<S> = StateKey<S>>(
  options: ActionOptions<R, S, Reads, W>,
): SingleStepAction<R, S, W> {
  return new (class extends SingleStepAction<R, S, W> {
    override readonly reads = [...options.reads];
    override readonly writes = [...options.writes];
    override readonly inputs = [...(options.inputs ?? [])];
    override readonly optionalInputs = [...(options.optionalInputs ?? [])];
    runAndUpdate(state: State<S>, inputs: ActionInputs, context: ActionContext): SingleStepReturn<R, S, W> | Promise<SingleStepReturn<R, S, W>> {
      return options.run(state, inputs, context);
    }
  })();
}

/**
 * A function-based streaming action, typed like {@link action}.
 *
 * @example
 * const reply = streamingAction({
 *   reads: ['prompt'], writes: ['response'],
 *   async *stream(state: State<{ prompt: string; response: string }>) {
 *     let text = '';
 *     for (const word of ['hello', 'world']) { text += word; yield { delta: word }; }
 *     return { result: { response: text }, state: state.update({ response: text }) };
 *   },
 * });
 */
export function streamingAction<R = unknown, P = unknown, S extends object = StateValues, const Reads extends StateKey<S> = StateKey<S>, const W extends StateKey<S> = StateKey<S>>(
  options: StreamingActionOptions<R, P, S, Reads, W>,
): SingleStepStreamingAction<R, P, S, W> {
  return new (class extends SingleStepStreamingAction<R, P, S, W> {
    override readonly reads = [...options.reads];
    override readonly writes = [...options.writes];
    override readonly inputs = [...(options.inputs ?? [])];
    override readonly optionalInputs = [...(options.optionalInputs ?? [])];
    streamAndUpdate(state: State<S>, inputs: ActionInputs, context: ActionContext): AsyncIterator<P, SingleStepReturn<R, S, W>> {
      return options.stream(state, inputs, context);
    }
  })();
}

/**
 * Returns the named state keys as its result and leaves the state unchanged
 * (Python's `Result`); typically the terminal action of a graph. In an
 * application of state `S`, its result is typed `Pick<S, K>`, and naming a
 * key `S` does not have is a compile error.
 *
 * @example new Result('chat_history')
 */
export class Result<const K extends string = string> extends Action<Record<K, unknown>, Record<K, unknown>, never> {
  override readonly reads: readonly K[];
  override readonly writes: readonly never[] = [];
  /** @internal */
  declare readonly [RESULT_KEYS]?: K;

  constructor(...keys: K[]) {
    super();
    this.reads = keys;
  }

  /** The named keys and their values; a missing key is an error. */
  run(state: State<Record<K, unknown>>): Record<K, unknown> {
    return Object.fromEntries(this.reads.map((key) => [key, state.get(key)])) as Record<K, unknown>;
  }

  /** Leaves the state unchanged. */
  update(_result: Record<K, unknown>, state: State<Record<K, unknown>>): State<Record<K, unknown>> {
    return state;
  }
}
