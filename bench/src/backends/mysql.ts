/**
 * MySQL / MariaDB: mysql2 floor and MySQLPersister on one pool. LangGraph.js
 * has no MySQL checkpointer (its official savers: PostgreSQL, SQLite,
 * MongoDB, Redis), so the peer row says so. Tables are named `bench_*` in
 * the URL's database and dropped at the end.
 */
import mysql from 'mysql2/promise';
import { burrSqlStatements } from '@burr/core';
import { MySQLPersister } from '@burr/persister-mysql';
import { packageVersion } from '../environment.js';
import { MYSQL_FILL_CHUNK, mysqlFillStatement } from './sql-fill.js';
import { mysqlHistory } from './history-mysql.js';
import { redactUrl } from './postgres.js';
import { STATE_COLUMN, type Backend, type BackendSession, type Floor, type StoredStepsTable } from './types.js';

const TABLES = ['bench_burr', 'bench_floor', 'bench_stored'];

export function mysqlUrl(): string {
  return process.env.BURR_BENCH_MYSQL_URL ?? process.env.BURR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
}

/**
 * Burr's statements as prepared statements on the persister's pool, rows as arrays (as the persister reads them).
 * The table is made by a persister's initialize() (not timed): MySQL's CREATE INDEX has no IF NOT EXISTS.
 */
async function mysqlFloor(pool: mysql.Pool, table: string): Promise<Floor> {
  const statements = burrSqlStatements('mysql', table);
  await new MySQLPersister(pool, { tableName: table }).initialize();
  const run = async (sql: string, params: Array<string | number>) => (await pool.execute<mysql.RowDataPacket[]>({ sql, rowsAsArray: true }, params))[0];
  const now = () => new Date().toISOString().replace('T', ' ').slice(0, 23);
  return {
    insert: (row) => pool.execute(statements.insert, [row.partitionKey, row.appId, row.sequenceId, row.position, row.status, row.state, now()]),
    selectLatest: async (partitionKey, appId) => (await run(statements.selectLatest, [partitionKey, appId]))[0],
    selectAtSequence: async (partitionKey, appId, sequenceId) => (await run(statements.selectAtSequence, [partitionKey, appId, sequenceId]))[0],
    selectAppIds: async (partitionKey) => (await run(statements.selectAppIds, [partitionKey])).map((row) => String((row as unknown[])[0])),
    stateText: (selected) => String((selected as unknown[])[STATE_COLUMN]),
  };
}

async function storedSteps(pool: mysql.Pool): Promise<StoredStepsTable> {
  const table = 'bench_stored';
  const persister = new MySQLPersister(pool, { tableName: table });
  await persister.initialize();
  const floor = await mysqlFloor(pool, table);
  const fill = mysqlFillStatement(table);
  return {
    persister,
    floor,
    fill: async (from, to, prefix, suffix) => {
      for (let start = from; start < to; start += MYSQL_FILL_CHUNK) {
        await pool.query(fill, [prefix, suffix, start, Math.min(to, start + MYSQL_FILL_CHUNK)]);
      }
      await pool.query(`ANALYZE TABLE \`${table}\``);
    },
  };
}

export const mysqlBackend: Backend = {
  id: 'mysql',
  label: 'MySQL',
  async open(): Promise<BackendSession | { skip: string }> {
    const url = mysqlUrl();
    const pool = mysql.createPool({ uri: url, connectTimeout: 5000, connectionLimit: 4 });
    let serverVersion: string;
    try {
      const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
      serverVersion = String(rows[0]?.v);
    } catch (error) {
      await pool.end().catch(() => {});
      return { skip: `no MySQL or MariaDB answered at ${redactUrl(url)} (${(error as Error).message}); set BURR_BENCH_MYSQL_URL` };
    }
    const dropAll = async () => {
      // Each table and the app index table its persister made beside it.
      for (const table of TABLES) await pool.query(`DROP TABLE IF EXISTS \`${table}\`, \`${table}_apps\``);
    };
    await dropAll();
    const persister = new MySQLPersister(pool, { tableName: 'bench_burr' });
    await persister.initialize();
    const floor = await mysqlFloor(pool, 'bench_floor');
    return {
      driver: `mysql2 ${packageVersion('mysql2')}, server ${serverVersion} at ${redactUrl(url)}`,
      floor,
      persister,
      peer: { unavailable: 'LangGraph.js has no MySQL checkpointer (its official savers are PostgreSQL, SQLite, MongoDB and Redis)' },
      storedSteps: () => storedSteps(pool),
      history: mysqlHistory(pool, /mariadb/i.test(serverVersion)),
      async close() {
        await persister.cleanup();
        await dropAll();
        await pool.end();
      },
    };
  },
};
