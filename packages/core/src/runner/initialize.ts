import { ApplicationBuildError } from '../errors.js';
import type { BaseStateLoader, PersistedStateData } from '../persistence/contract.js';
import { normalizePartitionKey } from '../persistence/validate.js';
import { SEQUENCE_ID_KEY, State, type StateValues } from '../state.js';
import type { CompiledGraph } from './graph.js';
import type { ParentPointer } from './hooks.js';

/**
 * Options of `ApplicationBuilder.initializeFrom` (Python's `initialize_from`).
 * `S` is the application's state shape and `N` its action names.
 */
export interface InitializeFromOptions<S extends object = StateValues, N extends string = string> {
  /**
   * `true` (the default): continue where the loaded run stopped. `false`:
   * keep the loaded state but start at `defaultEntrypoint`.
   */
  resumeAtNextAction?: boolean | undefined;
  /** State to start with when nothing is loaded. Defaults to an empty state. */
  defaultState?: S | State<S> | undefined;
  /** Action to start at when nothing is loaded, or when `resumeAtNextAction` is `false`. */
  defaultEntrypoint: N;
  /** Load from this app instead, and save under a new app id (a fork). */
  forkFromAppId?: string | null | undefined;
  /** Partition of the app to fork from; defaults to this application's partition key. */
  forkFromPartitionKey?: string | null | undefined;
  /** Step to fork from; defaults to the fork source's latest step. */
  forkFromSequenceId?: number | null | undefined;
}

/** Identity of the application being built. */
export interface BuildIdentity {
  appId: string;
  /** Whether the caller chose the app id (a generated one has nothing to load). */
  appIdGiven: boolean;
  partitionKey: string | null;
  /** Load this app's step at this sequence id rather than its latest (`withIdentifiers({ sequenceId })`). */
  sequenceId: number | null;
}

/**
 * Checks a state entering the application (a default or a loaded one) and
 * returns the state to use; `sequenceId` is the loaded step's, `null` for a
 * default state. The identity when no schema is given.
 */
export type StateCheck = (state: State, origin: { appId: string; partitionKey: string | null; sequenceId: number | null }) => State | Promise<State>;

/** Where a new application starts. */
export interface StartingPoint {
  state: State;
  /** Run this action next, whatever the transitions say; `null` to follow {@link StartingPoint.continueAfter}. */
  startAt: string | null;
  /** Continue with the transitions out of this (completed) action. */
  continueAfter: string | null;
  parentPointer: ParentPointer | null;
}

/** A fresh start at `entrypoint` with `state`. */
export function freshStart(state: State, entrypoint: string): StartingPoint {
  return { state, startAt: entrypoint, continueAfter: null, parentPointer: null };
}

/**
 * Loads the step to start from and decides where to resume:
 * a `completed` record continues with the transition after its position, a
 * `failed` record re-runs its position; the next step's sequence id is the
 * loaded one plus one. Nothing found means `defaultState` at
 * `defaultEntrypoint` (an error when a fork, or a given sequence id, was
 * asked for). Every state entering, default or loaded, goes through `check`.
 */
export async function loadStartingPoint(
  loader: BaseStateLoader,
  options: InitializeFromOptions,
  identity: BuildIdentity,
  graph: CompiledGraph,
  check: StateCheck,
): Promise<StartingPoint> {
  const defaults = async (): Promise<StartingPoint> => {
    const state = await check(toState(options.defaultState), { appId: identity.appId, partitionKey: identity.partitionKey, sequenceId: null });
    return freshStart(state, options.defaultEntrypoint);
  };
  const fork = forkSource(options, identity);
  if (fork === null && !identity.appIdGiven) return defaults();

  const source = fork ?? { partitionKey: identity.partitionKey, appId: identity.appId, sequenceId: identity.sequenceId };
  const loaded = await loader.load(source.partitionKey, source.appId, source.sequenceId);
  if (loaded === null) {
    if (source.sequenceId !== null || fork !== null) {
      const at = source.sequenceId === null ? 'any step' : `sequence id ${source.sequenceId}`;
      const what = fork !== null ? 'Cannot fork: nothing' : 'Nothing';
      throw new ApplicationBuildError(`${what} is saved for app ${JSON.stringify(source.appId)} in partition ${JSON.stringify(source.partitionKey ?? '')} at ${at}`);
    }
    return defaults();
  }
  if (!(loaded.state instanceof State)) {
    throw new ApplicationBuildError(`The loader returned app ${JSON.stringify(loaded.appId)} step ${loaded.sequenceId} without a State`);
  }
  const checked = await check(loaded.state, { appId: loaded.appId, partitionKey: loaded.partitionKey === '' ? null : loaded.partitionKey, sequenceId: loaded.sequenceId });
  return resumeFrom({ ...loaded, state: checked }, options, graph, fork !== null);
}

function resumeFrom(loaded: PersistedStateData, options: InitializeFromOptions, graph: CompiledGraph, forked: boolean): StartingPoint {
  // The record's sequence id is authoritative: the next step is this plus one.
  const state = loaded.state.update({ [SEQUENCE_ID_KEY]: loaded.sequenceId });
  const parentPointer = forked ? { appId: loaded.appId, sequenceId: loaded.sequenceId, partitionKey: loaded.partitionKey === '' ? null : loaded.partitionKey } : null;
  if (options.resumeAtNextAction === false) return { state, startAt: options.defaultEntrypoint, continueAfter: null, parentPointer };
  if (!graph.has(loaded.position)) {
    throw new ApplicationBuildError(
      `Loaded step ${loaded.sequenceId} of app ${JSON.stringify(loaded.appId)} stopped at ${JSON.stringify(loaded.position)}, which is not an action of this application`,
    );
  }
  return loaded.status === 'failed'
    ? { state, startAt: loaded.position, continueAfter: null, parentPointer }
    : { state, startAt: null, continueAfter: loaded.position, parentPointer };
}

interface LoadSource {
  partitionKey: string | null;
  appId: string;
  sequenceId: number | null;
}

function forkSource(options: InitializeFromOptions, identity: BuildIdentity): LoadSource | null {
  const { forkFromAppId, forkFromPartitionKey, forkFromSequenceId } = options;
  if (forkFromAppId === undefined || forkFromAppId === null) {
    if ((forkFromPartitionKey ?? null) !== null || (forkFromSequenceId ?? null) !== null) {
      throw new ApplicationBuildError('forkFromPartitionKey and forkFromSequenceId only apply together with forkFromAppId');
    }
    return null;
  }
  if (typeof forkFromAppId !== 'string' || forkFromAppId.length === 0) throw new ApplicationBuildError('forkFromAppId must be a non-empty string');
  if (identity.sequenceId !== null) {
    throw new ApplicationBuildError('withIdentifiers({ sequenceId }) loads this app at an earlier step; to start from a step of the app you fork, pass forkFromSequenceId');
  }
  // An explicit null means "no partition", as everywhere else; only an omitted key means "this app's partition".
  const partitionKey = forkFromPartitionKey === undefined ? identity.partitionKey : forkFromPartitionKey;
  if (forkFromAppId === identity.appId && normalizePartitionKey(partitionKey) === normalizePartitionKey(identity.partitionKey)) {
    throw new ApplicationBuildError(
      `Cannot fork app ${JSON.stringify(forkFromAppId)} into itself: give the new application another app id with withIdentifiers(), or leave it out to generate one`,
    );
  }
  return { partitionKey, appId: forkFromAppId, sequenceId: forkFromSequenceId ?? null };
}

/** A State from a State or plain values. */
export function toState(values: object | undefined): State {
  if (values === undefined) return new State();
  return values instanceof State ? (values as State) : new State(values as StateValues);
}
