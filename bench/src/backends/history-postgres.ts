/**
 * History and retention on PostgreSQL: each store is a table (with its app
 * index table and trigger) in the bench's schema, on the session's pool.
 */
import type postgres from 'postgres';
import { burrSqlStatements, quoteSqlIdentifier, SQL_DIALECTS } from '@burr/core';
import { PostgreSQLPersister } from '@burr/persister-pg';
import { explainHistory, layoutFillStatement, pythonSchema, schemaWithoutTrigger, sqlHistoryFloor, type SqlRunner } from './history-sql.js';
import type { HistoryBench, HistoryStore } from './history-types.js';

type Sql = postgres.Sql<Record<string, unknown>>;

/** Rows per fill statement: keeps each transaction a few seconds long. */
const FILL_CHUNK = 250_000;

const createdAt = () => SQL_DIALECTS.postgres.createdAtParam({ createdAt: new Date(), createdAtMicros: 0 });

/** Prepared statements, rows as arrays, as PostgreSQLPersister runs them. */
function postgresRunner(sql: Sql): SqlRunner {
  return {
    rows: (text, params) => sql.unsafe(text, [...params], { prepare: true }).values(),
    change: async (text, params) => (await sql.unsafe(text, [...params], { prepare: true }).execute()).count,
    explain: async (text, params, analyze) =>
      (await sql.unsafe(`EXPLAIN (${analyze ? 'ANALYZE, TIMING OFF, ' : ''}COSTS OFF) ${text}`, [...params]).values())
        .map((row) => String(row[0]).trim())
        .filter((line) => !/^(Planning|Execution) Time/.test(line)),
  };
}

export function postgresHistory(sql: Sql, schema: string): HistoryBench {
  const qualified = (name: string) => `${quoteSqlIdentifier(schema, 'schema name')}.${quoteSqlIdentifier(name)}`;
  const dropTables = async (name: string) => {
    await sql.unsafe(`DROP TABLE IF EXISTS ${qualified(name)}, ${qualified(`${name}_apps`)}`);
    await sql.unsafe(`DROP FUNCTION IF EXISTS ${qualified(`${name}_apps_on_insert`)}()`);
  };
  return {
    async createStore(name): Promise<HistoryStore> {
      await dropTables(name);
      const statements = burrSqlStatements('postgres', name, schema);
      for (const statement of schemaWithoutTrigger(statements)) await sql.unsafe(statement);
      const persister = new PostgreSQLPersister(sql, { tableName: name, schema });
      const run = postgresRunner(sql);
      return {
        persister,
        floor: sqlHistoryFloor(statements, run, createdAt),
        fill: async (layout, from, to, prefix, suffix) => {
          const fill = layoutFillStatement('postgres', statements.table, layout);
          for (let start = from; start < to; start += FILL_CHUNK) await sql.unsafe(fill, [start, Math.min(to, start + FILL_CHUNK), prefix, suffix]);
        },
        indexFilled: async () => {
          await sql.unsafe(statements.backfillAppIndex);
          await persister.initialize();
          // Fresh statistics, as autovacuum would gather soon after a bulk load (as in the stored-steps section).
          await sql.unsafe(`ANALYZE ${statements.table}`);
          await sql.unsafe(`ANALYZE ${statements.appIndexTable}`);
        },
        explain: (samples) => explainHistory(statements, run, samples),
        settle: async () => void (await sql.unsafe('CHECKPOINT')),
        drop: () => dropTables(name),
      };
    },
    async plainTable(name) {
      await dropTables(name);
      const statements = burrSqlStatements('postgres', name, schema);
      for (const statement of pythonSchema(statements)) await sql.unsafe(statement);
      return {
        insert: (row) =>
          sql.unsafe(statements.insert, [row.partitionKey, row.appId, row.sequenceId, row.position, row.status, row.state, createdAt()], { prepare: true }).execute(),
        drop: () => dropTables(name),
      };
    },
  };
}
