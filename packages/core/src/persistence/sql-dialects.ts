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
  createdAtDefault?: string;
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
  /** The `created_at` parameter value of a save. */
  createdAtParam(time: SaveTime): string;
  /** Largest `sequence_id` the column holds (PostgreSQL's INTEGER is 32 bits), or `undefined` when any safe integer fits. */
  maxSequenceId: number | undefined;
}

const doubleQuoted = (name: string): string => `"${name}"`;

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
  createdAtParam: (time) => toSqlTimestamp(time.createdAt, time.createdAtMicros),
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
  createdAtParam: (time) => toIsoTimestamp(time.createdAt, time.createdAtMicros),
  maxSequenceId: 2 ** 31 - 1,
};

/** Bytes of UTF-8 a MySQL key column holds: InnoDB keys are at most 3072 bytes, and 3 × 1020 + 4 (INT sequence_id) = 3064. */
const MYSQL_MAX_KEY_BYTES = 1020;

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
  createdAtParam: (time) => toSqlTimestamp(time.createdAt, time.createdAtMicros),
  maxSequenceId: 2 ** 31 - 1,
};

/** The settings of each SQL dialect whose Burr table format is shared with Python Burr (or follows it). */
export const SQL_DIALECTS = { sqlite, postgres, mysql } satisfies Record<string, SqlDialectSettings>;

/** SQL dialects with a Burr table format: the keys of {@link SQL_DIALECTS}. */
export type BurrSqlDialect = keyof typeof SQL_DIALECTS;
