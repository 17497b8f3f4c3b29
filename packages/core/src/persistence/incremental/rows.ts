import type { StateRecord } from '../record-persister.js';
import type { StepRemoval } from '../stored-history.js';
import type { SaveTime } from '../timestamps.js';
import type { StepKey } from '../validate.js';

/** The most sequence ids a delta's base may lie below it; further away, a save writes a snapshot. Bounds the rows a prune looks at for dependents. */
export const MAX_BASE_GAP = 100;

/**
 * The least a delta counts toward a chain's `snapshotBytes` budget: reading
 * one more row costs a load about as much as decoding this many bytes of
 * JSON, so a chain of tiny deltas (a small state) is cut short as well.
 */
export const MIN_DELTA_COST_BYTES = 256;

/** The step a delta applies to. */
export interface DeltaBase {
  sequenceId: number;
  position: string;
}

/** A row of incremental storage ready to insert: a snapshot (`base` null, `state` the whole state) or a delta. */
export interface IncrementalRecord extends StateRecord {
  /** For a delta: its base, with the save time it must still have when the delta is inserted. */
  base: (DeltaBase & SaveTime) | null;
}

/** A row as a backend read it (numbers and times may come back as strings, bigints or Dates). */
export interface StoredIncrementalRecord {
  sequenceId: number | bigint | string;
  position: string;
  /** May be `null` for a row below the last sequence id asked for (a backend need not read it there). */
  status: string | null;
  /** May be `null` for a row below the last sequence id asked for. */
  createdAt: string | Date | number | null;
  /** `null` for a snapshot. */
  baseSequenceId: number | bigint | string | null;
  basePosition: string | null;
  /** A snapshot's state JSON, or a delta's JSON. */
  state: string;
}

/** Which rows {@link IncrementalRows.findChain} reads: from the nearest snapshot at or below `from` up to `to` (`null`: the app's latest sequence id, for both). */
export interface ChainQuery {
  partitionKey: string;
  appId: string;
  from: number | null;
  to: number | null;
}

/** A kept row whose base a removal takes away. */
export interface Dependent extends StepKey {
  base: DeltaBase;
}

/**
 * What a backend provides for incremental storage (see
 * docs/incremental-storage.md); the engine, `IncrementalStorage`, does the rest.
 */
export interface IncrementalRows {
  /**
   * The largest snapshot, in bytes of JSON, the backend stores (MongoDB: its
   * 16 MiB document); none when it has no practical limit. A chain whose
   * state could have grown past it gets a snapshot first, so a state too
   * large to store fails at the step that made it so, as in full mode, not
   * at some later snapshot.
   */
  readonly maxSnapshotBytes?: number | undefined;
  /**
   * True when a row costs a load far more than decoding its bytes (Redis: a
   * script reads a key per step): the items the deltas appended to lists then
   * count against the chain's `snapshotBytes` budget like any delta bytes, so
   * chains stay short. Otherwise they count as the state they are, and a
   * list that only grows (a chat) needs no snapshot but every `snapshotEvery`.
   */
  readonly expensiveRows?: boolean | undefined;
  /**
   * Inserts `record` atomically. A delta is inserted only if its base is
   * stored with the save time `record.base` names; resolves `false` when it
   * is not (nothing was written). A taken key throws `PersisterConflictError`.
   */
  insert(record: IncrementalRecord): Promise<boolean>;
  /**
   * The app's rows from its nearest snapshot at or below `from` (from its
   * first row when there is none) up to `to`, every position included,
   * ordered by sequence id, then position. One consistent read. Returns
   * records of its own: the reader checks them in place and keeps them.
   */
  findChain(query: ChainQuery): Promise<StoredIncrementalRecord[]>;
  /**
   * The rows that `removal` keeps and whose base it removes, looked for
   * among sequence ids up to `removal.toSequenceId + window`.
   */
  findDependents(removal: StepRemoval, window: number): Promise<Dependent[]>;
  /**
   * Makes the row at `row`'s key a snapshot holding `state`, if it still
   * names `base` and still has `row`'s save time (an app deleted and saved
   * again since holds another run's row there); resolves whether it did.
   */
  rewriteAsSnapshot(row: StepKey & SaveTime, base: DeltaBase, state: string): Promise<boolean>;
}
