/**
 * @packageDocumentation
 * SQLite state persister for Burr (better-sqlite3), in the table format of
 * Python Burr's `SQLitePersister`.
 */
export { SQLitePersister, type SQLitePersisterOptions, type SQLitePersisterValues } from './sqlite-persister.js';
export { NativeAddonError } from './native-addon.js';
export { DEFAULT_BUSY_TIMEOUT_MS } from '@burr/core';
