import { numberedPlaceholders, type SqlDialectSettings } from './sql-dialects.js';
import { appOrder, type AppIndexNames } from './sql-app-index.js';

/** The shape of one history query: each combination is its own statement, so every one is a plain index range. */
export interface StepSelectShape {
  newestFirst: boolean;
  hasBefore: boolean;
  hasAfter: boolean;
  withState: boolean;
  /** Select `base_sequence_id` too, which says a delta from a snapshot (a table of incremental storage only). */
  withBase?: boolean | undefined;
  /** Validated integer; written into the statement (drivers disagree on parameters in LIMIT). */
  limit: number;
}

/** Statements behind history, listing and retention, for one Burr table. */
export interface SqlHistoryStatements {
  /** Params: partition_key, app_id, [before], [after]. Columns: sequence_id, position, status, created_at, size_bytes, [base_sequence_id], [state]. */
  selectSteps(shape: StepSelectShape): string;
  /**
   * Params: partition_key, and with `afterCursor` the cursor's saved-at key twice and its app id.
   * Columns: app_id, last_sequence_id, last_position, last_status, last_saved_at, saved_at_key.
   */
  selectApps(afterCursor: boolean, limit: number): string;
  /** Params: [partition_key], and with `afterCursor` those of {@link SqlHistoryStatements.scanCursorParams}. Columns: partition_key, app_id. */
  scanApps(onePartition: boolean, afterCursor: boolean, limit: number): string;
  /** The parameters of `scanApps`'s cursor condition for the last app of the previous page. */
  scanCursorParams(partitionKey: string, appId: string): string[];
  /** Params: partition_key, app_id. */
  deleteApp: string;
  /**
   * Params: partition_key, app_id. Run first in `deleteApp`'s transaction where
   * deltas are stored and the delete alone could miss one saved meanwhile (see
   * `incrementalSqlStatements`); absent elsewhere.
   */
  lockAppForDelete?: string | undefined;
  /** Params: partition_key, app_id, partition_key, app_id. Drops the app's index entry unless a step came back meanwhile. */
  deleteAppIndexEntry: string;
  /**
   * Params: partition_key, app_id, from sequence id, to sequence id, [created
   * before], and with `kept`, that step's partition_key, app_id, sequence id,
   * position and (`'savedAt'`) its save time as `selectSteps` returned it:
   * nothing is deleted unless it is stored with that time (`'unsaved'`: with none).
   */
  deleteSteps(createdBefore: boolean, kept?: 'savedAt' | 'unsaved'): string;
}

/** Builds {@link SqlHistoryStatements}; `names` are already quoted. */
export function sqlHistoryStatements(dialect: SqlDialectSettings, names: AppIndexNames): SqlHistoryStatements {
  const cache = new Map<string, string>();
  const once = (key: string, build: () => string): string => {
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const sql = build();
    cache.set(key, sql);
    return sql;
  };
  const numbered = () => numberedPlaceholders(dialect);
  const { table, apps } = names;
  const order = appOrder(dialect);
  return {
    selectSteps: (shape) =>
      once(`steps:${JSON.stringify(shape)}`, () => {
        const p = numbered();
        const where = [`partition_key = ${p()}`, `app_id = ${p()}`];
        if (shape.hasBefore) where.push(`sequence_id < ${p()}`);
        if (shape.hasAfter) where.push(`sequence_id > ${p()}`);
        const direction = shape.newestFirst ? 'DESC' : 'ASC';
        const base = shape.withBase ? ', base_sequence_id' : '';
        const state = shape.withState ? `, ${dialect.stateOut}` : '';
        return `SELECT sequence_id, position, status, ${dialect.createdAtOut}, ${dialect.stateSizeOut} AS size_bytes${base}${state} FROM ${table} WHERE ${where.join(' AND ')} ORDER BY sequence_id ${direction}, position ${direction} LIMIT ${shape.limit}`;
      }),
    selectApps: (afterCursor, limit) =>
      once(`apps:${afterCursor}:${limit}`, () => {
        const p = numbered();
        const where = [`partition_key = ${p()}`];
        if (afterCursor) {
          const [savedAt, sameSavedAt, appId] = [p(), p(), p()];
          // The first condition is a range of the app index, so a page starts at the cursor instead of scanning the pages before it.
          where.push(order.after(dialect.timestampIn(savedAt), dialect.timestampIn(sameSavedAt), appId));
        }
        const savedAt = dialect.timestampOut('last_saved_at');
        // Output names differ from the column's: ORDER BY last_saved_at must mean the indexed column, not the formatted text
        // (PostgreSQL and MySQL resolve ORDER BY names to output columns first, and would sort every app of the partition).
        return `SELECT app_id, last_sequence_id, last_position, last_status, ${savedAt} AS last_saved_text, ${savedAt} AS saved_at_key FROM ${apps} WHERE ${where.join(' AND ')} ORDER BY ${order.orderBy} LIMIT ${limit}`;
      }),
    scanApps: (onePartition, afterCursor, limit) =>
      once(`scan:${onePartition}:${afterCursor}:${limit}`, () => {
        const p = numbered();
        const where: string[] = [];
        if (onePartition) where.push(`partition_key = ${p()}`);
        if (afterCursor) {
          // A range of the primary key either way, so each page of a prune's scan starts at the cursor instead of reading past every app before it.
          where.push(dialect.rowValueRanges ? `(partition_key, app_id) > (${p()}, ${p()})` : `(partition_key > ${p()} OR (partition_key = ${p()} AND app_id > ${p()}))`);
        }
        const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
        return `SELECT partition_key, app_id FROM ${apps}${filter} ORDER BY partition_key, app_id LIMIT ${limit}`;
      }),
    scanCursorParams: (partitionKey, appId) => (dialect.rowValueRanges ? [partitionKey, appId] : [partitionKey, partitionKey, appId]),
    deleteApp: once('deleteApp', () => {
      const p = numbered();
      return `DELETE FROM ${table} WHERE partition_key = ${p()} AND app_id = ${p()}`;
    }),
    deleteAppIndexEntry: once('deleteAppIndexEntry', () => {
      const p = numbered();
      return `DELETE FROM ${apps} WHERE partition_key = ${p()} AND app_id = ${p()} AND NOT EXISTS (SELECT 1 FROM ${table} WHERE partition_key = ${p()} AND app_id = ${p()})`;
    }),
    deleteSteps: (createdBefore, kept) =>
      once(`deleteSteps:${createdBefore}:${kept}`, () => {
        const p = numbered();
        const where = [`partition_key = ${p()}`, `app_id = ${p()}`, `sequence_id >= ${p()}`, `sequence_id <= ${p()}`];
        if (createdBefore) where.push(`created_at < ${dialect.createdAtIn(p())}`);
        if (kept) {
          const key = `partition_key = ${p()} AND app_id = ${p()} AND sequence_id = ${p()} AND position = ${p()}`;
          const step = `${key} AND ${kept === 'savedAt' ? `${dialect.createdAtText} = ${p()}` : 'created_at IS NULL'}`;
          // Through a derived table: MySQL refuses a DELETE whose subquery reads its own table directly.
          where.push(`EXISTS (SELECT 1 FROM (SELECT 1 AS kept FROM ${table} WHERE ${step} LIMIT 1) AS kept_step)`);
        }
        return `DELETE FROM ${table} WHERE ${where.join(' AND ')}`;
      }),
  };
}
