// Needs MongoDB: BURR_TEST_MONGO_URL, else a Testcontainers container, else a server on
// 127.0.0.1:27017; without any, every case is registered as skipped with the reason.
// What the conformance suite cannot see: history over documents Python Burr wrote, that listings never transfer the
// state, that the step-key index serves them, the TTL index, and compact's measurement.
import { type CommandSucceededEvent, Int32, MongoClient, type Collection } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { State } from '@burr/core';
import { provideMongo } from '@burr/testkit';
import { MongoDBPersister } from '../src/index.js';
import { stepsPipeline } from '../src/history-queries.js';
import { scratchDatabase } from './helpers.js';

const database = await provideMongo();
const TITLE = 'MongoDB history, TTL and compact on a server';

if ('skip' in database) {
  describe.skip(`${TITLE} [skipped: ${database.skip}]`, () => historyServerCases(''));
} else {
  const { url } = database;
  afterAll(() => database.stop());
  describe(TITLE, () => historyServerCases(url));
}

function historyServerCases(url: string): void {
  const scratch = scratchDatabase(url, 'burr_history');
  const { dbName } = scratch;
  // Made when the first case runs: under describe.skip (no server) none does, and no client is made.
  let ownClient: MongoClient | undefined;
  const replies: CommandSucceededEvent[] = [];
  const testClient = (): MongoClient => {
    if (!ownClient) {
      ownClient = new MongoClient(url, { monitorCommands: true });
      ownClient.on('commandSucceeded', (event) => replies.push(event));
    }
    return ownClient;
  };
  const persisters: MongoDBPersister[] = [];

  const freshCollection = (ttlSeconds?: number): { raw: Collection; persister: MongoDBPersister; collectionName: string } => {
    const collectionName = scratch.collection();
    const persister = new MongoDBPersister(testClient(), { dbName, collectionName, ttlSeconds });
    persisters.push(persister);
    return { raw: testClient().db(dbName).collection(collectionName), persister, collectionName };
  };

  afterAll(async () => {
    await Promise.all(persisters.map((persister) => persister.cleanup()));
    await ownClient?.close();
    if (ownClient) await scratch.drop();
  });

  /** One step as Python Burr's MongoDBBasePersister.save() inserts it. */
  const pythonStep = (appId: string, sequenceId: number, createdAt: string, state = `{"count": ${sequenceId}}`) => ({
    partition_key: null,
    app_id: appId,
    sequence_id: new Int32(sequenceId),
    position: 'counter',
    state,
    status: 'completed',
    created_at: createdAt,
  });

  it('lists, pages and prunes steps Python Burr wrote (null partition, Int32 ids, a timestamp without fraction)', async () => {
    const { raw, persister } = freshCollection();
    await raw.insertMany([
      pythonStep('py', 0, '2020-11-20T10:00:04.999999+00:00', '{"text": "héllo"}'),
      pythonStep('py', 1, '2020-11-20T10:00:05+00:00'),
      pythonStep('py', 2, '2020-11-20T10:00:05.000001+00:00'),
      pythonStep('older', 0, '2020-11-19T09:00:00.000000+00:00'),
    ]);
    await persister.initialize();
    const steps = (await persister.listSteps(null, 'py', { order: 'oldest-first' })).steps;
    expect(steps.map((step) => [step.sequenceId, step.sizeBytes, step.createdAt.toISOString()])).toEqual([
      [0, Buffer.byteLength('{"text": "héllo"}'), '2020-11-20T10:00:04.999Z'],
      [1, Buffer.byteLength('{"count": 1}'), '2020-11-20T10:00:05.000Z'],
      [2, Buffer.byteLength('{"count": 2}'), '2020-11-20T10:00:05.000Z'],
    ]);
    expect((await persister.listApps(null)).apps.map((app) => [app.appId, app.lastSequenceId])).toEqual([
      ['py', 2],
      ['older', 0],
    ]);
    // Saved before 10:00:05 exactly: step 0 only; step 1, Python's "…:05+00:00", is not before it.
    const report = await persister.prune({ olderThan: new Date('2020-11-20T10:00:05.000Z'), target: { partitionKey: null, appId: 'py' } });
    expect(report.stepsRemoved).toBe(1);
    expect((await persister.listSteps(null, 'py', { order: 'oldest-first' })).steps.map((step) => step.sequenceId)).toEqual([1, 2]);
    expect(await raw.countDocuments({ app_id: 'older' })).toBe(1);
  });

  it('listSteps without includeState receives no state text from the server', async () => {
    const { persister } = freshCollection();
    await persister.initialize();
    for (let sequenceId = 0; sequenceId < 3; sequenceId++) {
      await persister.save({ appId: 'quiet', sequenceId, position: 'p', state: new State({ secret: `text-${sequenceId}` }), status: 'completed' });
    }
    replies.length = 0;
    await persister.listSteps(null, 'quiet');
    const aggregates = replies.filter((event) => event.commandName === 'aggregate' && event.databaseName === dbName);
    expect(aggregates).toHaveLength(1);
    const reply = aggregates[0]?.reply as { cursor?: { firstBatch?: Array<Record<string, unknown>> } } | undefined;
    const batch = reply?.cursor?.firstBatch ?? [];
    expect(batch).toHaveLength(3);
    for (const row of batch) expect(row).not.toHaveProperty('state');
    expect(JSON.stringify(batch)).not.toContain('secret');
  });

  it('a page of steps is read through the step-key index, without an in-memory sort', async () => {
    const { raw, persister } = freshCollection();
    await persister.initialize();
    for (let sequenceId = 0; sequenceId < 20; sequenceId++) {
      await persister.save({ partitionKey: 'p', appId: 'indexed', sequenceId, position: 'p', state: new State({ n: sequenceId }), status: 'completed' });
    }
    const query = { partitionKey: 'p', appId: 'indexed', newestFirst: true, before: 15, after: undefined, limit: 5, withState: false };
    const plan = JSON.stringify(await raw.aggregate(stepsPipeline(query)).explain());
    expect(plan).toContain('burr_step_key');
    expect(plan).not.toMatch(/"stage":"SORT"/);
  });

  it('ttlSeconds creates the TTL index on saved_at, a new value changes it with collMod, and a persister without it leaves it', async () => {
    const { raw, persister, collectionName } = freshCollection(3600);
    const ttlIndexes = async () => (await raw.listIndexes().toArray()).filter((index) => index.key?.saved_at === 1).map((index) => [index.name, index.expireAfterSeconds]);
    await persister.initialize();
    expect(await ttlIndexes()).toEqual([['burr_saved_at_ttl', 3600]]);
    await persister.save({ appId: 'ttl', sequenceId: 0, position: 'p', state: new State({}), status: 'completed' });
    expect((await raw.findOne({ app_id: 'ttl' }))?.saved_at).toBeInstanceOf(Date);
    const shorter = new MongoDBPersister(testClient(), { dbName, collectionName, ttlSeconds: 60 });
    persisters.push(shorter);
    await shorter.initialize();
    expect(await ttlIndexes()).toEqual([['burr_saved_at_ttl', 60]]);
    const without = new MongoDBPersister(testClient(), { dbName, collectionName });
    persisters.push(without);
    await without.initialize();
    await shorter.initialize();
    expect(await ttlIndexes()).toEqual([['burr_saved_at_ttl', 60]]);
  });

  it('compact measures the collection, runs nothing, and reports null for a collection that does not exist', async () => {
    const { persister } = freshCollection();
    const missing = await persister.compact();
    expect(missing).toMatchObject({ bytesBefore: null, bytesAfter: null, performed: [] });
    await persister.initialize();
    for (let sequenceId = 0; sequenceId < 5; sequenceId++) {
      await persister.save({ appId: 'big', sequenceId, position: 'p', state: new State({ text: 'x'.repeat(10_000) }), status: 'completed' });
    }
    const report = await persister.compact();
    expect(report.bytesBefore).toBeGreaterThan(0);
    expect(report.bytesAfter).toBe(report.bytesBefore);
    expect(report.performed).toEqual([]);
    expect(report.advice.join('\n')).toContain('compact');
  });
}
