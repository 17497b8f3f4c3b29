// Incremental storage on Redis, beyond the conformance suite (which runs every case in both modes): where its keys
// live, what a delta's hash holds, and the options it refuses. Needs Redis: BURR_TEST_REDIS_URL, else a
// Testcontainers container, else a server on 127.0.0.1:6379; without any, the server cases are registered as
// skipped with the reason.
import { InvalidPersistArgumentError, PersisterConflictError, State } from '@burr/core';
import { provideRedis } from '@burr/testkit';
import { describe, expect, it } from 'vitest';
import { INCREMENTAL_SEGMENT, RedisKeyLayout, RedisPersister } from '../src/index.js';
import { storeAsBeforePacking } from './earlier-layouts.js';
import { redisSuite, testClient } from './helpers.js';
import { segmentText, writeSegment } from './segments.js';

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
  /** An incremental persister on a namespace of its own, closed after the suite. */
  const openIncremental = async (options: { snapshotEvery?: number } = {}) => {
    const namespace = suite.store.namespace();
    const persister = await RedisPersister.fromUrl(url, { namespace, storage: 'incremental', ...options });
    suite.opened.push(persister);
    return { namespace, persister };
  };

  it("writes only [incremental] keys, nothing Python reads; a snapshot hash is a full-mode step, a delta is a record (an item) in its segment's list, without a hash", async () => {
    const { namespace, persister } = await openIncremental();
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
    // A delta has no hash: its record, in the segment of sequence ids 0-63, holds its key fields, its base and its state.
    expect(await suite.admin.exists([layout.stepKey('p', 'chat', 1), layout.stepKey('p', 'chat', 2)])).toBe(0);
    expect(await suite.admin.lLen(layout.appSegmentKey('p', 'chat', 0))).toBe(2);
    const segment = (await segmentText(suite.admin, layout, 'chat', 0))!;
    const [empty, ...records] = segment.split('\n');
    expect(empty).toBe('');
    expect(records).toHaveLength(4);
    expect(JSON.parse(records[2]!)).toEqual([2, 'respond', expect.stringMatching(/^\d{4}-\d\d-\d\dT/)]);
    expect(JSON.parse(records[3]!)).toEqual({ '+messages': ['message 2'], '=turn': 2 });
    // A failed step names its status; a large state keeps a hash of its own, every full-mode field and its base.
    await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId: 3, position: 'respond', state, status: 'failed' });
    const failed = (await segmentText(suite.admin, layout, 'chat', 0))!.split('\n');
    expect(failed).toHaveLength(7);
    expect(JSON.parse(failed[5]!)).toEqual([3, 'respond', expect.any(String), 'failed']);
    const large = state.append({ messages: 'x'.repeat(20_000) });
    await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId: 4, position: 'respond', state: large, status: 'completed' });
    expect(Object.keys(await suite.admin.hGetAll(layout.stepKey('p', 'chat', 4))).sort()).toEqual([
      'app_id',
      'base_position',
      'base_sequence_id',
      'created_at',
      'partition_key',
      'position',
      'sequence_id',
      'state',
      'status',
    ]);
    // Python Burr's reader, on the same namespace, finds no app: its sorted set does not exist.
    expect(await suite.admin.exists(new RedisKeyLayout(namespace).appsBySequenceKey('p'))).toBe(0);
    expect((await persister.load('p', 'chat'))?.state.getAll()).toEqual(large.getAll());
    expect((await persister.load('p', 'chat', 3))?.status).toBe('failed');
    // A full-mode persister on the namespace finds the app in the other mode from its packed latest step.
    await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId: 5, position: 'respond', state: large, status: 'completed' });
    const full = await RedisPersister.fromUrl(url, { namespace });
    suite.opened.push(full);
    await expect(full.save({ partitionKey: 'p', appId: 'chat', sequenceId: 6, position: 'respond', state: large, status: 'completed' })).rejects.toThrow(/incremental/);
  });

  it('a foreign key at the app index’s name fails the save before any write', async () => {
    const { namespace, persister } = await openIncremental();
    const keys = new RedisKeyLayout(namespace, 'incremental');
    const save = (sequenceId: number) => persister.save({ partitionKey: 'p', appId: 'a', sequenceId, position: 'step', status: 'completed', state: new State({ n: sequenceId }) });
    await save(0);
    await suite.admin.del(keys.appStepsKey('p', 'a'));
    await suite.admin.set(keys.appStepsKey('p', 'a'), 'not a sorted set');
    const before = await suite.admin.zScore(keys.appsBySaveKey('p'), 'a');
    await expect(save(1)).rejects.toThrow(/WRONGTYPE/);
    expect(await suite.admin.zScore(keys.appsBySequenceKey('p'), 'a')).toBe(0);
    expect(await suite.admin.zScore(keys.appsBySaveKey('p'), 'a')).toBe(before);
    expect(await suite.admin.exists(keys.stepKey('p', 'a', 1))).toBe(0);
  });

  it('packs 64 sequence ids a segment; history, loads, a prune that cuts a segment and deleteApp find every step inside them', async () => {
    const { namespace, persister } = await openIncremental();
    const layout = new RedisKeyLayout(namespace, 'incremental');
    const saved: Record<string, unknown>[] = [];
    let state = new State({ messages: [] as string[] });
    for (let sequenceId = 0; sequenceId < 150; sequenceId++) {
      state = state.append({ messages: `message ${sequenceId}` });
      await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId, position: 'respond', state, status: 'completed' });
      saved.push(state.getAll());
    }
    const segmentKeys = [0, 1, 2].map((n) => layout.appSegmentKey('p', 'chat', n));
    const counts = async () => {
      const texts = await Promise.all([0, 1, 2].map((n) => segmentText(suite.admin, layout, 'chat', n)));
      return Object.fromEntries(texts.flatMap((text, n) => (text === null ? [] : [[`#${n}`, (text.split('\n').length - 1) / 2]])));
    };
    const items = () => Promise.all(segmentKeys.map((key) => suite.admin.lLen(key)));
    // Step 0 is the snapshot; 1-63, 64-127 and 128-149 are packed. The app's index holds the snapshot and each
    // segment (scored at its last sequence id), not the packed deltas.
    expect(await counts()).toEqual({ '#0': 63, '#1': 64, '#2': 22 });
    // A record an item, until the save of the next segment's first record seals a segment: its items become one.
    expect(await items()).toEqual([1, 1, 22]);
    const index = () => suite.admin.zRangeWithScores(layout.appStepsKey('p', 'chat'), 0, -1);
    expect(await index()).toEqual([
      { value: '0', score: 0 },
      { value: '#0', score: 63 },
      { value: '#1', score: 127 },
      { value: '#2', score: 191 },
    ]);
    // Pages of 7 either way, whose cursors fall inside segments and across their edges.
    for (const order of ['newest-first', 'oldest-first'] as const) {
      const seen: number[] = [];
      let cursor: number | null = null;
      do {
        const page = await persister.listSteps('p', 'chat', { order, limit: 7, ...(cursor === null ? {} : order === 'newest-first' ? { before: cursor } : { after: cursor }) });
        seen.push(...page.steps.map((step) => step.sequenceId));
        cursor = page.nextCursor;
      } while (cursor !== null);
      const all = saved.map((_, sequenceId) => sequenceId);
      expect(seen).toEqual(order === 'newest-first' ? all.reverse() : all);
    }
    expect((await persister.listSteps('p', 'chat', { after: 60, before: 70, order: 'oldest-first' })).steps.map((step) => step.sequenceId)).toEqual([
      61, 62, 63, 64, 65, 66, 67, 68, 69,
    ]);
    for (const sequenceId of [1, 63, 64, 100, 127, 128, 149]) expect((await persister.load('p', 'chat', sequenceId))?.state.getAll()).toEqual(saved[sequenceId]);
    const steps = (await persister.listSteps('p', 'chat', { order: 'oldest-first', limit: 200 })).steps;
    expect(steps.map((step) => step.sequenceId)).toEqual(saved.map((_, sequenceId) => sequenceId));
    expect(steps.map((step) => step.storedAs)).toEqual(['snapshot', ...Array(149).fill('delta')]);
    expect(steps[70]!.sizeBytes).toBe(JSON.stringify({ '+messages': ['message 70'] }).length);
    // Keeping the last 80 (70-149): 70, whose base goes, becomes a snapshot; 64-69 leave segment #1.
    const report = await persister.prune({ target: { partitionKey: 'p', appId: 'chat' }, keepLast: 80 });
    expect(report.stepsRemoved).toBe(70);
    expect(await counts()).toEqual({ '#1': 57, '#2': 22 });
    // A segment the prune rewrote is one item.
    expect(await items()).toEqual([0, 1, 22]);
    // 70, now a snapshot, has its own entry; segment #0 went with its last record.
    expect((await index()).map((entry) => entry.value)).toEqual(['70', '#1', '#2']);
    expect(Object.keys(await suite.admin.hGetAll(layout.stepKey('p', 'chat', 70)))).toContain('state');
    for (const sequenceId of [70, 71, 127, 149]) expect((await persister.load('p', 'chat', sequenceId))?.state.getAll()).toEqual(saved[sequenceId]);
    expect(await persister.load('p', 'chat', 69)).toBeNull();
    expect(await persister.deleteApp('p', 'chat')).toBe(80);
    expect(await suite.admin.exists(segmentKeys)).toBe(0);
  });

  it('loads deltas stored as earlier versions stored them (with a head, or before heads) among packed ones, and refuses an entry whose head is broken, naming its sequence id', async () => {
    const { namespace, persister } = await openIncremental();
    const layout = new RedisKeyLayout(namespace, 'incremental');
    const deltas = layout.appDeltasKey('p', 'chat');
    let state = new State({ messages: [] as string[] });
    const save = async (sequenceId: number) => {
      state = state.append({ messages: `message ${sequenceId}` });
      await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId, position: 'respond', state, status: 'completed' });
    };
    for (let sequenceId = 0; sequenceId < 6; sequenceId++) await save(sequenceId);
    // 1, 3 and 5 as the version with heads stored them, 2 and 4 as the one before heads.
    for (const sequenceId of [1, 2, 3, 4, 5]) await storeAsBeforePacking(suite.admin, layout, 'chat', sequenceId, sequenceId % 2 === 0 ? 'bare' : 'head');
    expect(await suite.admin.exists(layout.appSegmentKey('p', 'chat', 0))).toBe(0);
    // This version packs what it saves next, in the same app.
    for (let sequenceId = 6; sequenceId < 8; sequenceId++) await save(sequenceId);
    expect((await segmentText(suite.admin, layout, 'chat', 0))?.startsWith('\n[6,')).toBe(true);
    expect((await persister.listSteps('p', 'chat', { order: 'oldest-first' })).steps.map((step) => step.storedAs)).toEqual(['snapshot', ...Array(7).fill('delta')]);
    expect((await persister.load('p', 'chat'))?.state.getAll()).toEqual(state.getAll());
    expect((await persister.load('p', 'chat', 3))?.state.get('messages')).toEqual(state.get('messages').slice(0, 4));
    expect((await persister.load('p', 'chat', 6))?.state.get('messages')).toEqual(state.get('messages').slice(0, 7));
    await suite.admin.hSet(deltas, '5', '["respond",4]\n{"+messages":["forged"]}');
    await expect(persister.load('p', 'chat')).rejects.toThrow(/sequence 5 has no valid head/);
    expect((await persister.load('p', 'chat', 4))?.state.get('messages')).toEqual(state.get('messages').slice(0, 5));
    // A head that names no base stands for the step before: without that step in the chain, the delta is refused.
    await suite.admin.hSet(deltas, '5', '["respond"]\n{"+messages":["message 5"]}');
    expect((await persister.load('p', 'chat'))?.state.getAll()).toEqual(state.getAll());
    await suite.admin.zRem(layout.appStepsKey('p', 'chat'), '4');
    await expect(persister.load('p', 'chat')).rejects.toThrow(/sequence 5 has no base position/);
  });

  it('refuses a packed delta whose head is broken, naming it, and takes it for no base', async () => {
    const { namespace, persister } = await openIncremental();
    const layout = new RedisKeyLayout(namespace, 'incremental');
    let state = new State({ messages: [] as string[] });
    for (let sequenceId = 0; sequenceId < 3; sequenceId++) {
      state = state.append({ messages: `message ${sequenceId}` });
      await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId, position: 'respond', state, status: 'completed' });
    }
    const segment = (await segmentText(suite.admin, layout, 'chat', 0))!;
    await writeSegment(suite.admin, layout, 'chat', 0, segment.replace('[2,"respond"', '[2,7'));
    await expect(persister.load('p', 'chat')).rejects.toThrow(/packed delta has no valid head/);
    expect((await persister.load('p', 'chat', 1))?.state.get('messages')).toEqual(['message 0', 'message 1']);
    // History names it as a stored step it cannot read; a save after it is no delta on it, but a snapshot.
    await expect(persister.listSteps('p', 'chat')).rejects.toThrow(/sequence "2"/);
    expect((await persister.listSteps('p', 'chat', { before: 2 })).steps.map((step) => step.sequenceId)).toEqual([1, 0]);
    state = state.append({ messages: 'message 3' });
    await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId: 3, position: 'respond', state, status: 'completed' });
    expect((await persister.listSteps('p', 'chat', { after: 2 })).steps.map((step) => [step.sequenceId, step.storedAs])).toEqual([[3, 'snapshot']]);
    expect((await persister.load('p', 'chat'))?.state.getAll()).toEqual(state.getAll());
  });

  it('packs deltas of 10 KB as well: a save pushes its record and reads only the last one, however large the segment', async () => {
    const { namespace, persister } = await openIncremental();
    const layout = new RedisKeyLayout(namespace, 'incremental');
    const saved: Record<string, unknown>[] = [];
    let state = new State({ notes: [] as string[] });
    for (let sequenceId = 0; sequenceId < 8; sequenceId++) {
      state = state.append({ notes: `${sequenceId} ${'n'.repeat(10_000)}` });
      await persister.save({ partitionKey: 'p', appId: 'notes', sequenceId, position: 'write', state, status: 'completed' });
      saved.push(state.getAll());
    }
    const items = await suite.admin.lRange(layout.appSegmentKey('p', 'notes', 0), 0, -1);
    expect(items.map((item) => (JSON.parse(item.split('\n')[1]!) as number[])[0])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // The segment's entry is scored at its last sequence id (63).
    expect(await suite.admin.zRange(layout.appStepsKey('p', 'notes'), 0, -1)).toEqual(['0', '#0']);
    for (const [sequenceId, values] of saved.entries()) expect((await persister.load('p', 'notes', sequenceId))?.state.getAll()).toEqual(values);
    const steps = (await persister.listSteps('p', 'notes', { order: 'oldest-first' })).steps;
    expect(steps.map((step) => step.storedAs)).toEqual(['snapshot', ...Array(7).fill('delta')]);
  });

  it('sequence ids near 2^53 come back exact, packed or not', async () => {
    const { persister } = await openIncremental();
    const top = Number.MAX_SAFE_INTEGER;
    const saved = new Map<number, Record<string, unknown>>();
    let state = new State({ messages: [] as string[] });
    for (const sequenceId of [top - 70, top - 2, top - 1, top]) {
      state = state.append({ messages: `message ${sequenceId}` });
      await persister.save({ partitionKey: 'p', appId: 'far', sequenceId, position: 'respond', state, status: 'completed' });
      saved.set(sequenceId, state.getAll());
    }
    for (const [sequenceId, values] of saved) {
      const loaded = await persister.load('p', 'far', sequenceId);
      expect(loaded?.sequenceId).toBe(sequenceId);
      expect(loaded?.state.getAll()).toEqual(values);
    }
    expect((await persister.listSteps('p', 'far')).steps.map((step) => step.sequenceId)).toEqual([top, top - 1, top - 2, top - 70]);
  });

  it('a prune refuses, with a typed error and nothing removed, to cut a chain through a packed delta whose head is broken, after a gap', async () => {
    const { namespace, persister } = await openIncremental();
    const layout = new RedisKeyLayout(namespace, 'incremental');
    let state = new State({ messages: [] as string[] });
    for (const sequenceId of [0, 1, 2, 3, 5, 6]) {
      state = state.append({ messages: `message ${sequenceId}` });
      await persister.save({ partitionKey: 'p', appId: 'gap', sequenceId, position: 'respond', state, status: 'completed' });
    }
    const segment = (await segmentText(suite.admin, layout, 'gap', 0))!;
    await writeSegment(suite.admin, layout, 'gap', 0, segment.replace('[5,"respond"', '[5,7'));
    // 6, kept, is a delta on 5, which goes: it cannot be rewritten as a snapshot without reading 5, so nothing goes.
    await expect(persister.prune({ target: { partitionKey: 'p', appId: 'gap' }, keepLast: 1 })).rejects.toThrow(/sequence "6".*packed delta has no valid head/);
    expect((await persister.listSteps('p', 'gap', { before: 5 })).steps.map((step) => step.sequenceId)).toEqual([3, 2, 1, 0]);
  });

  it("a packed delta's head leaves out its status when completed and its base where it is the step before, and every form loads back", async () => {
    const { namespace, persister } = await openIncremental();
    const layout = new RedisKeyLayout(namespace, 'incremental');
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
    const lines = (await segmentText(suite.admin, layout, 'chat', 0))!.split('\n');
    const heads = lines.filter((_, index) => index % 2 === 1).map((head) => (JSON.parse(head) as unknown[]).filter((_, index) => index !== 2));
    expect(heads).toEqual([
      [1, 'answer'],
      [2, 'answer'],
      [4, 'answer', 'completed', 2, 'answer'],
      [5, 'ask'],
    ]);
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

  it("finds a base below its segment's last record and a sequence id below the app's latest in the segment itself: a taken one conflicts, a free one is packed", async () => {
    const { namespace, persister: first } = await openIncremental();
    const second = await RedisPersister.fromUrl(url, { namespace, storage: 'incremental' });
    suite.opened.push(second);
    const layout = new RedisKeyLayout(namespace, 'incremental');
    const states = new Map<number, State>();
    let state: State = new State({ messages: [] as string[] });
    const save = async (persister: RedisPersister, sequenceId: number, from: State) => {
      const next = from.append({ messages: `message ${sequenceId}` });
      await persister.save({ partitionKey: 'p', appId: 'chat', sequenceId, position: 'respond', state: next, status: 'completed' });
      states.set(sequenceId, next);
      return next;
    };
    for (const sequenceId of [0, 1, 2]) state = await save(first, sequenceId, state);
    // The second persister's first save is a snapshot (it saved nothing before); its next a delta on it, packed.
    let other = await save(second, 3, state);
    other = await save(second, 4, other);
    // The first persister's next delta is on its own last save, 2: not the segment's last record (4).
    await save(first, 6, states.get(2)!);
    const heads = (await segmentText(suite.admin, layout, 'chat', 0))!
      .split('\n')
      .filter((_, index) => index % 2 === 1)
      .map((head) => (JSON.parse(head) as unknown[]).filter((_, index) => index !== 2));
    expect(heads).toEqual([
      [1, 'respond'],
      [2, 'respond'],
      [4, 'respond'],
      [6, 'respond', 'completed', 2, 'respond'],
    ]);
    // 5 lies below the app's latest (6) and is free: packed, on 4. 4 is taken by a record: a different state conflicts.
    await save(second, 5, other);
    await expect(
      first.save({ partitionKey: 'p', appId: 'chat', sequenceId: 4, position: 'respond', state: new State({ messages: ['other'] }), status: 'completed' }),
    ).rejects.toThrow(PersisterConflictError);
    // The same step again is an idempotent repeat.
    await second.save({ partitionKey: 'p', appId: 'chat', sequenceId: 5, position: 'respond', state: states.get(5)!, status: 'completed' });
    expect(await suite.admin.lLen(layout.appSegmentKey('p', 'chat', 0))).toBe(5);
    for (const [sequenceId, expected] of states) expect((await first.load('p', 'chat', sequenceId))?.state.getAll()).toEqual(expected.getAll());
    expect((await first.listSteps('p', 'chat', { order: 'oldest-first' })).steps.map((step) => [step.sequenceId, step.storedAs])).toEqual([
      [0, 'snapshot'],
      [1, 'delta'],
      [2, 'delta'],
      [3, 'snapshot'],
      [4, 'delta'],
      [5, 'delta'],
      [6, 'delta'],
    ]);
  });
  it("a load whose chain loses a base between its two reads (another persister's prune, or deleteApp) reads again: the step, or null", async () => {
    for (const between of ['prune', 'deleteApp'] as const) {
      const { namespace, persister: writer } = await openIncremental();
      const other = await RedisPersister.fromUrl(url, { namespace, storage: 'incremental' });
      suite.opened.push(other);
      const save = (persister: RedisPersister, sequenceId: number, state: State) =>
        persister.save({ partitionKey: 'p', appId: 'app', sequenceId, position: 'step', state, status: 'completed' });
      let state = new State({ log: ['s0'] });
      await save(writer, 0, state);
      for (const n of [1, 2]) {
        state = state.append({ log: `s${n}` });
        await save(writer, n, state);
      }
      // Another writer's snapshot at 3, then a delta on 2 at 4: a load of 4 reads from the snapshot at 3, then its base 2.
      await save(other, 3, new State({ log: ['b3'] }));
      await save(writer, 4, state.append({ log: 's4' }));
      // The reader's client runs the other persister's removal right before its second read: a real prune or delete, in that window.
      const admin = await testClient(url);
      let reads = 0;
      let removed: number | undefined;
      const reader = new RedisPersister(
        {
          sendCommand: async (args: ReadonlyArray<string | Buffer>) => {
            if (++reads === 2) {
              removed = between === 'prune' ? (await other.prune({ keepLast: 2, target: { partitionKey: 'p', appId: 'app' } })).stepsRemoved : await other.deleteApp('p', 'app');
            }
            return admin.sendCommand([...args]);
          },
        },
        { namespace, storage: 'incremental' },
      );
      try {
        const loaded = await reader.load('p', 'app', 4);
        if (between === 'prune') {
          expect(removed, between).toBe(3);
          expect(loaded?.state.getAll(), between).toEqual({ log: ['s0', 's1', 's2', 's4'] });
        } else {
          expect(removed, between).toBe(5);
          expect(loaded, between).toBeNull();
        }
      } finally {
        await admin.close();
      }
    }
  });
});
