/**
 * @packageDocumentation
 * libSQL / Turso state persister for Burr (`@libsql/client`), in the table
 * format of Python Burr's `SQLitePersister`.
 */
export { LibSQLPersister, type LibSQLPersisterOptions, type LibSQLPersisterValues } from './libsql-persister.js';
export { DEFAULT_BUSY_TIMEOUT_MS } from '@burr/core';
