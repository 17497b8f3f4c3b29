/**
 * PostgreSQL: postgres.js floor and PostgreSQLPersister on one pool, LangGraph
 * PostgresSaver on its own pg pool (the driver it is built on). Everything
 * lives in schemas of its own, dropped at the end.
 */
import postgres from 'postgres';
import { burrSqlStatements } from '@burr/core';
import { PostgreSQLPersister } from '@burr/persister-pg';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { packageDir, packageVersion } from '../environment.js';
import { PeerCheckpointer } from '../peer.js';
import { postgresHistory } from './history-postgres.js';
import { postgresFillStatement } from './sql-fill.js';
import { STATE_COLUMN, type Backend, type BackendSession, type Floor, type StoredStepsTable } from './types.js';

const SCHEMA = 'burr_bench';
const PEER_SCHEMA = 'burr_bench_langgraph';
/** Rows per fill statement: keeps each transaction a few seconds long. */
const FILL_CHUNK = 250_000;

type Sql = postgres.Sql<Record<string, unknown>>;

export function postgresUrl(): string {
  return process.env.BURR_BENCH_POSTGRES_URL ?? process.env.BURR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** The URL without its password, for the report. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/**
 * Burr's statements as prepared statements on the persister's pool, rows as arrays (as the persister reads them).
 * Creates the table unless a persister's initialize() already did (PostgreSQL's CREATE TRIGGER has no IF NOT EXISTS).
 */
async function postgresFloor(sql: Sql, table: string, create = true): Promise<Floor> {
  const statements = burrSqlStatements('postgres', table, SCHEMA);
  if (create) for (const statement of statements.createSchema) await sql.unsafe(statement);
  const run = (text: string, params: Array<string | number | Date>) => sql.unsafe(text, params, { prepare: true }).values();
  return {
    insert: (row) => run(statements.insert, [row.partitionKey, row.appId, row.sequenceId, row.position, row.status, row.state, new Date()]),
    selectLatest: async (partitionKey, appId) => (await run(statements.selectLatest, [partitionKey, appId]))[0],
    selectAtSequence: async (partitionKey, appId, sequenceId) => (await run(statements.selectAtSequence, [partitionKey, appId, sequenceId]))[0],
    selectAppIds: async (partitionKey) => (await run(statements.selectAppIds, [partitionKey])).map((row) => row[0]),
    stateText: (selected) => (selected as unknown[])[STATE_COLUMN] as string,
  };
}

async function storedSteps(sql: Sql): Promise<StoredStepsTable> {
  const table = 'bench_stored';
  const persister = new PostgreSQLPersister(sql, { tableName: table, schema: SCHEMA });
  await persister.initialize();
  const floor = await postgresFloor(sql, table, false);
  const fill = postgresFillStatement(SCHEMA, table);
  return {
    persister,
    floor,
    fill: async (from, to, prefix, suffix) => {
      for (let start = from; start < to; start += FILL_CHUNK) {
        await sql.unsafe(fill, [start, Math.min(to, start + FILL_CHUNK), prefix, suffix]);
      }
      // Fresh statistics, as autovacuum would gather soon after a bulk load.
      await sql.unsafe(`ANALYZE ${SCHEMA}.${table}`);
    },
  };
}

async function peerSaver(url: string): Promise<{ peer: PeerCheckpointer; close: () => Promise<void> }> {
  const saver = PostgresSaver.fromConnString(url, { schema: PEER_SCHEMA });
  await saver.setup();
  const pool = (saver as unknown as { pool: { end(): Promise<void> } }).pool;
  return { peer: new PeerCheckpointer(saver, 'PostgresSaver'), close: () => pool.end() };
}

export const postgresBackend: Backend = {
  id: 'pg',
  label: 'PostgreSQL',
  async open(): Promise<BackendSession | { skip: string }> {
    const url = postgresUrl();
    // A small pool: the bench runs one call at a time, two during the prune with its concurrent writer.
    const sql: Sql = postgres(url, { onnotice: () => {}, connect_timeout: 5, max: 4 });
    let serverVersion: string;
    try {
      const [row] = await sql.unsafe('SHOW server_version').values();
      serverVersion = String(row?.[0]);
    } catch (error) {
      await sql.end({ timeout: 1 });
      return { skip: `no PostgreSQL answered at ${redactUrl(url)} (${(error as Error).message}); set BURR_BENCH_POSTGRES_URL` };
    }
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${PEER_SCHEMA} CASCADE`);
    await sql.unsafe(`CREATE SCHEMA ${SCHEMA}`);
    const persister = new PostgreSQLPersister(sql, { tableName: 'bench_burr', schema: SCHEMA });
    await persister.initialize();
    const floor = await postgresFloor(sql, 'bench_floor');
    const peer = await peerSaver(url);
    return {
      driver: `postgres.js ${packageVersion('postgres')}, server ${serverVersion} at ${redactUrl(url)}; peer on pg ${packageVersion('pg', packageDir('@langchain/langgraph-checkpoint-postgres'))}`,
      floor,
      persister,
      peer: peer.peer,
      storedSteps: () => storedSteps(sql),
      history: postgresHistory(sql, SCHEMA),
      settle: async () => {
        await sql.unsafe('CHECKPOINT');
      },
      async close() {
        await peer.close();
        await persister.cleanup();
        await sql.unsafe(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
        await sql.unsafe(`DROP SCHEMA IF EXISTS ${PEER_SCHEMA} CASCADE`);
        await sql.end({ timeout: 5 });
      },
    };
  },
};
