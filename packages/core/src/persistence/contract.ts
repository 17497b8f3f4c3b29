import type { SerdeKwargs } from '../serde/registry.js';
import type { State, StateValues } from '../state.js';
import type { BaseStateManager } from './history.js';

/** Status of a saved step: `failed` records hold the state from before the action ran. */
export type PersistStatus = 'completed' | 'failed';

/** A partition key as callers pass it: `null`/`undefined` mean "no partition" and are stored as `''`. */
export type PartitionKeyInput = string | null | undefined;

/** One saved step, as a loader returns it (Python's `PersistedStateData`). */
export interface PersistedStateData<T extends StateValues = StateValues> {
  /** Always a string: a step saved with no partition reads back as `''`. */
  partitionKey: string;
  appId: string;
  sequenceId: number;
  /** The action this step ran. */
  position: string;
  /** The state after the step (or before it, when `status` is `failed`), hidden `__` keys included. */
  state: State<T>;
  createdAt: Date;
  status: PersistStatus;
}

/** Arguments of {@link BaseStateSaver.save}. */
export interface SaveStateArgs {
  partitionKey?: PartitionKeyInput | undefined;
  appId: string;
  sequenceId: number;
  position: string;
  state: State;
  status: PersistStatus;
}

/**
 * Reads saved steps (Python's `BaseStateLoader` and `AsyncBaseStateLoader`).
 * Anything passed to `ApplicationBuilder.initializeFrom` implements this.
 */
export interface BaseStateLoader {
  /**
   * The step at `sequenceId`, or the latest step of the app (highest sequence
   * id, whatever its status) when it is omitted; `null` when there is none.
   * With `appId` `null`, the latest step of the partition's most recently
   * saved app ("the last thing written", Python's `app_id=None`); a
   * `sequenceId` is then refused.
   */
  load(partitionKey: PartitionKeyInput, appId: string | null, sequenceId?: number | null): Promise<PersistedStateData | null>;
  /** Distinct app ids of a partition, the most recently saved first. */
  listAppIds(partitionKey: PartitionKeyInput): Promise<string[]>;
}

/** Writes steps (Python's `BaseStateSaver` and `AsyncBaseStateSaver`). */
export interface BaseStateSaver {
  /** Creates tables, indexes or collections; safe to call again, and from several processes at once. */
  initialize(): Promise<void>;
  /** Whether `initialize()` has run against this store (from any connection). */
  isInitialized(): Promise<boolean>;
  /**
   * Saves one step atomically and idempotently. Saving again the step stored
   * under the same (partition, app, sequence id, position), with the same
   * status and the same state content, succeeds and changes nothing (the
   * first `createdAt` is kept): a save whose reply was lost, e.g. to a cut
   * connection after the commit, can simply be sent again. Content is
   * compared as values, not as text, since a backend may normalize the JSON
   * it stores. A different status or state under that key throws
   * `PersisterConflictError` and leaves the stored step unchanged; of two
   * writers racing with different content exactly one wins.
   */
  save(args: SaveStateArgs): Promise<void>;
}

/**
 * Both halves, plus history, retention and resource handling (Python's
 * `BaseStatePersister` and `AsyncBaseStatePersister`, with {@link BaseStateManager}).
 */
export interface BaseStatePersister extends BaseStateLoader, BaseStateSaver, BaseStateManager, AsyncDisposable {
  /** Closes what the persister opened itself; a client passed in by the caller stays open. Idempotent. */
  cleanup(): Promise<void>;
  /** Options handed to every serializer and deserializer from now on. */
  setSerdeKwargs(kwargs: SerdeKwargs): void;
}
