import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { providePostgres, provideRedis } from '@burr/testkit';
import type { BackendSpec } from './backend-spec.js';

/** Backends the trials know, in report order. */
export const TRIAL_BACKENDS = ['sqlite', 'libsql', 'pg', 'redis'] as const;
export type TrialBackend = (typeof TRIAL_BACKENDS)[number];

/** A fresh, empty store for one backend's trials, or why there is none here. */
export type TrialStore = { spec: BackendSpec; dispose(): Promise<void> } | { skip: string };

/**
 * Makes an isolated store: a new file for the embedded backends, a new table
 * or key namespace on the server ones (found by the testkit's providers).
 */
export async function prepareTrialStore(backend: TrialBackend): Promise<TrialStore> {
  const suffix = randomBytes(4).toString('hex');
  switch (backend) {
    case 'sqlite':
    case 'libsql': {
      const dir = mkdtempSync(join(tmpdir(), `burr-reliability-${backend}-`));
      const file = join(dir, 'trials.db');
      const spec: BackendSpec = backend === 'sqlite' ? { backend, dbPath: file } : { backend, url: pathToFileURL(file).href };
      return { spec, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    }
    case 'pg': {
      const database = await providePostgres();
      if ('skip' in database) return database;
      const tableName = `burr_reliability_${suffix}`;
      return {
        spec: { backend, url: database.url, tableName },
        dispose: async () => {
          const { default: postgres } = await import('postgres');
          const sql = postgres(database.url, { onnotice: () => {} });
          await sql.unsafe(`DROP TABLE IF EXISTS "${tableName}"`).finally(() => sql.end());
          await database.stop();
        },
      };
    }
    case 'redis': {
      const database = await provideRedis();
      if ('skip' in database) return database;
      const namespace = `burr-reliability-${suffix}`;
      return {
        spec: { backend, url: database.url, namespace },
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
