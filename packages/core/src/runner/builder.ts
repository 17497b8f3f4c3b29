import { ApplicationBuildError } from '../errors.js';
import type { BaseStateLoader, BaseStateSaver } from '../persistence/contract.js';
import type { State, StateValues } from '../state.js';
import { validateState } from '../state-schema.js';
import type { SchemaState, StandardSchemaV1 } from '../standard-schema.js';
import type { ActionFor, AnyAction, TypedResults } from './actions.js';
import { Application, type ActionNames, type ActionMap } from './application.js';
import { CompiledGraph, type TransitionSpec } from './graph.js';
import { callHooks, PersisterHook, type LifecycleHooks, type UntypedHooks } from './hooks.js';
import { freshStart, loadStartingPoint, toState, type InitializeFromOptions, type StateCheck } from './initialize.js';

const ACTION_KINDS: ReadonlySet<unknown> = new Set(['two-phase', 'single-step', 'streaming', 'single-step-streaming']);

/** Identifiers of an application (Python's `with_identifiers`). */
export interface ApplicationIdentifiers {
  /** Defaults to a random UUID (and then nothing is loaded by `initializeFrom`). */
  appId?: string | undefined;
  /** Groups applications, e.g. by user; `null` (the default) means none. */
  partitionKey?: string | null | undefined;
  /**
   * With `initializeFrom`: load this app at this saved step instead of its
   * latest, and continue from there under the same app id, without forking
   * (Python's `with_identifiers(sequence_id=...)`); for inspecting or
   * replaying a run. The steps after it stay saved: running a step again
   * with the same outcome saves as before (saves are idempotent), the same
   * action with a different state is refused with `PersisterConflictError`.
   * To continue differently, fork instead
   * (`initializeFrom(loader, { forkFromAppId, forkFromSequenceId })`).
   */
  sequenceId?: number | null | undefined;
}

/** Whether `S` is the untyped state shape (any string key): the builder then takes its type from the first state or schema it is given. @inline */
type IsUntyped<S> = string extends keyof S ? true : false;
/** The state type after a schema: `S` when already typed, else the schema's. @inline */
type Typed<S extends object, V extends object> = IsUntyped<S> extends true ? V : S;
/**
 * The state type after a default state `V`, when there is none yet: `V`'s
 * keys with their types, and any other key as `unknown`, since actions may
 * add keys the default state does not have (an empty `{}` says nothing).
 * @inline
 */
type FromDefault<S extends object, V extends object> = IsUntyped<S> extends true ? ([keyof V] extends [never] ? S : V & StateValues) : S;
/** The actions after `withActions(N)`: the first call sets them, later ones add to them. @inline */
type AddActions<A, N> = string extends keyof A ? N : A & N;

/**
 * Assembles an {@link Application}. Every mistake in the graph or the
 * options is reported by `build()` as an `ApplicationBuildError`.
 *
 * Give it the state type, `new ApplicationBuilder<MyState>()`, or let it
 * take the type from `withSchema(schema)`. From then on, actions must fit
 * that state, conditions are typed, and so are `app.state`, step and run
 * results and hooks; reading a key the type does not have is a compile
 * error. Without either, `withState(values)` or
 * `initializeFrom(loader, { defaultState })` type the keys the default
 * state has, and leave other keys readable as `unknown` (actions may add
 * them). Transitions, `withEntrypoint` and `haltAfter` name registered
 * actions. Calls made before the type is known are not checked against it,
 * so give it first.
 *
 * @example
 * type Counter = { count: number };
 * const app = await new ApplicationBuilder<Counter>()
 *   .withActions({ counter, done: new Result('count') })
 *   .withTransitions(['counter', 'counter', expr((s) => s.get('count') < 10)], ['counter', 'done'])
 *   .withState({ count: 0 })
 *   .withEntrypoint('counter')
 *   .build();
 * const { state } = await app.run({ haltAfter: ['done'] });
 */
export class ApplicationBuilder<S extends object = StateValues, A extends object = ActionMap> {
  readonly #actions = new Map<string, AnyAction>();
  readonly #transitions: TransitionSpec[] = [];
  readonly #hooks: UntypedHooks[] = [];
  readonly #savers: BaseStateSaver[] = [];
  readonly #errors: string[] = [];
  #state: State | undefined;
  #entrypoint: string | undefined;
  #identifiers: ApplicationIdentifiers = {};
  #initializer: { loader: BaseStateLoader; options: InitializeFromOptions } | undefined;
  #schema: StandardSchemaV1 | undefined;

  /** Registers actions by name; names must be unique across calls. Each must fit the state type (untyped actions fit any). */
  withActions<N extends Record<string, ActionFor<S>>>(actions: N): ApplicationBuilder<S, AddActions<A, TypedResults<N, S>>> {
    for (const [name, action] of Object.entries(actions)) {
      if (this.#actions.has(name)) this.#errors.push(`Action ${JSON.stringify(name)} is registered twice`);
      else if (action === null || typeof action !== 'object' || !ACTION_KINDS.has((action as { kind?: unknown }).kind)) {
        this.#errors.push(`${JSON.stringify(name)} is not an action: use action(), streamingAction(), new Result() or a subclass of Action`);
      } else this.#actions.set(name, action as unknown as AnyAction);
    }
    return this as unknown as ApplicationBuilder<S, AddActions<A, TypedResults<N, S>>>;
  }

  /** Adds transitions `[from, to, condition?]`; from one action they are tried in the order given. */
  withTransitions(...transitions: TransitionSpec<S, ActionNames<A>>[]): this {
    this.#transitions.push(...(transitions as readonly TransitionSpec[]));
    return this;
  }

  /**
   * The initial state of a fresh application (not with
   * {@link ApplicationBuilder.initializeFrom}). Without a state type yet, its
   * keys get their types, other keys stay readable as `unknown`.
   */
  withState<V extends object = StateValues>(state: IsUntyped<S> extends true ? V | State<V> : S | State<S>): ApplicationBuilder<FromDefault<S, V>, A> {
    this.#state = toState(state);
    return this as unknown as ApplicationBuilder<FromDefault<S, V>, A>;
  }

  /** The first action of a fresh application (not with {@link ApplicationBuilder.initializeFrom}). */
  withEntrypoint(action: ActionNames<A>): this {
    this.#entrypoint = action;
    return this;
  }

  /** Sets the app id and partition key, and (with `initializeFrom`) the saved step to load. */
  withIdentifiers(identifiers: ApplicationIdentifiers): this {
    this.#identifiers = { ...this.#identifiers, ...identifiers };
    return this;
  }

  /**
   * Validates every state entering the application against a Standard Schema
   * (zod, valibot, arktype...): the default state, and each state loaded by
   * `initializeFrom`, whoever wrote it. The application then starts from
   * what the schema returns (its defaults and transforms applied). A mismatch
   * fails `build()` with a `StateValidationError` naming the app, the
   * sequence id and the key path. Gives the state type if there is none yet
   * (a typed builder needs a schema producing its type). Not run between
   * steps: the actions' types cover those.
   */
  withSchema<Schema extends StandardSchemaV1>(schema: IsUntyped<S> extends true ? Schema : StandardSchemaV1<unknown, S>): ApplicationBuilder<Typed<S, SchemaState<Schema>>, A> {
    const standard = (schema as Partial<StandardSchemaV1> | null)?.['~standard'];
    if (typeof standard?.validate !== 'function') this.#errors.push('withSchema() needs a Standard Schema (zod, valibot, arktype...): an object with ["~standard"].validate');
    else this.#schema = schema as StandardSchemaV1;
    return this as unknown as ApplicationBuilder<Typed<S, SchemaState<Schema>>, A>;
  }

  /**
   * Starts from saved state: this app's latest step (or the step
   * `withIdentifiers({ sequenceId })` names), or (with `forkFromAppId`)
   * another app's step, which this app then continues under its own id.
   * Replaces `withState` and `withEntrypoint`; without a state type yet,
   * the keys of `defaultState` get their types, as with `withState`. (`defaultEntrypoint` is checked by `build()`,
   * not by the compiler: options are often written as a variable first.)
   */
  initializeFrom<V extends object = StateValues>(
    loader: BaseStateLoader,
    options: InitializeFromOptions<IsUntyped<S> extends true ? V : S>,
  ): ApplicationBuilder<FromDefault<S, V>, A> {
    this.#initializer = { loader, options: options as InitializeFromOptions };
    return this as unknown as ApplicationBuilder<FromDefault<S, V>, A>;
  }

  /** Saves the state after every step (adds a {@link PersisterHook}, in order with the other hooks). */
  withStatePersister(saver: BaseStateSaver): this {
    if (saver === null || typeof saver !== 'object' || typeof saver.save !== 'function') {
      this.#errors.push('withStatePersister() needs an object with a save() method');
      return this;
    }
    this.#savers.push(saver);
    this.#hooks.push(new PersisterHook(saver));
    return this;
  }

  /** Adds a tracker: lifecycle hooks written for any state (it may also be a loader to pass to `initializeFrom`). */
  withTracker(tracker: LifecycleHooks<never>): this {
    this.#hooks.push(tracker);
    return this;
  }

  /** Adds lifecycle hooks, typed by the application's state; all hooks run in the order they were added. */
  withHooks(...hooks: LifecycleHooks<S>[]): this {
    this.#hooks.push(...(hooks as UntypedHooks[]));
    return this;
  }

  /** Validates everything, loads the starting point if asked, checks the state against the schema, and creates the application. */
  async build(): Promise<Application<S, A>> {
    const [error] = this.#errors;
    if (error !== undefined) throw new ApplicationBuildError(error);
    if (this.#actions.size === 0) throw new ApplicationBuildError('The application has no actions: call withActions()');
    const entrypoint = this.#entrypointName();
    const graph = new CompiledGraph(this.#actions, this.#transitions, entrypoint);
    const { appId, partitionKey = null, sequenceId = null } = this.#identifiers;
    if (appId !== undefined && (typeof appId !== 'string' || appId.length === 0)) throw new ApplicationBuildError('appId must be a non-empty string');
    if (partitionKey !== null && typeof partitionKey !== 'string') throw new ApplicationBuildError('partitionKey must be a string or null');
    this.#checkSequenceId(sequenceId, appId);
    for (const saver of this.#savers) {
      if (!(await saver.isInitialized())) throw new ApplicationBuildError('The state persister is not initialized: call `await persister.initialize()` before build()');
    }
    const identity = { appId: appId ?? globalThis.crypto.randomUUID(), appIdGiven: appId !== undefined, partitionKey, sequenceId };
    const schema = this.#schema;
    const check: StateCheck = schema === undefined ? (state: State) => state : (state: State, origin) => validateState(schema, state, origin);
    const start = this.#initializer
      ? await loadStartingPoint(this.#initializer.loader, this.#initializer.options, identity, graph, check)
      : freshStart(await check(this.#state ?? toState(undefined), { appId: identity.appId, partitionKey, sequenceId: null }), entrypoint);
    const app = new Application<S, A>({ graph, appId: identity.appId, partitionKey, hooks: [...this.#hooks], start });
    await callHooks(this.#hooks, 'postApplicationCreate', { appId: app.uid, partitionKey, state: app.state as State, graph: app.graph, parentPointer: app.parentPointer });
    return app;
  }

  #checkSequenceId(sequenceId: number | null, appId: string | undefined): void {
    if (sequenceId === null) return;
    if (!Number.isSafeInteger(sequenceId) || sequenceId < 0) throw new ApplicationBuildError(`sequenceId must be a non-negative integer, got ${String(sequenceId)}`);
    if (!this.#initializer) throw new ApplicationBuildError('withIdentifiers({ sequenceId }) loads a saved step: call initializeFrom() too');
    if (appId === undefined) throw new ApplicationBuildError('withIdentifiers({ sequenceId }) needs the appId of the saved application');
  }

  #entrypointName(): string {
    let entrypoint = this.#entrypoint;
    if (this.#initializer) {
      if (this.#state !== undefined) throw new ApplicationBuildError('initializeFrom() cannot be combined with withState(): pass the state as initializeFrom({ defaultState })');
      if (entrypoint !== undefined) throw new ApplicationBuildError('initializeFrom() cannot be combined with withEntrypoint(): pass it as initializeFrom({ defaultEntrypoint })');
      entrypoint = this.#initializer.options.defaultEntrypoint;
    }
    if (entrypoint === undefined) throw new ApplicationBuildError('No entrypoint: call withEntrypoint(), or initializeFrom() with a defaultEntrypoint');
    if (!this.#actions.has(entrypoint)) {
      throw new ApplicationBuildError(`Entrypoint ${JSON.stringify(entrypoint)} is not an action; actions: ${[...this.#actions.keys()].join(', ')}`);
    }
    return entrypoint;
  }
}
