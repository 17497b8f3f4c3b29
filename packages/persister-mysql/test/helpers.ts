import { uniqueName, type ProvidedDatabase } from '@burr/testkit';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';

/** A small pool for test set-up and inspection. */
export function testPool(url: string): mysql.Pool {
  return mysql.createPool({ uri: url, connectionLimit: 2 });
}

/** Tables a test file made, dropped at the end; each `table()` is a fresh name. */
export function scratch(url: string) {
  const tables: string[] = [];
  return {
    table(prefix = 'burr_t'): string {
      const name = uniqueName(prefix);
      tables.push(name);
      return name;
    },
    async drop(): Promise<void> {
      const pool = testPool(url);
      try {
        // The step table and its app index, in both storage modes.
        for (const table of tables)
          await pool.query(
            `DROP TABLE IF EXISTS ${[table, `${table}_apps`, `${table}_incremental`, `${table}_incremental_apps`, `${table}_incremental_segments`].map((name) => `\`${name}\``).join(', ')}`,
          );
      } finally {
        await pool.end();
      }
    },
  };
}

/**
 * Cuts persisters' connections from the server side with `KILL <id>` from an
 * admin connection, for the conformance suite's connection-cut cases. A pool
 * registered with `track()` before its first query has every connection's
 * thread id recorded, so `cut()` kills exactly those: other tests' live on.
 */
export function connectionCutter(url: string) {
  const threads = new WeakMap<object, Set<number>>();
  let admin: mysql.Pool | undefined;
  return {
    /** Records the thread id of every connection `pool` opens from now on, under `owner`. */
    track<P extends object>(owner: P, pool: mysql.Pool): P {
      const ids = new Set<number>();
      threads.set(owner, ids);
      pool.on('connection', (connection) => {
        ids.add(connection.threadId);
      });
      return owner;
    },
    /** Kills every connection of `owner`'s pool still open; resolves to how many there were. */
    async cut(owner: object): Promise<number> {
      const ids = threads.get(owner);
      if (ids === undefined) throw new Error('cut(): this persister was not tracked by the cutter');
      admin ??= testPool(url);
      const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT id FROM information_schema.processlist');
      const open = new Set(rows.map((row) => Number(row.id)));
      let cut = 0;
      for (const id of ids) {
        if (!open.has(id)) continue;
        await admin.query(`KILL ${id}`).then(
          () => cut++,
          () => {},
        );
      }
      return cut;
    },
    async close(): Promise<void> {
      await admin?.end();
    },
  };
}

/** Host and port a connection URL points at. */
export function serverAddress(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 3306) };
}

/** The same URL (credentials, database, options) pointed at another host and port, e.g. a proxy. */
export function urlAt(url: string, address: { host: string; port: number }): string {
  const parsed = new URL(url);
  parsed.hostname = address.host;
  parsed.port = String(address.port);
  return parsed.toString();
}

/**
 * What a suite of server tests shares, registered inside its `describe`
 * (whose body also runs when the suite is skipped, so nothing connects
 * before the hooks): a scratch store and an admin pool (`admin`, opened
 * before the first test). After the suite the tables are dropped, the pool
 * ended and the provided server stopped.
 */
export function mysqlSuite(url: string, database: ProvidedDatabase) {
  const store = scratch(url);
  const suite = { store, admin: undefined as unknown as mysql.Pool };
  beforeAll(() => {
    suite.admin = testPool(url);
  });
  afterAll(async () => {
    await store.drop();
    await suite.admin?.end();
    if ('stop' in database) await database.stop();
  });
  return suite;
}
