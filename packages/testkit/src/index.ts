/**
 * @packageDocumentation
 * Conformance suite for Burr state persisters, runnable under any test
 * runner, and real-database providers for tests.
 */
export {
  DEFAULT_CAPABILITIES,
  resolveCapabilities,
  type TestApi,
  type HookTimeout,
  type PersisterCapabilities,
  type ResolvedCapabilities,
  type PersisterHarness,
  type PersisterOpenOptions,
} from './harness.js';
export {
  runPersisterConformance,
  CONFORMANCE_INCREMENTAL_STORAGE,
  type ConformanceRunOptions,
  type PlaceIndependentGroup,
  type SkippedPersisterSuite,
} from './conformance/index.js';
export { runConformanceOnServer } from './conformance/on-server.js';
export { pageThroughApps } from './conformance/history-fixtures.js';
export { uniqueName } from './unique-name.js';
export { temporaryDirectory, type TemporaryDirectory } from './temp-dir.js';
export { serverAddress, urlAt } from './server-url.js';
export {
  providePostgres,
  provideRedis,
  provideMongo,
  provideLibsql,
  provideMysql,
  containerRuntimeUnavailable,
  type DatabaseSource,
  type ProvidedDatabase,
  type ProviderOptions,
} from './providers.js';
export {
  continuePythonFixtureApp,
  readPythonCompatFixture,
  readPythonExpectedFile,
  runPythonCompatCases,
  unifyNoPartition,
  type PythonCompatFixture,
  type PythonCompatOptions,
  type PythonExpectedFile,
  type PythonLatestOfPartitionCase,
  type PythonLoadCase,
  type PythonLoadResult,
  type PythonListCase,
} from './python-compat.js';
export { sampleStep } from './sample-step.js';
export { saveChatSteps, type ChatSteps } from './chat-steps.js';
export { deleteBesideChainsOfSaves, type ChainsOfSavesOptions, type ChainsOfSavesReport } from './delete-beside-saves.js';
export { deleteBesideOpenInsert, pruneBesideOpenInsert, REMOVALS_BESIDE_OPEN_INSERT, type OpenInsertRemoval } from './removal-beside-insert.js';
export { startSilentServer, startFreezableProxy, closedPort, timedRejection, FAST_FAULT_TIMEOUTS, type SilentServer, type FreezableProxy } from './fault-servers.js';
export { ReplyDroppingProxy, type ProxyAddress } from './reply-dropping-proxy.js';
export { runNode, type ChildRun } from './child-process.js';
export { buildIfStale, isBuildCurrent } from './package-build.js';
export { runConnectionStorm, type ConnectionStormOptions, type ConnectionStormReport } from './connection-storm.js';
export {
  runConnectionFaultCases,
  constructorOpeners,
  type PersisterConstructors,
  type ConnectionFaultOptions,
  type FaultOpener,
  type FaultTarget,
  type FaultTimeouts,
  type LiveFaultHooks,
} from './connection-fault-cases.js';
export { runCleanupExitCases, SERVER_SCENARIOS, type CleanupExitOptions, type ChildExitCase } from './cleanup-exit-cases.js';
export type { ScratchStores } from './server-groups.js';
export {
  runCorruptRowCases,
  type CorruptRowOptions,
  type CorruptionLimits,
  type RawStepField,
  type RawStepKey,
} from './corrupt-row-cases.js';
