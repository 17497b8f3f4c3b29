import { quoteInDialect } from '../sql.js';
import type { BurrSqlDialect, SqlCompaction, SqlDialectSettings, SqlQuery } from '../sql-dialects.js';

// What differs between the SQL dialects in the segments of incremental storage (see sql-segments.ts).

/** How a dialect writes the parts of a segment's text (see `sqlSegmentStatements`). */
export interface SegmentSql {
  newline: string;
  concat(parts: string[]): string;
  jsonArray(values: string[]): string;
  /** A key column as text for `jsonArray`. */
  keyText(column: string): string;
  /** The bytes of a text column's value. */
  byteLength(column: string): string;
  /** Concatenates `record` over a group in sequence order. */
  aggregate(record: string): string;
  recordsColumnType: string;
  /** Runs first in a seal's transaction (MySQL's GROUP_CONCAT stops at 1 KB by default). */
  beforeSeal: string[];
  /**
   * A statement that serializes the seals of one app (given its partition key
   * and app id as SQL expressions), run before a seal's reads so that they
   * see every segment sealed before; absent where a seal's reads lock the
   * range themselves (MySQL) or writes are serial (SQLite).
   */
  sealLock?: ((segments: string, partitionKey: string, appId: string) => string) | undefined;
  /** Whether a seal locks the rows it packs for writing before it reads them. */
  locksRowsFirst?: boolean | undefined;
  /** A seal in one statement where the dialect can delete and insert what it deleted at once. */
  sealInOne?: ((table: string, segments: string, deltasIn: string, records: (from: string) => string) => string) | undefined;
  /**
   * A condition, true when the statement just before in the transaction
   * changed exactly one row (SQLite's `changes()`, MySQL's `ROW_COUNT()`);
   * absent where a seal is one statement.
   */
  changedOneRow?: string | undefined;
}

export const SEGMENT_SQL: Record<BurrSqlDialect, SegmentSql> = {
  sqlite: {
    newline: 'char(10)',
    concat: (parts) => parts.join(' || '),
    jsonArray: (values) => `json_array(${values.join(', ')})`,
    keyText: (column) => column,
    byteLength: (column) => `octet_length(${column})`,
    aggregate: (record) => `group_concat(${record}, '' ORDER BY sequence_id, position)`,
    recordsColumnType: 'TEXT',
    beforeSeal: [],
    changedOneRow: 'changes() = 1',
  },
  postgres: {
    newline: 'chr(10)',
    concat: (parts) => parts.join(' || '),
    jsonArray: (values) => `json_build_array(${values.join(', ')})::text`,
    keyText: (column) => column,
    byteLength: (column) => `octet_length(${column})`,
    aggregate: (record) => `string_agg(${record}, '' ORDER BY sequence_id, position)`,
    recordsColumnType: 'TEXT',
    beforeSeal: [],
    // A transaction lock of its own (not the app's, which deltas take): two seals of one app meet here, not a save.
    sealLock: (segments, partitionKey, appId) =>
      `SELECT pg_advisory_xact_lock(hashtextextended(CONCAT(CAST(CAST('${segments.replaceAll("'", "''")}' AS regclass) AS oid), ':', LENGTH(${partitionKey}), ':', ${partitionKey}, ${appId}), 0))`,
    // The rows packed are exactly the rows deleted, whatever a concurrent prune did to them meanwhile.
    sealInOne: (table, segments, deltasIn, records) =>
      `WITH moved AS (DELETE FROM ${table} WHERE ${deltasIn} RETURNING *) INSERT INTO ${segments} (partition_key, app_id, first_sequence_id, last_sequence_id, steps, records) ${records('moved')}`,
  },
  mysql: {
    newline: 'CHAR(10 USING utf8mb4)',
    concat: (parts) => `CONCAT(${parts.join(', ')})`,
    jsonArray: (values) => `JSON_ARRAY(${values.join(', ')})`,
    keyText: (column) => `CONVERT(${column} USING utf8mb4)`,
    byteLength: (column) => `LENGTH(${column})`,
    aggregate: (record) => `GROUP_CONCAT(${record} ORDER BY sequence_id, position SEPARATOR '')`,
    recordsColumnType: 'LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
    beforeSeal: ['SET SESSION group_concat_max_len = 4294967295'],
    changedOneRow: 'ROW_COUNT() = 1',
    // A shared lock taken by the aggregate and raised by the delete would deadlock with a deleteApp waiting for the same rows.
    locksRowsFirst: true,
  },
};

/**
 * The insert trigger of `SegmentStatements.guardTrigger`: it reads the
 * segment that starts last at or below the row's sequence id (one probe of
 * the primary key) as the table is after the insert, and fails as a unique
 * violation when that segment reaches the row.
 */
export function guardTrigger(
  dialect: BurrSqlDialect,
  settings: SqlDialectSettings,
  table: string,
  segments: string,
  name: string,
  schema: string | undefined,
): { create: string[]; exists: SqlQuery[] } {
  const covering = `(SELECT g.last_sequence_id FROM ${segments} g WHERE g.partition_key = NEW.partition_key AND g.app_id = NEW.app_id AND g.first_sequence_id <= NEW.sequence_id ORDER BY g.first_sequence_id DESC LIMIT 1) >= NEW.sequence_id`;
  const message = 'a step of this sequence id is packed in a segment';
  if (dialect === 'postgres') {
    const quoted = quoteInDialect(settings, name, 'trigger name');
    const fn = schema === undefined ? quoted : `${quoteInDialect(settings, schema, 'schema name')}.${quoted}`;
    return {
      create: [
        // Each statement of a PL/pgSQL function reads with a snapshot of its own, taken after the insert waited for
        // whatever held its key. SECURITY DEFINER as the app index's trigger: a role that may only insert steps keeps saving.
        `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $burr$
        BEGIN
          IF ${covering} THEN
            RAISE EXCEPTION '${message}' USING ERRCODE = 'unique_violation';
          END IF;
          RETURN NULL;
        END
        $burr$`,
        `CREATE TRIGGER ${quoted} AFTER INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
      ],
      exists: [
        { sql: 'SELECT 1 WHERE to_regprocedure($1) IS NOT NULL', params: [`${fn}()`] },
        { sql: 'SELECT 1 FROM pg_trigger WHERE tgname = $1 AND tgrelid = to_regclass($2)', params: [name, table] },
      ],
    };
  }
  const quoted = quoteInDialect(settings, name, 'trigger name');
  return {
    // A plain read: the insert's own reads lock, so this is its transaction's first consistent read, and its snapshot is
    // taken now, after the insert waited. A locking read here would hold the app's segments against a deleteApp
    // deleting them, which holds the rows this insert waited for: a deadlock.
    create: [
      `CREATE TRIGGER ${quoted} AFTER INSERT ON ${table} FOR EACH ROW
      BEGIN
        IF ${covering} THEN
          SIGNAL SQLSTATE '23000' SET MYSQL_ERRNO = 1062, MESSAGE_TEXT = '${message}';
        END IF;
      END`,
    ],
    exists: [{ sql: 'SELECT 1 FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND trigger_name = ?', params: [name] }],
  };
}

/**
 * `compaction` of the incremental table with its segment table measured and
 * vacuumed too (SQLite measures and vacuums the whole file already).
 */
export function compactionWithSegments(dialect: BurrSqlDialect, compaction: SqlCompaction, segments: { table: string; name: string }): SqlCompaction {
  if (dialect === 'sqlite') return compaction;
  const { sql, params } = compaction.measure;
  const next = dialect === 'postgres' ? `$${params.length + 1}` : '?';
  const size =
    dialect === 'postgres'
      ? { sql: `pg_total_relation_size(to_regclass(${next}))`, param: segments.table }
      : {
          sql: `(SELECT SUM(data_length + index_length + data_free) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ${next})`,
          param: segments.name,
        };
  return {
    ...compaction,
    measure: { sql: `SELECT (${sql}) + COALESCE(${size.sql}, 0)`, params: [...params, size.param] },
    run: dialect === 'postgres' ? [...compaction.run, `VACUUM (ANALYZE) ${segments.table}`] : compaction.run,
  };
}
