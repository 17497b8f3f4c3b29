/**
 * libSQL (embedded file, WAL): @libsql/client floor and LibSQLPersister on one
 * client. LangGraph.js has no libSQL checkpointer, so there is no peer row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { burrSqlStatements, toSqlTimestamp } from '@burr/core';
import { LibSQLPersister } from '@burr/persister-libsql';
import { packageVersion } from '../environment.js';
import { libsqlHistory } from './history-sqlite.js';
import { sqliteFillStatement } from './sql-fill.js';
import type { Backend, BackendSession, Floor, StoredStepsTable } from './types.js';

/** Burr's statements through `client.execute`, as the persister runs them. */
async function libsqlFloor(client: Client, table: string): Promise<Floor> {
  const sql = burrSqlStatements('sqlite', table);
  for (const statement of sql.createSchema) await client.execute(statement);
  return {
    insert: (row) =>
      client.execute({
        sql: sql.insert,
        args: [row.partitionKey, row.appId, row.sequenceId, row.position, row.status, row.state, toSqlTimestamp(new Date())],
      }),
    selectLatest: async (partitionKey, appId) => (await client.execute({ sql: sql.selectLatest, args: [partitionKey, appId] })).rows[0],
    selectAtSequence: async (partitionKey, appId, sequenceId) => (await client.execute({ sql: sql.selectAtSequence, args: [partitionKey, appId, sequenceId] })).rows[0],
    selectAppIds: async (partitionKey) => (await client.execute({ sql: sql.selectAppIds, args: [partitionKey] })).rows.map((row) => row.app_id),
    stateText: (selected) => String((selected as { state: unknown }).state),
  };
}

async function storedSteps(client: Client): Promise<StoredStepsTable> {
  const table = 'bench_stored';
  const persister = new LibSQLPersister(client, { tableName: table });
  await persister.initialize();
  const fillSql = sqliteFillStatement(table);
  return {
    persister,
    floor: await libsqlFloor(client, table),
    fill: async (from, to, prefix, suffix) => {
      // No ANALYZE, as for SQLite (see sqlite.ts).
      await client.execute({ sql: fillSql, args: { from, to, prefix, suffix } });
    },
  };
}

export const libsqlBackend: Backend = {
  id: 'libsql',
  label: 'libSQL',
  async open(): Promise<BackendSession> {
    const dir = mkdtempSync(join(tmpdir(), 'burr-bench-libsql-'));
    // As LibSQLPersister.fromValues opens a file: 5 s busy timeout, WAL.
    const client = createClient({ url: `file:${join(dir, 'bench.db')}`, timeout: 5000 });
    await client.execute('PRAGMA journal_mode = WAL');
    const persister = new LibSQLPersister(client, { tableName: 'bench_burr' });
    await persister.initialize();
    return {
      driver: `@libsql/client ${packageVersion('@libsql/client')} (embedded file)`,
      floor: await libsqlFloor(client, 'bench_floor'),
      persister,
      peer: { unavailable: 'LangGraph.js has no libSQL checkpointer' },
      storedSteps: () => storedSteps(client),
      history: libsqlHistory(dir),
      settle: async () => {
        await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
      },
      async close() {
        await persister.cleanup();
        client.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
