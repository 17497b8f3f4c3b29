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
  const createTable = `CREATE TABLE IF NOT EXISTS ${names.apps} (
        partition_key ${key} NOT NULL,
        app_id ${key} NOT NULL,
        last_sequence_id INTEGER NOT NULL,
        last_position ${key} NOT NULL,
        last_status ${dialect.statusColumnType} NOT NULL,
        last_saved_at ${dialect.createdAtColumnType} NOT NULL,
        PRIMARY KEY (partition_key, app_id)
      )`;
  const createIndex = `${dialect.createIndexIfNotExists ? 'CREATE INDEX IF NOT EXISTS' : 'CREATE INDEX'} ${names.savedAtIndex} ON ${names.apps} (partition_key, last_saved_at, app_id)`;
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
  };
}
