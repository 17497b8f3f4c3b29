// Needs MongoDB: BURR_TEST_MONGO_URL, else a Testcontainers container, else a server on
// 127.0.0.1:27017; without any, every case is registered as skipped with the reason.
import { Int32, MongoClient, type Collection } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { PersisterConflictError, State, StateTooLargeError } from '@burr/core';
import { provideMongo } from '@burr/testkit';
import { MongoDBPersister } from '../src/index.js';
import { scratchDatabase } from './helpers.js';

const database = await provideMongo();
const TITLE = 'MongoDB documents shared with Python Burr';

if ('skip' in database) {
  describe.skip(`${TITLE} [skipped: ${database.skip}]`, () => pythonFormatCases(''));
} else {
  const { url } = database;
  afterAll(() => database.stop());
  describe(TITLE, () => pythonFormatCases(url));
}

function pythonFormatCases(url: string): void {
  const scratch = scratchDatabase(url, 'burr_python_format');
  const { dbName } = scratch;
  // Made when the first case runs: under describe.skip (no server) none does, and no client is made.
  let ownClient: MongoClient | undefined;
  const testClient = (): MongoClient => (ownClient ??= new MongoClient(url));
  const persisters: MongoDBPersister[] = [];

  /** A fresh collection, and a persister on it over the test's own client. */
  const freshCollection = (): { raw: Collection; persister: MongoDBPersister } => {
    const collectionName = scratch.collection();
    const persister = new MongoDBPersister(testClient(), { dbName, collectionName });
    persisters.push(persister);
    return { raw: testClient().db(dbName).collection(collectionName), persister };
  };

  afterAll(async () => {
    await Promise.all(persisters.map((persister) => persister.cleanup()));
    await ownClient?.close();
    if (ownClient) await scratch.drop();
  });

  /** One step as Python Burr's MongoDBBasePersister.save() inserts it. */
  const pythonStep = (appId: string, sequenceId: number, partitionKey: string | null, createdAt: string) => ({
    partition_key: partitionKey,
    app_id: appId,
    sequence_id: new Int32(sequenceId),
    position: 'counter',
    state: `{"count": ${sequenceId + 1}, "__SEQUENCE_ID": ${sequenceId}, "__PRIOR_STEP": "counter"}`,
    status: 'completed',
    created_at: createdAt,
  });

  it('loads and lists steps Python Burr wrote, then continues the app so Python can read it back', async () => {
    const { raw, persister } = freshCollection();
    await raw.insertMany([
      pythonStep('py-app', 0, null, '2020-11-20T10:00:00.000001+00:00'),
      pythonStep('py-app', 1, null, '2020-11-20T10:00:01+00:00'),
      pythonStep('py-app', 2, null, '2020-11-20T10:00:02.500000+00:00'),
      pythonStep('older-app', 0, null, '2020-11-19T09:00:00.000000+00:00'),
      pythonStep('tenant-app', 0, 'tenant', '2020-11-20T11:00:00.000000+00:00'),
    ]);
    expect(await persister.isInitialized()).toBe(false);
    await persister.initialize();

    const latest = await persister.load(null, 'py-app');
    expect([latest?.partitionKey, latest?.sequenceId, latest?.position, latest?.status]).toEqual(['', 2, 'counter', 'completed']);
    expect(latest?.state.getAll()).toEqual({ count: 3, __SEQUENCE_ID: 2, __PRIOR_STEP: 'counter' });
    expect(latest?.createdAt.toISOString()).toBe('2020-11-20T10:00:02.500Z');
    expect((await persister.load('', 'py-app', 1))?.createdAt.toISOString()).toBe('2020-11-20T10:00:01.000Z');
    expect(await persister.listAppIds(null)).toEqual(['py-app', 'older-app']);
    expect(await persister.listAppIds('tenant')).toEqual(['tenant-app']);

    await persister.save({ appId: 'py-app', sequenceId: 3, position: 'counter', state: new State({ count: 4, __SEQUENCE_ID: 3, __PRIOR_STEP: 'counter' }), status: 'completed' });
    // Python's load(None, 'py-app') runs exactly this query.
    const forPython = await raw.findOne({ partition_key: null, app_id: 'py-app' }, { sort: { sequence_id: -1 }, promoteValues: false });
    expect(forPython).toMatchObject({ partition_key: null, app_id: 'py-app', position: 'counter', status: 'completed' });
    expect(forPython?.sequence_id).toBeInstanceOf(Int32);
    expect(Number(forPython?.sequence_id)).toBe(3);
    expect(JSON.parse(forPython?.state as string)).toEqual({ count: 4, __SEQUENCE_ID: 3, __PRIOR_STEP: 'counter' });
    expect(forPython?.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expect(await persister.listAppIds(null)).toEqual(['py-app', 'older-app']);
  });

  it("treats a step Python saved as taken: saving the same key is a conflict and Python's step stays", async () => {
    const { raw, persister } = freshCollection();
    await raw.insertOne(pythonStep('shared', 0, null, '2020-11-20T10:00:00.000000+00:00'));
    await persister.initialize();
    await expect(persister.save({ appId: 'shared', sequenceId: 0, position: 'counter', state: new State({ count: 99 }), status: 'completed' })).rejects.toBeInstanceOf(
      PersisterConflictError,
    );
    expect(await raw.countDocuments({ app_id: 'shared' })).toBe(1);
    expect((await persister.load(null, 'shared'))?.state.get('count')).toBe(1);
  });

  it('refuses a state above the 16 MB document limit with StateTooLargeError and writes nothing', async () => {
    const { raw, persister } = freshCollection();
    await persister.initialize();
    const state = new State({ text: 'x'.repeat(17 * 1024 * 1024) });
    await expect(persister.save({ appId: 'huge', sequenceId: 0, position: 'p', state, status: 'completed' })).rejects.toBeInstanceOf(StateTooLargeError);
    expect(await raw.countDocuments({})).toBe(0);
    await persister.save({ appId: 'huge', sequenceId: 0, position: 'p', state: new State({ text: 'small' }), status: 'completed' });
    expect((await persister.load(null, 'huge'))?.state.get('text')).toBe('small');
  });

  it('initialize() creates the unique step-key index and the created_at index; a second run changes nothing', async () => {
    const { raw, persister } = freshCollection();
    await persister.initialize();
    const names = async () => (await raw.listIndexes().toArray()).map((index) => `${String(index.name)}${index.unique ? ' (unique)' : ''}`).sort();
    const first = await names();
    expect(first).toEqual(['_id_', 'burr_partition_created_at', 'burr_step_key (unique)']);
    await persister.initialize();
    expect(await names()).toEqual(first);
  });
}
