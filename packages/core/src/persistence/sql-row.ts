import { DeserializationError } from '../errors.js';
import type { StoredStateRecord } from './record-persister.js';
import type { BURR_SQL_COLUMNS } from './sql.js';

/**
 * A row of the Burr SQL table as a driver returns it, keyed by column name
 * ({@link BURR_SQL_COLUMNS}); better-sqlite3 objects, libSQL rows and
 * postgres.js rows all fit. Missing or mistyped columns are caught at run time.
 */
export type BurrSqlRow = Readonly<Record<string, unknown>>;

type BurrSqlColumn = (typeof BURR_SQL_COLUMNS)[number];

/**
 * Turns a row selected with one of {@link burrSqlStatements}' queries into
 * the record `RecordStatePersister` decodes. Column types are checked, so a
 * row written by hand with a wrong type fails with a
 * {@link DeserializationError} naming the column instead of a confusing
 * error later.
 */
export function storedRecordFromSqlRow(row: BurrSqlRow): StoredStateRecord {
  return {
    partitionKey: column(row, 'partition_key', isStringOrNull),
    appId: column(row, 'app_id', isString),
    sequenceId: column(row, 'sequence_id', isIntegerLike),
    position: column(row, 'position', isString),
    status: column(row, 'status', isString),
    state: column(row, 'state', isString),
    createdAt: column(row, 'created_at', isTimestampLike),
  };
}

function column<T>(row: BurrSqlRow, name: BurrSqlColumn, accept: (value: unknown) => value is T): T {
  const value = row[name];
  if (accept(value)) return value;
  const shown = typeof value === 'string' || typeof value === 'number' ? JSON.stringify(value) : typeof value;
  throw new DeserializationError(`Stored row has an unexpected ${name} (${shown}) for app ${JSON.stringify(row.app_id)}`);
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';
const isIntegerLike = (value: unknown): value is number | bigint | string =>
  typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^\d+$/.test(value));
const isTimestampLike = (value: unknown): value is string | Date | number | null =>
  value === null || typeof value === 'string' || typeof value === 'number' || value instanceof Date;
