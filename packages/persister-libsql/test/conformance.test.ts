import { createClient } from '@libsql/client';
import type { SerdeKwargs, StorageModeOptions } from '@burr/core';
import { provideLibsql, runPersisterConformance, type PersisterCapabilities, type PersisterHarness } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LibSQLPersister } from '../src/index.js';
import { tempDir } from './helpers.js';

const api = { describe, it, beforeAll, afterAll };

/** Where each persister points, so connectAgain() can open another client on the same store. */
const targets = new WeakMap<object, { url: string; tableName: string }>();

function open(url: string, tableName: string, serdeKwargs?: SerdeKwargs, storage?: StorageModeOptions & { segmentSteps?: number }): LibSQLPersister {
  const persister = LibSQLPersister.fromValues({ url, tableName, serdeKwargs, ...storage });
  targets.set(persister, { url, tableName });
  return persister;
}

/**
 * With `segmentSteps`, the harness is for incremental storage only, its deltas packed that many sequence ids to a
 * segment (the default, 64, packs none in the suite's short histories).
 */
function harness(
  name: string,
  newStore: () => { url: string; tableName: string },
  teardown: () => Promise<void>,
  capabilities: PersisterCapabilities = {},
  segmentSteps?: number,
): PersisterHarness {
  const packed = (storage?: StorageModeOptions): (StorageModeOptions & { segmentSteps?: number }) | undefined =>
    segmentSteps && storage?.storage === 'incremental' ? { ...storage, segmentSteps } : storage;
  return {
    name,
    capabilities: { storageModes: segmentSteps ? ['incremental'] : ['full', 'incremental'], ...capabilities },
    create: async (options) => {
      const { url, tableName } = newStore();
      return open(url, tableName, options?.serdeKwargs, packed(options?.storage));
    },
    connectAgain: async (persister, options) => {
      const { url, tableName } = targets.get(persister)!;
      return open(url, tableName, undefined, packed(options?.storage));
    },
    withCallerClient: async (options) => {
      const { url, tableName } = newStore();
      const client = createClient({ url });
      return {
        persister: new LibSQLPersister(client, { tableName, ...packed(options?.storage) }),
        clientStillWorks: async () => !client.closed && (await client.execute('SELECT 1 AS one')).rows[0]?.one === 1,
        closeClient: async () => client.close(),
      };
    },
    teardown,
  };
}

// Embedded libSQL: always, one temporary file per store.
const dir = tempDir('libsql-conformance');
let files = 0;
runPersisterConformance(
  api,
  harness(
    'libsql (file)',
    () => ({ url: dir.url(`db-${files++}.db`), tableName: 'burr_state' }),
    async () => {},
    // A local file keeps deleted steps' pages until VACUUM, which compact() runs.
    { compactReclaimsSpace: true },
  ),
);
runPersisterConformance(
  api,
  harness(
    'libsql (file), two sequence ids a segment',
    () => ({ url: dir.url(`db-${files++}.db`), tableName: 'burr_state' }),
    async () => dir.remove(),
    { compactReclaimsSpace: true },
    2,
  ),
);

// A libSQL server (sqld / Turso): only when one is provided; one table per store.
const server = await provideLibsql();
if ('skip' in server) {
  runPersisterConformance(api, { name: 'libsql (server)', skip: server.skip });
} else {
  const run = Math.random().toString(36).slice(2, 8);
  const tables: string[] = [];
  runPersisterConformance(
    api,
    harness(
      'libsql (server)',
      () => {
        const tableName = `burr_conformance_${run}_${tables.length}`;
        tables.push(tableName);
        return { url: server.url, tableName };
      },
      async () => {
        const client = createClient({ url: server.url });
        for (const table of tables) await client.execute(`DROP TABLE IF EXISTS "${table}"`);
        client.close();
        await server.stop();
      },
    ),
  );
}
