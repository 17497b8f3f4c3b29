import type { BaseStatePersister, SerdeKwargs } from '@burr/core';
import { State } from '@burr/core';
import { resolveCapabilities, type PersisterCapabilities, type PersisterHarness, type TestApi } from '../harness.js';

/** What every group of cases gets. */
export interface SuiteContext {
  api: TestApi;
  harness: PersisterHarness;
  /** The harness's capabilities, defaults filled in. */
  capabilities: Required<PersisterCapabilities>;
  /** A persister on a fresh store, initialized, closed after the suite. */
  fresh(options?: { serdeKwargs?: SerdeKwargs }): Promise<BaseStatePersister>;
  /** A persister on a fresh store, not initialized, closed after the suite. */
  uninitialized(): Promise<BaseStatePersister>;
  /** Another connection to the store of `persister`, closed after the suite. */
  again(persister: BaseStatePersister): Promise<BaseStatePersister>;
}

/** Builds the context; persisters it hands out are cleaned up in `afterAll`. */
export function createSuiteContext(api: TestApi, harness: PersisterHarness): SuiteContext {
  const opened: BaseStatePersister[] = [];
  // Persisters a case opens are closed when the case ends: a suite of ~130 cases would otherwise hold hundreds of
  // connections (PostgreSQL refuses past max_connections, 100 by default). Those opened outside a case live until afterAll.
  let openedInCase: BaseStatePersister[] | undefined;
  const track = <P extends BaseStatePersister>(persister: P): P => {
    (openedInCase ?? opened).push(persister);
    return persister;
  };
  api.afterAll(async () => {
    await Promise.allSettled(opened.map((persister) => persister.cleanup()));
    await harness.teardown?.();
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
  return {
    api: { ...api, it },
    harness,
    capabilities: resolveCapabilities(harness.capabilities),
    async fresh(options) {
      const persister = track(await harness.create(options));
      await persister.initialize();
      return persister;
    },
    async uninitialized() {
      return track(await harness.create());
    },
    async again(persister) {
      return track(await harness.connectAgain(persister));
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
