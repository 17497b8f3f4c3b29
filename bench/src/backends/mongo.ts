/**
 * MongoDB (only with BURR_BENCH_MONGO_URL or BURR_TEST_MONGO_URL): driver
 * floor, MongoDBPersister and LangGraph MongoDBSaver on one client, in a
 * database of their own that is dropped at the end.
 */
import { MongoClient, type Collection, type Db } from 'mongodb';
import { toIsoTimestamp } from '@burr/core';
import { MongoDBPersister, type BurrStateDocument } from '@burr/persister-mongo';
import { MongoDBSaver } from '@langchain/langgraph-checkpoint-mongodb';
import { packageVersion } from '../environment.js';
import { PeerCheckpointer } from '../peer.js';
import { redactUrl } from './postgres.js';
import { FILL_STEPS_PER_APP, fillApp, fillPartition, type Backend, type BackendSession, type Floor, type StoredStepsTable } from './types.js';

const DB_NAME = 'burr_bench';
const FILL_BATCH = 20_000;

/**
 * The driver calls a hand-written persister would make, on a collection with
 * the same indexes (created by a MongoDBPersister's `initialize()`).
 */
async function mongoFloor(client: MongoClient, db: Db, name: string): Promise<Floor> {
  await new MongoDBPersister(client, { dbName: DB_NAME, collectionName: name }).initialize();
  const collection: Collection<BurrStateDocument> = db.collection<BurrStateDocument>(name);
  return {
    insert: (row) =>
      collection.insertOne({
        partition_key: row.partitionKey,
        app_id: row.appId,
        sequence_id: row.sequenceId,
        position: row.position,
        state: row.state,
        status: row.status,
        created_at: toIsoTimestamp(new Date()),
      }),
    selectLatest: (partitionKey, appId) => collection.findOne({ partition_key: partitionKey, app_id: appId }, { sort: { sequence_id: -1, position: -1 }, projection: { _id: 0 } }),
    selectAtSequence: (partitionKey, appId, sequenceId) =>
      collection.findOne({ partition_key: partitionKey, app_id: appId, sequence_id: sequenceId }, { sort: { position: 1 }, projection: { _id: 0 } }),
    selectAppIds: (partitionKey) =>
      collection.aggregate([{ $match: { partition_key: partitionKey } }, { $group: { _id: '$app_id', last: { $max: '$created_at' } } }, { $sort: { last: -1 } }]).toArray(),
    stateText: (selected) => (selected as BurrStateDocument).state,
  };
}

async function storedSteps(client: MongoClient, db: Db): Promise<StoredStepsTable> {
  const name = 'bench_stored';
  const persister = new MongoDBPersister(client, { dbName: DB_NAME, collectionName: name });
  await persister.initialize();
  const collection = db.collection<BurrStateDocument>(name);
  const base = Date.UTC(2026, 0, 1);
  return {
    persister,
    floor: await mongoFloor(client, db, name),
    fill: async (from, to, prefix, suffix) => {
      for (let start = from; start < to; start += FILL_BATCH) {
        const batch: BurrStateDocument[] = [];
        for (let i = start; i < Math.min(to, start + FILL_BATCH); i++) {
          const seq = i % FILL_STEPS_PER_APP;
          batch.push({
            partition_key: fillPartition(i),
            app_id: fillApp(i),
            sequence_id: seq,
            position: 'respond',
            state: `${prefix}${seq}${suffix}`,
            status: 'completed',
            created_at: toIsoTimestamp(new Date(base + i)),
          });
        }
        await collection.insertMany(batch, { ordered: false });
      }
    },
  };
}

export const mongoBackend: Backend = {
  id: 'mongo',
  label: 'MongoDB',
  async open(): Promise<BackendSession | { skip: string }> {
    const url = process.env.BURR_BENCH_MONGO_URL ?? process.env.BURR_TEST_MONGO_URL;
    if (!url) return { skip: 'no MongoDB server on this machine; set BURR_BENCH_MONGO_URL to include it' };
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
    let serverVersion: string;
    try {
      await client.connect();
      serverVersion = String((await client.db('admin').command({ buildInfo: 1 })).version);
    } catch (error) {
      await client.close();
      return { skip: `no MongoDB answered at ${redactUrl(url)} (${(error as Error).message})` };
    }
    const db = client.db(DB_NAME);
    await db.dropDatabase();
    const persister = new MongoDBPersister(client, { dbName: DB_NAME, collectionName: 'bench_burr' });
    await persister.initialize();
    const saver = new MongoDBSaver({ client: client as never, dbName: DB_NAME });
    return {
      driver: `mongodb ${packageVersion('mongodb')}, server ${serverVersion} at ${redactUrl(url)}`,
      floor: await mongoFloor(client, db, 'bench_floor'),
      persister,
      peer: new PeerCheckpointer(saver, 'MongoDBSaver'),
      storedSteps: () => storedSteps(client, db),
      async close() {
        await persister.cleanup();
        await db.dropDatabase();
        await client.close();
      },
    };
  },
};
