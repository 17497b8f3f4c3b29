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
