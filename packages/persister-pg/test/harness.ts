// The conformance harness of PostgreSQLPersister, on the table's default schema or on a schema of its own.
import type { StorageModeOptions } from '@burr/core';
import type { PersisterHarness } from '@burr/testkit';
import { PostgreSQLPersister } from '../src/index.js';
import { connectionCutter, scratch, serverAddress, testClient, urlAt } from './helpers.js';

/**
 * With `segmentSteps`, the harness is for incremental storage only, its
 * deltas packed that many sequence ids to a segment (the default, 64, packs
 * none in the suite's short histories).
 */
export function postgresHarness(name: string, url: string, withSchema: boolean, segmentSteps?: number): PersisterHarness<PostgreSQLPersister> {
  const store = scratch(url);
  const schema = withSchema ? store.schema() : undefined;
  const cutter = connectionCutter(url);
  const packed = (storage?: StorageModeOptions): (StorageModeOptions & { segmentSteps?: number }) | undefined =>
    segmentSteps && storage?.storage === 'incremental' ? { ...storage, segmentSteps } : storage;
  return {
    name,
    capabilities: {
      storesNonFiniteNumbers: false,
      storesNulCharacter: false,
      preservesKeyOrder: false,
      storesLoneSurrogates: false,
      preservesNegativeZero: false,
      storageModes: segmentSteps ? ['incremental'] : ['full', 'incremental'],
    },
    create: async (options) =>
      cutter.open((clientOptions) =>
        PostgreSQLPersister.fromUrl(url, { tableName: store.table(), schema, serdeKwargs: options?.serdeKwargs, clientOptions, ...packed(options?.storage) }),
      ),
    connectAgain: async (persister, options) =>
      cutter.open((clientOptions) => PostgreSQLPersister.fromUrl(url, { tableName: persister.tableName, schema: persister.schema, clientOptions, ...packed(options?.storage) })),
    withCallerClient: async (options) => {
      const sql = testClient(url);
      return {
        persister: new PostgreSQLPersister(sql, { tableName: store.table(), schema, ...packed(options?.storage) }),
        clientStillWorks: async () => (await sql`SELECT 1 AS one`.catch(() => []))[0]?.one === 1,
        closeClient: () => sql.end({ timeout: 5 }),
      };
    },
    cutConnections: (persister) => cutter.cut(persister),
    viaProxy: {
      target: serverAddress(url, 5432),
      create: async (address, options) => PostgreSQLPersister.fromUrl(urlAt(url, address), { tableName: store.table(), schema, ...packed(options?.storage) }),
    },
    teardown: async () => {
      await cutter.close();
      await store.drop();
    },
  };
}
