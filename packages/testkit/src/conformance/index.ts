import type { StorageModeOptions } from '@burr/core';
import { resolveCapabilities, type PersisterCapabilities, type PersisterHarness, type TestApi } from '../harness.js';
import { applicationCases } from './application.js';
import { appListingCases } from './app-listing.js';
import { conflictCases } from './conflicts.js';
import { identifierCases } from './identifiers.js';
import { connectionCutCases } from './connection-cuts.js';
import { createSuiteContext, type SuiteContext } from './context.js';
import { historyCases } from './history.js';
import { incrementalCases } from './incremental.js';
import { conversionCases } from './conversion.js';
import { lifecycleCases } from './lifecycle.js';
import { placeholderHarness, skippingApi } from './skipping.js';
import { pruneCases } from './prune.js';
import { retentionCases } from './retention.js';
import { saveLoadCases } from './save-load.js';
import { valueCases } from './values.js';
import { valueFuzzCases } from './value-fuzz.js';

/** What {@link runPersisterConformance} takes instead of a harness when the backend is unavailable. */
export interface SkippedPersisterSuite {
  /** Shown in test names, as {@link PersisterHarness.name}. */
  name: string;
  /** Why the backend is unavailable, e.g. `set BURR_TEST_REDIS_URL`; shown in the suite's title. */
  skip: string;
  /** The backend's capabilities, so the skipped cases are the ones that would have run. */
  capabilities?: PersisterCapabilities | undefined;
}

/**
 * Groups of cases that do not depend on where a backend keeps its steps (a
 * table's name or schema, a key namespace): a second run of the suite on
 * another such place may leave them out (see {@link ConformanceRunOptions}).
 */
export type PlaceIndependentGroup = 'values' | 'value-fuzz' | 'application' | 'connection-cuts';

/** Options of {@link runPersisterConformance}. */
export interface ConformanceRunOptions {
  /** Groups registered as skipped, with the reason given (say, where they run). */
  skipGroups?: { groups: readonly PlaceIndependentGroup[]; reason: string } | undefined;
}

const PLACE_INDEPENDENT_GROUPS: Record<PlaceIndependentGroup, { title: string; register: (context: SuiteContext) => void }> = {
  values: { title: 'value round trips', register: valueCases },
  'value-fuzz': { title: 'value fuzz', register: valueFuzzCases },
  application: { title: 'applications', register: applicationCases },
  'connection-cuts': { title: 'connection cuts', register: connectionCutCases },
};

/**
 * The storage options of the incremental run of the suite: chains of three
 * steps, so snapshots and deltas alternate within every case.
 */
export const CONFORMANCE_INCREMENTAL_STORAGE: Readonly<StorageModeOptions> = Object.freeze({ storage: 'incremental', snapshotEvery: 3 });

/**
 * Registers the persister conformance suite with the given test functions.
 * Pass a {@link SkippedPersisterSuite} (`{ name, skip }`) instead of a
 * harness when the backend is unavailable: every case is then registered as
 * skipped, under a suite whose title carries the reason (also printed on
 * stderr), so a skip is never silent and a skip count counts every case.
 *
 * The suite runs once in full storage mode (`<name> persister conformance`)
 * and, when the capabilities list `'incremental'` in `storageModes`, once more
 * with persisters in incremental mode (`<name> persister conformance
 * (incremental storage)`: every case again, with
 * {@link CONFORMANCE_INCREMENTAL_STORAGE}, plus the cases of that mode and of `convertStorage` between the two);
 * otherwise that second suite is registered as skipped, saying why.
 *
 * @example
 * import { describe, it, beforeAll, afterAll } from 'vitest';
 * runPersisterConformance({ describe, it, beforeAll, afterAll }, myHarness);
 */
export function runPersisterConformance(api: TestApi, harness: PersisterHarness | SkippedPersisterSuite, options: ConformanceRunOptions = {}): void {
  const fullTitle = `${harness.name} persister conformance`;
  const incrementalTitle = `${harness.name} persister conformance (incremental storage)`;
  if ('skip' in harness) {
    console.warn(`Skipping ${fullTitle} [skipped: ${harness.skip}]`);
    const skipping = skippingApi(api);
    const placeholder = placeholderHarness(harness.name, harness.capabilities);
    skipping.describe(`${fullTitle} [skipped: ${harness.skip}]`, () => registerCases(skipping, placeholder));
    skipping.describe(`${incrementalTitle} [skipped: ${harness.skip}]`, () => registerCases(skipping, placeholder, CONFORMANCE_INCREMENTAL_STORAGE));
    return;
  }
  // After both runs: each run's persisters are closed at the end of its own describe.
  api.afterAll(async () => {
    await harness.teardown?.();
  });
  api.describe(fullTitle, () => registerCases(api, harness, undefined, options));
  if (resolveCapabilities(harness.capabilities).storageModes.includes('incremental')) {
    api.describe(incrementalTitle, () => registerCases(api, harness, CONFORMANCE_INCREMENTAL_STORAGE, options));
  } else {
    const skipping = skippingApi(api);
    const reason = `${harness.name} has no incremental storage mode (its capabilities' storageModes do not list 'incremental')`;
    skipping.describe(`${incrementalTitle} [skipped: ${reason}]`, () =>
      registerCases(skipping, placeholderHarness(harness.name, harness.capabilities), CONFORMANCE_INCREMENTAL_STORAGE),
    );
  }
}

function registerCases(api: TestApi, harness: PersisterHarness, storage?: StorageModeOptions, options: ConformanceRunOptions = {}): void {
  const context = createSuiteContext(api, harness, storage);
  const skipped = new Set(options.skipGroups?.groups);
  const placeIndependent = (group: PlaceIndependentGroup) => {
    const { title, register } = PLACE_INDEPENDENT_GROUPS[group];
    if (!skipped.has(group)) return register(context);
    // Registered as skipped, with their titles, so the skip summary counts them and says why.
    const skipping = skippingApi(api);
    skipping.describe(`${title} [skipped: ${options.skipGroups!.reason}]`, () =>
      register(createSuiteContext(skipping, placeholderHarness(harness.name, harness.capabilities), storage)),
    );
  };
  lifecycleCases(context);
  saveLoadCases(context);
  conflictCases(context);
  placeIndependent('values');
  identifierCases(context);
  placeIndependent('value-fuzz');
  placeIndependent('application');
  historyCases(context);
  appListingCases(context);
  retentionCases(context);
  pruneCases(context);
  placeIndependent('connection-cuts');
  if (storage?.storage === 'incremental') {
    incrementalCases(context);
    // Registered once: each case opens both modes itself.
    conversionCases(context);
  }
}
