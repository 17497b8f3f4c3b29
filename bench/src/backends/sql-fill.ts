/**
 * Bulk-fill statements that generate Burr rows inside the database engine
 * (no per-row round trip), for the stored-steps scenario.
 */
import { quoteSqlIdentifier } from '@burr/core';
import { FILL_APPS_PER_PARTITION, FILL_STEPS_PER_APP } from './types.js';

const PER_PARTITION = FILL_STEPS_PER_APP * FILL_APPS_PER_PARTITION;

/**
 * SQLite and libSQL: a recursive CTE yields rows `:from .. :to - 1`; named
 * params `from`, `to`, `prefix`, `suffix`. `created_at` grows with the row
 * index, in Burr's `YYYY-MM-DD HH:MM:SS.SSS` form.
 */
export function sqliteFillStatement(table: string): string {
  return `WITH RECURSIVE seq(i) AS (SELECT CAST(:from AS INTEGER) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < CAST(:to AS INTEGER))
INSERT INTO ${quoteSqlIdentifier(table)} (partition_key, app_id, sequence_id, position, status, state, created_at)
SELECT 'fill-p' || (i / ${PER_PARTITION}), 'fill-a' || (i / ${FILL_STEPS_PER_APP}), i % ${FILL_STEPS_PER_APP}, 'respond', 'completed',
       CAST(:prefix AS TEXT) || (i % ${FILL_STEPS_PER_APP}) || CAST(:suffix AS TEXT),
       strftime('%Y-%m-%d %H:%M:%f', '2026-01-01 00:00:00', '+' || (i / 1000.0) || ' seconds')
FROM seq`;
}

/** PostgreSQL: `generate_series($1, $2 - 1)`; params are (from, to, statePrefix, stateSuffix). */
export function postgresFillStatement(schema: string, table: string): string {
  return `INSERT INTO ${quoteSqlIdentifier(schema, 'schema name')}.${quoteSqlIdentifier(table)} (partition_key, app_id, sequence_id, position, status, state, created_at)
SELECT 'fill-p' || (i / ${PER_PARTITION}), 'fill-a' || (i / ${FILL_STEPS_PER_APP}), i % ${FILL_STEPS_PER_APP}, 'respond', 'completed',
       ($3::text || (i % ${FILL_STEPS_PER_APP}) || $4::text)::jsonb,
       TIMESTAMP '2026-01-01 00:00:00' + i * INTERVAL '1 millisecond'
FROM generate_series($1::bigint, $2::bigint - 1) AS i`;
}

/** Rows one MySQL fill statement yields at most: the product of five 0-9 digit tables. */
export const MYSQL_FILL_CHUNK = 100_000;

/**
 * MySQL and MariaDB: five cross-joined digit tables yield `from + 0 ..
 * from + 99,999`, kept below `to` (recursive CTEs stop at 1,000 levels in
 * MySQL by default); params are (statePrefix, stateSuffix, from, to).
 */
export function mysqlFillStatement(table: string): string {
  const digits = `(SELECT 0 AS n UNION ALL ${[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `SELECT ${n}`).join(' UNION ALL ')})`;
  const tables = [0, 1, 2, 3, 4].map((k) => `${digits} d${k}`).join(', ');
  const offset = [0, 1, 2, 3, 4].map((k) => `${10 ** k} * d${k}.n`).join(' + ');
  return `INSERT INTO \`${quoteSqlIdentifier(table).slice(1, -1)}\` (partition_key, app_id, sequence_id, position, status, state, created_at)
SELECT CONCAT('fill-p', i DIV ${PER_PARTITION}), CONCAT('fill-a', i DIV ${FILL_STEPS_PER_APP}), i % ${FILL_STEPS_PER_APP}, 'respond', 'completed',
       CONCAT(?, i % ${FILL_STEPS_PER_APP}, ?), TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (i * 1000) MICROSECOND
FROM (SELECT ? + ${offset} AS i FROM ${tables}) AS seq WHERE i < ?`;
}
