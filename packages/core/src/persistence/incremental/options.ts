import { InvalidPersistArgumentError } from '../../errors.js';

/** How a persister stores steps: `'full'` (every step holds its whole state, Python's format) or `'incremental'` (snapshots and deltas). */
export type StorageMode = 'full' | 'incremental';

/** Default of {@link StorageModeOptions.snapshotEvery}. */
export const DEFAULT_SNAPSHOT_EVERY = 100_000;
/** Default of {@link StorageModeOptions.snapshotBytes}. */
export const DEFAULT_SNAPSHOT_BYTES = 64 * 1024;
/**
 * The fewest steps a chain may hold before a snapshot (unless `snapshotEvery`
 * is lower); above it, as many as its snapshot's sequence id, so the
 * snapshots of a long chat come at doubling lengths and its storage stays
 * linear.
 */
export const MIN_CHAIN_STEPS = 10_000;
/** Largest {@link StorageModeOptions.snapshotEvery}. */
export const MAX_SNAPSHOT_EVERY = 100_000;
/** Largest {@link StorageModeOptions.snapshotBytes}. */
export const MAX_SNAPSHOT_BYTES = 2 ** 31;

/**
 * The storage mode options of the persisters that have an incremental mode
 * (the SQL persisters and `InMemoryPersister`); see `docs/incremental-storage.md`
 * in the repository.
 */
export interface StorageModeOptions {
  /**
   * `'full'` (default): every step holds its whole state, in the table Python
   * Burr reads. `'incremental'`: a step holds what changed since the step this
   * persister saved before it, with a full snapshot now and then, in a table
   * of its own (`<table>_incremental`).
   */
  storage?: StorageMode | undefined;
  /**
   * Incremental mode: at most this many steps per chain (a snapshot and its
   * deltas), so a load reads at most this many rows. Default
   * {@link DEFAULT_SNAPSHOT_EVERY}. Within it, a chain holds at most as many
   * steps as its snapshot's sequence id, and at least `MIN_CHAIN_STEPS`
   * (10,000): for a chat, whose appended messages do not count against
   * `snapshotBytes`, this is what ends a chain, so its snapshots come at
   * doubling lengths (10,000, 20,000, 40,000 steps...) and a load reads rows
   * in proportion to the conversation.
   */
  snapshotEvery?: number | undefined;
  /**
   * Incremental mode: a snapshot once what a load would read beyond the state
   * itself (the deltas since the last snapshot, each counted at least 256
   * bytes, less the list items they appended, which are part of the state)
   * would exceed this many bytes, or the state's size, whichever is larger.
   * So a load reads about twice the state at most, and a list that only
   * grows (a chat) is stored once, in its deltas. On a backend whose rows
   * are expensive to read (Redis), appended items count too: snapshots of a
   * growing state then come at doubling sizes. Default
   * {@link DEFAULT_SNAPSHOT_BYTES}.
   */
  snapshotBytes?: number | undefined;
}

/** The incremental mode's settings, checked and with defaults filled in. */
export interface IncrementalSettings {
  snapshotEvery: number;
  snapshotBytes: number;
  /** The fewest steps a chain may hold (within `snapshotEvery`); default `MIN_CHAIN_STEPS`. Not an option of the persisters: tests of the policy set it. */
  minChainSteps?: number | undefined;
}

/**
 * Reads and checks the storage options of `persister`: `undefined` for full
 * mode, the settings for incremental mode. Throws {@link InvalidPersistArgumentError}
 * for an unknown mode, a snapshot option in full mode, or a value out of range.
 */
export function readStorageOptions(persister: string, options: StorageModeOptions = {}): IncrementalSettings | undefined {
  const { storage = 'full', snapshotEvery, snapshotBytes } = options;
  if (storage !== 'full' && storage !== 'incremental') {
    throw new InvalidPersistArgumentError(`${persister}: storage must be 'full' or 'incremental', got ${JSON.stringify(storage) ?? String(storage)}`);
  }
  if (storage === 'full') {
    const given = (['snapshotEvery', 'snapshotBytes'] as const).filter((name) => options[name] !== undefined);
    if (given.length > 0) throw new InvalidPersistArgumentError(`${persister}: ${given.join(' and ')} apply only with storage: 'incremental'`);
    return undefined;
  }
  return {
    snapshotEvery: integerOption(persister, 'snapshotEvery', snapshotEvery, DEFAULT_SNAPSHOT_EVERY, 1, MAX_SNAPSHOT_EVERY),
    snapshotBytes: integerOption(persister, 'snapshotBytes', snapshotBytes, DEFAULT_SNAPSHOT_BYTES, 0, MAX_SNAPSHOT_BYTES),
  };
}

function integerOption(persister: string, name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidPersistArgumentError(`${persister}: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
