import type { BaseStateSaver } from '../persistence/contract.js';
import type { State, StateValues } from '../state.js';
import type { ActionInputs } from './actions.js';
import type { ApplicationGraph } from './graph.js';

/** Where a forked application came from. */
export interface ParentPointer {
  appId: string;
  sequenceId: number;
  /** `null` when the source had no partition. */
  partitionKey: string | null;
}

/** Arguments of {@link LifecycleHooks.postApplicationCreate}. */
export interface PostApplicationCreateArgs<S extends object = StateValues> {
  appId: string;
  partitionKey: string | null;
  state: State<S>;
  graph: ApplicationGraph;
  parentPointer: ParentPointer | null;
}

/** Arguments of {@link LifecycleHooks.preRunStep}. */
export interface PreRunStepArgs<S extends object = StateValues> {
  appId: string;
  partitionKey: string | null;
  sequenceId: number;
  /** Name of the action about to run. */
  action: string;
  /** The state the action receives (its `__SEQUENCE_ID` is this step's). */
  state: State<S>;
  /** The inputs the action receives. */
  inputs: ActionInputs;
}

/** Arguments of {@link LifecycleHooks.postRunStep}. */
export interface PostRunStepArgs<S extends object = StateValues> {
  appId: string;
  partitionKey: string | null;
  sequenceId: number;
  /** Name of the action that ran. */
  action: string;
  /** After success, the new state; after a failure, the state from before the action (with this step's `__SEQUENCE_ID`). */
  state: State<S>;
  /** The action's result; `null` when it failed. */
  result: unknown;
  /** What the action threw; `null` when it succeeded. */
  error: unknown;
}

/**
 * Callbacks around an application's life (Python's lifecycle adapters).
 * Every method is optional and may be async. Hooks run one after another in
 * the order they were added to the builder; an error thrown by a hook stops
 * the step and reaches the caller (a failed save is never silent).
 *
 * `S` is the state shape the hooks see: `ApplicationBuilder.withHooks` of an
 * application of state `S` types them so; a tracker written for any state
 * keeps the default (untyped) and is added with `withTracker`.
 */
export interface LifecycleHooks<S extends object = StateValues> {
  /** Once, when `build()` has created the application. */
  postApplicationCreate?(args: PostApplicationCreateArgs<S>): void | Promise<void>;
  /** Before each action runs. */
  preRunStep?(args: PreRunStepArgs<S>): void | Promise<void>;
  /** After each action ran or failed, before the application moves on. */
  postRunStep?(args: PostRunStepArgs<S>): void | Promise<void>;
}

/**
 * Hooks of any state shape, as the runner holds them: it calls them with the
 * application's state, whatever type they were written for.
 */
export type UntypedHooks = LifecycleHooks<never>;

/** Calls one hook method on every hook that has it, in order, awaiting each. */
export async function callHooks<K extends keyof LifecycleHooks>(hooks: readonly UntypedHooks[], method: K, args: Parameters<NonNullable<LifecycleHooks[K]>>[0]): Promise<void> {
  for (const hook of hooks) {
    const fn = (hook as LifecycleHooks)[method] as ((args: unknown) => void | Promise<void>) | undefined;
    if (fn !== undefined) await fn.call(hook, args);
  }
}

/**
 * Saves the state after every step (Python's `PersisterHook`): status
 * `completed` with the new state, or `failed` with the state from before the
 * action when it threw. `ApplicationBuilder.withStatePersister` adds one.
 */
export class PersisterHook implements LifecycleHooks {
  readonly #saver: BaseStateSaver;

  /** @param saver - where steps are saved; it must be initialized. */
  constructor(saver: BaseStateSaver) {
    this.#saver = saver;
  }

  /** Saves the step: `completed` when `error` is null, else `failed`. */
  async postRunStep({ appId, partitionKey, sequenceId, action, state, error }: PostRunStepArgs): Promise<void> {
    await this.#saver.save({ partitionKey, appId, sequenceId, position: action, state, status: error === null ? 'completed' : 'failed' });
  }
}
