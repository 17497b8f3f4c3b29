import { ApplicationRunError, PersisterConflictError, SerializationError, StateTooLargeError, UnsupportedValueError } from '../errors.js';
import { SEQUENCE_ID_KEY, type State, type StateValues } from '../state.js';
import type { ActionContext, ActionInputs, AnyAction, ResultOf, StepOutput } from './actions.js';
import { StepHookFailedError } from './errors.js';
import { executeAction, mergeWrites, selectInputs, streamAction } from './execute.js';
import type { ApplicationGraph, CompiledGraph } from './graph.js';
import { callHooks, PersisterHook, type ParentPointer, type PostRunStepArgs, type UntypedHooks } from './hooks.js';
import type { StartingPoint } from './initialize.js';
import { StreamingResultContainer, type StreamedOutcome } from './streaming.js';

/**
 * Actions by name, as `ApplicationBuilder.withActions` registers them. The
 * default of `Application` and `ApplicationBuilder` is `any`, so that a
 * plain `Application` accepts every application, whatever its actions.
 */
// biome-ignore lint/suspicious/noExplicitAny: the action map of an application whose actions are not known.
export type ActionMap = any;

/** The action names of an action map `A` (any string while they are not known). */
export type ActionNames<A> = keyof A & string;

/**
 * One executed step: the action `N` that ran, its result `R`, and the state
 * (of shape `S`) after it.
 */
export interface StepResult<S extends object = StateValues, N extends string = string, R = unknown> {
  /** Name of the action that ran. */
  action: N;
  result: R;
  /** The application state after the step. */
  state: State<S>;
}

/** A step of an application of state `S` and actions `A`: one {@link StepResult} per action, told apart by `action`. */
export type StepResultOf<S extends object, A> = { [N in ActionNames<A>]: StepResult<S, N, ResultOf<A[N & keyof A]>> }[ActionNames<A>];

/**
 * How a run ended: after an action in `haltAfter` (its name and result),
 * before an action in `haltBefore` (its name, `result` null), or when no
 * action was left (the last action run, or `null` if none ran).
 */
export interface RunResult<S extends object = StateValues, N extends string = string, R = unknown> {
  action: N | null;
  result: R | null;
  state: State<S>;
}

/** How a run of an application of state `S` and actions `A` ended: one {@link RunResult} per action, told apart by `action`. */
export type RunResultOf<S extends object, A> =
  | { [N in ActionNames<A>]: RunResult<S, N, ResultOf<A[N & keyof A]>> & { action: N } }[ActionNames<A>]
  | (RunResult<S, never, never> & { action: null });

/** Options of {@link Application.run} and {@link Application.iterate}; `N` are the action names. */
export interface RunOptions<N extends string = string> {
  /** Stop after running any of these actions. */
  haltAfter?: readonly N[] | undefined;
  /** Stop before running any of these actions (at least one step always runs first). */
  haltBefore?: readonly N[] | undefined;
  /** Inputs offered to every step; each action takes only the ones it declares. */
  inputs?: ActionInputs | undefined;
}

/** Options of {@link Application.streamResult}. */
export interface StreamResultOptions<N extends string = string> extends RunOptions<N> {
  haltAfter: readonly N[];
}

/** Everything `ApplicationBuilder.build()` hands to the application. */
export interface ApplicationConfig {
  graph: CompiledGraph;
  appId: string;
  partitionKey: string | null;
  hooks: readonly UntypedHooks[];
  start: StartingPoint;
}

interface PreparedStep {
  name: string;
  action: AnyAction;
  inputs: ActionInputs;
  sequenceId: number;
  /** The state the action receives: the current one with this step's sequence id. */
  state: State;
  context: ActionContext;
}

/** A step that ran but whose save threw: the next `step()` saves this same record again before anything else. */
interface UnsavedStep {
  args: PostRunStepArgs;
  commit: () => void;
  /** What `step()` returns once it is saved; `null` after a failed action, which the next step then re-runs. */
  result: StepResult | null;
}

/**
 * A running state machine. Build one with `ApplicationBuilder`; `S` is its
 * state shape and `A` its actions by name.
 * Each step
 * runs the next action, merges the keys it writes into the state, sets the
 * hidden `__SEQUENCE_ID`/`__PRIOR_STEP` keys, and calls the lifecycle hooks
 * (the persister among them) before moving on. If a hook throws, the step
 * is not committed and the error reaches the caller. One step at a time:
 * starting a step while another is running throws.
 *
 * When the persister's save throws (a cut connection, a timeout), the step
 * stays uncommitted and is remembered; the next `step()` (or `run`,
 * `iterate`, `streamResult`) first saves that same record again, without
 * re-running the action, then commits it. The save may have landed before
 * its reply was lost; since saves are idempotent, the retry then succeeds
 * instead of conflicting, and the app continues without being rebuilt. A
 * save the persister refused with nothing written, for the state itself
 * (`SerializationError`, `UnsupportedValueError`, `StateTooLargeError`) or
 * because another record holds its sequence id (`PersisterConflictError`),
 * is not retried: the next step runs the action again (a replay whose
 * action now gives the saved outcome then saves idempotently and goes on).
 */
export class Application<S extends object = StateValues, A extends object = ActionMap> {
  readonly #graph: CompiledGraph;
  readonly #appId: string;
  readonly #partitionKey: string | null;
  readonly #hooks: readonly UntypedHooks[];
  readonly #saverHooks: readonly UntypedHooks[];
  readonly #otherHooks: readonly UntypedHooks[];
  readonly #parentPointer: ParentPointer | null;
  #state: State;
  /** Run this action next, whatever the transitions say. */
  #startAt: string | null;
  /** Otherwise follow the transitions out of this action. */
  #continueAfter: string | null;
  #nextCache: { value: string | null } | null = null;
  #busy = false;
  #unsaved: UnsavedStep | null = null;

  /**
   * Use `ApplicationBuilder.build()`; this constructor is not meant to be called directly.
   * @internal
   */
  constructor(config: ApplicationConfig) {
    this.#graph = config.graph;
    this.#appId = config.appId;
    this.#partitionKey = config.partitionKey;
    this.#hooks = config.hooks;
    this.#saverHooks = config.hooks.filter((hook) => hook instanceof PersisterHook);
    this.#otherHooks = config.hooks.filter((hook) => !(hook instanceof PersisterHook));
    this.#parentPointer = config.start.parentPointer;
    this.#state = config.start.state;
    this.#startAt = config.start.startAt;
    this.#continueAfter = config.start.continueAfter;
  }

  /** The current state, hidden keys included. */
  get state(): State<S> {
    return this.#state as unknown as State<S>;
  }

  /** Sequence id of the last step (run or loaded); `null` before the first step of a fresh app. */
  get sequenceId(): number | null {
    return this.#state.has(SEQUENCE_ID_KEY) ? (this.#state.get(SEQUENCE_ID_KEY) as number) : null;
  }

  /** The app id (generated as a random UUID when none was given). */
  get uid(): string {
    return this.#appId;
  }

  /** The partition key, or `null`. */
  get partitionKey(): string | null {
    return this.#partitionKey;
  }

  /** Where this application was forked from, or `null` if it was not a fork. */
  get parentPointer(): ParentPointer | null {
    return this.#parentPointer;
  }

  /** Entrypoint, actions and transitions (with condition names). */
  get graph(): ApplicationGraph {
    return this.#graph.description;
  }

  /** The name of the action the next step would run, or `null` when there is none. */
  getNextAction(): ActionNames<A> | null {
    if (this.#nextCache === null) {
      const value = this.#startAt ?? (this.#continueAfter === null ? null : this.#graph.nextAfter(this.#continueAfter, this.#state));
      this.#nextCache = { value };
    }
    return this.#nextCache.value as ActionNames<A> | null;
  }

  /** Whether there is an action left to run. */
  hasNextAction(): boolean {
    return this.getNextAction() !== null;
  }

  /**
   * Runs the next action; `null` when there is none. An action's error is
   * rethrown after the hooks saw it. After a step whose save threw, this
   * first saves that step again: if it had run its action, that step's
   * result is returned and no action runs (`inputs` are not used); if its
   * action had failed, the action then runs again, as the next step.
   */
  async step(options: { inputs?: ActionInputs | undefined } = {}): Promise<StepResultOf<S, A> | null> {
    this.#enter();
    try {
      if (this.#unsaved !== null) {
        const saved = await this.#saveUnsaved(this.#unsaved);
        if (saved !== null) return saved as StepResultOf<S, A>;
      }
      const prepared = this.#prepare(options.inputs);
      if (prepared === null) return null;
      await this.#callPreHooks(prepared);
      let output: StepOutput;
      try {
        output = await executeAction(prepared.name, prepared.action, prepared.state, prepared.inputs, prepared.context);
      } catch (error) {
        return await this.#fail(prepared, error);
      }
      return (await this.#complete(prepared, output)) as StepResultOf<S, A>;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Steps until a halt condition or the end of the graph, yielding each
   * step; the generator's return value is the {@link RunResult}. As in Python
   * Burr, at least one step runs before halt conditions are checked.
   */
  async *iterate(options: RunOptions<ActionNames<A>> = {}): AsyncGenerator<StepResultOf<S, A>, RunResultOf<S, A>, undefined> {
    const haltAfter = this.#actionSet(options.haltAfter, 'haltAfter');
    const haltBefore = this.#actionSet(options.haltBefore, 'haltBefore');
    let last: StepResultOf<S, A> | null = null;
    for (;;) {
      const out = await this.step({ inputs: options.inputs });
      if (out === null) break;
      last = out;
      yield out;
      const next = this.getNextAction();
      if ((next !== null && haltBefore.has(next)) || haltAfter.has(out.action)) break;
    }
    const next = this.getNextAction();
    const state = this.state;
    if (next !== null && haltBefore.has(next)) return { action: next, result: null, state } as RunResultOf<S, A>;
    return { action: last?.action ?? null, result: last?.result ?? null, state } as RunResultOf<S, A>;
  }

  /** Runs until a halt condition or the end of the graph; see {@link Application.iterate}. */
  async run(options: RunOptions<ActionNames<A>> = {}): Promise<RunResultOf<S, A>> {
    const steps = this.iterate(options);
    for (;;) {
      const next = await steps.next();
      if (next.done) return next.value;
    }
  }

  /**
   * Runs (non-streaming) steps until the next action is in `haltAfter`, then
   * starts that action as a stream. If a `haltBefore` action comes first, the
   * container is empty and its `get()` gives a `null` result.
   */
  async streamResult<P = unknown>(options: StreamResultOptions<ActionNames<A>>): Promise<{ action: ActionNames<A>; stream: StreamingResultContainer<P, S> }> {
    const haltAfter = this.#actionSet(options.haltAfter, 'haltAfter');
    const haltBefore = this.#actionSet(options.haltBefore, 'haltBefore');
    if (this.#unsaved !== null) {
      // The step whose save failed is finished first; if it is the one to stream, its result is all there is.
      this.#enter();
      let saved: StepResult | null;
      try {
        saved = await this.#saveUnsaved(this.#unsaved);
      } finally {
        this.#busy = false;
      }
      if (saved !== null && haltAfter.has(saved.action)) {
        return { action: saved.action as ActionNames<A>, stream: StreamingResultContainer.of<P, S>({ result: saved.result, state: saved.state }) };
      }
    }
    let next = this.getNextAction();
    if (next === null) throw new ApplicationRunError(`Cannot stream: application ${JSON.stringify(this.#appId)} has no next action`);
    if (!haltAfter.has(next)) {
      const ran = await this.run({ haltBefore: [...haltAfter, ...haltBefore] as ActionNames<A>[], inputs: options.inputs });
      next = this.getNextAction();
      if (next === null) {
        throw new ApplicationRunError(`Cannot stream: the application ended (last action ${JSON.stringify(ran.action)}) before reaching any of ${[...haltAfter].join(', ')}`);
      }
      if (!haltAfter.has(next)) return { action: next, stream: StreamingResultContainer.of<P, S>({ result: null, state: this.#state }) };
    }
    this.#enter();
    let prepared: PreparedStep;
    try {
      prepared = this.#prepare(options.inputs) as PreparedStep;
      await this.#callPreHooks(prepared);
    } catch (error) {
      this.#busy = false;
      throw error;
    }
    return { action: prepared.name as ActionNames<A>, stream: new StreamingResultContainer<P, S>(this.#streamStep<P>(prepared)) };
  }

  async *#streamStep<P>(prepared: PreparedStep): AsyncGenerator<P, StreamedOutcome, undefined> {
    try {
      let output: StepOutput;
      try {
        output = yield* streamAction(prepared.name, prepared.action, prepared.state, prepared.inputs, prepared.context) as AsyncGenerator<P, StepOutput, undefined>;
      } catch (error) {
        return await this.#fail(prepared, error);
      }
      const { result, state } = await this.#complete(prepared, output);
      return { result, state };
    } finally {
      this.#busy = false;
    }
  }

  #enter(): void {
    if (this.#busy) throw new ApplicationRunError(`Application ${JSON.stringify(this.#appId)} is already running a step; wait for it to finish before starting another`);
    this.#busy = true;
  }

  #prepare(given: ActionInputs | undefined): PreparedStep | null {
    const name = this.getNextAction();
    if (name === null) return null;
    const action = this.#graph.action(name) as AnyAction;
    const inputs = selectInputs(name, action, given);
    const last = this.sequenceId;
    if (last !== null && !Number.isSafeInteger(last)) throw new ApplicationRunError(`State key ${SEQUENCE_ID_KEY} holds ${String(last)}, not an integer`);
    const sequenceId = last === null ? 0 : last + 1;
    const state = this.#state.update({ [SEQUENCE_ID_KEY]: sequenceId });
    const context: ActionContext = { appId: this.#appId, partitionKey: this.#partitionKey, sequenceId };
    return { name, action, inputs, sequenceId, state, context };
  }

  #callPreHooks(p: PreparedStep): Promise<void> {
    if (this.#hooks.length === 0) return Promise.resolve();
    return callHooks(this.#hooks, 'preRunStep', {
      appId: this.#appId,
      partitionKey: this.#partitionKey,
      sequenceId: p.sequenceId,
      action: p.name,
      state: p.state,
      inputs: p.inputs,
    });
  }

  async #complete(p: PreparedStep, output: StepOutput): Promise<StepResult> {
    const state = mergeWrites(p.state, output.state, p.action.writes, p.name);
    const args = { appId: this.#appId, partitionKey: this.#partitionKey, sequenceId: p.sequenceId, action: p.name, state, result: output.result, error: null };
    const stepResult: StepResult = { action: p.name, result: output.result, state };
    await this.#postRunStep(args, () => this.#commit(state, null, p.name), stepResult);
    return stepResult;
  }

  /** Lets the hooks record the failure (state from before the action), keeps the action as the next one, rethrows. */
  async #fail(p: PreparedStep, thrown: unknown): Promise<never> {
    const error = thrown ?? new ApplicationRunError(`Action ${JSON.stringify(p.name)} threw ${String(thrown)}`);
    const args = { appId: this.#appId, partitionKey: this.#partitionKey, sequenceId: p.sequenceId, action: p.name, state: p.state, result: null, error };
    try {
      // The failed step used up its sequence id; a retry runs the same action with the next one.
      await this.#postRunStep(args, () => this.#commit(p.state, p.name, this.#continueAfter), null);
    } catch (hookError) {
      throw new StepHookFailedError(p.name, error, hookError);
    }
    throw error;
  }

  /**
   * Runs the postRunStep hooks and commits the step. Persister hooks run
   * first: once they have saved, the step is durable and is committed before
   * the other hooks run, so a failing tracker can never leave the app behind
   * its own saved step (every retry would then conflict). With no persister,
   * a hook's error keeps the step uncommitted. A save that throws leaves the
   * step to {@link Application.step}'s retry (see the class notes).
   */
  async #postRunStep(args: PostRunStepArgs, commit: () => void, result: StepResult | null): Promise<void> {
    try {
      await callHooks(this.#saverHooks, 'postRunStep', args);
    } catch (error) {
      this.#unsaved = refusedBeforeWrite(error) ? null : { args, commit, result };
      throw error;
    }
    this.#unsaved = null;
    const durable = this.#saverHooks.length > 0;
    if (durable) commit();
    await callHooks(this.#otherHooks, 'postRunStep', args);
    if (!durable) commit();
  }

  /** Saves a step whose save threw before, commits it and runs the other hooks; returns its result (`null` after a failed action). */
  async #saveUnsaved(unsaved: UnsavedStep): Promise<StepResult | null> {
    await this.#postRunStep(unsaved.args, unsaved.commit, unsaved.result);
    return unsaved.result;
  }

  #commit(state: State, startAt: string | null, continueAfter: string | null): void {
    this.#state = state;
    this.#startAt = startAt;
    this.#continueAfter = continueAfter;
    this.#nextCache = null;
  }

  #actionSet(names: readonly string[] | undefined, option: string): Set<string> {
    // A lone string is taken as one name rather than split into characters.
    const set = new Set<string>(typeof names === 'string' ? [names] : (names ?? []));
    for (const name of set) {
      if (!this.#graph.has(name))
        throw new ApplicationRunError(`${option} names unknown action ${JSON.stringify(name)}; actions: ${this.graph.actions.map((a) => a.name).join(', ')}`);
    }
    return set;
  }
}

/** Errors by which a persister refuses the state itself, before writing anything: saving the same record again cannot succeed. */
function refusedBeforeWrite(error: unknown): boolean {
  // A conflict wrote nothing either: another record holds the sequence id, and sending ours again could only conflict again.
  return error instanceof SerializationError || error instanceof UnsupportedValueError || error instanceof StateTooLargeError || error instanceof PersisterConflictError;
}
