import { InvalidIdentifierError } from '../../errors.js';
import { burrSqlStatements, MAX_SQL_TABLE_NAME_LENGTH, quoteInDialect, type BurrSqlStatements } from '../sql.js';
import { numberedPlaceholders, SQL_DIALECTS, typedParam, type BurrSqlDialect, type SqlDialectSettings, type SqlQuery } from '../sql-dialects.js';
import { compactionWithSegments } from './sql-segment-dialects.js';
import { MAX_SEGMENT_STEPS, sqlSegmentStatements, type SegmentStatements } from './sql-segments.js';

/** Appended to the Burr table's name to name the incremental table. */
export const INCREMENTAL_TABLE_SUFFIX = '_incremental';

/** Longest table name that can be used in incremental mode: the names derived from `<table>_incremental` must fit PostgreSQL's 63 characters. */
export const MAX_INCREMENTAL_TABLE_NAME_LENGTH = MAX_SQL_TABLE_NAME_LENGTH - INCREMENTAL_TABLE_SUFFIX.length;

/** The statements of incremental storage for one table (see docs/incremental-storage.md); parameters in the order each one names. */
export interface IncrementalSqlStatements {
  /**
   * The incremental table in the shape the SQL persister base uses (DDL,
   * snapshot insert, app index, history, compaction), so that everything but
   * saving and loading runs the full mode's code on it.
   */
  table: BurrSqlStatements;
  /**
   * Inserts a delta only while its base row is stored with the given save time.
   * Params: partition_key, app_id, sequence_id, position, status, state, created_at,
   * base_sequence_id, base_position, then partition_key, app_id, base_sequence_id, base_position, base created_at.
   */
  insertDelta: string;
  /**
   * The rows of a chain and the segments holding its packed steps, in one
   * read. Columns: sequence_id, position, status, base_sequence_id,
   * base_position, created_at, state (status and created_at only at sequence
   * id `to`, else NULL), then two NULLs; each segment overlapping the chain
   * is a row of its own: first_sequence_id, five NULLs, its records, the
   * chain's snapshot's sequence id and the chain's last sequence id.
   */
  selectChain: ChainStatement;
  /** {@link IncrementalSqlStatements.selectChain} up to the app's latest sequence id, in rows or segments. */
  selectLatestChain: ChainStatement;
  /**
   * The kept rows whose base a removal takes. Columns: sequence_id, position, base_sequence_id, base_position.
   * Params: partition_key, app_id, from, to + window, from, to, [created before], to, [created before].
   */
  selectDependents(createdBefore: boolean): string;
  /** Params: state, partition_key, app_id, sequence_id, position, base_sequence_id, base_position, created_at. */
  rewriteAsSnapshot: string;
  /**
   * Run after a removal, in its transaction: fails with a primary-key
   * violation (it inserts a copy of the row) when a remaining row with a
   * sequence id in the range given is a delta whose base, with a sequence id
   * in the second range, is gone: a delta saved while the removal ran.
   * Params: partition_key, app_id, from, to (the rows), from, to (their bases).
   */
  orphanGuard: string;
  /** The segments deltas are packed into (see {@link SegmentStatements}). */
  segments: SegmentStatements;
  /** PostgreSQL: takes the app's lock shared until the transaction ends, as a delta's insert does (see `APP_LOCKS`). Params: partition_key, app_id. */
  lockAppShared?: string | undefined;
}

/** A parameter of a chain read over rows and segments, by name. */
export type ChainParam = 'partitionKey' | 'appId' | 'to' | 'from';

/** A chain read's statement and the order of its parameters. */
export interface ChainStatement {
  sql: string;
  params: readonly ChainParam[];
}

/**
 * The incremental table `<tableName>_incremental`: the Burr table's columns
 * plus `base_sequence_id` and `base_position` (both `NULL` for a snapshot),
 * small columns before the state, no `created_at` index. Throws
 * `InvalidIdentifierError` for an unsafe or too long name.
 */
export function incrementalSqlStatements(dialect: BurrSqlDialect, tableName: string, schema?: string): IncrementalSqlStatements {
  if (typeof tableName === 'string' && tableName.length > MAX_INCREMENTAL_TABLE_NAME_LENGTH) {
    throw new InvalidIdentifierError(
      'table name',
      tableName,
      `use at most ${MAX_INCREMENTAL_TABLE_NAME_LENGTH} characters with storage: 'incremental', so the names derived from ${tableName}${INCREMENTAL_TABLE_SUFFIX} fit PostgreSQL's 63`,
    );
  }
  const settings = incrementalDialect(dialect);
  const full = burrSqlStatements(dialect, `${tableName}${INCREMENTAL_TABLE_SUFFIX}`, schema, settings);
  // burrSqlStatements lists the table, its created_at index, then the app index: keep all but the index.
  if (full.createSchema.length < 3 || !full.createSchema[1]!.includes('_created_at_index') || full.appIndexTableStep !== 2) {
    throw new Error('burrSqlStatements changed the order of its DDL; update incrementalSqlStatements');
  }
  const t = full.table;
  const key = settings.keyColumnType;
  const createTable = `CREATE TABLE IF NOT EXISTS ${t} (
        partition_key ${key} NOT NULL,
        app_id ${key} NOT NULL,
        sequence_id INTEGER NOT NULL,
        position ${key} NOT NULL,
        status ${settings.statusColumnType} NOT NULL,
        base_sequence_id INTEGER,
        base_position ${key},
        created_at ${settings.createdAtColumnType} NOT NULL DEFAULT ${settings.createdAtDefault ?? 'CURRENT_TIMESTAMP'},
        state ${settings.stateColumnType} NOT NULL,
        PRIMARY KEY (partition_key, app_id, sequence_id, position)
      )`;
  const p = settings.placeholder;
  const snapshotIndex = snapshotIndexSchema(dialect, settings, `${tableName}${INCREMENTAL_TABLE_SUFFIX}`, t, schema);
  const appLock = APP_LOCKS[dialect]?.(t);
  const segments = sqlSegmentStatements(dialect, settings, t, `${tableName}${INCREMENTAL_TABLE_SUFFIX}`, schema);
  const history = {
    ...full.history,
    ...(appLock ? { lockAppForDelete: appLock.exclusive(settings.placeholder(1), settings.placeholder(2)) } : {}),
    // An app whose steps are all packed still has steps: its index entry stays.
    deleteAppIndexEntry: `${full.history.deleteAppIndexEntry} AND ${segments.noSegmentOf(full.appIndexTable)}`,
  };
  const table: BurrSqlStatements = {
    ...full,
    history,
    compaction: compactionWithSegments(dialect, full.compaction, segments),
    insert: `INSERT INTO ${t} (partition_key, app_id, sequence_id, position, status, state, created_at) VALUES (${[1, 2, 3, 4, 5].map(p).join(', ')}, ${settings.stateIn(p(6))}, ${settings.createdAtIn(p(7))})`,
    createSchema: [createTable, ...snapshotIndex.create, ...full.createSchema.slice(2), segments.createTable, ...(segments.guardTrigger?.create ?? [])],
    schemaObjectExists: [full.schemaObjectExists[0]!, ...snapshotIndex.exists, ...full.schemaObjectExists.slice(2), segments.tableExists, ...(segments.guardTrigger?.exists ?? [])],
    appIndexTableStep: full.appIndexTableStep - 1 + snapshotIndex.create.length,
  };
  const numbered = () => numberedPlaceholders(settings);
  const dependents = new Map<boolean, string>();
  const typed = (param: string, type: 'TEXT' | 'INTEGER'): string => typedParam(dialect, param, type);
  const chain = (latestOnly: boolean): ChainStatement => {
    const order: ChainParam[] = [];
    const q = (name: ChainParam): string => {
      order.push(name);
      return settings.placeholder(order.length);
    };
    const app = (alias: string) => `${alias}.partition_key = ${q('partitionKey')} AND ${alias}.app_id = ${q('appId')}`;
    // The latest step may be packed (a prune can remove the rows above a segment).
    const to = () =>
      latestOnly
        ? `(SELECT MAX(x) FROM (SELECT MAX(m.sequence_id) AS x FROM ${t} m WHERE ${app('m')} UNION ALL SELECT * FROM (SELECT l.last_sequence_id FROM ${segments.table} l WHERE ${app('l')} ORDER BY l.first_sequence_id DESC LIMIT 1) last_segment) latest)`
        : q('to');
    const snapshot = () =>
      `COALESCE((SELECT s.sequence_id FROM ${t} s WHERE ${app('s')} AND s.sequence_id <= ${latestOnly ? to() : q('from')} AND s.base_sequence_id IS NULL ORDER BY s.sequence_id DESC LIMIT 1), 0)`;
    // Only the rows at the last sequence id carry their status and save time: the others are only replayed, and two
    // text columns fewer make a 10,000-row chain about a quarter faster to read on SQLite.
    const [statusAt, savedAt] = [to(), to()];
    const columns = `sequence_id, position, CASE WHEN sequence_id = ${statusAt} THEN status END, base_sequence_id, base_position, CASE WHEN sequence_id = ${savedAt} THEN ${settings.createdAtText} END, ${settings.stateOut}, NULL, NULL`;
    const rows = `SELECT ${columns} FROM ${t} WHERE partition_key = ${q('partitionKey')} AND app_id = ${q('appId')} AND sequence_id <= ${to()} AND sequence_id >= ${snapshot()}`;
    const packed = `SELECT g.first_sequence_id, NULL, NULL, NULL, NULL, NULL, g.records, c.snapshot, c.last FROM ${segments.table} g CROSS JOIN (SELECT ${snapshot()} AS snapshot, ${typed(to(), 'INTEGER')} AS last) c WHERE ${app('g')} AND g.first_sequence_id <= c.last AND g.first_sequence_id > c.snapshot - ${MAX_SEGMENT_STEPS} AND g.last_sequence_id >= c.snapshot`;
    return { sql: `${rows} UNION ALL ${packed} ORDER BY 1, 2`, params: order };
  };
  return {
    segments,
    lockAppShared: appLock && `SELECT ${appLock.shared(typed(settings.placeholder(1), 'TEXT'), typed(settings.placeholder(2), 'TEXT'))}`,
    table,
    insertDelta: (() => {
      const p = numbered();
      const values = [typed(p(), 'TEXT'), typed(p(), 'TEXT'), typed(p(), 'INTEGER'), typed(p(), 'TEXT'), typed(p(), 'TEXT'), settings.stateIn(p()), settings.createdAtIn(p())];
      values.push(typed(p(), 'INTEGER'), typed(p(), 'TEXT'));
      const where = `base.partition_key = ${p()} AND base.app_id = ${p()} AND base.sequence_id = ${p()} AND base.position = ${p()} AND base.created_at = ${settings.createdAtIn(p())}`;
      // The base row stays locked until the insert commits, so a removal of it waits, then sees the delta (see orphanGuard);
      // where the app is locked too, a deleteApp waits for the insert, and an insert that starts while it runs inserts nothing.
      const lockApp = appLock ? ` CROSS JOIN (SELECT ${appLock.shared(typed(settings.placeholder(1), 'TEXT'), typed(settings.placeholder(2), 'TEXT'))}) app_lock` : '';
      return `INSERT INTO ${t} (partition_key, app_id, sequence_id, position, status, state, created_at, base_sequence_id, base_position) SELECT ${values.join(', ')} FROM ${t} base${lockApp} WHERE ${where}${SHARED_ROW_LOCK[dialect]}`;
    })(),
    selectChain: chain(false),
    selectLatestChain: chain(true),
    selectDependents: (createdBefore) => {
      const cached = dependents.get(createdBefore);
      if (cached) return cached;
      const p = numbered();
      const where = deltasOnRange(p);
      if (createdBefore) where.push(`b.created_at < ${settings.createdAtIn(p())}`);
      const upTo = p();
      where.push(createdBefore ? `NOT (d.sequence_id <= ${upTo} AND d.created_at < ${settings.createdAtIn(p())})` : `d.sequence_id > ${upTo}`);
      const sql = `SELECT d.sequence_id, d.position, d.base_sequence_id, d.base_position FROM ${t} d JOIN ${t} b ON ${BASE_OF_DELTA} WHERE ${where.join(' AND ')} ORDER BY d.sequence_id, d.position`;
      dependents.set(createdBefore, sql);
      return sql;
    },
    orphanGuard: (() => {
      const p = numbered();
      const where = [...deltasOnRange(p), 'b.sequence_id IS NULL'];
      const columns = 'partition_key, app_id, sequence_id, position, status, state, created_at';
      const copied = columns
        .split(', ')
        .map((column) => `d.${column}`)
        .join(', ');
      // A join, not a NOT EXISTS subquery: MySQL lets an INSERT read its own table in the FROM clause only.
      return `INSERT INTO ${t} (${columns}) SELECT ${copied} FROM ${t} d LEFT JOIN ${t} b ON ${BASE_OF_DELTA} WHERE ${where.join(' AND ')} LIMIT 1`;
    })(),
    rewriteAsSnapshot: (() => {
      const p = numbered();
      const state = settings.stateIn(p());
      return `UPDATE ${t} SET state = ${state}, base_sequence_id = NULL, base_position = NULL WHERE partition_key = ${p()} AND app_id = ${p()} AND sequence_id = ${p()} AND position = ${p()} AND base_sequence_id = ${p()} AND base_position = ${p()} AND created_at = ${settings.createdAtIn(p())}`;
    })(),
  };
}

/** Joins a delta `d` to its base row `b`. */
const BASE_OF_DELTA = 'b.partition_key = d.partition_key AND b.app_id = d.app_id AND b.sequence_id = d.base_sequence_id AND b.position = d.base_position';

/**
 * Conditions on rows `d` of one app (params: partition_key, app_id) with a
 * sequence id in a range (from, to] whose base lies in another [from, to].
 */
function deltasOnRange(p: () => string): string[] {
  return [`d.partition_key = ${p()}`, `d.app_id = ${p()}`, `d.sequence_id > ${p()}`, `d.sequence_id <= ${p()}`, `d.base_sequence_id >= ${p()}`, `d.base_sequence_id <= ${p()}`];
}

/**
 * How a delta's insert locks the base row it read (SQLite and libSQL write
 * one transaction at a time and need none): a removal of that row waits for
 * the insert to commit, and its `orphanGuard` then sees the delta. InnoDB
 * takes that lock itself under REPEATABLE READ; the clause keeps it under
 * READ COMMITTED.
 */
const SHARED_ROW_LOCK: Record<BurrSqlDialect, string> = { postgres: ' FOR KEY SHARE OF base', mysql: ' LOCK IN SHARE MODE', sqlite: '' };

/** An app's lock for one table: SQL calls taking it, given the partition key and app id as SQL expressions. */
interface AppLock {
  /** Taken by a delta's insert, until it commits: inserts do not wait for each other. */
  shared(partitionKey: string, appId: string): string;
  /** Taken first in `deleteApp`'s transaction: waits for the inserts in progress, and inserts that start meanwhile wait for it. */
  exclusive(partitionKey: string, appId: string): string;
}

/**
 * The app locks of the dialects that need one, by the table they lock in
 * (its quoted, maybe schema-qualified name).
 * On PostgreSQL a delete reads the rows as they were when it started: the
 * base-row lock makes it wait for an insert in progress, but a writer that
 * saves again at once puts its next delta on a step the delete did not see,
 * and a chain of such saves outruns any number of deletes. A transaction
 * advisory lock on a hash of the table's oid and the app orders the two (the
 * oid, not the name: persisters naming one table with and without its schema
 * take one lock; a hash shared by two apps only makes one wait for the
 * other). It assumes READ COMMITTED, as PostgreSQL's persister's transactions
 * run. MySQL's delete reads
 * the newest rows and locks the range it scans; SQLite writes one
 * transaction at a time.
 */
const APP_LOCKS: Partial<Record<BurrSqlDialect, (table: string) => AppLock>> = {
  postgres: (table) => {
    // The cast resolves the name once, when the statement is planned. The length keeps ("ab", "c") and ("a", "bc") apart.
    const oid = `CAST(CAST('${table.replaceAll("'", "''")}' AS regclass) AS oid)`;
    const key = (partitionKey: string, appId: string) => `hashtextextended(CONCAT(${oid}, ':', LENGTH(${partitionKey}), ':', ${partitionKey}, ${appId}), 0)`;
    return {
      shared: (partitionKey, appId) => `pg_advisory_xact_lock_shared(${key(partitionKey, appId)})`,
      exclusive: (partitionKey, appId) => `SELECT pg_advisory_xact_lock(${key(`CAST(${partitionKey} AS TEXT)`, `CAST(${appId} AS TEXT)`)})`,
    };
  },
};

/**
 * A partial index of the snapshot rows (SQLite, PostgreSQL; MySQL has no
 * partial indexes), for the look-up of a chain's snapshot: without it that
 * look-up walks every delta row below the target (3.6 ms for 10,000 rows on
 * SQLite), with it, a few snapshot entries.
 */
function snapshotIndexSchema(
  dialect: BurrSqlDialect,
  settings: SqlDialectSettings,
  tableName: string,
  table: string,
  schema: string | undefined,
): { create: string[]; exists: SqlQuery[] } {
  if (dialect === 'mysql') return { create: [], exists: [] };
  const name = `${tableName}_snapshots`;
  const quoted = quoteInDialect(settings, name, 'index name');
  // CREATE INDEX names no schema (the index goes to its table's); the look-up does.
  const qualifiedName = schema === undefined ? quoted : `${quoteInDialect(settings, schema, 'schema name')}.${quoted}`;
  return {
    create: [`CREATE INDEX IF NOT EXISTS ${quoted} ON ${table} (partition_key, app_id, sequence_id) WHERE base_sequence_id IS NULL`],
    exists: [settings.objectExists({ kind: 'index', name, qualifiedName, tableName, schema })],
  };
}

/**
 * The dialect's settings for the incremental table. PostgreSQL keeps the
 * JSON as `TEXT` there, not `JSONB`: the table is ours (Python Burr never
 * reads it), and a load reads up to `snapshotEvery` small rows, each of
 * which JSONB would have to render back into text.
 */
function incrementalDialect(dialect: BurrSqlDialect): SqlDialectSettings {
  const settings = SQL_DIALECTS[dialect];
  if (dialect !== 'postgres') return settings;
  // The size of a step is its JSON text's, as for a delta packed in a segment (pg_column_size would count the header).
  return { ...settings, stateColumnType: 'TEXT', stateIn: (param) => `CAST(${param} AS TEXT)`, stateOut: 'state', stateSizeOut: 'octet_length(state)' };
}

/** Whether a table holds a step of an app: a query that finds the table, and one that finds a step (params: partition_key, app_id). */
export interface AppStepProbe {
  tableExists: SqlQuery;
  anyStep: string;
}

/** The {@link AppStepProbe} of a table (full or incremental) in a dialect. */
export function appStepProbe(dialect: BurrSqlDialect, table: BurrSqlStatements): AppStepProbe {
  const p = SQL_DIALECTS[dialect].placeholder;
  return { tableExists: table.selectTableExists, anyStep: `SELECT 1 FROM ${table.table} WHERE partition_key = ${p(1)} AND app_id = ${p(2)} LIMIT 1` };
}
