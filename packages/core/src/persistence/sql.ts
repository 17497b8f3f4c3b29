import { quoteSqlIdentifier } from './validate.js';

/** SQL dialects whose Burr table format is shared with Python Burr. */
export type BurrSqlDialect = 'sqlite' | 'postgres';

/** The statements a SQL persister runs, with positional parameters in the dialect's style. */
export interface BurrSqlStatements {
  /** DDL, each idempotent (`IF NOT EXISTS`), to run in order. */
  createSchema: string[];
  /**
   * The (schema-qualified, quoted) name of what each `createSchema` statement
   * creates, in the same order: lets a backend skip a statement whose object
   * exists, since PostgreSQL checks the CREATE privilege before `IF NOT EXISTS`.
   */
  schemaObjects: string[];
  /** Params: partition_key, app_id, sequence_id, position, status, state, created_at (PostgreSQL: ISO 8601 text with a zone, see `toIsoTimestamp`). */
  insert: string;
  /** Params: partition_key, app_id. Latest step: highest sequence id, then greatest position. */
  selectLatest: string;
  /** Params: partition_key, app_id, sequence_id. */
  selectAtSequence: string;
  /** Params: partition_key. Distinct app ids, most recently saved first. */
  selectAppIds: string;
  /** Returns a row when the table exists; run with `params` as given. */
  selectTableExists: { sql: string; params: string[] };
}

/** Columns in the order every select returns them. */
export const BURR_SQL_COLUMNS = ['partition_key', 'app_id', 'sequence_id', 'position', 'status', 'state', 'created_at'] as const;

/**
 * The Burr table (docs/storage-formats.md in the repository) for a dialect. Names are
 * validated and quoted; `schema` (PostgreSQL) qualifies the table.
 */
export function burrSqlStatements(dialect: BurrSqlDialect, tableName: string, schema?: string): BurrSqlStatements {
  const qualifier = schema ? `${quoteSqlIdentifier(schema, 'schema name')}.` : '';
  const table = qualifier + quoteSqlIdentifier(tableName);
  // Python Burr's index name; unquoted-compatible because the table name is lower case.
  const createdAtIndex = quoteSqlIdentifier(`${tableName}_created_at_index`.slice(0, 63), 'index name');
  const appIndex = quoteSqlIdentifier(`${tableName}_app_created_at_index`.slice(0, 63), 'index name');
  const p = dialect === 'postgres' ? (i: number) => `$${i}` : () => '?';
  const stateType = dialect === 'postgres' ? 'JSONB' : 'TEXT';
  const stateOut = dialect === 'postgres' ? 'state::text AS state' : 'state';
  // PostgreSQL: TIMESTAMP holds UTC wall time. Written from ISO text with a zone (typed text, so drivers pass it
  // as is, microseconds included) converted at UTC, and read back as text, so neither the session TimeZone nor
  // the driver's local-time parsing shifts it.
  const createdAtIn = dialect === 'postgres' ? `(${p(7)}::text::timestamptz AT TIME ZONE 'UTC')` : p(7);
  // PostgreSQL: the state arrives as JSON text. Typed text, since drivers JSON-encode a parameter typed jsonb (a string twice over).
  const stateIn = dialect === 'postgres' ? `${p(6)}::text::jsonb` : p(6);
  const createdAtOut = dialect === 'postgres' ? `to_char(created_at, 'YYYY-MM-DD HH24:MI:SS.US') AS created_at` : 'created_at';
  const columns = `partition_key, app_id, sequence_id, position, status, ${stateOut}, ${createdAtOut}`;
  return {
    createSchema: [
      `CREATE TABLE IF NOT EXISTS ${table} (
        partition_key TEXT DEFAULT '',
        app_id TEXT NOT NULL,
        sequence_id INTEGER NOT NULL,
        position TEXT NOT NULL,
        status TEXT NOT NULL,
        state ${stateType} NOT NULL,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        PRIMARY KEY (partition_key, app_id, sequence_id, position)
      )`,
      `CREATE INDEX IF NOT EXISTS ${createdAtIndex} ON ${table} (created_at)`,
      // Ours, not Python's: covers listAppIds (group by app, newest save) without reading any state.
      `CREATE INDEX IF NOT EXISTS ${appIndex} ON ${table} (partition_key, app_id, created_at)`,
    ],
    schemaObjects: [table, `${qualifier}${createdAtIndex}`, `${qualifier}${appIndex}`],
    insert: `INSERT INTO ${table} (partition_key, app_id, sequence_id, position, status, state, created_at) VALUES (${[1, 2, 3, 4, 5].map(p).join(', ')}, ${stateIn}, ${createdAtIn})`,
    selectLatest: `SELECT ${columns} FROM ${table} WHERE partition_key = ${p(1)} AND app_id = ${p(2)} ORDER BY sequence_id DESC, position DESC LIMIT 1`,
    selectAtSequence: `SELECT ${columns} FROM ${table} WHERE partition_key = ${p(1)} AND app_id = ${p(2)} AND sequence_id = ${p(3)} ORDER BY position LIMIT 1`,
    selectAppIds: `SELECT app_id FROM ${table} WHERE partition_key = ${p(1)} GROUP BY app_id ORDER BY MAX(created_at) DESC, app_id`,
    selectTableExists:
      dialect === 'postgres'
        ? { sql: 'SELECT 1 WHERE to_regclass($1) IS NOT NULL', params: [table] }
        : { sql: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", params: [tableName] },
  };
}
