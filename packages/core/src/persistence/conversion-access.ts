import type { State } from '../state.js';
import type { SerdeKwargs } from '../serde/registry.js';
import type { PersistStatus } from './contract.js';
import type { IncrementalSettings, StorageMode } from './incremental/options.js';
import type { AppScan } from './stored-history.js';
import type { SaveTime } from './timestamps.js';
import type { StepKey } from './validate.js';

/**
 * The key under which a `RecordStatePersister` hands `convertStorage` what it
 * needs beyond the public API (reading stored save times to the microsecond,
 * writing a step with a given save time). A registered symbol, so a persister
 * built against another copy of `@burr/core` (ESM and CommonJS side by side)
 * is still recognized. Not exported from the package: internal.
 */
export const STORAGE_CONVERSION: unique symbol = Symbol.for('@burr/core.storageConversion') as never;

/** One step as a conversion moves it: its key, status, exact save time and state. */
export interface ConvertedStep extends StepKey {
  status: PersistStatus;
  /** The stored save time, microseconds included. */
  savedAt: SaveTime;
  state: State;
  /** Bytes the backend stores for the step (as `listSteps` reports `sizeBytes`). */
  sizeBytes: number;
}

/** One page of an app's steps, oldest first, never split inside a sequence id. */
export interface ConvertedPage {
  steps: ConvertedStep[];
  /** Whether steps follow this page. */
  more: boolean;
}

/** A step's key and stored size, without its state. */
export interface StoredStepKey extends StepKey {
  status: string;
  sizeBytes: number;
}

/** What a persister offers a conversion (see `RecordStatePersister`). */
export interface StorageConversionAccess {
  readonly mode: StorageMode;
  /** The serde options the persister encodes with. */
  readonly serdeKwargs: SerdeKwargs;
  /** The incremental settings, for a persister in incremental mode. */
  readonly incrementalSettings: IncrementalSettings | undefined;
  /** Names the store and table, the same for both modes of one table (e.g. `SQLitePersister(burr_state)`). */
  readonly storeName: string;
  /** Names this persister in messages. */
  describe(): string;
  /** One page of the apps stored in this persister's mode (`partitionKey` null: every partition). */
  scanApps(partitionKey: string | null, cursor: string | null, limit: number): Promise<AppScan>;
  /** Steps of an app with sequence ids above `after` and up to `upTo`, oldest first, states rebuilt or decoded. */
  readSteps(partitionKey: string, appId: string, after: number | undefined, upTo: number, limit: number): Promise<ConvertedPage>;
  /** The highest sequence id of the app's steps, or `null` when it has none. */
  latestSequenceId(partitionKey: string, appId: string): Promise<number | null>;
  /** Keys and sizes of an app's steps with sequence ids above `after` (and below `before`), oldest first; no state is read. */
  stepKeys(partitionKey: string, appId: string, after: number | undefined, before: number | undefined, limit: number): Promise<StoredStepKey[]>;
  /** The states of the given steps of one app, in the order given. */
  statesOf(partitionKey: string, appId: string, steps: readonly StepKey[]): Promise<State[]>;
  /** Writes a step with its own save time, skipping the storage mode check; `'same'` when the key already holds this content and status. */
  writeStep(step: ConvertedStep): Promise<'written' | 'same'>;
  /** Whether the other mode's table of this store holds a step of the app. */
  otherModeHolds(partitionKey: string, appId: string): Promise<boolean>;
  /**
   * Removes the app's steps with sequence ids up to `toSequenceId` (those a
   * conversion copied; a step saved meanwhile above it stays), then, when
   * none is left, what the backend keeps about the app besides (its app
   * index entry). `appGone`: no step of the app is left.
   */
  removeConverted(partitionKey: string, appId: string, toSequenceId: number): Promise<{ removed: number; appGone: boolean }>;
  /** The JSON this persister would store for `state` (for comparing contents). */
  encode(state: State): string;
  /** Forgets what the persister remembers of an app (the base of its next delta, the mode check). */
  forget(partitionKey: string, appId: string): void;
}

/** A persister a conversion can work on. */
export interface ConvertibleStorage {
  [STORAGE_CONVERSION](): StorageConversionAccess;
}
