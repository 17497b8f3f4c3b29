import { InvalidIdentifierError } from '../errors.js';
import { appIndexSchema, appOrder, type AppIndexNames, type AppOrder } from './sql-app-index.js';
import { SQL_DIALECTS, type BurrSqlDialect, type SqlCompaction, type SqlDialectSettings, type SqlQuery, type SqlSchemaObject } from './sql-dialects.js';
import { sqlHistoryStatements, type SqlHistoryStatements } from './sql-history.js';
import { quoteSqlIdentifier } from './validate.js';

/** The statements a SQL persister runs, with positional parameters in the dialect's style. */
export interface BurrSqlStatements {
  /** The quoted table name, schema-qualified when a schema was given. */
  table: string;
  /** DDL to run in order: the table, its indexes, then the app index (its table, index and trigger). */
  createSchema: string[];
  /** Position in `createSchema` of the app index table: when that statement creates it, run `backfillAppIndex` after the DDL. */
  appIndexTableStep: number;
  /** Fills a new app index from the steps already stored; ignores apps already indexed. */
  backfillAppIndex: string;
  /** Brings an app index an earlier version made to this shape (see `AppIndexSchema.upgrade`); absent where none differs. */
  upgradeAppIndex?: { needed: SqlQuery; run: string[] } | undefined;
  /**
   * The app listings on an app index that `initialize()` has not upgraded yet, in the order it supports (the same
   * order, from the exact save time): a read-only user (the CLI, the inspector) keeps listing apps meanwhile.
   */
  appListingsBeforeUpgrade?: (Pick<BurrSqlStatements, 'selectAppIds'> & Pick<SqlHistoryStatements, 'selectApps'>) | undefined;
  /** The app index table, quoted (and schema-qualified). */
  appIndexTable: string;
  /** History, listing and retention statements. */
  history: SqlHistoryStatements;
  /** What `compact()` measures, runs and advises (see `SqlDialectSettings.compaction`). */
  compaction: SqlCompaction;
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
  /** Params: partition_key. Distinct app ids, most recently saved first (ties: greatest app id first), from the app index. */
  selectAppIds: string;
  /** {@link BurrSqlStatements.selectAppIds} from the steps themselves, for a table whose app index does not exist yet (made by Python Burr, not initialized by us). */
  selectAppIdsFromSteps: string;
  /** Returns a row when the table exists; run with `params` as given. */
  selectTableExists: SqlQuery;
}

/** Columns in the order every step select returns them. */
export const BURR_SQL_COLUMNS = ['partition_key', 'app_id', 'sequence_id', 'position', 'status', 'state', 'created_at'] as const;

/** Python Burr's table name. */
export const DEFAULT_SQL_TABLE_NAME = 'burr_state';

/** Longest Burr table name: the names derived from it (`<table>_apps_saved_at_index`) must fit PostgreSQL's 63 characters. */
export const MAX_SQL_TABLE_NAME_LENGTH = 43;

/** A name validated as a SQL identifier of its `kind` and quoted the dialect's way. */
export function quoteInDialect(settings: SqlDialectSettings, name: string, kind?: string): string {
  return settings.quote(quoteSqlIdentifier(name, kind).slice(1, -1));
}

/**
 * The Burr table (docs/storage-formats.md in the repository) for a dialect. Names are
 * validated and quoted; `schema` (PostgreSQL) qualifies the table. `settings`
 * replace the dialect's own for a table of another shape (incremental storage's).
 * Throws `InvalidIdentifierError` for an unsafe name.
 */
export function burrSqlStatements(dialect: BurrSqlDialect, tableName: string, schema?: string, settings: SqlDialectSettings = SQL_DIALECTS[dialect]): BurrSqlStatements {
  if (typeof tableName === 'string' && tableName.length > MAX_SQL_TABLE_NAME_LENGTH) {
    throw new InvalidIdentifierError('table name', tableName, `use at most ${MAX_SQL_TABLE_NAME_LENGTH} characters, so the names derived from it fit PostgreSQL's 63`);
  }
  const quote = (name: string, kind?: string): string => quoteInDialect(settings, name, kind);
  const qualifier = schema === undefined ? '' : `${quote(schema, 'schema name')}.`;
  const table = qualifier + quote(tableName);
  // Python Burr's index name; unquoted-compatible because the table name is lower case.
  const createdAtIndexName = `${tableName}_created_at_index`.slice(0, 63);
  const createdAtIndex = quote(createdAtIndexName, 'index name');
  const p = settings.placeholder;
  const key = settings.keyColumnType;
  const columns = `partition_key, app_id, sequence_id, position, status, ${settings.stateOut}, ${settings.createdAtOut}`;
  const createIndex = settings.createIndexIfNotExists ? 'CREATE INDEX IF NOT EXISTS' : 'CREATE INDEX';
  const object = (kind: SqlSchemaObject['kind'], name: string, qualifiedName: string): SqlQuery => settings.objectExists({ kind, name, qualifiedName, tableName, schema });
  const whereApp = `WHERE partition_key = ${p(1)} AND app_id = ${p(2)}`;
  const appsName = `${tableName}_apps`;
  const names: AppIndexNames = {
    table,
    apps: qualifier + quote(appsName),
    appsName,
    savedAtIndex: quote(`${appsName}_saved_at_index`, 'index name'),
    savedAtIndexQualified: qualifier + quote(`${appsName}_saved_at_index`, 'index name'),
    savedAtIndexName: `${appsName}_saved_at_index`,
    trigger: qualifier + quote(`${appsName}_on_insert`, 'trigger name'),
    triggerName: `${appsName}_on_insert`,
    tableName,
    schema,
  };
  const appIndex = appIndexSchema(settings, names);
  const selectAppIds = (order: AppOrder) => `SELECT app_id FROM ${names.apps} WHERE partition_key = ${p(1)} ORDER BY ${order.orderBy}`;
  // The dialect as it was before the app index had `last_saved_second`, for listings on an index not yet upgraded.
  const dialectBeforeSavedSecond: SqlDialectSettings = { ...settings, savedSecond: undefined };
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
      ...appIndex.create,
    ],
    schemaObjectExists: [object('table', tableName, table), object('index', createdAtIndexName, qualifier + createdAtIndex), ...appIndex.exists],
    appIndexTableStep: 2,
    backfillAppIndex: appIndex.backfill,
    upgradeAppIndex: appIndex.upgrade,
    appListingsBeforeUpgrade: appIndex.upgrade && {
      selectAppIds: selectAppIds(appOrder(dialectBeforeSavedSecond)),
      selectApps: sqlHistoryStatements(dialectBeforeSavedSecond, names).selectApps,
    },
    appIndexTable: names.apps,
    history: sqlHistoryStatements(settings, names),
    compaction: settings.compaction(names),
    insert: `INSERT INTO ${table} (partition_key, app_id, sequence_id, position, status, state, created_at) VALUES (${[1, 2, 3, 4, 5].map(p).join(', ')}, ${settings.stateIn(p(6))}, ${settings.createdAtIn(p(7))})`,
    selectLatest: `SELECT ${columns} FROM ${table} ${whereApp} ORDER BY sequence_id DESC, position DESC LIMIT 1`,
    selectAtSequence: `SELECT ${columns} FROM ${table} ${whereApp} AND sequence_id = ${p(3)} ORDER BY position LIMIT 1`,
    selectAtKey: `SELECT ${columns} FROM ${table} ${whereApp} AND sequence_id = ${p(3)} AND position = ${p(4)}`,
    selectAppIds: selectAppIds(appOrder(settings)),
    selectAppIdsFromSteps: `SELECT app_id FROM ${table} WHERE partition_key = ${p(1)} GROUP BY app_id ORDER BY MAX(created_at) DESC, app_id DESC`,
    selectTableExists: object('table', tableName, table),
  };
}
