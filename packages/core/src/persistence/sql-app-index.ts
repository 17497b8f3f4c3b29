import type { SqlDialectSettings, SqlQuery } from './sql-dialects.js';

/** Names of the objects behind the app index of one Burr table, quoted (and schema-qualified) for SQL. */
export interface AppIndexNames {
  /** The Burr table. */
  table: string;
  /** The app index table, `<table>_apps`. */
  apps: string;
  /** Its bare name. */
  appsName: string;
  /** The index ordering a partition's apps by last save, quoted (an index is created in its table's schema, unqualified). */
  savedAtIndex: string;
  /** The same, schema-qualified, for lookups. */
  savedAtIndexQualified: string;
  savedAtIndexName: string;
  /** The trigger (and, on PostgreSQL, its function), quoted and qualified; the bare name. */
  trigger: string;
  triggerName: string;
  /** The Burr table's bare name and the schema, for lookups. */
  tableName: string;
  schema: string | undefined;
}

/** The app index's DDL: statements to run in order, each with a query that finds its object. */
export interface AppIndexSchema {
  create: string[];
  exists: SqlQuery[];
  /** Fills the app index from the steps already stored (a table Python Burr or an earlier version made); conflicts ignored. */
  backfill: string;
  /**
   * Brings an app index made by an earlier version to this one's shape: run `run` in order, in one transaction,
   * when `needed` returns a row. Absent where no earlier shape differs.
   */
  upgrade?: { needed: SqlQuery; run: string[] } | undefined;
}

/**
 * The order of a partition's apps, most recently saved first, ties to the
 * greatest app id, as SQL: `orderBy`, and `after(savedAt, sameSavedAt,
 * appId)`, the condition for the apps after a cursor (parameters already
 * turned into timestamps where they are ones).
 */
export interface AppOrder {
  orderBy: string;
  after(savedAt: string, sameSavedAt: string, appId: string): string;
}

/** See {@link AppOrder}; with {@link SqlDialectSettings.savedSecond} the indexed second leads, so a page is a range of its index. */
export function appOrder(dialect: SqlDialectSettings): AppOrder {
  const exact = {
    orderBy: 'last_saved_at DESC, app_id DESC',
    after: (savedAt: string, sameSavedAt: string, appId: string) => `last_saved_at <= ${savedAt} AND (last_saved_at < ${sameSavedAt} OR app_id < ${appId})`,
  };
  const savedSecond = dialect.savedSecond;
  if (!savedSecond) return exact;
  return {
    orderBy: `last_saved_second DESC, ${exact.orderBy}`,
    after: (savedAt, sameSavedAt, appId) => `last_saved_second <= ${savedSecond(savedAt)} AND ${exact.after(savedAt, sameSavedAt, appId)}`,
  };
}

/**
 * Why an app index: listing a partition's apps newest first from the step
 * table is a GROUP BY over every step of the partition; with 100,000 apps a
 * page would cost the whole partition. The app index holds one row per app
 * (its latest step and last save time) and an index on (partition, last
 * save, app), so a page is one index range.
 *
 * A trigger on the step table keeps it current, so rows that Python Burr
 * inserts are indexed too, and a save stays one statement: the row and its
 * app entry commit together. "Latest" follows `load`: the highest sequence
 * id, ties to the greatest position; the last save time only moves forward.
 */
export function appIndexSchema(dialect: SqlDialectSettings, names: AppIndexNames): AppIndexSchema {
  const key = dialect.keyColumnType;
  const { savedSecond } = dialect;
  // Generated, so every writer keeps it, the trigger body of an earlier version too (in a rolling upgrade, or one
  // that Python Burr's inserts still fire): the table is all that changes.
  const savedSecondColumnType = savedSecond && `${dialect.createdAtColumnType} GENERATED ALWAYS AS (${savedSecond('last_saved_at')}) STORED`;
  const savedSecondColumn = savedSecondColumnType ? `\n        last_saved_second ${savedSecondColumnType},` : '';
  const createTable = `CREATE TABLE IF NOT EXISTS ${names.apps} (
        partition_key ${key} NOT NULL,
        app_id ${key} NOT NULL,
        last_sequence_id INTEGER NOT NULL,
        last_position ${key} NOT NULL,
        last_status ${dialect.statusColumnType} NOT NULL,
        last_saved_at ${dialect.createdAtColumnType} NOT NULL,${savedSecondColumn}
        PRIMARY KEY (partition_key, app_id)
      )`;
  const indexed = savedSecond ? 'partition_key, last_saved_second' : 'partition_key, last_saved_at, app_id';
  const createIndex = `${dialect.createIndexIfNotExists ? 'CREATE INDEX IF NOT EXISTS' : 'CREATE INDEX'} ${names.savedAtIndex} ON ${names.apps} (${indexed})`;
  const columns = 'partition_key, app_id, last_sequence_id, last_position, last_status, last_saved_at';
  const portableLatestOfEachApp = `SELECT partition_key, app_id, sequence_id, position, status, last_saved_at FROM (
        SELECT COALESCE(partition_key, '') AS partition_key, app_id, sequence_id, position, status,
          MAX(COALESCE(created_at, '1970-01-01 00:00:00')) OVER (PARTITION BY COALESCE(partition_key, ''), app_id) AS last_saved_at,
          ROW_NUMBER() OVER (PARTITION BY COALESCE(partition_key, ''), app_id ORDER BY sequence_id DESC, position DESC) AS recency
        FROM ${names.table}) AS steps
      WHERE recency = 1`;
  const latestOfEachApp = dialect.latestOfEachApp?.(names.table) ?? portableLatestOfEachApp;
  const trigger = dialect.appIndexTrigger(names);
  return {
    create: [createTable, createIndex, ...trigger.create],
    exists: [
      dialect.objectExists({ kind: 'table', name: names.appsName, qualifiedName: names.apps, tableName: names.appsName, schema: names.schema }),
      dialect.objectExists({ kind: 'index', name: names.savedAtIndexName, qualifiedName: names.savedAtIndexQualified, tableName: names.appsName, schema: names.schema }),
      ...trigger.exists,
    ],
    backfill: dialect.insertIgnoringConflicts(names.apps, columns, latestOfEachApp),
    upgrade:
      savedSecondColumnType && dialect.canAddMissingColumn
        ? {
            // An app index made before last_saved_second (its index on the exact save time): the column, then the index on it instead.
            needed: dialect.canAddMissingColumn(names.apps, 'last_saved_second'),
            run: [`ALTER TABLE ${names.apps} ADD COLUMN last_saved_second ${savedSecondColumnType}`, `DROP INDEX IF EXISTS ${names.savedAtIndexQualified}`, createIndex],
          }
        : undefined,
  };
}
