/**
 * Stores for the incremental storage section: every contender (Burr in full
 * mode, Burr in incremental mode, the LangGraph checkpointer) gets a store of
 * its own (a SQLite file, a PostgreSQL schema), so the bytes each one stores
 * can be measured on their own: tables, indexes and TOAST, as the database
 * reports them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import type { BaseStatePersister, StorageModeOptions } from '@burr/core';
import { PostgreSQLPersister } from '@burr/persister-pg';
import { RedisPersister } from '@burr/persister-redis';
import { SQLitePersister } from '@burr/persister-sqlite';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { deleteNamespace } from '../backends/history-redis.js';
import { postgresUrl, redactUrl } from '../backends/postgres.js';
import { connectRedis, redisUrl } from '../backends/redis.js';
import { PeerCheckpointer } from '../peer.js';

/** A store holding one contender's steps, with its size on disk. */
export interface MeasuredStore<T> {
  contender: T;
  /** Bytes the database uses for this store (tables, indexes, TOAST), after flushing what is pending. */
  bytes(): Promise<number>;
  /**
   * The upkeep the database does on its own while an application runs
   * (PostgreSQL: a VACUUM of the store's tables, as autovacuum runs on a
   * table whose rows were deleted); absent where it has none.
   */
  maintain?(): Promise<void>;
  close(): Promise<void>;
}

/** Opens stores on one database; `close()` removes everything they made. */
export interface IncrementalStores {
  label: string;
  driver: string;
  burr(name: string, storage: StorageModeOptions): Promise<MeasuredStore<BaseStatePersister>>;
  /** The LangGraph checkpointer on a store of its own; absent where it cannot be measured apart (`noPeer` says why). */
  peer?(name: string): Promise<MeasuredStore<PeerCheckpointer>>;
  noPeer?: string;
  close(): Promise<void>;
}

/** SQLite: one file per store, opened as `SQLitePersister.fromValues` opens it (WAL, synchronous NORMAL). */
export function sqliteStores(): IncrementalStores {
  const dir = mkdtempSync(join(tmpdir(), 'burr-bench-incremental-'));
  const fileBytes = (db: Database.Database): number => {
    db.pragma('wal_checkpoint(TRUNCATE)');
    return Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
  };
  return {
    label: 'SQLite',
    driver: 'better-sqlite3, a file per store',
    async burr(name, storage) {
      const path = join(dir, `${name}.db`);
      const persister = SQLitePersister.fromValues({ dbPath: path, tableName: 'chat', ...storage });
      await persister.initialize();
      return {
        contender: persister,
        bytes: async () => fileBytes(persister.client),
        close: () => persister.cleanup(),
      };
    },
    async peer(name) {
      const db = new Database(join(dir, `${name}.db`), { timeout: 5000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      return { contender: new PeerCheckpointer(new SqliteSaver(db), 'SqliteSaver'), bytes: async () => fileBytes(db), close: async () => void db.close() };
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const SCHEMA_PREFIX = 'burr_bench_incr_';

/** PostgreSQL: one schema per store, dropped at the end; `null` with the reason when no server answers. */
export async function postgresStores(): Promise<IncrementalStores | { skip: string }> {
  const url = postgresUrl();
  const admin = postgres(url, { onnotice: () => {}, connect_timeout: 5, max: 2 });
  let version: string;
  try {
    version = String((await admin.unsafe('SHOW server_version').values())[0]?.[0]);
  } catch (error) {
    await admin.end({ timeout: 1 });
    return { skip: `no PostgreSQL answered at ${redactUrl(url)} (${(error as Error).message})` };
  }
  const schemas: string[] = [];
  const fresh = async (name: string): Promise<string> => {
    const schema = `${SCHEMA_PREFIX}${name}`;
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
    schemas.push(schema);
    return schema;
  };
  // Plain VACUUM (what autovacuum runs): the space of deleted rows becomes reusable; nothing is given back to the system.
  const vacuum = async (schema: string): Promise<void> => {
    const tables = await admin.unsafe(
      `SELECT quote_ident(c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [schema],
    );
    for (const { name } of tables) await admin.unsafe(`VACUUM ${schema}.${name as string}`);
  };
  const schemaBytes = async (schema: string): Promise<number> => {
    await admin.unsafe('CHECKPOINT');
    const [row] = await admin
      .unsafe(
        `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm')`,
        [schema],
      )
      .values();
    return Number(row?.[0] ?? 0);
  };
  return {
    label: 'PostgreSQL',
    driver: `postgres.js, server ${version} at ${redactUrl(url)}, a schema per store`,
    async burr(name, storage) {
      const schema = await fresh(name);
      const persister = PostgreSQLPersister.fromUrl(url, { schema, tableName: 'chat', clientOptions: { max: 2 }, ...storage });
      await persister.initialize();
      return {
        contender: persister,
        bytes: () => schemaBytes(schema),
        maintain: () => vacuum(schema),
        close: () => persister.cleanup(),
      };
    },
    async peer(name) {
      const schema = await fresh(name);
      const saver = PostgresSaver.fromConnString(url, { schema });
      await saver.setup();
      const pool = (saver as unknown as { pool: { end(): Promise<void> } }).pool;
      return { contender: new PeerCheckpointer(saver, 'PostgresSaver'), bytes: () => schemaBytes(schema), maintain: () => vacuum(schema), close: () => pool.end() };
    },
    async close() {
      for (const schema of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end({ timeout: 5 });
    },
  };
}

const NAMESPACE_PREFIX = 'burrbenchincr';

/** Redis: one namespace per store, its bytes the sum of `MEMORY USAGE` over its keys; `skip` when no server answers. */
export async function redisStores(): Promise<IncrementalStores | { skip: string }> {
  const url = redisUrl();
  const connected = await connectRedis(url);
  if ('skip' in connected) return connected;
  const { client: admin, serverVersion: version } = connected;
  const namespaces: string[] = [];
  const namespaceBytes = async (namespace: string): Promise<number> => {
    let bytes = 0;
    for await (const keys of admin.scanIterator({ MATCH: `${namespace}:*`, COUNT: 1000 })) {
      // SAMPLES 0: every field of a hash and member of a set is counted, not an estimate from a sample.
      for (const key of keys) bytes += Number(await admin.sendCommand(['MEMORY', 'USAGE', key, 'SAMPLES', '0']));
    }
    return bytes;
  };
  return {
    label: 'Redis',
    driver: `node-redis, server ${version} at ${redactUrl(url)}, a namespace per store`,
    async burr(name, storage) {
      const namespace = `${NAMESPACE_PREFIX}${name}`;
      await deleteNamespace(admin, namespace);
      namespaces.push(namespace);
      const persister = await RedisPersister.fromUrl(url, { namespace, ...storage });
      return { contender: persister, bytes: () => namespaceBytes(namespace), close: () => persister.cleanup() };
    },
    noPeer: "LangGraph's RedisSaver keeps its keys outside any namespace (so its bytes cannot be measured apart here) and needs RedisJSON + RediSearch",
    async close() {
      for (const namespace of namespaces) await deleteNamespace(admin, namespace);
      await admin.close();
    },
  };
}
