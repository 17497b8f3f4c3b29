/**
 * History and retention on MySQL / MariaDB: each store is a table (with its
 * app index table and trigger) in the URL's database, on the session's pool.
 */
import type mysql from 'mysql2/promise';
import { burrSqlStatements, quoteSqlIdentifier, SQL_DIALECTS } from '@burr/core';
import { MySQLPersister } from '@burr/persister-mysql';
import {
  explainHistory,
  groupedAppIndexFill,
  layoutFillStatement,
  MYSQL_LAYOUT_CHUNK,
  pythonSchema,
  schemaWithoutTrigger,
  sqlHistoryFloor,
  type SqlRunner,
} from './history-sql.js';
import type { HistoryBench, HistoryStore } from './history-types.js';

const createdAt = () => SQL_DIALECTS.mysql.createdAtParam({ createdAt: new Date(), createdAtMicros: 0 });
const quoted = (name: string) => `\`${quoteSqlIdentifier(name).slice(1, -1)}\``;

/**
 * Prepared statements (plain queries when there are no parameters), rows as
 * arrays, as MySQLPersister runs them. Plans: MariaDB's `ANALYZE` (rows
 * actually read, `r_rows`) for SELECTs, MySQL's `EXPLAIN ANALYZE`, else `EXPLAIN`.
 */
function mysqlRunner(pool: mysql.Pool, mariadb: boolean): SqlRunner {
  return {
    rows: async (sql, params) => (await pool.execute<mysql.RowDataPacket[]>({ sql, rowsAsArray: true }, [...params]))[0] as unknown as unknown[][],
    change: async (sql, params) =>
      (params.length === 0 ? (await pool.query<mysql.ResultSetHeader>(sql))[0] : (await pool.execute<mysql.ResultSetHeader>(sql, [...params]))[0]).affectedRows,
    explain: async (sql, params, analyze) => {
      if (analyze && !mariadb) {
        const [rows] = await pool.query<mysql.RowDataPacket[]>({ sql: `EXPLAIN ANALYZE ${sql}`, rowsAsArray: true }, [...params]);
        return String((rows[0] as unknown[])[0])
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean);
      }
      const [rows] = await pool.query<mysql.RowDataPacket[]>(`${analyze ? 'ANALYZE' : 'EXPLAIN'} ${sql}`, [...params]);
      return rows.map((row) => {
        const read = row.r_rows === undefined ? '' : ` r_rows=${row.r_rows} r_filtered=${row.r_filtered}`;
        return `${row.table} ${row.type} key=${row.key ?? 'none'} rows=${row.rows}${read} ${row.Extra ?? ''}`.trim();
      });
    },
  };
}

export function mysqlHistory(pool: mysql.Pool, mariadb: boolean): HistoryBench {
  const dropTables = async (name: string) => {
    await pool.query(`DROP TABLE IF EXISTS ${quoted(name)}, ${quoted(`${name}_apps`)}`);
  };
  return {
    async createStore(name): Promise<HistoryStore> {
      await dropTables(name);
      const statements = burrSqlStatements('mysql', name);
      for (const statement of schemaWithoutTrigger(statements)) await pool.query(statement);
      const persister = new MySQLPersister(pool, { tableName: name });
      const run = mysqlRunner(pool, mariadb);
      return {
        persister,
        floor: sqlHistoryFloor(statements, run, createdAt),
        fill: async (layout, from, to, prefix, suffix) => {
          const fill = layoutFillStatement('mysql', statements.table, layout);
          for (let start = from; start < to; start += MYSQL_LAYOUT_CHUNK) await pool.query(fill, [prefix, suffix, start, Math.min(to, start + MYSQL_LAYOUT_CHUNK)]);
        },
        indexFilled: async () => {
          // Not statements.backfillAppIndex: quadratic in an app's steps on MariaDB (see groupedAppIndexFill).
          await pool.query(groupedAppIndexFill(statements));
          await persister.initialize();
          await pool.query(`ANALYZE TABLE ${statements.table}, ${statements.appIndexTable}`);
        },
        explain: (samples) => explainHistory(statements, run, samples),
        drop: () => dropTables(name),
      };
    },
    async plainTable(name) {
      await dropTables(name);
      const statements = burrSqlStatements('mysql', name);
      for (const statement of pythonSchema(statements)) await pool.query(statement);
      return {
        insert: (row) => pool.execute(statements.insert, [row.partitionKey, row.appId, row.sequenceId, row.position, row.status, row.state, createdAt()]),
        drop: () => dropTables(name),
      };
    },
  };
}
