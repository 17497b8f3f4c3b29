import assert from 'node:assert/strict';
import type { BaseStatePersister, SerdeKwargs, StorageModeOptions } from '@burr/core';
import { State } from '@burr/core';
import { resolveCapabilities, type ResolvedCapabilities, type PersisterHarness, type PersisterOpenOptions, type TestApi } from '../harness.js';

/** What every group of cases gets. */
export interface SuiteContext {
  api: TestApi;
  harness: PersisterHarness;
  /** The harness's capabilities, defaults filled in. */
  capabilities: ResolvedCapabilities;
  /** The storage options this suite opens persisters with: `undefined` in the full-mode suite. */
  storage: StorageModeOptions | undefined;
  /** A persister on a fresh store, initialized, closed after the suite; in this suite's storage mode unless `storage` says otherwise. */
  fresh(options?: { serdeKwargs?: SerdeKwargs; storage?: StorageModeOptions }): Promise<BaseStatePersister>;
  /** A persister on a fresh store, not initialized, closed after the suite. */
  uninitialized(): Promise<BaseStatePersister>;
  /** Another connection to the store of `persister`, closed after the suite; in this suite's storage mode unless `storage` says otherwise. */
  again(persister: BaseStatePersister, options?: { storage?: StorageModeOptions }): Promise<BaseStatePersister>;
  /** What to pass to the harness's openers: this suite's storage options unless `storage` is given. */
  openOptions(storage?: StorageModeOptions): PersisterOpenOptions;
  /** Fails the case unless `persister` stores in the mode `options` asked for (a harness that drops the option would test full mode twice). */
  assertStorageMode(persister: BaseStatePersister, options: PersisterOpenOptions): void;
}

/**
 * Builds the context; persisters it hands out are cleaned up in `afterAll`.
 * `storage`: the storage options of this run of the suite (`undefined`: the
 * full-mode run, which passes no storage option to the harness).
 */
export function createSuiteContext(api: TestApi, harness: PersisterHarness, storage?: StorageModeOptions): SuiteContext {
  const opened: BaseStatePersister[] = [];
  // Persisters a case opens are closed when the case ends: a suite of ~130 cases would otherwise hold hundreds of
  // connections (PostgreSQL refuses past max_connections, 100 by default). Those opened outside a case live until afterAll.
  let openedInCase: BaseStatePersister[] | undefined;
  const track = <P extends BaseStatePersister>(persister: P): P => {
    (openedInCase ?? opened).push(persister);
    return persister;
  };
  // The harness's teardown runs once, after every run of the suite (see runPersisterConformance).
  api.afterAll(async () => {
    await Promise.allSettled(opened.map((persister) => persister.cleanup()));
  });
  const it = Object.assign(
    (name: string, body: () => Promise<void> | void, timeoutMs?: number) =>
      api.it(
        name,
        async () => {
          const mine: BaseStatePersister[] = [];
          openedInCase = mine;
          try {
            await body();
          } finally {
            openedInCase = undefined;
            await Promise.allSettled(mine.map((persister) => persister.cleanup()));
          }
        },
        timeoutMs,
      ),
    { skip: api.it.skip },
  );
  const openOptions = (asked?: StorageModeOptions): PersisterOpenOptions => {
    const chosen = asked ?? storage;
    return chosen ? { storage: chosen } : {};
  };
  const assertStorageMode = (persister: BaseStatePersister, options: PersisterOpenOptions): void => {
    const mode = (persister as { storageMode?: unknown }).storageMode;
    const asked = options.storage?.storage ?? 'full';
    if (options.storage && mode !== undefined) {
      assert.equal(
        mode,
        asked,
        `${harness.name}: the harness opened a persister in ${String(mode)} mode for storage ${JSON.stringify(options.storage)}; pass the storage option on`,
      );
    }
  };
  const openChecked = async (options: PersisterOpenOptions, open: () => Promise<BaseStatePersister>): Promise<BaseStatePersister> => {
    const persister = track(await open());
    assertStorageMode(persister, options);
    return persister;
  };
  return {
    api: { ...api, it },
    harness,
    capabilities: resolveCapabilities(harness.capabilities),
    storage,
    openOptions,
    assertStorageMode,
    async fresh(options = {}) {
      const open = { ...openOptions(options.storage), ...(options.serdeKwargs ? { serdeKwargs: options.serdeKwargs } : {}) };
      const persister = await openChecked(open, () => harness.create(open));
      await persister.initialize();
      return persister;
    },
    async uninitialized() {
      const open = openOptions();
      return openChecked(open, () => harness.create(open));
    },
    async again(persister, options = {}) {
      const open = openOptions(options.storage);
      return openChecked(open, () => harness.connectAgain(persister, open));
    },
  };
}

/** A state the way the runner saves one: user keys plus the hidden keys. */
export function stepState(values: Record<string, unknown>, sequenceId: number, priorStep = 'step'): State {
  return new State({ ...values, __SEQUENCE_ID: sequenceId, __PRIOR_STEP: priorStep });
}

/** Resolves after `ms` milliseconds: lets "newest first" orderings see distinct timestamps. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A unique app id for one case. */
export function newAppId(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 10)}`;
}
