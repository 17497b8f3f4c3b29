/**
 * @packageDocumentation
 * Burr for TypeScript: immutable state, serde shared with Python Burr, the
 * persistence contract every backend implements, and the application runner.
 */
export * from './errors.js';
export {
  State,
  SEQUENCE_ID_KEY,
  PRIOR_STEP_KEY,
  type StateValues,
  type StateKey,
  type AppendPatch,
  type ExtendPatch,
  type IncrementPatch,
  type ElementOf,
  type WrittenKeys,
  type WrittenOnly,
  type WrittenIn,
  type HiddenValues,
} from './state.js';
export type { StandardSchemaV1, StandardSchemaProps, StandardSchemaResult, StandardSchemaIssue, SchemaOutput, SchemaState } from './standard-schema.js';
export { StateValidationError, validateState, loadValidatedState, type StateOrigin, type StateIssue, type ValidatedStateData } from './state-schema.js';
export {
  SERDE_KEY,
  registerSerde,
  registerFieldSerde,
  unregisterSerde,
  unregisterFieldSerde,
  type SerdeKwargs,
  type TypeSerde,
  type FieldSerde,
} from './serde/registry.js';
export { encodeState, encodeValueJson, decodeState, type EncodeStateOptions } from './serde/state-codec.js';
export { parsePythonJson, stringifyPythonJson, type ParsedJsonFacts } from './serde/python-json.js';
export { MAX_NESTING_DEPTH } from './serde/limits.js';
export { VALUE_ENCODING_KWARG, type ValueEncoding } from './serde/value-encoding.js';
export type {
  BaseStateLoader,
  BaseStateSaver,
  BaseStatePersister,
  PersistedStateData,
  PersistStatus,
  PartitionKeyInput,
  SaveStateArgs,
} from './persistence/contract.js';
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  DEFAULT_PRUNE_BATCH_SIZE,
  type BaseStateManager,
  type StepSummary,
  type StepPage,
  type ListStepsOptions,
  type AppSummary,
  type AppPage,
  type ListAppsOptions,
  type PruneTarget,
  type PruneOptions,
  type PruneReport,
  type CompactReport,
} from './persistence/history.js';
export type { StepQuery, StoredStepSummary, AppQuery, StoredAppSummary, AppRef, AppScan, StepRemoval, KeptStep } from './persistence/stored-history.js';
export {
  RecordStatePersister,
  type RecordStatePersisterOptions,
  type StateRecord,
  type StoredStateRecord,
  type RecordQuery,
} from './persistence/record-persister.js';
export { InMemoryPersister, InMemoryStore, type InMemoryPersisterOptions } from './persistence/in-memory.js';
export {
  convertStorage,
  DEFAULT_CONVERSION_BATCH_SIZE,
  type ConversionTarget,
  type ConvertStorageOptions,
  type StorageConversionReport,
} from './persistence/conversion.js';
export {
  DEFAULT_SNAPSHOT_EVERY,
  DEFAULT_SNAPSHOT_BYTES,
  MAX_SNAPSHOT_EVERY,
  MAX_SNAPSHOT_BYTES,
  MIN_CHAIN_STEPS,
  readStorageOptions,
  type StorageMode,
  type StorageModeOptions,
  type IncrementalSettings,
} from './persistence/incremental/options.js';
export {
  MAX_BASE_GAP,
  MIN_DELTA_COST_BYTES,
  type IncrementalRows,
  type IncrementalRecord,
  type StoredIncrementalRecord,
  type ChainQuery,
  type DeltaBase,
  type Dependent,
} from './persistence/incremental/rows.js';
export { dependentsAmong, type StepLink } from './persistence/incremental/dependents.js';
export { packedRecords } from './persistence/incremental/packed-records.js';
export { INCREMENTAL_TABLE_SUFFIX, MAX_INCREMENTAL_TABLE_NAME_LENGTH } from './persistence/incremental/sql-statements.js';
export {
  normalizePartitionKey,
  assertAppId,
  assertSequenceId,
  assertKeyComponent,
  isPersistStatus,
  quoteSqlIdentifier,
  validateSaveArgs,
  type StepKey,
} from './persistence/validate.js';
export { toSqlTimestamp, toIsoTimestamp, parseTimestamp, type SaveTime } from './persistence/timestamps.js';
export { burrSqlStatements, BURR_SQL_COLUMNS, DEFAULT_SQL_TABLE_NAME, MAX_SQL_TABLE_NAME_LENGTH, type BurrSqlStatements } from './persistence/sql.js';
export { appIndexSchema, type AppIndexNames, type AppIndexSchema } from './persistence/sql-app-index.js';
export { sqlHistoryStatements, type SqlHistoryStatements, type StepSelectShape } from './persistence/sql-history.js';
export {
  MYSQL_MAX_KEY_BYTES,
  SQL_DIALECTS,
  type BurrSqlDialect,
  type SqlCompaction,
  type SqlDialectSettings,
  type SqlQuery,
  type SqlSchemaObject,
} from './persistence/sql-dialects.js';
export {
  SqlStatePersister,
  createSqlSchema,
  type SqlSchemaRunner,
  validateSqlPersisterOptions,
  DEFAULT_BUSY_TIMEOUT_MS,
  type SqlParam,
  type SqlStatement,
  type SqlRowValues,
  type SqlStatePersisterOptions,
  type SqlPersisterIdentity,
} from './persistence/sql-persister.js';
export { storedRecordFromSqlRow, type BurrSqlRow } from './persistence/sql-row.js';
export {
  ConnectionGuard,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_OPERATION_TIMEOUT_MS,
  addressOf,
  networkFaultReason,
  readConnectionTimeouts,
  type ConnectionFaultClassifier,
  type ConnectionGuardOptions,
  type ConnectionTimeoutOptions,
  type ConnectionTimeouts,
} from './persistence/connection-faults.js';
export {
  EXPIRING_STORE_CONFIG_FIELDS,
  PERSISTER_CONFIG_FIELDS,
  SERVER_CONFIG_FIELDS,
  SQL_SERVER_CONFIG_FIELDS,
  SQL_TABLE_CONFIG_FIELDS,
  STORAGE_MODE_CONFIG_FIELDS,
  readPersisterConfig,
  readSqlServerConfig,
  type SqlServerConfig,
  type SqlServerValues,
  type ConfigField,
  type ConfigFieldType,
  type ConfigFieldValue,
  type ConfigOptionValue,
  type ConfigSchema,
  type ConfigValues,
} from './persistence/config.js';
export * from './runner/index.js';
