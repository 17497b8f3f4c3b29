// Needs Redis: BURR_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379), else a Testcontainers
// container; without either the suite is registered as skipped with the reason.
import { provideRedis, runConformanceOnServer, type PersisterHarness } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RedisPersister } from '../src/index.js';
import { connectionCutter, scratch, serverAddress, testClient, urlAt } from './helpers.js';

const api = { describe, it, beforeAll, afterAll };
const database = await provideRedis();

function redisHarness(url: string): PersisterHarness<RedisPersister> {
  const store = scratch(url);
  const cutter = connectionCutter(url);
  return {
    name: 'redis',
    capabilities: { needsInitialize: false, positionsPerSequence: 'one', storageModes: ['full', 'incremental'] },
    create: (options) =>
      cutter.open((clientOptions) => RedisPersister.fromUrl(url, { namespace: store.namespace(), serdeKwargs: options?.serdeKwargs, clientOptions, ...options?.storage })),
    connectAgain: (persister, options) => cutter.open((clientOptions) => RedisPersister.fromUrl(url, { namespace: persister.namespace, clientOptions, ...options?.storage })),
    withCallerClient: async (options) => {
      const client = await testClient(url);
      return {
        persister: new RedisPersister(client, { namespace: store.namespace(), ...options?.storage }),
        clientStillWorks: async () => client.isOpen && (await client.ping()) === 'PONG',
        closeClient: () => client.close(),
      };
    },
    cutConnections: (persister) => cutter.cut(persister),
    viaProxy: {
      target: serverAddress(url, 6379),
      create: (address, options) => RedisPersister.fromUrl(urlAt(url, address), { namespace: store.namespace(), ...options?.storage }),
    },
    teardown: async () => {
      await cutter.close();
      await store.drop();
    },
  };
}

runConformanceOnServer(api, database, { name: 'redis' }, redisHarness);
