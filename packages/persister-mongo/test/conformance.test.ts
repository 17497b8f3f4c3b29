// Needs MongoDB: BURR_TEST_MONGO_URL, else a Testcontainers container, else a server on
// 127.0.0.1:27017; without any, every case is registered as skipped with the reason.
import { provideMongo, runConformanceOnServer, type PersisterHarness } from '@burr/testkit';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MongoDBPersister } from '../src/index.js';
import { answersPing, scratchDatabase, serverAddress } from './helpers.js';

const api = { describe, it, beforeAll, afterAll };
const database = await provideMongo();
/** Also given to the skipped suite, so that it registers the cases a real run would run. */
// A prune's removal and its check for deltas saved meanwhile are two calls on MongoDB (no transaction on a standalone server).
const capabilities = { readsBeforeInitialize: 'empty', storageModes: ['full', 'incremental'], atomicRemovalCheck: false } as const;

function mongoHarness(url: string): PersisterHarness<MongoDBPersister> {
  const scratch = scratchDatabase(url, 'burr_conformance');
  const { dbName } = scratch;
  return {
    name: 'mongodb',
    capabilities,
    create: async ({ serdeKwargs, storage } = {}) => MongoDBPersister.fromValues({ url, dbName, collectionName: scratch.collection(), serdeKwargs, ...storage }),
    connectAgain: async (persister, options) => MongoDBPersister.fromValues({ url, dbName: persister.dbName, collectionName: persister.collectionName, ...options?.storage }),
    withCallerClient: async (options) => {
      const client = new MongoClient(url);
      return {
        persister: new MongoDBPersister(client, { dbName, collectionName: scratch.collection(), ...options?.storage }),
        clientStillWorks: () => answersPing(client),
        closeClient: () => client.close(),
      };
    },
    viaProxy: {
      target: serverAddress(url),
      create: async (address, options) =>
        MongoDBPersister.fromValues({
          url: `mongodb://${address.host}:${address.port}/?directConnection=true`,
          dbName,
          collectionName: scratch.collection(),
          ...options?.storage,
          // Only the save's reply may cross the proxy when it drops one: no retryable writes (on a replica set the
          // driver would resend the insert itself and hide the lost reply) and no heartbeat replies meanwhile.
          clientOptions: { retryWrites: false, retryReads: false, serverMonitoringMode: 'poll', heartbeatFrequencyMS: 600_000 },
        }),
    },
    teardown: () => scratch.drop(),
  };
}

runConformanceOnServer(api, database, { name: 'mongodb', capabilities }, mongoHarness);
