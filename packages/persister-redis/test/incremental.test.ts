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

  it("writes only [incremental] keys, nothing Python reads; a snapshot hash is a full-mode step, a delta's hash holds three fields and its state and base are in the app's hash of delta states", async () => {
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
    // A delta's hash holds only what no other place does: the key names the rest, the head below its base.
    const delta = await suite.admin.hGetAll(layout.stepKey('p', 'chat', 2));
    expect(Object.keys(delta).sort()).toEqual(['created_at', 'position', 'status']);
    // Its entry there: a head naming its position (and its base, when not the step before), a newline, the delta.
    const [head, body] = (await suite.admin.hGet(layout.appDeltasKey('p', 'chat'), '2'))!.split('\n');
    expect(JSON.parse(head!)).toEqual(['respond']);
    expect(JSON.parse(body!)).toEqual({ '+messages': ['message 2'], '=turn': 2 });
    // Without its state the step hash stays in Redis's compact encoding, whatever the delta's size.
    await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId: 3, position: 'respond', state: state.append({ messages: 'x'.repeat(500) }), status: 'completed' });
    // listpack since Redis 7.0, ziplist before.
    expect(['listpack', 'ziplist']).toContain(String(await suite.admin.sendCommand(['OBJECT', 'ENCODING', layout.stepKey('p', 'chat', 3)])));
    expect(await suite.admin.hStrLen(layout.appDeltasKey('p', 'chat'), '3')).toBeGreaterThan(500);
    state = state.append({ messages: 'x'.repeat(500) });
    // Python Burr's reader, on the same namespace, finds no app: its sorted set does not exist.
    expect(await suite.admin.exists(new RedisKeyLayout(namespace).appsBySequenceKey('p'))).toBe(0);
    expect((await persister.load('p', 'chat'))?.state.getAll()).toEqual(state.getAll());
  });

  it('a prune removes the delta states of the steps it removes (rewriting a kept delta whose base goes as a snapshot), deleteApp the whole hash', async () => {
    const namespace = suite.store.namespace();
    const persister = await RedisPersister.fromUrl(url, { namespace, storage: 'incremental', snapshotEvery: 4 });
    suite.opened.push(persister);
    const layout = new RedisKeyLayout(namespace, 'incremental');
    const deltas = layout.appDeltasKey('p', 'chat');
    let state = new State({ messages: [] as string[] });
    for (let sequenceId = 0; sequenceId < 10; sequenceId++) {
      state = state.append({ messages: `message ${sequenceId}` });
      await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId, position: 'respond', state, status: 'completed' });
    }
    // Snapshots at 0, 4 and 8; deltas at the other seven.
    expect((await suite.admin.hKeys(deltas)).sort()).toEqual(['1', '2', '3', '5', '6', '7', '9']);
    await persister.prune({ target: { partitionKey: 'p', appId: 'chat' }, keepLast: 4 });
    // Steps 0-5 went; 6 (a delta on 5) was rewritten as a snapshot first, so its delta state went too.
    expect((await suite.admin.hKeys(deltas)).sort()).toEqual(['7', '9']);
    // Its hash is now a full-mode step's, like any snapshot's.
    expect(Object.keys(await suite.admin.hGetAll(layout.stepKey('p', 'chat', 6))).sort()).toEqual([
      'app_id',
      'created_at',
      'partition_key',
      'position',
      'sequence_id',
      'state',
      'status',
    ]);
    expect((await persister.load('p', 'chat', 6))?.state.get('messages')).toEqual(state.get('messages').slice(0, 7));
    expect((await persister.load('p', 'chat'))?.state.getAll()).toEqual(state.getAll());
    await persister.deleteApp('p', 'chat');
    expect(await suite.admin.exists(deltas)).toBe(0);
  });

  it('loads deltas stored without a head (before heads), and refuses an entry whose head is broken, naming its sequence id', async () => {
    const namespace = suite.store.namespace();
    const persister = await RedisPersister.fromUrl(url, { namespace, storage: 'incremental' });
    suite.opened.push(persister);
    const deltas = new RedisKeyLayout(namespace, 'incremental').appDeltasKey('p', 'chat');
    let state = new State({ messages: [] as string[] });
    for (let sequenceId = 0; sequenceId < 6; sequenceId++) {
      state = state.append({ messages: `message ${sequenceId}` });
      await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId, position: 'respond', state, status: 'completed' });
    }
    // As the version before heads wrote them: the state alone in the app's hash, the base and key fields in the step's.
    const layout = new RedisKeyLayout(namespace, 'incremental');
    for (const id of ['2', '4']) {
      const entry = (await suite.admin.hGet(deltas, id))!;
      await suite.admin.hSet(deltas, id, entry.slice(entry.indexOf('\n') + 1));
      const fields = { partition_key: 'p', app_id: 'chat', sequence_id: id, base_sequence_id: String(Number(id) - 1), base_position: 'respond' };
      await suite.admin.hSet(layout.stepKey('p', 'chat', Number(id)), fields);
    }
    expect((await persister.listSteps('p', 'chat', { order: 'oldest-first' })).steps.map((step) => step.storedAs)).toEqual(['snapshot', ...Array(5).fill('delta')]);
    expect((await persister.load('p', 'chat'))?.state.getAll()).toEqual(state.getAll());
    expect((await persister.load('p', 'chat', 3))?.state.get('messages')).toEqual(state.get('messages').slice(0, 4));
    await suite.admin.hSet(deltas, '5', '["respond",4]\n{"+messages":["forged"]}');
    await expect(persister.load('p', 'chat')).rejects.toThrow(/sequence 5 has no valid head/);
    expect((await persister.load('p', 'chat', 4))?.state.get('messages')).toEqual(state.get('messages').slice(0, 5));
    // A head that names no base stands for the step before: without that step in the chain, the delta is refused.
    await suite.admin.hSet(deltas, '5', '["respond"]\n{"+messages":["message 5"]}');
    expect((await persister.load('p', 'chat'))?.state.getAll()).toEqual(state.getAll());
    await suite.admin.zRem(layout.appStepsKey('p', 'chat'), '4');
    await expect(persister.load('p', 'chat')).rejects.toThrow(/sequence 5 has no base position/);
  });

  it("a delta's head leaves out its base only where it is the step before, and both forms load back", async () => {
    const namespace = suite.store.namespace();
    const persister = await RedisPersister.fromUrl(url, { namespace, storage: 'incremental' });
    suite.opened.push(persister);
    const deltas = new RedisKeyLayout(namespace, 'incremental').appDeltasKey('p', 'chat');
    const saved = new Map<number, Record<string, unknown>>();
    let state = new State({ messages: [] as string[] });
    for (const [sequenceId, position] of [
      [0, 'ask'],
      [1, 'answer'],
      [2, 'answer'],
      [4, 'answer'],
      [5, 'ask'],
    ] as const) {
      state = state.append({ messages: `${position} ${sequenceId}` });
      await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId, position, state, status: 'completed' });
      saved.set(sequenceId, state.getAll());
    }
    const heads = Object.fromEntries(Object.entries(await suite.admin.hGetAll(deltas)).map(([id, entry]) => [id, JSON.parse(entry.slice(0, entry.indexOf('\n')))]));
    expect(heads).toEqual({ '1': ['answer'], '2': ['answer'], '4': ['answer', 2, 'answer'], '5': ['ask'] });
    for (const [sequenceId, values] of saved) expect((await persister.load('p', 'chat', sequenceId))?.state.getAll()).toEqual(values);
    // A prune reads the bases from the heads: 4 (on 2, which goes) becomes a snapshot, 5 (on 4, at another position) stays a delta.
    await persister.prune({ target: { partitionKey: 'p', appId: 'chat' }, keepLast: 2 });
    const kept = (await persister.listSteps('p', 'chat', { order: 'oldest-first' })).steps;
    expect(kept.map((step) => [step.sequenceId, step.storedAs])).toEqual([
      [4, 'snapshot'],
      [5, 'delta'],
    ]);
    for (const sequenceId of [4, 5]) expect((await persister.load('p', 'chat', sequenceId))?.state.getAll()).toEqual(saved.get(sequenceId));
  });
});
