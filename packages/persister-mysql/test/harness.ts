// The conformance harness of MySQLPersister.
import type { StorageModeOptions } from '@burr/core';
import type { PersisterHarness } from '@burr/testkit';
import type mysql from 'mysql2/promise';
import { MySQLPersister } from '../src/index.js';
import { connectionCutter, scratch, serverAddress, testPool, urlAt } from './helpers.js';

/**
 * The conformance harness of MySQLPersister. With `segmentSteps`, for
 * incremental storage only, its deltas packed that many sequence ids to a
 * segment (the default, 64, packs none in the suite's short histories).
 */
export function mysqlHarness(url: string, segmentSteps?: number): PersisterHarness<MySQLPersister> {
  const store = scratch(url);
  const cutter = connectionCutter(url);
  const packed = (storage?: StorageModeOptions): (StorageModeOptions & { segmentSteps?: number }) | undefined =>
    segmentSteps && storage?.storage === 'incremental' ? { ...storage, segmentSteps } : storage;
  const open = (tableName: string, serdeKwargs?: Record<string, unknown>, storage?: StorageModeOptions) => {
    const persister = MySQLPersister.fromUrl(url, { tableName, serdeKwargs, ...packed(storage) });
    return cutter.track(persister, persister.client as mysql.Pool);
  };
  return {
    name: segmentSteps ? `mysql, ${segmentSteps} sequence ids a segment` : 'mysql',
    capabilities: {
      needsInitialize: true,
      positionsPerSequence: 'many',
      storesNonFiniteNumbers: true,
      storesNulCharacter: true,
      storageModes: segmentSteps ? ['incremental'] : ['full', 'incremental'],
    },
    create: async (options) => open(store.table(), options?.serdeKwargs, options?.storage),
    connectAgain: async (persister, options) => open(persister.tableName, undefined, options?.storage),
    withCallerClient: async (options) => {
      const pool = testPool(url);
      return {
        persister: new MySQLPersister(pool, { tableName: store.table(), ...packed(options?.storage) }),
        clientStillWorks: async () => {
          const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT 1 AS one').catch(() => [[]]);
          return (rows as mysql.RowDataPacket[])[0]?.one === 1;
        },
        closeClient: () => pool.end(),
      };
    },
    cutConnections: (persister) => cutter.cut(persister),
    viaProxy: {
      target: serverAddress(url),
      create: async (address, options) => MySQLPersister.fromUrl(urlAt(url, address), { tableName: store.table(), ...packed(options?.storage) }),
    },
    teardown: async () => {
      await cutter.close();
      await store.drop();
    },
  };
}
