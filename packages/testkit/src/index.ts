/**
 * @packageDocumentation
 * Conformance suite for Burr state persisters, runnable under any test
 * runner, and real-database providers for tests.
 */
export type { TestApi, PersisterCapabilities, PersisterHarness } from './harness.js';
