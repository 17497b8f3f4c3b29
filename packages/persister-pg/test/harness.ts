// The conformance harness of PostgreSQLPersister, on the table's default schema or on a schema of its own.
import type { PersisterHarness } from '@burr/testkit';
import { PostgreSQLPersister } from '../src/index.js';
import { connectionCutter, scratch, serverAddress, testClient, urlAt } from './helpers.js';

export function postgresHarness(name: string, url: string, withSchema: boolean): PersisterHarness<PostgreSQLPersister> {
  const store = scratch(url);
  const schema = withSchema ? store.schema() : undefined;
  const cutter = connectionCutter(url);
  return {
    name,
    capabilities: {
      storesNonFiniteNumbers: false,
      storesNulCharacter: false,
      preservesKeyOrder: false,
      storesLoneSurrogates: false,
      preservesNegativeZero: false,
      storageModes: ['full', 'incremental'],
    },
    create: async (options) =>
      cutter.open((clientOptions) => PostgreSQLPersister.fromUrl(url, { tableName: store.table(), schema, serdeKwargs: options?.serdeKwargs, clientOptions, ...options?.storage })),
    connectAgain: async (persister, options) =>
      cutter.open((clientOptions) => PostgreSQLPersister.fromUrl(url, { tableName: persister.tableName, schema: persister.schema, clientOptions, ...options?.storage })),
    withCallerClient: async (options) => {
      const sql = testClient(url);
      return {
        persister: new PostgreSQLPersister(sql, { tableName: store.table(), schema, ...options?.storage }),
        clientStillWorks: async () => (await sql`SELECT 1 AS one`.catch(() => []))[0]?.one === 1,
        closeClient: () => sql.end({ timeout: 5 }),
      };
    },
    cutConnections: (persister) => cutter.cut(persister),
    viaProxy: {
      target: serverAddress(url, 5432),
      create: async (address, options) => PostgreSQLPersister.fromUrl(urlAt(url, address), { tableName: store.table(), schema, ...options?.storage }),
    },
    teardown: async () => {
      await cutter.close();
      await store.drop();
    },
  };
}
