/**
 * The history floor of every SQL backend, written once over a tiny runner:
 * the persister's own statements (`burrSqlStatements(...).history`, the app
 * index statements, the compaction statements) run directly, plus the bulk
 * fill statements that generate rows inside the engine.
 */
import type { BurrSqlDialect, BurrSqlStatements } from '@burr/core';
import { assertLayoutPrefixes, type ExplainSamples, type FillLayout, type HistoryFloor } from './history-types.js';
import type { StepRow } from './types.js';

export type SqlValue = string | number;

/** One driver's way to run a statement: rows as positional values, or the count of changed rows. */
export interface SqlRunner {
  rows(sql: string, params: readonly SqlValue[]): Promise<ArrayLike<unknown>[]>;
  change(sql: string, params: readonly SqlValue[]): Promise<number>;
  /** The plan of a statement, one line per plan node; `select` says it is a SELECT, which dialects with EXPLAIN ANALYZE then run. */
  explain(sql: string, params: readonly SqlValue[], select: boolean): Promise<string[]>;
}

/** Rows the persister's prune scans per call (`APPS_PER_SCAN` in core's prune.ts). */
const APPS_PER_SCAN = 500;

/** The DDL of a Burr table up to its app index (table, created_at index, app index table and its index): no trigger yet. */
export function schemaWithoutTrigger(statements: BurrSqlStatements): string[] {
  return statements.createSchema.slice(0, statements.appIndexTableStep + 2);
}

/** The DDL of a Burr table as Python Burr makes it: the table and its created_at index, no app index. */
export function pythonSchema(statements: BurrSqlStatements): string[] {
  return statements.createSchema.slice(0, statements.appIndexTableStep);
}

/** The floor of {@link HistoryFloor} on one Burr table; `createdAt()` is the insert's `created_at` parameter in the dialect's form. */
export function sqlHistoryFloor(statements: BurrSqlStatements, run: SqlRunner, createdAt: () => string): HistoryFloor {
  const { history } = statements;
  const newestFirst = (limit: number) => history.selectSteps({ newestFirst: true, hasBefore: false, hasAfter: false, withState: false, limit });
  const batch = (hasAfter: boolean, limit: number) => history.selectSteps({ newestFirst: false, hasBefore: true, hasAfter, withState: false, limit });
  return {
    insert: (row: StepRow) => run.change(statements.insert, [row.partitionKey, row.appId, row.sequenceId, row.position, row.status, row.state, createdAt()]),
    stepsPage: (partitionKey, appId, limit) => run.rows(newestFirst(limit), [partitionKey, appId]),
    async appsPage(partitionKey, limit, after) {
      const params: SqlValue[] = after ? [partitionKey, after.savedAtKey, after.savedAtKey, after.appId] : [partitionKey];
      const rows = await run.rows(history.selectApps(after !== undefined, limit), params);
      const last = rows[rows.length - 1];
      return last ? { savedAtKey: String(last[5]), appId: String(last[0]) } : null;
    },
    appIds: (partitionKey) => run.rows(statements.selectAppIds, [partitionKey]),
    async deleteApp(partitionKey, appId) {
      const removed = await run.change(history.deleteApp, [partitionKey, appId]);
      await run.change(history.deleteAppIndexEntry, [partitionKey, appId, partitionKey, appId]);
      return removed;
    },
    async prune(keepLast, batchSize) {
      let removed = 0;
      let cursor: [string, string] | undefined;
      do {
        const apps = await run.rows(history.scanApps(false, cursor !== undefined, APPS_PER_SCAN), cursor ? history.scanCursorParams(cursor[0], cursor[1]) : []);
        for (const app of apps) {
          const [partitionKey, appId] = [String(app[0]), String(app[1])];
          const newest = await run.rows(newestFirst(keepLast), [partitionKey, appId]);
          if (newest.length < keepLast) continue;
          const keptFrom = Number(newest[newest.length - 1]![0]);
          let after: number | undefined;
          for (;;) {
            // As the persister does: let an in-process writer (and Ctrl-C) run between batches of a synchronous driver.
            await new Promise((resolve) => setImmediate(resolve));
            const steps = await run.rows(batch(after !== undefined, batchSize), after === undefined ? [partitionKey, appId, keptFrom] : [partitionKey, appId, keptFrom, after]);
            if (steps.length === 0) break;
            const [from, to] = [Number(steps[0]![0]), Number(steps[steps.length - 1]![0])];
            removed += await run.change(history.deleteSteps(false), [partitionKey, appId, from, to]);
            if (steps.length < batchSize) break;
            after = to;
          }
        }
        const last = apps[apps.length - 1];
        cursor = apps.length === APPS_PER_SCAN && last ? [String(last[0]), String(last[1])] : undefined;
      } while (cursor !== undefined);
      return removed;
    },
    async compact() {
      const { measure, run: statementsToRun } = statements.compaction;
      const bytes = async () => {
        const [row] = await run.rows(measure.sql, measure.params);
        return row?.[0] === null || row?.[0] === undefined ? null : Number(row[0]);
      };
      const bytesBefore = await bytes();
      for (const statement of statementsToRun) await run.change(statement, []);
      return { bytesBefore, bytesAfter: await bytes() };
    },
  };
}

/**
 * The plan of each history statement on the filled table, as
 * `label: plan / plan`. SELECTs run under EXPLAIN ANALYZE where the dialect
 * has it (PostgreSQL), so rows read and rows filtered out show.
 */
export async function explainHistory(statements: BurrSqlStatements, run: SqlRunner, samples: ExplainSamples): Promise<string[]> {
  const { history } = statements;
  const { partitionKey, appId } = samples.longApp;
  const short = samples.shortApp;
  const wide = samples.wideApps;
  const cases: Array<[label: string, sql: string, params: SqlValue[], select: boolean]> = [
    ['listSteps newest-first page', history.selectSteps({ newestFirst: true, hasBefore: false, hasAfter: false, withState: false, limit: 50 }), [partitionKey, appId], true],
    [
      'listSteps next page (before)',
      history.selectSteps({ newestFirst: true, hasBefore: true, hasAfter: false, withState: false, limit: 50 }),
      [partitionKey, appId, 50_000],
      true,
    ],
    [
      'prune batch (before, after)',
      history.selectSteps({ newestFirst: false, hasBefore: true, hasAfter: true, withState: false, limit: 500 }),
      [partitionKey, appId, 90_000, 1000],
      true,
    ],
    ['listApps page 1', history.selectApps(false, 50), [wide.partitionKey], true],
    ['listApps page after a cursor', history.selectApps(true, 50), [wide.partitionKey, wide.cursor.savedAtKey, wide.cursor.savedAtKey, wide.cursor.appId], true],
    ['listAppIds', statements.selectAppIds, [wide.partitionKey], true],
    ['prune scan of apps (first)', history.scanApps(false, false, APPS_PER_SCAN), [], true],
    ['prune scan of apps (after a cursor)', history.scanApps(false, true, APPS_PER_SCAN), history.scanCursorParams(wide.partitionKey, wide.cursor.appId), true],
    ['deleteApp (of a 100-step app)', history.deleteApp, [short.partitionKey, short.appId], false],
    ['deleteApp index entry', history.deleteAppIndexEntry, [short.partitionKey, short.appId, short.partitionKey, short.appId], false],
    ['prune removal of a range', history.deleteSteps(false), [short.partitionKey, short.appId, 0, 10], false],
  ];
  const lines: string[] = [];
  for (const [label, sql, params, select] of cases) lines.push(`${label}: ${(await run.explain(sql, params, select)).join(' / ')}`);
  return lines;
}

/**
 * Fills the app index of a table the bench filled, one GROUP BY per table
 * instead of core's backfill statement, for MySQL and MariaDB: there,
 * `MAX(...) OVER (PARTITION BY ...)` without ORDER BY costs each app the square
 * of its steps on MariaDB 10.11 (a 10,000-step app: ~28 s; 20,000: ~160 s),
 * too slow for apps of 100,000 steps. Same rows as the backfill on the bench's
 * data (one position per sequence id, no NULL partition key).
 */
export function groupedAppIndexFill(statements: BurrSqlStatements): string {
  const { table, appIndexTable } = statements;
  return `INSERT IGNORE INTO ${appIndexTable} (partition_key, app_id, last_sequence_id, last_position, last_status, last_saved_at)
SELECT s.partition_key, s.app_id, s.sequence_id, s.position, s.status, g.last_saved_at
FROM (SELECT partition_key, app_id, MAX(sequence_id) AS last_sequence_id, MAX(created_at) AS last_saved_at FROM ${table} GROUP BY partition_key, app_id) AS g
JOIN ${table} AS s ON s.partition_key = g.partition_key AND s.app_id = g.app_id AND s.sequence_id = g.last_sequence_id`;
}

/** Epoch of the fill's `created_at`: row `i` was saved `i` ms after it. */
const FILL_EPOCH = '2026-01-01 00:00:00';

/**
 * One `INSERT ... SELECT` over a generated series that writes rows `from` ..
 * `to - 1` of `layout` into `table` (quoted). Parameters: SQLite named
 * `:from :to :prefix :suffix`; PostgreSQL `$1` from, `$2` to, `$3` state
 * prefix, `$4` suffix; MySQL (prefix, suffix, from, to), at most
 * {@link MYSQL_LAYOUT_CHUNK} rows per statement.
 */
export function layoutFillStatement(dialect: BurrSqlDialect, table: string, layout: FillLayout): string {
  assertLayoutPrefixes(layout);
  const perPartition = layout.stepsPerApp * layout.appsPerPartition;
  const steps = layout.stepsPerApp;
  const columns = `${table} (partition_key, app_id, sequence_id, position, status, state, created_at)`;
  switch (dialect) {
    case 'sqlite':
      return `WITH RECURSIVE seq(i) AS (SELECT CAST(:from AS INTEGER) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < CAST(:to AS INTEGER))
INSERT INTO ${columns}
SELECT '${layout.partitionPrefix}' || (i / ${perPartition}), '${layout.appPrefix}' || (i / ${steps}), i % ${steps}, 'respond', 'completed',
       CAST(:prefix AS TEXT) || (i % ${steps}) || CAST(:suffix AS TEXT),
       strftime('%Y-%m-%d %H:%M:%f', '${FILL_EPOCH}', '+' || (i / 1000.0) || ' seconds')
FROM seq`;
    case 'postgres':
      return `INSERT INTO ${columns}
SELECT '${layout.partitionPrefix}' || (i / ${perPartition}), '${layout.appPrefix}' || (i / ${steps}), i % ${steps}, 'respond', 'completed',
       ($3::text || (i % ${steps}) || $4::text)::jsonb, TIMESTAMP '${FILL_EPOCH}' + i * INTERVAL '1 millisecond'
FROM generate_series($1::bigint, $2::bigint - 1) AS i`;
    case 'mysql': {
      const digits = `(SELECT 0 AS n UNION ALL ${[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `SELECT ${n}`).join(' UNION ALL ')})`;
      const tables = [0, 1, 2, 3, 4].map((k) => `${digits} d${k}`).join(', ');
      const offset = [0, 1, 2, 3, 4].map((k) => `${10 ** k} * d${k}.n`).join(' + ');
      return `INSERT INTO ${columns}
SELECT CONCAT('${layout.partitionPrefix}', i DIV ${perPartition}), CONCAT('${layout.appPrefix}', i DIV ${steps}), i % ${steps}, 'respond', 'completed',
       CONCAT(?, i % ${steps}, ?), TIMESTAMP '${FILL_EPOCH}' + INTERVAL (i * 1000) MICROSECOND
FROM (SELECT ? + ${offset} AS i FROM ${tables}) AS seq WHERE i < ?`;
    }
  }
}

/** Rows one MySQL layout fill statement yields at most (five cross-joined digit tables). */
export const MYSQL_LAYOUT_CHUNK = 100_000;
