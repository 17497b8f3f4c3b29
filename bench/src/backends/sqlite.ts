/**
 * SQLite (file, WAL): better-sqlite3 floor, SQLitePersister, LangGraph
 * SqliteSaver, all on one connection opened with the pragmas
 * `SQLitePersister.fromValues` uses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { burrSqlStatements, toSqlTimestamp } from '@burr/core';
import { SQLitePersister } from '@burr/persister-sqlite';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { packageVersion } from '../environment.js';
import { PeerCheckpointer } from '../peer.js';
import { sqliteHistory } from './history-sqlite.js';
import { sqliteFillStatement } from './sql-fill.js';
import type { Backend, BackendSession, Floor, StepRow, StoredStepsTable } from './types.js';

/** Prepared Burr statements on `table`, run directly. */
function sqliteFloor(db: Database.Database, table: string): Floor {
  const sql = burrSqlStatements('sqlite', table);
  for (const statement of sql.createSchema) db.exec(statement);
  const insert = db.prepare(sql.insert);
  const selectLatest = db.prepare(sql.selectLatest);
  const selectAtSequence = db.prepare(sql.selectAtSequence);
  const selectAppIds = db.prepare(sql.selectAppIds).pluck();
  return {
    insert: async (row: StepRow) => insert.run(row.partitionKey, row.appId, row.sequenceId, row.position, row.status, row.state, toSqlTimestamp(new Date())),
    selectLatest: async (partitionKey, appId) => selectLatest.get(partitionKey, appId),
    selectAtSequence: async (partitionKey, appId, sequenceId) => selectAtSequence.get(partitionKey, appId, sequenceId),
    selectAppIds: async (partitionKey) => selectAppIds.all(partitionKey),
    stateText: (selected) => (selected as { state: string }).state,
  };
}

async function storedSteps(db: Database.Database): Promise<StoredStepsTable> {
  const table = 'bench_stored';
  const persister = new SQLitePersister(db, { tableName: table });
  await persister.initialize();
  const fill = db.prepare(sqliteFillStatement(table));
  return {
    persister,
    floor: sqliteFloor(db, table),
    // No ANALYZE: with its STAT4 statistics SQLite re-prepares statements on every new binding (3x slower reads), which
    // would bill the persister (prepared after the fill) and not the floor (prepared before). Apps rarely run ANALYZE.
    fill: async (from, to, prefix, suffix) => {
      fill.run({ from, to, prefix, suffix });
    },
  };
}

export const sqliteBackend: Backend = {
  id: 'sqlite',
  label: 'SQLite',
  async open(): Promise<BackendSession> {
    const dir = mkdtempSync(join(tmpdir(), 'burr-bench-sqlite-'));
    const db = new Database(join(dir, 'bench.db'), { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const persister = new SQLitePersister(db, { tableName: 'bench_burr' });
    await persister.initialize();
    return {
      driver: `better-sqlite3 ${packageVersion('better-sqlite3')}`,
      floor: sqliteFloor(db, 'bench_floor'),
      persister,
      peer: new PeerCheckpointer(new SqliteSaver(db), 'SqliteSaver'),
      storedSteps: () => storedSteps(db),
      history: sqliteHistory(dir),
      settle: async () => {
        db.pragma('wal_checkpoint(TRUNCATE)');
      },
      async close() {
        await persister.cleanup();
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
