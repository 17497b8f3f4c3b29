// Needs MySQL or MariaDB: BURR_TEST_MYSQL_URL (e.g. mysql://root@127.0.0.1:3306/test), else a Testcontainers
// container, else a server answering on 127.0.0.1:3306; without any the suite is registered as skipped with the reason.
import type { StorageModeOptions } from '@burr/core';
import { provideMysql, runConformanceOnServer, type PersisterHarness } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MySQLPersister } from '../src/index.js';
import { connectionCutter, scratch, serverAddress, testPool, urlAt } from './helpers.js';
import type mysql from 'mysql2/promise';

const api = { describe, it, beforeAll, afterAll };
const database = await provideMysql();

function mysqlHarness(url: string): PersisterHarness<MySQLPersister> {
  const store = scratch(url);
  const cutter = connectionCutter(url);
  const open = (tableName: string, serdeKwargs?: Record<string, unknown>, storage?: StorageModeOptions) => {
    const persister = MySQLPersister.fromUrl(url, { tableName, serdeKwargs, ...storage });
    return cutter.track(persister, persister.client as mysql.Pool);
  };
  return {
    name: 'mysql',
    capabilities: { needsInitialize: true, positionsPerSequence: 'many', storesNonFiniteNumbers: true, storesNulCharacter: true, storageModes: ['full', 'incremental'] },
    create: async (options) => open(store.table(), options?.serdeKwargs, options?.storage),
    connectAgain: async (persister, options) => open(persister.tableName, undefined, options?.storage),
    withCallerClient: async (options) => {
      const pool = testPool(url);
      return {
        persister: new MySQLPersister(pool, { tableName: store.table(), ...options?.storage }),
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
      create: async (address, options) => MySQLPersister.fromUrl(urlAt(url, address), { tableName: store.table(), ...options?.storage }),
    },
    teardown: async () => {
      await cutter.close();
      await store.drop();
    },
  };
}

runConformanceOnServer(api, database, { name: 'mysql' }, mysqlHarness);
