import type { PersisterCapabilities, PersisterHarness, TestApi } from '../harness.js';
import { applicationCases } from './application.js';
import { appListingCases } from './app-listing.js';
import { conflictCases } from './conflicts.js';
import { identifierCases } from './identifiers.js';
import { connectionCutCases } from './connection-cuts.js';
import { createSuiteContext } from './context.js';
import { historyCases } from './history.js';
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
  capabilities?: PersisterCapabilities;
}

/**
 * Registers the persister conformance suite with the given test functions.
 * Pass a {@link SkippedPersisterSuite} (`{ name, skip }`) instead of a
 * harness when the backend is unavailable: every case is then registered as
 * skipped, under a suite whose title carries the reason (also printed on
 * stderr), so a skip is never silent and a skip count counts every case.
 *
 * @example
 * import { describe, it, beforeAll, afterAll } from 'vitest';
 * runPersisterConformance({ describe, it, beforeAll, afterAll }, myHarness);
 */
export function runPersisterConformance(api: TestApi, harness: PersisterHarness | SkippedPersisterSuite): void {
  if ('skip' in harness) {
    const title = `${harness.name} persister conformance [skipped: ${harness.skip}]`;
    console.warn(`Skipping ${title}`);
    const skipping = skippingApi(api);
    skipping.describe(title, () => registerCases(skipping, placeholderHarness(harness.name, harness.capabilities)));
    return;
  }
  api.describe(`${harness.name} persister conformance`, () => registerCases(api, harness));
}

function registerCases(api: TestApi, harness: PersisterHarness): void {
  const context = createSuiteContext(api, harness);
  lifecycleCases(context);
  saveLoadCases(context);
  conflictCases(context);
  valueCases(context);
  identifierCases(context);
  valueFuzzCases(context);
  applicationCases(context);
  historyCases(context);
  appListingCases(context);
  retentionCases(context);
  pruneCases(context);
  connectionCutCases(context);
}
