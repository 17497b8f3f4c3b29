/**
 * History and retention on SQLite (better-sqlite3) and libSQL (embedded
 * file): each store is a database file of its own, so `compact()` (a
 * checkpoint and VACUUM of the whole file) measures and rewrites only it.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createClient, type Client, type InArgs } from '@libsql/client';
import { burrSqlStatements, SQL_DIALECTS } from '@burr/core';
import { LibSQLPersister } from '@burr/persister-libsql';
import { SQLitePersister } from '@burr/persister-sqlite';
import { explainHistory, layoutFillStatement, pythonSchema, schemaWithoutTrigger, sqlHistoryFloor, type SqlRunner } from './history-sql.js';
import type { HistoryBench, HistoryStore } from './history-types.js';

const createdAt = () => SQL_DIALECTS.sqlite.createdAtParam({ createdAt: new Date(), createdAtMicros: 0 });

function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

/** Prepared statements, cached per text, as SQLitePersister runs them. */
function betterSqliteRunner(db: Database.Database): SqlRunner {
  const cache = new Map<string, Database.Statement<unknown[]>>();
  const prepared = (sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare<unknown[]>(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  return {
    rows: async (sql, params) =>
      prepared(sql)
        .raw()
        .all(...params) as unknown[][],
    change: async (sql, params) => prepared(sql).run(...params).changes,
    explain: async (sql, params) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((row) => row.detail),
  };
}

function openSqliteFile(file: string): Database.Database {
  // As SQLitePersister.fromValues opens a file.
  const db = new Database(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

/** SQLite: a file per store in `dir`. */
export function sqliteHistory(dir: string): HistoryBench {
  return {
    async createStore(name): Promise<HistoryStore> {
      const file = join(dir, `${name}.db`);
      removeDatabaseFiles(file);
      const db = openSqliteFile(file);
      const statements = burrSqlStatements('sqlite', name);
      for (const statement of schemaWithoutTrigger(statements)) db.exec(statement);
      const persister = new SQLitePersister(db, { tableName: name });
      const run = betterSqliteRunner(db);
      const fills = new Map<string, Database.Statement>();
      return {
        persister,
        floor: sqlHistoryFloor(statements, run, createdAt),
        fill: async (layout, from, to, prefix, suffix) => {
          const sql = layoutFillStatement('sqlite', statements.table, layout);
          if (!fills.has(sql)) fills.set(sql, db.prepare(sql));
          fills.get(sql)!.run({ from, to, prefix, suffix });
        },
        // No ANALYZE, as in the stored-steps section (see sqlite.ts).
        indexFilled: async () => {
          db.exec(statements.backfillAppIndex);
          await persister.initialize();
        },
        explain: (samples) => explainHistory(statements, run, samples),
        settle: async () => void db.pragma('wal_checkpoint(TRUNCATE)'),
        drop: async () => {
          await persister.cleanup();
          db.close();
          removeDatabaseFiles(file);
        },
      };
    },
    async plainTable(name) {
      const file = join(dir, `${name}.db`);
      removeDatabaseFiles(file);
      const db = openSqliteFile(file);
      const statements = burrSqlStatements('sqlite', name);
      for (const statement of pythonSchema(statements)) db.exec(statement);
      const insert = db.prepare(statements.insert);
      return {
        insert: async (row) => insert.run(row.partitionKey, row.appId, row.sequenceId, row.position, row.status, row.state, createdAt()),
        drop: async () => {
          db.close();
          removeDatabaseFiles(file);
        },
      };
    },
  };
}

/**
 * `client.execute`, as LibSQLPersister runs its statements. Plans come from
 * a connection of their own: @libsql/client 0.18 (embedded) leaves an
 * `EXPLAIN QUERY PLAN` statement open on its connection (a DELETE's at once,
 * a SELECT's once the connection writes), and that connection's next
 * transaction or checkpoint then fails with SQLITE_BUSY or SQLITE_LOCKED.
 */
function libsqlRunner(client: Client, file: string): SqlRunner {
  return {
    rows: async (sql, params) => (await client.execute({ sql, args: [...params] })).rows,
    change: async (sql, params) => (await client.execute({ sql, args: [...params] })).rowsAffected,
    explain: async (sql, params) => {
      const planner = createClient({ url: `file:${file}` });
      try {
        return (await planner.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args: [...params] })).rows.map((row) => String(row.detail));
      } finally {
        planner.close();
      }
    },
  };
}

async function openLibsqlFile(file: string): Promise<Client> {
  // As LibSQLPersister.fromValues opens a file: 5 s busy timeout, WAL.
  const client = createClient({ url: `file:${file}`, timeout: 5000 });
  await client.execute('PRAGMA journal_mode = WAL');
  return client;
}

/** libSQL: an embedded file per store in `dir`. */
export function libsqlHistory(dir: string): HistoryBench {
  return {
    async createStore(name): Promise<HistoryStore> {
      const file = join(dir, `${name}.db`);
      removeDatabaseFiles(file);
      const client = await openLibsqlFile(file);
      const statements = burrSqlStatements('sqlite', name);
      for (const statement of schemaWithoutTrigger(statements)) await client.execute(statement);
      const persister = new LibSQLPersister(client, { tableName: name });
      const run = libsqlRunner(client, file);
      return {
        persister,
        floor: sqlHistoryFloor(statements, run, createdAt),
        fill: async (layout, from, to, prefix, suffix) => {
          const args: InArgs = { from, to, prefix, suffix };
          await client.execute({ sql: layoutFillStatement('sqlite', statements.table, layout), args });
        },
        indexFilled: async () => {
          await client.execute(statements.backfillAppIndex);
          await persister.initialize();
        },
        explain: (samples) => explainHistory(statements, run, samples),
        settle: async () => void (await client.execute('PRAGMA wal_checkpoint(TRUNCATE)')),
        drop: async () => {
          await persister.cleanup();
          client.close();
          removeDatabaseFiles(file);
        },
      };
    },
    async plainTable(name) {
      const file = join(dir, `${name}.db`);
      removeDatabaseFiles(file);
      const client = await openLibsqlFile(file);
      const statements = burrSqlStatements('sqlite', name);
      for (const statement of pythonSchema(statements)) await client.execute(statement);
      return {
        insert: (row) => client.execute({ sql: statements.insert, args: [row.partitionKey, row.appId, row.sequenceId, row.position, row.status, row.state, createdAt()] }),
        drop: async () => {
          client.close();
          removeDatabaseFiles(file);
        },
      };
    },
  };
}
