import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StorageMode } from '@burr/core';
import { provideMysql, providePostgres, provideRedis } from '@burr/testkit';
import type { BackendSpec } from './backend-spec.js';

/** Backends the trials know, in report order. */
export const TRIAL_BACKENDS = ['sqlite', 'libsql', 'pg', 'mysql', 'redis'] as const;
export type TrialBackend = (typeof TRIAL_BACKENDS)[number];

/** Storage modes the trials know, in report order. */
export const TRIAL_STORAGE_MODES = ['full', 'incremental'] as const satisfies readonly StorageMode[];

/** A fresh, empty store for one backend's trials, or why there is none here. */
export type TrialStore = { spec: BackendSpec; dispose(): Promise<void> } | { skip: string };

/**
 * Makes an isolated store: a new file for the embedded backends, a new table
 * or key namespace on the server ones (found by the testkit's providers), in
 * the given storage mode.
 */
export async function prepareTrialStore(backend: TrialBackend, storage: StorageMode = 'full'): Promise<TrialStore> {
  const suffix = randomBytes(4).toString('hex');
  switch (backend) {
    case 'sqlite':
    case 'libsql': {
      const dir = mkdtempSync(join(tmpdir(), `burr-reliability-${backend}-`));
      const file = join(dir, 'trials.db');
      const spec: BackendSpec = backend === 'sqlite' ? { backend, dbPath: file, storage } : { backend, url: pathToFileURL(file).href, storage };
      return { spec, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    }
    case 'pg': {
      const database = await providePostgres();
      if ('skip' in database) return database;
      const tableName = `burr_reliability_${suffix}`;
      return {
        spec: { backend, url: database.url, tableName, storage },
        dispose: async () => {
          const { default: postgres } = await import('postgres');
          const sql = postgres(database.url, { onnotice: () => {} });
          try {
            // Either mode's tables and app indexes; their triggers go with them, the trigger functions do not.
            const tables = derivedTableNames(tableName);
            await sql.unsafe(`DROP TABLE IF EXISTS ${tables.map((name) => `"${name}"`).join(', ')}`);
            const functions = [`${tableName}_apps_on_insert`, `${tableName}_incremental_apps_on_insert`, `${tableName}_incremental_segments_guard`];
            await sql.unsafe(`DROP FUNCTION IF EXISTS ${functions.map((name) => `"${name}"()`).join(', ')}`);
          } finally {
            await sql.end();
          }
          await database.stop();
        },
      };
    }
    case 'mysql': {
      const database = await provideMysql();
      if ('skip' in database) return database;
      const tableName = `burr_reliability_${suffix}`;
      return {
        spec: { backend, url: database.url, tableName, storage },
        dispose: async () => {
          // The persister's own pool (not initialized, so it creates nothing); triggers go with their tables.
          const { MySQLPersister } = await import('@burr/persister-mysql');
          const persister = MySQLPersister.fromUrl(database.url);
          try {
            await persister.client.query(
              `DROP TABLE IF EXISTS ${derivedTableNames(tableName)
                .map((name) => `\`${name}\``)
                .join(', ')}`,
            );
          } finally {
            await persister.cleanup();
          }
          await database.stop();
        },
      };
    }
    case 'redis': {
      const database = await provideRedis();
      if ('skip' in database) return database;
      const namespace = `burr-reliability-${suffix}`;
      return {
        spec: { backend, url: database.url, namespace, storage },
        dispose: async () => {
          const { createClient } = await import('redis');
          const client = createClient({ url: database.url });
          await client.connect();
          try {
            for await (const keys of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 1000 })) {
              if (keys.length > 0) await client.del(keys);
            }
          } finally {
            client.destroy();
          }
          await database.stop();
        },
      };
    }
  }
}

/** The tables a SQL persister may create for `tableName`: both modes' step tables and their app indexes, and the segments of incremental storage. */
function derivedTableNames(tableName: string): string[] {
  const incremental = `${tableName}_incremental`;
  return [tableName, `${tableName}_apps`, incremental, `${incremental}_apps`, `${incremental}_segments`];
}
