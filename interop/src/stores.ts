import type { BaseStatePersister } from '@burr/core';
import { PostgreSQLPersister } from '@burr/persister-pg';
import { RedisPersister } from '@burr/persister-redis';
import { SQLitePersister } from '@burr/persister-sqlite';
import { providePostgres, provideRedis, temporaryDirectory, uniqueName } from '@burr/testkit';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { createClient } from 'redis';
import type { PythonStore } from './python-burr.js';

/** Backends both Python Burr and we persist to. */
export const INTEROP_BACKENDS = ['sqlite', 'postgres', 'redis'] as const;
export type InteropBackend = (typeof INTEROP_BACKENDS)[number];

/** A fresh store (a new file, table or key namespace) opened by our persister, and how Python Burr opens it. */
export interface InteropStore {
  persister: BaseStatePersister;
  python: PythonStore;
  /**
   * The latest sequence id of an app as the store's app index holds it, read
   * directly: on SQL the `<table>_apps` row our trigger writes, on Redis the
   * score in Python Burr's per-partition sorted set. `null` when the app has
   * no entry.
   */
  indexedLatest(partitionKey: string, appId: string): Promise<number | null>;
  /** Closes the persister and removes everything the store holds. */
  dispose(): Promise<void>;
}

/** Opens a fresh store for `backend`, or says why there is none here. */
export async function openInteropStore(backend: InteropBackend): Promise<InteropStore | { skip: string }> {
  switch (backend) {
    case 'sqlite':
      return openSqlite();
    case 'postgres':
      return openPostgres();
    case 'redis':
      return openRedis();
  }
}

function openSqlite(): InteropStore {
  const dir = temporaryDirectory('interop-sqlite');
  const dbPath = dir.path('burr.db');
  const tableName = uniqueName('burr_interop');
  const persister = SQLitePersister.fromValues({ dbPath, tableName });
  return {
    persister,
    python: { backend: 'sqlite', db_path: dbPath, table_name: tableName },
    indexedLatest: async (partitionKey, appId) => {
      const db = new Database(dbPath, { readonly: true });
      try {
        const row = db.prepare(`SELECT last_sequence_id FROM "${tableName}_apps" WHERE partition_key = ? AND app_id = ?`).get(partitionKey, appId) as
          | { last_sequence_id: number }
          | undefined;
        return row?.last_sequence_id ?? null;
      } finally {
        db.close();
      }
    },
    dispose: async () => {
      await persister.cleanup();
      dir.remove();
    },
  };
}

async function openPostgres(): Promise<InteropStore | { skip: string }> {
  const server = await providePostgres();
  if ('skip' in server) return server;
  const tableName = uniqueName('burr_interop');
  // Few connections: other suites share the server's 100.
  const persister = PostgreSQLPersister.fromUrl(server.url, { tableName, clientOptions: { max: 2 } });
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  return {
    persister,
    python: { backend: 'postgres', url: server.url, table_name: tableName },
    indexedLatest: async (partitionKey, appId) => {
      const rows = await sql.unsafe(`SELECT last_sequence_id FROM "${tableName}_apps" WHERE partition_key = $1 AND app_id = $2`, [partitionKey, appId]);
      return rows.length === 0 ? null : Number(rows[0]!.last_sequence_id);
    },
    dispose: async () => {
      try {
        await persister.cleanup();
        await sql.unsafe(`DROP TABLE IF EXISTS "${tableName}", "${tableName}_apps" CASCADE`);
        await sql.unsafe(`DROP FUNCTION IF EXISTS "${tableName}_apps_on_insert"()`);
      } finally {
        await sql.end();
        await server.stop();
      }
    },
  };
}

async function openRedis(): Promise<InteropStore | { skip: string }> {
  const server = await provideRedis();
  if ('skip' in server) return server;
  const namespace = uniqueName('burr-interop');
  const persister = await RedisPersister.fromUrl(server.url, { namespace });
  const client = createClient({ url: server.url });
  client.on('error', () => {});
  await client.connect();
  return {
    persister,
    python: { backend: 'redis', url: server.url, namespace },
    indexedLatest: async (partitionKey, appId) => {
      const score = await client.zScore(`${namespace}:${partitionKey}`, appId);
      return score ?? null;
    },
    dispose: async () => {
      try {
        await persister.cleanup();
        for await (const keys of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 1000 })) {
          if (keys.length > 0) await client.del(keys);
        }
      } finally {
        client.destroy();
        await server.stop();
      }
    },
  };
}
