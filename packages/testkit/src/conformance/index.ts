import type { PersisterHarness, TestApi } from '../harness.js';
import { applicationCases } from './application.js';
import { conflictCases } from './conflicts.js';
import { identifierCases } from './identifiers.js';
import { connectionCutCases } from './connection-cuts.js';
import { createSuiteContext } from './context.js';
import { lifecycleCases } from './lifecycle.js';
import { saveLoadCases } from './save-load.js';
import { valueCases } from './values.js';
import { valueFuzzCases } from './value-fuzz.js';

/**
 * Registers the persister conformance suite with the given test functions.
 * Pass `{ skip }` instead of a harness when the backend is unavailable: the
 * suite is then registered as skipped, with the reason in its title and on
 * stderr, so a skip is never silent.
 *
 * @example
 * import { describe, it, beforeAll, afterAll } from 'vitest';
 * runPersisterConformance({ describe, it, beforeAll, afterAll }, myHarness);
 */
export function runPersisterConformance(api: TestApi, harness: PersisterHarness | { name: string; skip: string }): void {
  if ('skip' in harness) {
    const title = `${harness.name} persister conformance [skipped: ${harness.skip}]`;
    console.warn(`Skipping ${title}`);
    (api.describe.skip ?? api.describe)(title, () => api.it('is skipped', () => {}));
    return;
  }
  api.describe(`${harness.name} persister conformance`, () => {
    const context = createSuiteContext(api, harness);
    lifecycleCases(context);
    saveLoadCases(context);
    conflictCases(context);
    valueCases(context);
    identifierCases(context);
    valueFuzzCases(context);
    applicationCases(context);
    connectionCutCases(context);
  });
}
