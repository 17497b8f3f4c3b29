import type { BaseStatePersister, SerdeKwargs, StorageMode, StorageModeOptions } from '@burr/core';
import type { ProxyAddress } from './reply-dropping-proxy.js';

/**
 * A hook's time limit: milliseconds (Vitest, Jest, Mocha) or an options
 * object with `timeout` (`node:test`'s `before`/`after`).
 */
export type HookTimeout = number | { timeout?: number | undefined };

/**
 * The test functions the suite registers its cases with. Vitest, Jest,
 * Mocha and `node:test` all fit as they are (`{ describe, it, beforeAll, afterAll }`;
 * for `node:test`, pass `before`/`after` as `beforeAll`/`afterAll`).
 * Assertions use `node:assert`, so no `expect` is needed.
 */
export interface TestApi {
  describe: ((name: string, body: () => void) => void) & { skip?: (name: string, body: () => void) => void };
  it: ((name: string, body: () => Promise<void> | void, timeoutMs?: number) => void) & {
    skip?: (name: string, body: () => Promise<void> | void) => void;
  };
  beforeAll(body: () => Promise<void> | void, timeout?: HookTimeout): void;
  afterAll(body: () => Promise<void> | void, timeout?: HookTimeout): void;
}

/**
 * What a backend can and cannot do; the suite skips or adapts what does not
 * apply. Every field is optional: a harness states only where its backend
 * differs from the defaults (those of a SQL table with a schema).
 */
export interface PersisterCapabilities {
  /**
   * Whether the store needs `initialize()` before saves (a table, an index).
   * Default `true`; `false` for stores with no schema (Redis): `isInitialized()` is then always true.
   */
  needsInitialize?: boolean | undefined;
  /**
   * What reads and removals do before `initialize()` on a store that needs
   * it: `load()` (also `load(partitionKey, null)`), `listAppIds()`,
   * `listSteps()`, `listApps()`, `deleteApp()` and `prune()`. Default
   * `'throw'`: `PersisterNotInitializedError` (a SQL table that does not
   * exist). `'empty'`: they find nothing (`null`, `[]`, empty pages, `0`
   * steps deleted, a prune report of zeros) and create nothing, for stores
   * that create their collection on first write (MongoDB, memory).
   */
  readsBeforeInitialize?: 'throw' | 'empty' | undefined;
  /**
   * Default `'many'` (SQL, MongoDB, memory): two positions may share a sequence id.
   * `'one'` (Redis, whose key has no position): the second is a conflict.
   */
  positionsPerSequence?: 'many' | 'one' | undefined;
  /** Whether NaN and ±Infinity can be stored. Default `true`; PostgreSQL JSONB cannot (it must refuse them with a typed error). */
  storesNonFiniteNumbers?: boolean | undefined;
  /** Whether a NUL character (U+0000) inside strings can be stored. Default `true`; PostgreSQL JSONB cannot. */
  storesNulCharacter?: boolean | undefined;
  /**
   * Whether a loaded state's keys come back in the order they were saved in.
   * Default `true`; PostgreSQL JSONB reorders object keys (shorter first), for Python Burr too.
   */
  preservesKeyOrder?: boolean | undefined;
  /**
   * Whether strings with an unpaired UTF-16 surrogate can be stored. Default
   * `true`; PostgreSQL JSONB cannot (it must refuse them with a typed error).
   */
  storesLoneSurrogates?: boolean | undefined;
  /** Whether `-0` reads back as `-0`. Default `true`; PostgreSQL JSONB reads it back as `0` (documented). With `false`, either is accepted. */
  preservesNegativeZero?: boolean | undefined;
  /**
   * Whether `compact()` gives the space of deleted steps back and measures it:
   * after large apps are deleted, it reports `bytesAfter < bytesBefore`.
   * Default `false`, since most stores give space back by themselves or only
   * through an operator's locking command (PostgreSQL reuses dead rows, and
   * its `VACUUM FULL` is advice); `true` for SQLite files, which keep freed
   * pages until a `VACUUM`. Every backend's `compact()` must still answer
   * with a well-formed report and keep every step loadable.
   */
  compactReclaimsSpace?: boolean | undefined;
  /**
   * Incremental storage: whether a prune's removal of a batch and its check
   * that no delta on a step of it was saved meanwhile are one atomic step
   * (`StepRemoval.keepDependentsWithin` of `@burr/core`). Default `true`;
   * without it, the case that saves such a delta during a prune is
   * registered as skipped.
   */
  atomicRemovalCheck?: boolean | undefined;
  /**
   * The storage modes the persister has (`StorageModeOptions.storage` of
   * `@burr/core`). Default `['full']`. With `'incremental'` listed, the whole
   * suite runs a second time with persisters opened in incremental mode, plus
   * the cases of that mode; the harness must then pass
   * {@link PersisterOpenOptions.storage} on to the persisters it opens.
   * Without it, that second suite is registered as skipped, saying why.
   */
  storageModes?: readonly StorageMode[] | undefined;
}

/** {@link PersisterCapabilities} with every field given (`Required<>` would keep `undefined` under `exactOptionalPropertyTypes`). */
export type ResolvedCapabilities = { [K in keyof PersisterCapabilities]-?: Exclude<PersisterCapabilities[K], undefined> };

/** The defaults of {@link PersisterCapabilities}, for fields a harness leaves out. */
export const DEFAULT_CAPABILITIES: Readonly<ResolvedCapabilities> = Object.freeze({
  needsInitialize: true,
  readsBeforeInitialize: 'throw',
  positionsPerSequence: 'many',
  storesNonFiniteNumbers: true,
  storesNulCharacter: true,
  preservesKeyOrder: true,
  storesLoneSurrogates: true,
  preservesNegativeZero: true,
  compactReclaimsSpace: false,
  atomicRemovalCheck: true,
  storageModes: Object.freeze(['full'] as const),
});

/** `capabilities` with every field left out filled in from {@link DEFAULT_CAPABILITIES}. */
export function resolveCapabilities(capabilities: PersisterCapabilities = {}): ResolvedCapabilities {
  const resolved: ResolvedCapabilities = { ...DEFAULT_CAPABILITIES };
  for (const [field, value] of Object.entries(capabilities) as Array<[keyof PersisterCapabilities, unknown]>) {
    if (value !== undefined) (resolved as Record<string, unknown>)[field] = value;
  }
  return resolved;
}

/** What the suite asks of a persister a harness opens. */
export interface PersisterOpenOptions {
  /**
   * Storage options to open the persister with (spread them into its
   * options); absent in the full-mode suite. The incremental suite passes
   * `{ storage: 'incremental', snapshotEvery: 3 }` by default (short chains,
   * so that snapshots and deltas alternate in every case) and other values in
   * the cases of that mode.
   */
  storage?: StorageModeOptions | undefined;
}

/**
 * How the suite gets persisters for one backend. Every `create()` returns a
 * persister on a store of its own (its own table, database, key prefix or
 * namespace), not yet initialized.
 */
export interface PersisterHarness<P extends BaseStatePersister = BaseStatePersister> {
  /** Shown in test names, e.g. `"sqlite"`. */
  name: string;
  /** Where the backend differs from {@link DEFAULT_CAPABILITIES}; omit when it does not. */
  capabilities?: PersisterCapabilities | undefined;
  /** A new persister on a fresh, isolated store. */
  create(options?: PersisterOpenOptions & { serdeKwargs?: SerdeKwargs }): Promise<P>;
  /** Another persister on the same store as `persister`, over a connection of its own. */
  connectAgain(persister: P, options?: PersisterOpenOptions): Promise<P>;
  /**
   * A persister built on a client the caller created (the "bring your own
   * client" constructor), plus a probe that says whether that client still
   * works. After `persister.cleanup()` it must still work.
   */
  withCallerClient(options?: PersisterOpenOptions): Promise<{ persister: P; clientStillWorks(): Promise<boolean>; closeClient(): Promise<void> }>;
  /**
   * Terminates, from the server side, every connection `persister` holds
   * (PostgreSQL `pg_terminate_backend`, Redis `CLIENT KILL`), and only those:
   * other persisters and clients keep theirs. Resolves to how many
   * connections were cut. Backends without connections (embedded files,
   * memory) leave it undefined, and the connection-cut cases are skipped
   * saying so.
   */
  cutConnections?(persister: P): Promise<number>;
  /**
   * For the lost-reply cases: `target` is where the server listens, and
   * `create(address)` returns a persister on a fresh store (not initialized)
   * that connects to `address` instead, where the suite puts a proxy in front
   * of `target` that can drop a reply. Backends without a server leave it
   * undefined, and those cases are skipped saying so.
   */
  viaProxy?: { target: ProxyAddress; create(address: ProxyAddress, options?: PersisterOpenOptions): Promise<P> } | undefined;
  /** Called once after all cases: drop what `create()` made, close servers. */
  teardown?(): Promise<void>;
}
