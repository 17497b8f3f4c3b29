import type { BaseStatePersister } from '@burr/core';
import type { PersisterCapabilities, PersisterHarness, TestApi } from '../harness.js';
import type { ProvidedDatabase } from '../providers.js';
import { runPersisterConformance, type ConformanceRunOptions } from './index.js';

/**
 * Runs the conformance suite against a server from one of the providers
 * (`providePostgres()`...): once per harness `harnesses(url)` returns, with
 * the server stopped after the file's tests; or, when the provider found
 * none, registers the suite as skipped under `name` with the provider's
 * reason. `capabilities` are the backend's, so the skipped cases are the
 * ones that would have run. `options` go to every run.
 */
export function runConformanceOnServer<P extends BaseStatePersister>(
  api: TestApi,
  database: ProvidedDatabase,
  skipped: { name: string; capabilities?: PersisterCapabilities },
  harnesses: (url: string) => PersisterHarness<P> | PersisterHarness<P>[],
  options: ConformanceRunOptions = {},
): void {
  if ('skip' in database) {
    runPersisterConformance(api, { ...skipped, skip: database.skip }, options);
    return;
  }
  api.afterAll(() => database.stop());
  const made = harnesses(database.url);
  for (const harness of Array.isArray(made) ? made : [made]) runPersisterConformance(api, harness, options);
}
