/**
 * @packageDocumentation
 * MySQL and MariaDB state persister for Burr (mysql2), one row per step in a
 * table shaped like Python Burr's SQL table.
 */
export {
  MySQLPersister,
  CLOSE_TIMEOUT_MS,
  type MySqlClient,
  type MySqlPoolOptions,
  type MySQLPersisterOptions,
  type MySQLPersisterUrlOptions,
  type MySQLPersisterValues,
} from './mysql-persister.js';
/** Bytes of UTF-8 each key column (partition_key, app_id, position) holds; a longer id is refused before the write. */
export { MYSQL_MAX_KEY_BYTES } from '@burr/core';
