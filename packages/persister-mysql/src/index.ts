/**
 * @packageDocumentation
 * MySQL and MariaDB state persister for Burr (mysql2), one row per step in a
 * table shaped like Python Burr's SQL table.
 */
export {
  MySQLPersister,
  CLOSE_TIMEOUT_MS,
  MYSQL_MAX_KEY_BYTES,
  type MySqlClient,
  type MySqlPoolOptions,
  type MySQLPersisterOptions,
  type MySQLPersisterUrlOptions,
  type MySQLPersisterValues,
} from './mysql-persister.js';
