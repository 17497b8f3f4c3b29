// Incremental storage on Redis, beyond the conformance suite (which runs every case in both modes): where its keys
// live, what a delta's hash holds, and the options it refuses. Needs Redis: BURR_TEST_REDIS_URL, else a
// Testcontainers container, else a server on 127.0.0.1:6379; without any, the server cases are registered as
// skipped with the reason.
import { InvalidPersistArgumentError, State } from '@burr/core';
import { provideRedis } from '@burr/testkit';
import { describe, expect, it } from 'vitest';
import { INCREMENTAL_SEGMENT, RedisKeyLayout, RedisPersister } from '../src/index.js';
import { redisSuite } from './helpers.js';

const database = await provideRedis();
const skipReason = 'skip' in database ? database.skip : null;
const url = 'url' in database ? database.url : 'redis://127.0.0.1:6379';
const registerSuite = skipReason === null ? describe : describe.skip;

describe('incremental storage options', () => {
  const fakeClient = { sendCommand: async () => null };

  it('refuses ttlSeconds with storage: incremental, in the constructor and before connecting', async () => {
    const options = { storage: 'incremental', ttlSeconds: 60 } as const;
    expect(() => new RedisPersister(fakeClient, options)).toThrow(/ttlSeconds applies only with storage: 'full'/);
    // Port 1: nothing listens there, so reaching the connect step would fail differently.
    await expect(RedisPersister.fromUrl('redis://127.0.0.1:1', options)).rejects.toThrow(InvalidPersistArgumentError);
    await expect(RedisPersister.fromConfig({ url: 'redis://127.0.0.1:1', ...options })).rejects.toThrow(InvalidPersistArgumentError);
  });

  it('fromConfig takes storage, snapshotEvery and snapshotBytes, and refuses an unknown mode or a snapshot option in full mode', async () => {
    await expect(RedisPersister.fromConfig({ url: 'redis://127.0.0.1:1', storage: 'delta' })).rejects.toThrow(/option "storage" must be "full" or "incremental", got "delta"/);
    await expect(RedisPersister.fromConfig({ url: 'redis://127.0.0.1:1', snapshotEvery: 5 })).rejects.toThrow(/snapshotEvery apply only with storage: 'incremental'/);
    expect(new RedisPersister(fakeClient, { storage: 'incremental', snapshotEvery: 5 }).storageMode).toBe('incremental');
    expect(new RedisPersister(fakeClient).storageMode).toBe('full');
  });

  it('puts every key of the incremental layout under [incremental], which no key component can spell', () => {
    const full = new RedisKeyLayout('ns');
    const incremental = new RedisKeyLayout('ns', 'incremental');
    expect(incremental.stepKey('p', 'a', 3)).toBe(`ns:${INCREMENTAL_SEGMENT}:p:a:3`);
    expect(new RedisKeyLayout(undefined, 'incremental').appsBySequenceKey('p')).toBe(`${INCREMENTAL_SEGMENT}:p`);
    expect(full.partitionOfKey(incremental.appsBySequenceKey('p'))).toBeNull();
    expect(incremental.partitionOfKey(incremental.appsBySequenceKey('p'))).toBe('p');
    expect(incremental.partitionOfKey(full.appsBySequenceKey('p'))).toBeNull();
    expect(incremental.scanPattern()).toBe('ns:\\[incremental\\]:*');
    expect(() => new RedisKeyLayout(INCREMENTAL_SEGMENT)).toThrow(/Invalid namespace/);
  });
});

registerSuite(skipReason === null ? 'RedisPersister incremental storage' : `RedisPersister incremental storage [skipped: ${skipReason}]`, () => {
  const suite = redisSuite(url, database);

  it('writes only [incremental] keys, nothing Python reads; a snapshot hash is a full-mode step, a delta names its base', async () => {
    const namespace = suite.store.namespace();
    const persister = await RedisPersister.fromUrl(url, { namespace, storage: 'incremental' });
    suite.opened.push(persister);
    let state = new State({ messages: [] as string[], turn: 0 });
    for (let sequenceId = 0; sequenceId < 3; sequenceId++) {
      state = state.append({ messages: `message ${sequenceId}` }).update({ turn: sequenceId });
      await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId, position: 'respond', state, status: 'completed' });
    }
    const keys: string[] = [];
    for await (const batch of suite.admin.scanIterator({ MATCH: `${namespace}:*`, COUNT: 500 })) keys.push(...batch);
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.filter((key) => !key.startsWith(`${namespace}:${INCREMENTAL_SEGMENT}:`))).toEqual([]);
    const layout = new RedisKeyLayout(namespace, 'incremental');
    const snapshot = await suite.admin.hGetAll(layout.stepKey('p', 'chat', 0));
    expect(Object.keys(snapshot).sort()).toEqual(['app_id', 'created_at', 'partition_key', 'position', 'sequence_id', 'state', 'status']);
    const delta = await suite.admin.hGetAll(layout.stepKey('p', 'chat', 2));
    expect(delta).toMatchObject({ base_sequence_id: '1', base_position: 'respond' });
    expect(JSON.parse(delta.state!)).toEqual({ '+messages': ['message 2'], '=turn': 2 });
    // Python Burr's reader, on the same namespace, finds no app: its sorted set does not exist.
    expect(await suite.admin.exists(new RedisKeyLayout(namespace).appsBySequenceKey('p'))).toBe(0);
    expect((await persister.load('p', 'chat'))?.state.getAll()).toEqual(state.getAll());
  });
});
