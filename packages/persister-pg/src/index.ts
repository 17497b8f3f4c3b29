/**
 * @packageDocumentation
 * PostgreSQL state persister for Burr (postgres.js), in the table format of
 * Python Burr's `PostgreSQLPersister` (Python's `AsyncPostgreSQLPersister`
 * maps to the same class: every call returns a promise).
 */
export {
  PostgreSQLPersister,
  CLOSE_TIMEOUT_SECONDS,
  type PostgresClient,
  type PostgresClientOptions,
  type PostgreSQLPersisterOptions,
  type PostgreSQLPersisterUrlOptions,
  type PostgreSQLPersisterValues,
} from './postgres-persister.js';
