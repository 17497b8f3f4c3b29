import type { AppIndexNames } from './sql-app-index.js';
import { toIsoTimestamp, toSqlTimestamp, type SaveTime } from './timestamps.js';

/** A query with its positional parameters. */
export interface SqlQuery {
  sql: string;
  params: string[];
}

/** A table or index {@link SqlDialectSettings.objectExists} looks up. */
export interface SqlSchemaObject {
  kind: 'table' | 'index';
  /** The bare name (`burr_state`, `burr_state_created_at_index`). */
  name: string;
  /** The quoted name, schema-qualified when there is a schema. */
  qualifiedName: string;
  /** The bare name of the Burr table (an index's table). */
  tableName: string;
  schema: string | undefined;
}

/** How `compact()` works in one dialect. */
export interface SqlCompaction {
  /** Returns one row: the bytes the tables use. */
  measure: SqlQuery;
  /** Returns a row when this connection may run `run` (the server would otherwise skip it); absent when always allowed. */
  allowed?: SqlQuery | undefined;
  /** The statements that give space back. */
  run: string[];
  /** What an operator may run by hand. */
  advice: string[];
  /** Said instead of running `run` when `allowed` finds no row. */
  notAllowed: string[];
}

/**
 * Everything that differs between SQL dialects in the Burr table and its
 * statements. `burrSqlStatements` builds the same statements from any of
 * these, so a new dialect is one more settings object, not new branches.
 */
export interface SqlDialectSettings {
  /** Wraps a validated identifier (lower-case letters, digits, `_`) in the dialect's quotes. */
  quote(name: string): string;
  /** The `index`-th (1-based) positional parameter: `?` or `$1`. */
  placeholder(index: number): string;
  /** Type of the text key columns (partition_key, app_id, position): `TEXT`, or a bounded type where keys need one. */
  keyColumnType: string;
  /** Type of the `status` column. */
  statusColumnType: string;
  stateColumnType: string;
  createdAtColumnType: string;
  /** Default of `created_at` when a row is written without one. Default `CURRENT_TIMESTAMP`. */
  createdAtDefault?: string | undefined;
  /** `IF NOT EXISTS` in `CREATE INDEX` (a dialect without it relies on {@link SqlDialectSettings.checkBeforeCreate}). */
  createIndexIfNotExists: boolean;
  /**
   * Whether `initialize()` looks each object up and creates only the missing
   * ones: PostgreSQL checks the CREATE privilege even for `IF NOT EXISTS`,
   * and a dialect may lack `CREATE INDEX IF NOT EXISTS`.
   */
  checkBeforeCreate: boolean;
  /** A query that returns a row when `object` exists. */
  objectExists(object: SqlSchemaObject): SqlQuery;
  /** The insert's state expression for parameter `param` (the JSON text). */
  stateIn(param: string): string;
  /** The insert's `created_at` expression for parameter `param` (see {@link SqlDialectSettings.createdAtParam}). */
  createdAtIn(param: string): string;
  /** The select expression returning the state as JSON text, named `state`. */
  stateOut: string;
  /** The select expression returning `created_at`, named `created_at`. */
  createdAtOut: string;
  /** {@link SqlDialectSettings.createdAtOut} without its name, for use inside another expression. */
  createdAtText: string;
  /** The `created_at` parameter value of a save. */
  createdAtParam(time: SaveTime): string;
  /** The select expression giving the bytes stored for `state`, without reading it where the dialect allows. */
  stateSizeOut: string;
  /** A timestamp column as the text {@link SqlDialectSettings.timestampIn} reads back exactly (microseconds included). */
  timestampOut(column: string): string;
  /** Parameter `param`, text from {@link SqlDialectSettings.timestampOut}, as a value comparable with a timestamp column. */
  timestampIn(param: string): string;
  /** The trigger that keeps the app index current on every insert into the step table (see `appIndexSchema`), with the queries that find its objects. */
  appIndexTrigger(names: AppIndexNames): { create: string[]; exists: SqlQuery[] };
  /**
   * Where set (PostgreSQL), the app index has `last_saved_second`, a stored generated column (this expression of
   * `last_saved_at`: its second), indexed instead of the exact time, and apps are ordered by it, then by the exact
   * `last_saved_at`. An update that changes no indexed value can be a HOT update, so an app saved several times a
   * second rewrites its entry in place: with the exact time indexed, each save left a dead row version and dead index
   * entries until autovacuum (a 1,000-step run's app index grew to about 180 KB). SQLite and MySQL update rows in
   * place anyway.
   */
  savedSecond?(timestamp: string): string;
  /**
   * A query that returns a row when the existing table `qualifiedTable` has no column `column` and this connection
   * may add it (for upgrades of what an earlier version made: a role that may not is left with the earlier shape).
   */
  canAddMissingColumn?(qualifiedTable: string, column: string): SqlQuery;
  /** How `compact()` measures and gives back space (see {@link SqlCompaction}). */
  compaction(names: AppIndexNames): SqlCompaction;
  /**
   * Whether `(a, b) > (x, y)` is an index range here (SQLite, PostgreSQL); MariaDB ranges the spelled-out
   * `a > x OR (a = x AND b > y)` instead, which the others scan from the start of the partition.
   */
  rowValueRanges: boolean;
  /** Bytes of UTF-8 a key column holds, where that is limited: a longer id is refused before the write. */
  maxKeyBytes?: number | undefined;
  /**
   * Each app's latest step and last save time, for the app index backfill, when the portable window-function
   * form is slow here (MariaDB evaluates `MAX() OVER (PARTITION BY ...)` in time quadratic in an app's steps).
   */
  latestOfEachApp?(table: string): string;
  /** `INSERT ... SELECT` that skips rows whose key exists. */
  insertIgnoringConflicts(table: string, columns: string, select: string): string;
  /** Largest `sequence_id` the column holds (PostgreSQL's INTEGER is 32 bits), or `undefined` when any safe integer fits. */
  maxSequenceId: number | undefined;
}

const doubleQuoted = (name: string): string => `"${name}"`;

/**
 * The trigger body's upsert of one app index entry from the inserted row
 * `NEW`: a step becomes the app's latest when its sequence id is higher, or
 * equal with a greater position (as `load` picks the latest); the last save
 * time only moves forward. `incoming(column)` names the proposed value,
 * `existing` qualifies the stored one.
 */
function upsertAppIndexEntry(into: string, onConflict: string, incoming: (column: string) => string, greatest: string, existing = ''): string {
  const newer = `(${incoming('last_sequence_id')} > ${existing}last_sequence_id OR (${incoming('last_sequence_id')} = ${existing}last_sequence_id AND ${incoming('last_position')} > ${existing}last_position))`;
  const ifNewer = (column: string): string => `${column} = CASE WHEN ${newer} THEN ${incoming(column)} ELSE ${existing}${column} END`;
  return `INSERT INTO ${into} (partition_key, app_id, last_sequence_id, last_position, last_status, last_saved_at)
        VALUES (COALESCE(NEW.partition_key, ''), NEW.app_id, NEW.sequence_id, NEW.position, NEW.status, COALESCE(NEW.created_at, '1970-01-01 00:00:00'))
        ${onConflict} ${ifNewer('last_status')}, ${ifNewer('last_position')}, ${ifNewer('last_sequence_id')},
          last_saved_at = ${greatest}(${existing}last_saved_at, ${incoming('last_saved_at')})`;
}

const sqlite: SqlDialectSettings = {
  quote: doubleQuoted,
  placeholder: () => '?',
  keyColumnType: 'TEXT',
  statusColumnType: 'TEXT',
  stateColumnType: 'TEXT',
  createdAtColumnType: 'TIMESTAMP',
  createIndexIfNotExists: true,
  checkBeforeCreate: false,
  objectExists: ({ kind, name }) => ({ sql: 'SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?', params: [kind, name] }),
  stateIn: (param) => param,
  createdAtIn: (param) => param,
  stateOut: 'state',
  createdAtOut: 'created_at',
  createdAtText: 'created_at',
  createdAtParam: (time) => toSqlTimestamp(time.createdAt, time.createdAtMicros),
  // octet_length reads the size from the record header, not the text (SQLite 3.43+).
  stateSizeOut: 'octet_length(state)',
  timestampOut: (column) => column,
  timestampIn: (param) => param,
  appIndexTrigger: (names) => ({
    create: [
      `CREATE TRIGGER IF NOT EXISTS ${names.trigger} AFTER INSERT ON ${names.table} BEGIN
        ${upsertAppIndexEntry(names.apps, 'ON CONFLICT (partition_key, app_id) DO UPDATE SET', (column) => `excluded.${column}`, 'MAX')};
      END`,
    ],
    exists: [{ sql: 'SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?', params: ['trigger', names.triggerName] }],
  }),
  insertIgnoringConflicts: (table, columns, select) => `INSERT OR IGNORE INTO ${table} (${columns}) ${select}`,
  rowValueRanges: true,
  // Deleted rows leave free pages in the file; VACUUM rewrites it without them (it needs a moment alone with the file).
  compaction: () => ({
    measure: { sql: 'SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()', params: [] },
    // VACUUM rewrites the file through the WAL; the checkpoint after it empties the WAL again.
    run: ['VACUUM', 'PRAGMA wal_checkpoint(TRUNCATE)'],
    advice: [],
    notAllowed: [],
  }),
  maxSequenceId: undefined,
};

const postgres: SqlDialectSettings = {
  quote: doubleQuoted,
  placeholder: (index) => `$${index}`,
  keyColumnType: 'TEXT',
  statusColumnType: 'TEXT',
  stateColumnType: 'JSONB',
  createdAtColumnType: 'TIMESTAMP',
  createIndexIfNotExists: true,
  checkBeforeCreate: true,
  objectExists: ({ qualifiedName }) => ({ sql: 'SELECT 1 WHERE to_regclass($1) IS NOT NULL', params: [qualifiedName] }),
  // The state arrives as JSON text, typed text: drivers JSON-encode a parameter typed jsonb (a string twice over).
  stateIn: (param) => `${param}::text::jsonb`,
  // TIMESTAMP holds UTC wall time. Written from ISO text with a zone (typed text, so drivers pass it as is,
  // microseconds included) converted at UTC, and read back as text, so neither the session TimeZone nor the
  // driver's local-time parsing shifts it.
  createdAtIn: (param) => `(${param}::text::timestamptz AT TIME ZONE 'UTC')`,
  stateOut: 'state::text AS state',
  createdAtOut: `to_char(created_at, 'YYYY-MM-DD HH24:MI:SS.US') AS created_at`,
  createdAtText: `to_char(created_at, 'YYYY-MM-DD HH24:MI:SS.US')`,
  createdAtParam: (time) => toIsoTimestamp(time.createdAt, time.createdAtMicros),
  // The stored (possibly compressed) size: rendering JSONB as text to measure it would cost a full read.
  stateSizeOut: 'pg_column_size(state)',
  timestampOut: (column) => `to_char(${column}, 'YYYY-MM-DD HH24:MI:SS.US')`,
  timestampIn: (param) => `(${param}::text::timestamp)`,
  // TIMESTAMP holds UTC wall time: truncating it depends on no session setting, and date_trunc of a TIMESTAMP is
  // immutable, as a generated column needs.
  savedSecond: (timestamp) => `date_trunc('second', ${timestamp})`,
  // Only the table's owner (or a member of its role) may alter it.
  canAddMissingColumn: (qualifiedTable, column) => ({
    sql: `SELECT 1 FROM pg_class WHERE oid = to_regclass($1) AND pg_has_role(relowner, 'USAGE')
      AND NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped)`,
    params: [qualifiedTable, column],
  }),
  appIndexTrigger: (names) => ({
    create: [
      // SECURITY DEFINER: a role allowed only to insert steps (a Python Burr app's) keeps saving once the index exists;
      // the index is written with the rights of whoever ran initialize(). search_path is fixed to the one at creation.
      `CREATE OR REPLACE FUNCTION ${names.trigger}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $burr$
      BEGIN
        ${upsertAppIndexEntry(`${names.apps} AS app`, 'ON CONFLICT (partition_key, app_id) DO UPDATE SET', (column) => `EXCLUDED.${column}`, 'GREATEST', 'app.')};
        RETURN NULL;
      END
      $burr$`,
      `CREATE TRIGGER ${doubleQuoted(names.triggerName)} AFTER INSERT ON ${names.table} FOR EACH ROW EXECUTE FUNCTION ${names.trigger}()`,
    ],
    exists: [
      { sql: 'SELECT 1 WHERE to_regprocedure($1) IS NOT NULL', params: [`${names.trigger}()`] },
      { sql: 'SELECT 1 FROM pg_trigger WHERE tgname = $1 AND tgrelid = to_regclass($2)', params: [names.triggerName, names.table] },
    ],
  }),
  insertIgnoringConflicts: (table, columns, select) => `INSERT INTO ${table} (${columns}) ${select} ON CONFLICT DO NOTHING`,
  rowValueRanges: true,
  // Plain VACUUM makes dead rows' space reusable without blocking reads or writes; only VACUUM FULL returns it
  // to the operating system, and it locks the table while it rewrites it, so it is left to the operator.
  compaction: (names) => ({
    measure: {
      sql: 'SELECT pg_total_relation_size(to_regclass($1)) + COALESCE(pg_total_relation_size(to_regclass($2)), 0)',
      params: [names.table, names.apps],
    },
    allowed: { sql: 'SELECT 1 FROM pg_class WHERE oid = to_regclass($1) AND pg_has_role(relowner, $2)', params: [names.table, 'USAGE'] },
    run: [`VACUUM (ANALYZE) ${names.table}`, `VACUUM (ANALYZE) ${names.apps}`],
    notAllowed: [`VACUUM was not run: only the owner of ${names.table} (or a superuser) may vacuum it; run compact() as that role.`],
    advice: [
      `To return the freed space to the operating system, run VACUUM FULL ${names.table} (it locks the table against reads and writes while it rewrites it), or pg_repack, which does not.`,
    ],
  }),
  maxSequenceId: 2 ** 31 - 1,
};

/**
 * Bytes of UTF-8 each MySQL key column (partition_key, app_id, position) holds:
 * InnoDB keys are at most 3072 bytes, and 3 × 1020 + 4 (the INT sequence id) = 3064.
 */
export const MYSQL_MAX_KEY_BYTES = 1020;

/**
 * MySQL 8 and MariaDB (no Python Burr counterpart: the format is ours). Key
 * columns are VARBINARY holding UTF-8, compared byte for byte: no collation
 * folds case, accents or trailing spaces (`utf8mb4_bin` still pads). The
 * state is our JSON text as is, so key order, NaN and Infinity survive.
 */
const mysql: SqlDialectSettings = {
  quote: (name) => `\`${name}\``,
  placeholder: () => '?',
  keyColumnType: `VARBINARY(${MYSQL_MAX_KEY_BYTES})`,
  maxKeyBytes: MYSQL_MAX_KEY_BYTES,
  statusColumnType: 'VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
  stateColumnType: 'LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
  createdAtColumnType: 'DATETIME(6)',
  // MySQL wants the same fractional precision in the type and its default.
  createdAtDefault: 'CURRENT_TIMESTAMP(6)',
  // MySQL has no CREATE INDEX IF NOT EXISTS (MariaDB has).
  createIndexIfNotExists: false,
  checkBeforeCreate: true,
  objectExists: ({ kind, name, tableName }) =>
    kind === 'table'
      ? { sql: 'SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', params: [name] }
      : { sql: 'SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ? LIMIT 1', params: [tableName, name] },
  stateIn: (param) => param,
  // DATETIME holds UTC wall time as given; no session time zone applies to it.
  createdAtIn: (param) => param,
  stateOut: 'state',
  createdAtOut: `DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') AS created_at`,
  createdAtText: `DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f')`,
  createdAtParam: (time) => toSqlTimestamp(time.createdAt, time.createdAtMicros),
  stateSizeOut: 'LENGTH(state)',
  timestampOut: (column) => `DATE_FORMAT(${column}, '%Y-%m-%d %H:%i:%s.%f')`,
  timestampIn: (param) => `CAST(${param} AS DATETIME(6))`,
  appIndexTrigger: (names) => ({
    // ON DUPLICATE KEY UPDATE assigns left to right, each seeing the ones before: the columns the "is newer" test reads
    // (last_position, last_sequence_id) are assigned after last_status, and last_position's change cannot flip the test.
    create: [
      `CREATE TRIGGER ${names.trigger} AFTER INSERT ON ${names.table} FOR EACH ROW
        ${upsertAppIndexEntry(names.apps, 'ON DUPLICATE KEY UPDATE', (column) => `VALUES(${column})`, 'GREATEST')}`,
    ],
    exists: [{ sql: 'SELECT 1 FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND trigger_name = ?', params: [names.triggerName] }],
  }),
  insertIgnoringConflicts: (table, columns, select) => `INSERT IGNORE INTO ${table} (${columns}) ${select}`,
  rowValueRanges: false,
  // One ordered pass over the primary key for the groups, then a primary-key lookup per app for its latest row.
  latestOfEachApp: (table) => {
    const latestRow = (column: string) =>
      `(SELECT s.${column} FROM ${table} s WHERE s.partition_key = g.partition_key AND s.app_id = g.app_id AND s.sequence_id = g.sequence_id ORDER BY s.position DESC LIMIT 1)`;
    return `SELECT COALESCE(g.partition_key, '') AS partition_key, g.app_id, g.sequence_id, ${latestRow('position')} AS position, ${latestRow('status')} AS status, g.last_saved_at FROM (
        SELECT partition_key, app_id, MAX(sequence_id) AS sequence_id, MAX(COALESCE(created_at, '1970-01-01 00:00:00')) AS last_saved_at
        FROM ${table} GROUP BY partition_key, app_id) AS g`;
  },
  // InnoDB reuses freed pages; rebuilding the table to shrink its file copies it, so it is left to the operator.
  compaction: (names) => ({
    measure: {
      sql: 'SELECT SUM(data_length + index_length + data_free) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN (?, ?)',
      params: [names.tableName, names.appsName],
    },
    run: [],
    notAllowed: [],
    advice: [`InnoDB reuses the space of deleted steps. To shrink the files, run OPTIMIZE TABLE ${names.table} (an online rebuild that copies the table).`],
  }),
  maxSequenceId: 2 ** 31 - 1,
};

/** Placeholders in the dialect's style, numbered from 1 in the order they are asked for. */
export function numberedPlaceholders(settings: SqlDialectSettings): () => string {
  let next = 1;
  return () => settings.placeholder(next++);
}

/** A parameter where PostgreSQL cannot type it bare (a SELECT list): cast there, as is in the other dialects. */
export function typedParam(dialect: BurrSqlDialect, param: string, type: 'TEXT' | 'INTEGER'): string {
  return dialect === 'postgres' ? `CAST(${param} AS ${type})` : param;
}

/** The settings of each SQL dialect whose Burr table format is shared with Python Burr (or follows it). */
export const SQL_DIALECTS = { sqlite, postgres, mysql } satisfies Record<string, SqlDialectSettings>;

/** SQL dialects with a Burr table format: the keys of {@link SQL_DIALECTS}. */
export type BurrSqlDialect = keyof typeof SQL_DIALECTS;
