import { ApplicationBuildError } from '../errors.js';
import type { BaseStateLoader, BaseStateSaver } from '../persistence/contract.js';
import type { State, StateValues } from '../state.js';
import type { AnyAction } from './actions.js';
import { Application } from './application.js';
import { CompiledGraph, type TransitionSpec } from './graph.js';
import { callHooks, PersisterHook, type LifecycleHooks } from './hooks.js';
import { freshStart, loadStartingPoint, toState, type InitializeFromOptions } from './initialize.js';

const ACTION_KINDS: ReadonlySet<unknown> = new Set(['two-phase', 'single-step', 'streaming', 'single-step-streaming']);

/** Identifiers of an application (Python's `with_identifiers`). */
export interface ApplicationIdentifiers {
  /** Defaults to a random UUID (and then nothing is loaded by `initializeFrom`). */
  appId?: string;
  /** Groups applications, e.g. by user; `null` (the default) means none. */
  partitionKey?: string | null;
}

/**
 * Assembles an {@link Application}. Every mistake in the graph or the
 * options is reported by `build()` as an `ApplicationBuildError`.
 *
 * @example
 * const app = await new ApplicationBuilder()
 *   .withActions({ counter, done: new Result('count') })
 *   .withTransitions(['counter', 'counter', expr((s) => (s.get('count') as number) < 10)], ['counter', 'done'])
 *   .withState({ count: 0 })
 *   .withEntrypoint('counter')
 *   .build();
 * const { state } = await app.run({ haltAfter: ['done'] });
 */
export class ApplicationBuilder {
  readonly #actions = new Map<string, AnyAction>();
  readonly #transitions: TransitionSpec[] = [];
  readonly #hooks: LifecycleHooks[] = [];
  readonly #savers: BaseStateSaver[] = [];
  readonly #errors: string[] = [];
  #state: State | undefined;
  #entrypoint: string | undefined;
  #identifiers: ApplicationIdentifiers = {};
  #initializer: { loader: BaseStateLoader; options: InitializeFromOptions } | undefined;

  /** Registers actions by name; names must be unique across calls. */
  withActions(actions: Record<string, AnyAction>): this {
    for (const [name, action] of Object.entries(actions)) {
      if (this.#actions.has(name)) this.#errors.push(`Action ${JSON.stringify(name)} is registered twice`);
      else if (action === null || typeof action !== 'object' || !ACTION_KINDS.has((action as { kind?: unknown }).kind)) {
        this.#errors.push(`${JSON.stringify(name)} is not an action: use action(), streamingAction(), new Result() or a subclass of Action`);
      } else this.#actions.set(name, action);
    }
    return this;
  }

  /** Adds transitions `[from, to, condition?]`; from one action they are tried in the order given. */
  withTransitions(...transitions: TransitionSpec[]): this {
    this.#transitions.push(...transitions);
    return this;
  }

  /** The initial state of a fresh application (not with {@link ApplicationBuilder.initializeFrom}). */
  withState(state: StateValues | State): this {
    this.#state = toState(state);
    return this;
  }

  /** The first action of a fresh application (not with {@link ApplicationBuilder.initializeFrom}). */
  withEntrypoint(action: string): this {
    this.#entrypoint = action;
    return this;
  }

  /** Sets the app id and partition key. */
  withIdentifiers(identifiers: ApplicationIdentifiers): this {
    this.#identifiers = { ...this.#identifiers, ...identifiers };
    return this;
  }

  /**
   * Starts from saved state: this app's latest step, or (with
   * `forkFromAppId`) another app's step, which this app then continues
   * under its own id. Replaces `withState` and `withEntrypoint`.
   */
  initializeFrom(loader: BaseStateLoader, options: InitializeFromOptions): this {
    this.#initializer = { loader, options };
    return this;
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

  /** Adds a tracker: lifecycle hooks (it may also be a loader to pass to `initializeFrom`). */
  withTracker(tracker: LifecycleHooks): this {
    return this.withHooks(tracker);
  }

  /** Adds lifecycle hooks; all hooks run in the order they were added. */
  withHooks(...hooks: LifecycleHooks[]): this {
    this.#hooks.push(...hooks);
    return this;
  }

  /** Validates everything, loads the starting point if asked, and creates the application. */
  async build(): Promise<Application> {
    const [error] = this.#errors;
    if (error !== undefined) throw new ApplicationBuildError(error);
    if (this.#actions.size === 0) throw new ApplicationBuildError('The application has no actions: call withActions()');
    const entrypoint = this.#entrypointName();
    const graph = new CompiledGraph(this.#actions, this.#transitions, entrypoint);
    const { appId, partitionKey = null } = this.#identifiers;
    if (appId !== undefined && (typeof appId !== 'string' || appId.length === 0)) throw new ApplicationBuildError('appId must be a non-empty string');
    if (partitionKey !== null && typeof partitionKey !== 'string') throw new ApplicationBuildError('partitionKey must be a string or null');
    for (const saver of this.#savers) {
      if (!(await saver.isInitialized())) throw new ApplicationBuildError('The state persister is not initialized: call `await persister.initialize()` before build()');
    }
    const identity = { appId: appId ?? globalThis.crypto.randomUUID(), appIdGiven: appId !== undefined, partitionKey };
    const start = this.#initializer
      ? await loadStartingPoint(this.#initializer.loader, this.#initializer.options, identity, graph)
      : freshStart(this.#state ?? toState(undefined), entrypoint);
    const app = new Application({ graph, appId: identity.appId, partitionKey, hooks: [...this.#hooks], start });
    await callHooks(this.#hooks, 'postApplicationCreate', { appId: app.uid, partitionKey, state: app.state, graph: app.graph, parentPointer: app.parentPointer });
    return app;
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
