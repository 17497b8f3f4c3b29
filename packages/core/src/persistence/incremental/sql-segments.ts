import { InvalidPersistArgumentError } from '../../errors.js';
import { quoteInDialect } from '../sql.js';
import type { SqlStatement } from '../sql-persister.js';
import { numberedPlaceholders, typedParam, type BurrSqlDialect, type SqlDialectSettings, type SqlQuery } from '../sql-dialects.js';
import type { SegmentPageShape } from './sql-packed-steps.js';
import { guardTrigger, SEGMENT_SQL } from './sql-segment-dialects.js';

/** Default of `segmentSteps`: the deltas of sequence ids `64n` to `64n + 63` share one segment row. */
export const DEFAULT_SEGMENT_STEPS = 64;
/**
 * Largest `segmentSteps`. A segment spans fewer sequence ids than this (it
 * packs one range), so a look-up of the segments around an id reads an index
 * range no longer than this; and with deltas of at most
 * {@link MAX_PACKED_DELTA_BYTES} a segment stays within 4 MiB, well under
 * MySQL's smallest default `max_allowed_packet` (MariaDB's 16 MiB).
 */
export const MAX_SEGMENT_STEPS = 256;

/** A delta's JSON of more bytes than this stays a row of its own: packing it would save no row's worth, and bound no segment. */
export const MAX_PACKED_DELTA_BYTES = 16 * 1024;

/**
 * The statements of the segment table `<table>_incremental_segments`, where
 * the SQL persisters pack the deltas of past steps, many to a row (see
 * docs/incremental-storage.md, "Segments"). A segment holds the records of
 * the deltas it packed, each a newline, a head, a newline and the delta (the
 * format `packedRecords` reads), and the range of sequence ids they cover.
 * Segments of one app never overlap: a step saved inside a segment's range
 * unpacks it first.
 */
export interface SegmentStatements {
  /** The segment table's name, quoted (and schema-qualified). */
  table: string;
  /** Its bare name. */
  name: string;
  createTable: string;
  tableExists: SqlQuery;
  /**
   * The statements that pack the deltas of an app stored as rows with
   * sequence ids in `from`..`to` into one segment and delete those rows,
   * unless a segment of the app overlaps the range; run in one transaction.
   * On SQLite they follow a delta's insert in its transaction and pack only
   * when that insert stored the delta.
   */
  seal(partitionKey: string, appId: string, from: number, to: number): SqlStatement[];
  /**
   * SQLite: run after a row's insert in its transaction, fails on the
   * segment table's primary key (it inserts a copy of a segment) when a
   * segment covers the row's sequence id. Params: partition_key, app_id,
   * sequence_id, sequence_id, partition_key, app_id, sequence_id, position.
   * Absent where {@link SegmentStatements.guardTrigger} does it.
   */
  coveredGuard?: string | undefined;
  /**
   * PostgreSQL, MySQL: the trigger that fails a row's insert, as a unique
   * violation, when a segment covers its sequence id. It runs after the
   * insert waited for a concurrent seal of a step at that key and reads the
   * segments anew, so no step is stored both as a row and packed.
   */
  guardTrigger?: { create: string[]; exists: SqlQuery[] } | undefined;
  /**
   * Fails on the segment table's primary key when a segment of the app overlaps a range.
   * Params: partition_key, app_id, to, from - MAX_SEGMENT_STEPS, from (a segment spans fewer ids: an index range).
   */
  overlapGuard: string;
  /**
   * The segments overlapping a range, ordered by first_sequence_id. Columns: first_sequence_id, last_sequence_id,
   * records, steps. Params: partition_key, app_id, from, from - MAX_SEGMENT_STEPS, to.
   */
  selectOverlapping: string;
  /**
   * The statements, run in one transaction, that turn one segment back into
   * rows: they delete it and insert its rows only if they deleted it (another
   * process may have unpacked or removed it meanwhile).
   */
  unpack(partitionKey: string, appId: string, first: number, last: number, rows: readonly UnpackedRow[], records: string): SqlStatement[];
  /** Params: partition_key, app_id. */
  deleteApp: string;
  /** Column: how many steps the app's segments hold. Params: partition_key, app_id. */
  countApp: string;
  /**
   * One page of segments for a step listing. Columns: first_sequence_id, last_sequence_id, records.
   * Params: partition_key, app_id, [before], [after, after - MAX_SEGMENT_STEPS], [first_sequence_id of the last segment already read].
   */
  selectPage(shape: SegmentPageShape): string;
  /** A condition that the app of the table `alias` has no segment (no params). */
  noSegmentOf(alias: string): string;
}

/** A row of a segment as it goes back into the table: the record's fields, its save time as the segment's head holds it. */
export interface UnpackedRow {
  sequenceId: number;
  position: string;
  status: string;
  state: string;
  createdAt: string;
  baseSequenceId: number;
  basePosition: string;
}

/**
 * The segment statements of a dialect. `table` is the incremental table,
 * quoted; `tableName` its unquoted name.
 */
export function sqlSegmentStatements(dialect: BurrSqlDialect, settings: SqlDialectSettings, table: string, tableName: string, schema: string | undefined): SegmentStatements {
  const sql = SEGMENT_SQL[dialect];
  const name = `${tableName}_segments`;
  const quotedName = quoteInDialect(settings, name, 'table name');
  const segments = schema === undefined ? quotedName : `${quoteInDialect(settings, schema, 'schema name')}.${quotedName}`;
  const numbered = () => numberedPlaceholders(settings);
  const typed = (param: string, type: 'TEXT' | 'INTEGER'): string => typedParam(dialect, param, type);
  const app = (p: () => string, alias = '') => `${alias}partition_key = ${p()} AND ${alias}app_id = ${p()}`;
  // A head as packedRecords reads it: [sequence_id, position, created_at] for a completed delta on the record before
  // it in the segment, with the status for another status, else with its base too.
  const lag = (column: string) => `LAG(${column}) OVER (ORDER BY sequence_id, position)`;
  const onRecordBefore = `base_sequence_id = sequence_id - 1 AND ${lag('sequence_id')} = sequence_id - 1 AND ${lag('position')} = base_position`;
  const [position, basePosition, createdAt] = [sql.keyText('position'), sql.keyText('base_position'), settings.createdAtText];
  const head =
    `CASE WHEN ${onRecordBefore} THEN CASE WHEN status = 'completed' THEN ${sql.jsonArray(['sequence_id', position, createdAt])} ` +
    `ELSE ${sql.jsonArray(['sequence_id', position, createdAt, 'status'])} END ` +
    `ELSE ${sql.jsonArray(['sequence_id', position, createdAt, 'status', 'base_sequence_id', basePosition])} END`;
  const records = (from: string) =>
    `SELECT partition_key, app_id, MIN(sequence_id), MAX(sequence_id), COUNT(*), ${sql.aggregate('record')} FROM (` +
    `SELECT partition_key, app_id, sequence_id, position, ${sql.concat([sql.newline, head, sql.newline, 'state'])} AS record FROM ${from}` +
    `) packed GROUP BY partition_key, app_id`;
  /**
   * A seal of `from`..`to`: only while no segment of the app overlaps the
   * range (two persisters, one of them behind, would otherwise pack rows on
   * both sides of a segment into one that spans it), and where it follows a
   * delta's insert in one transaction (SQLite), only when that insert stored
   * the delta.
   */
  const seal = (partitionKey: string, appId: string, from: number, to: number): SqlStatement[] => {
    const statement = (build: (bind: (value: string | number) => string) => string): SqlStatement => {
      const params: Array<string | number> = [];
      const sqlText = build((value) => {
        params.push(value);
        return settings.placeholder(params.length);
      });
      return { sql: sqlText, params };
    };
    const deltas = (bind: (value: string | number) => string) =>
      `partition_key = ${bind(partitionKey)} AND app_id = ${bind(appId)} AND sequence_id >= ${bind(from)} AND sequence_id <= ${bind(to)} AND base_sequence_id IS NOT NULL AND ${sql.byteLength('state')} <= ${MAX_PACKED_DELTA_BYTES}`;
    const free = (bind: (value: string | number) => string) =>
      `NOT EXISTS (SELECT 1 FROM ${segments} g WHERE g.partition_key = ${bind(partitionKey)} AND g.app_id = ${bind(appId)} AND g.first_sequence_id <= ${bind(to)} AND g.first_sequence_id > ${bind(from - MAX_SEGMENT_STEPS)} AND g.last_sequence_id >= ${bind(from)})`;
    const lock = sql.sealLock ? [statement((bind) => sql.sealLock!(segments, typed(bind(partitionKey), 'TEXT'), typed(bind(appId), 'TEXT')))] : [];
    const before = sql.beforeSeal.map((text) => ({ sql: text, params: [] }));
    if (sql.sealInOne) return [...before, ...lock, statement((bind) => sql.sealInOne!(table, segments, `${deltas(bind)} AND ${free(bind)}`, records))];
    const changedOneRow = sql.changedOneRow ? ` AND ${sql.changedOneRow}` : '';
    return [
      ...before,
      ...lock,
      ...(sql.locksRowsFirst ? [statement((bind) => `SELECT 1 FROM ${table} WHERE ${deltas(bind)} FOR UPDATE`)] : []),
      statement(
        (bind) =>
          `INSERT INTO ${segments} (partition_key, app_id, first_sequence_id, last_sequence_id, steps, records) ${records(`${table} WHERE ${deltas(bind)} AND ${free(bind)}${dialect === 'sqlite' ? changedOneRow : ''}`)}`,
      ),
      // Only the rows the insert just before packed: none when it made no segment.
      statement((bind) => `DELETE FROM ${table} WHERE ${deltas(bind)}${changedOneRow}`),
    ];
  };
  return {
    table: segments,
    name,
    createTable: `CREATE TABLE IF NOT EXISTS ${segments} (
        partition_key ${settings.keyColumnType} NOT NULL,
        app_id ${settings.keyColumnType} NOT NULL,
        first_sequence_id INTEGER NOT NULL,
        last_sequence_id INTEGER NOT NULL,
        steps INTEGER NOT NULL,
        records ${sql.recordsColumnType} NOT NULL,
        PRIMARY KEY (partition_key, app_id, first_sequence_id)
      )`,
    tableExists: settings.objectExists({ kind: 'table', name, qualifiedName: segments, tableName: name, schema }),
    seal,
    ...(dialect === 'sqlite'
      ? {
          coveredGuard: (() => {
            const p = numbered();
            const [partitionKey, appId, sequenceId] = [p(), p(), p()];
            // The segment that starts last at or below the sequence id: one probe of the primary key.
            const covering = `g.partition_key = ${partitionKey} AND g.app_id = ${appId} AND g.first_sequence_id = (SELECT MAX(first_sequence_id) FROM ${segments} WHERE partition_key = g.partition_key AND app_id = g.app_id AND first_sequence_id <= ${sequenceId}) AND g.last_sequence_id >= ${p()}`;
            return `INSERT INTO ${segments} SELECT g.* FROM ${segments} g WHERE ${covering} AND EXISTS (SELECT 1 FROM ${table} WHERE ${app(p)} AND sequence_id = ${p()} AND position = ${p()}) LIMIT 1`;
          })(),
        }
      : { guardTrigger: guardTrigger(dialect, settings, table, segments, `${tableName}_segments_guard`, schema) }),
    overlapGuard: (() => {
      const p = numbered();
      return `INSERT INTO ${segments} SELECT g.* FROM ${segments} g WHERE ${app(p, 'g.')} AND g.first_sequence_id <= ${p()} AND g.first_sequence_id > ${p()} AND g.last_sequence_id >= ${p()} LIMIT 1`;
    })(),
    selectOverlapping: (() => {
      const p = numbered();
      return `SELECT first_sequence_id, last_sequence_id, records, steps FROM ${segments} WHERE ${app(p)} AND last_sequence_id >= ${p()} AND first_sequence_id > ${p()} AND first_sequence_id <= ${p()} ORDER BY first_sequence_id`;
    })(),
    unpack: (partitionKey, appId, first, last, rows, records) => {
      const p = numbered();
      // The segment as it was read, records included: one sealed again meanwhile over the same range may hold other steps.
      const deleteSegment = `DELETE FROM ${segments} WHERE ${app(p)} AND first_sequence_id = ${p()} AND last_sequence_id = ${p()} AND steps = ${p()} AND records = ${p()}`;
      const segment = [partitionKey, appId, first, last, rows.length, records];
      const params = rows.flatMap((row) => [partitionKey, appId, row.sequenceId, row.position, row.status, row.state, row.createdAt, row.baseSequenceId, row.basePosition]);
      const columns = 'partition_key, app_id, sequence_id, position, status, state, created_at, base_sequence_id, base_position';
      const values = (q: () => string) => [
        typed(q(), 'TEXT'),
        typed(q(), 'TEXT'),
        typed(q(), 'INTEGER'),
        typed(q(), 'TEXT'),
        typed(q(), 'TEXT'),
        settings.stateIn(q()),
        settings.timestampIn(q()),
        typed(q(), 'INTEGER'),
        typed(q(), 'TEXT'),
      ];
      if (dialect === 'postgres') {
        const q = numbered();
        const gone = `DELETE FROM ${segments} WHERE ${app(q)} AND first_sequence_id = ${q()} AND last_sequence_id = ${q()} AND steps = ${q()} AND records = ${q()} RETURNING 1`;
        const rowsIn = rows.map(() => `(${values(q).join(', ')})`).join(', ');
        return [
          {
            sql: `WITH gone AS (${gone}) INSERT INTO ${table} (${columns}) SELECT * FROM (VALUES ${rowsIn}) AS unpacked WHERE EXISTS (SELECT 1 FROM gone)`,
            params: [...segment, ...params],
          },
        ];
      }
      // The delete just before, in the same transaction, changed one row: the segment was still there.
      const deletedIt = sql.changedOneRow!;
      const q = numbered();
      // SQLite: a VALUES list has no limit on its rows (a compound SELECT stops at 500); MariaDB has no VALUES ROW.
      // MySQL names a derived table's columns after its first SELECT's, which must differ.
      const rowsIn =
        dialect === 'sqlite'
          ? `VALUES ${rows.map(() => `(${values(q).join(', ')})`).join(', ')}`
          : rows
              .map(
                (_, i) =>
                  `SELECT ${values(q)
                    .map((value, column) => (i === 0 ? `${value} AS c${column}` : value))
                    .join(', ')}`,
              )
              .join(' UNION ALL ');
      return [
        { sql: deleteSegment, params: segment },
        { sql: `INSERT INTO ${table} (${columns}) SELECT * FROM (${rowsIn}) unpacked WHERE ${deletedIt}`, params },
      ];
    },
    deleteApp: (() => {
      const p = numbered();
      return `DELETE FROM ${segments} WHERE ${app(p)}`;
    })(),
    countApp: (() => {
      const p = numbered();
      return `SELECT COALESCE(SUM(steps), 0) FROM ${segments} WHERE ${app(p)}`;
    })(),
    selectPage: ({ newestFirst, hasBefore, hasAfter, hasCursor, limit }) => {
      const p = numbered();
      const where = [app(p)];
      if (hasBefore) where.push(`first_sequence_id < ${p()}`);
      if (hasAfter) where.push(`last_sequence_id > ${p()} AND first_sequence_id > ${p()}`);
      if (hasCursor) where.push(newestFirst ? `first_sequence_id < ${p()}` : `first_sequence_id > ${p()}`);
      const direction = newestFirst ? 'DESC' : 'ASC';
      return `SELECT first_sequence_id, last_sequence_id, records FROM ${segments} WHERE ${where.join(' AND ')} ORDER BY first_sequence_id ${direction} LIMIT ${limit}`;
    },
    noSegmentOf: (alias) => `NOT EXISTS (SELECT 1 FROM ${segments} g WHERE g.partition_key = ${alias}.partition_key AND g.app_id = ${alias}.app_id)`,
  };
}

/**
 * Reads and checks `segmentSteps`: an integer from 1 to {@link MAX_SEGMENT_STEPS},
 * {@link DEFAULT_SEGMENT_STEPS} when absent; refused unless `storage` is
 * `'incremental'` (`InvalidPersistArgumentError`; an absent storage is full mode).
 */
export function readSegmentSteps(persister: string, value: unknown, storage: unknown): number {
  if (value === undefined) return DEFAULT_SEGMENT_STEPS;
  if (storage !== 'incremental') throw new InvalidPersistArgumentError(`${persister}: segmentSteps applies only with storage: 'incremental'`);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_SEGMENT_STEPS) {
    throw new InvalidPersistArgumentError(`${persister}: segmentSteps must be an integer from 1 to ${MAX_SEGMENT_STEPS}, got ${String(value)}`);
  }
  return value;
}
