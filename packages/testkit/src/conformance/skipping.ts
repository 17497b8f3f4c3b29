import type { PersisterCapabilities, PersisterHarness, TestApi } from '../harness.js';

/**
 * The test functions with every case registered as skipped: `describe.skip`
 * and `it.skip` where the runner has them, hooks never run. A skipped suite
 * registers its real case titles this way, so a skip summary counts every
 * case it did not run, not one placeholder.
 */
export function skippingApi(api: TestApi): TestApi {
  const skipSuite = api.describe.skip ?? api.describe;
  const skipCase = api.it.skip ?? ((name: string) => api.it(`${name} (skipped)`, () => {}));
  // New functions, not the runner's: a runner's own may not take extra properties.
  const describe = Object.assign((name: string, body: () => void) => skipSuite(name, body), { skip: skipSuite });
  const it = Object.assign((name: string) => skipCase(name, () => {}), { skip: skipCase });
  return { describe, it, beforeAll: () => {}, afterAll: () => {} };
}

/** A harness that is never called: it only lets a skipped suite register its cases' titles. */
export function placeholderHarness(name: string, capabilities: PersisterCapabilities | undefined): PersisterHarness {
  const never = (): never => {
    throw new Error(`${name}: a skipped conformance suite ran a case`);
  };
  return {
    name,
    capabilities,
    create: async () => never(),
    connectAgain: async () => never(),
    withCallerClient: async () => never(),
    cutConnections: async () => never(),
    viaProxy: { target: { host: '127.0.0.1', port: 0 }, create: async () => never() },
  };
}
