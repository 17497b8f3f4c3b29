import { SQL_DIALECTS, type BurrSqlDialect, type SqlQuery, type SqlSchemaObject } from './sql-dialects.js';
import { quoteSqlIdentifier } from './validate.js';

/** The statements a SQL persister runs, with positional parameters in the dialect's style. */
export interface BurrSqlStatements {
  /** The quoted table name, schema-qualified when a schema was given. */
  table: string;
  /** DDL to run in order: the table, then its indexes. */
  createSchema: string[];
  /**
   * For each `createSchema` statement, in the same order, a query that returns
   * a row when its object exists: lets a backend skip what exists (see
   * `SqlDialectSettings.checkBeforeCreate`).
   */
  schemaObjectExists: SqlQuery[];
  /** Params: partition_key, app_id, sequence_id, position, status, state, created_at (`SqlDialectSettings.createdAtParam`). */
  insert: string;
  /** Params: partition_key, app_id. Latest step: highest sequence id, then greatest position. */
  selectLatest: string;
  /** Params: partition_key, app_id, sequence_id. The least position at that sequence id. */
  selectAtSequence: string;
  /** Params: partition_key, app_id, sequence_id, position. The step stored under exactly this key. */
  selectAtKey: string;
  /** Params: partition_key. Distinct app ids, most recently saved first. */
  selectAppIds: string;
  /** Returns a row when the table exists; run with `params` as given. */
  selectTableExists: SqlQuery;
}

/** Columns in the order every step select returns them. */
export const BURR_SQL_COLUMNS = ['partition_key', 'app_id', 'sequence_id', 'position', 'status', 'state', 'created_at'] as const;

/** Python Burr's table name. */
export const DEFAULT_SQL_TABLE_NAME = 'burr_state';

/**
 * The Burr table (docs/storage-formats.md in the repository) for a dialect. Names are
 * validated and quoted; `schema` (PostgreSQL) qualifies the table.
 * Throws `InvalidIdentifierError` for an unsafe name.
 */
export function burrSqlStatements(dialect: BurrSqlDialect, tableName: string, schema?: string): BurrSqlStatements {
  const settings = SQL_DIALECTS[dialect];
  const quote = (name: string, kind?: string): string => settings.quote(quoteSqlIdentifier(name, kind).slice(1, -1));
  const qualifier = schema === undefined ? '' : `${quote(schema, 'schema name')}.`;
  const table = qualifier + quote(tableName);
  // Python Burr's index name; unquoted-compatible because the table name is lower case.
  const createdAtIndexName = `${tableName}_created_at_index`.slice(0, 63);
  const appIndexName = `${tableName}_app_created_at_index`.slice(0, 63);
  const createdAtIndex = quote(createdAtIndexName, 'index name');
  const appIndex = quote(appIndexName, 'index name');
  const p = settings.placeholder;
  const key = settings.keyColumnType;
  const columns = `partition_key, app_id, sequence_id, position, status, ${settings.stateOut}, ${settings.createdAtOut}`;
  const createIndex = settings.createIndexIfNotExists ? 'CREATE INDEX IF NOT EXISTS' : 'CREATE INDEX';
  const object = (kind: SqlSchemaObject['kind'], name: string, qualifiedName: string): SqlQuery => settings.objectExists({ kind, name, qualifiedName, tableName, schema });
  const whereApp = `WHERE partition_key = ${p(1)} AND app_id = ${p(2)}`;
  return {
    table,
    createSchema: [
      `CREATE TABLE IF NOT EXISTS ${table} (
        partition_key ${key} DEFAULT '',
        app_id ${key} NOT NULL,
        sequence_id INTEGER NOT NULL,
        position ${key} NOT NULL,
        status ${settings.statusColumnType} NOT NULL,
        state ${settings.stateColumnType} NOT NULL,
        created_at ${settings.createdAtColumnType} DEFAULT ${settings.createdAtDefault ?? 'CURRENT_TIMESTAMP'},
        PRIMARY KEY (partition_key, app_id, sequence_id, position)
      )`,
      `${createIndex} ${createdAtIndex} ON ${table} (created_at)`,
      // Ours, not Python's: covers listAppIds (group by app, newest save) without reading any state.
      `${createIndex} ${appIndex} ON ${table} (partition_key, app_id, created_at)`,
    ],
    schemaObjectExists: [object('table', tableName, table), object('index', createdAtIndexName, qualifier + createdAtIndex), object('index', appIndexName, qualifier + appIndex)],
    insert: `INSERT INTO ${table} (partition_key, app_id, sequence_id, position, status, state, created_at) VALUES (${[1, 2, 3, 4, 5].map(p).join(', ')}, ${settings.stateIn(p(6))}, ${settings.createdAtIn(p(7))})`,
    selectLatest: `SELECT ${columns} FROM ${table} ${whereApp} ORDER BY sequence_id DESC, position DESC LIMIT 1`,
    selectAtSequence: `SELECT ${columns} FROM ${table} ${whereApp} AND sequence_id = ${p(3)} ORDER BY position LIMIT 1`,
    selectAtKey: `SELECT ${columns} FROM ${table} ${whereApp} AND sequence_id = ${p(3)} AND position = ${p(4)}`,
    selectAppIds: `SELECT app_id FROM ${table} WHERE partition_key = ${p(1)} GROUP BY app_id ORDER BY MAX(created_at) DESC, app_id`,
    selectTableExists: object('table', tableName, table),
  };
}
