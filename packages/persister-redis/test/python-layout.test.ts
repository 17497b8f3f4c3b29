// History, listing, delete and prune over Python Burr's key layout: steps Python wrote (not in our per-app index)
// are found, and what Python reads (its partition set, the step hashes) stays true after deletes and prunes.
// Needs Redis: BURR_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379), else a Testcontainers container, else a server
// on 127.0.0.1:6379; without any, every case is registered as skipped with the reason.
import { MAX_PAGE_SIZE, State, type BaseStatePersister } from '@burr/core';
import { pageThroughApps, provideRedis } from '@burr/testkit';
import { describe, expect, it } from 'vitest';
import { RedisKeyLayout, RedisPersister } from '../src/index.js';
import { ADOPT_CHUNK } from '../src/lua-prelude.js';
import { redisSuite } from './helpers.js';
import { pythonListAppIds, pythonLoad, pythonSave, pythonSaveMany } from './python-burr.js';

const database = await provideRedis();
const skipReason = 'skip' in database ? database.skip : null;
const url = 'url' in database ? database.url : 'redis://127.0.0.1:6379';
const registerSuite = skipReason === null ? describe : describe.skip;

/** Every sequence id of an app, oldest first, read a page at a time. */
async function allSequenceIds(persister: BaseStatePersister, partitionKey: string, appId: string, limit = MAX_PAGE_SIZE): Promise<number[]> {
  const ids: number[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await persister.listSteps(partitionKey, appId, { order: 'oldest-first', limit, after });
    ids.push(...page.steps.map((step) => step.sequenceId));
    if (page.nextCursor === null) return ids;
    after = page.nextCursor;
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const saveStep = (persister: RedisPersister, partitionKey: string, appId: string, sequenceId: number) =>
  persister.save({ partitionKey, appId, sequenceId, position: `step${sequenceId}`, state: new State({ n: sequenceId }), status: 'completed' });

registerSuite(skipReason === null ? 'RedisPersister over Python Burr’s layout' : `RedisPersister over Python Burr’s layout [skipped: ${skipReason}]`, () => {
  const suite = redisSuite(url, database);
  const { store, opened } = suite;

  const fresh = async (): Promise<{ persister: RedisPersister; ns: string; keys: RedisKeyLayout }> => {
    const ns = store.namespace();
    const persister = await RedisPersister.fromUrl(url, { namespace: ns });
    opened.push(persister);
    return { persister, ns, keys: new RedisKeyLayout(ns) };
  };
  const keysOf = async (pattern: string): Promise<string[]> => {
    const found: string[] = [];
    for await (const batch of suite.admin.scanIterator({ MATCH: pattern, COUNT: 1000 })) found.push(...batch);
    return found.sort();
  };

  describe('steps Python wrote (no per-app index)', () => {
    it('listSteps finds them, in both orders and across pages, and indexes them on the way', async () => {
      const { persister, ns, keys } = await fresh();
      await pythonSaveMany(suite.admin, ns, { partitionKey: 'p', appId: 'py', count: 30, status: 'completed' });
      expect(await suite.admin.exists(keys.appStepsKey('p', 'py'))).toBe(0);
      const newest = await persister.listSteps('p', 'py', { limit: 4 });
      expect(newest.steps.map((step) => step.sequenceId)).toEqual([29, 28, 27, 26]);
      expect(newest.steps[0]).toMatchObject({ partitionKey: 'p', appId: 'py', position: 'step29', status: 'completed' });
      expect(newest.steps[0]?.sizeBytes).toBe(Buffer.byteLength('{"n": 29, "__SEQUENCE_ID": 29}'));
      expect(await allSequenceIds(persister, 'p', 'py', 7)).toEqual(range(0, 29));
      expect(await suite.admin.zCard(keys.appStepsKey('p', 'py'))).toBe(30);
      expect(await suite.admin.exists(keys.appUnindexedKey('p', 'py'))).toBe(0);
      const withState = await persister.listSteps('p', 'py', { limit: 1, includeState: true });
      expect(withState.steps[0]?.state?.getAll()).toEqual({ n: 29, __SEQUENCE_ID: 29 });
    });

    it(`an app of more steps than one indexing call checks (${ADOPT_CHUNK}) is listed and deleted whole; Python's set forgets it`, async () => {
      const { persister, ns, keys } = await fresh();
      const count = ADOPT_CHUNK * 2 + 345;
      await pythonSaveMany(suite.admin, ns, { partitionKey: 'p', appId: 'long', count });
      await pythonSave(suite.admin, ns, { partitionKey: 'p', appId: 'other', sequenceId: 0 });
      const first = await persister.listSteps('p', 'long', { limit: 3 });
      expect(first.steps.map((step) => step.sequenceId)).toEqual([count - 1, count - 2, count - 3]);
      expect(await persister.deleteApp('p', 'long')).toBe(count);
      expect(await keysOf(`${ns}:p:long:*`)).toEqual([]);
      expect(await pythonListAppIds(suite.admin, ns, 'p')).toEqual(['other']);
      expect(await pythonLoad(suite.admin, ns, 'p', 'long')).toBeNull();
      expect(await persister.listAppIds('p')).toEqual(['other']);
      expect(await suite.admin.exists(keys.appStepsKey('p', 'long'))).toBe(0);
    });

    it('an app Python wrote and we resumed: the steps from before our first save are found, prune keeps what Python reads', async () => {
      const { persister, ns, keys } = await fresh();
      await pythonSaveMany(suite.admin, ns, { partitionKey: 'p', appId: 'resumed', count: 5 });
      for (const sequenceId of [5, 6, 7]) await saveStep(persister, 'p', 'resumed', sequenceId);
      expect(await suite.admin.get(keys.appUnindexedKey('p', 'resumed'))).toBe('4');
      expect(await allSequenceIds(persister, 'p', 'resumed')).toEqual(range(0, 7));
      const report = await persister.prune({ keepLast: 2, target: { partitionKey: 'p' } });
      expect(report).toMatchObject({ appsScanned: 1, appsPruned: 1, stepsRemoved: 6 });
      expect(await allSequenceIds(persister, 'p', 'resumed')).toEqual([6, 7]);
      const loaded = await pythonLoad(suite.admin, ns, 'p', 'resumed');
      expect(loaded).toMatchObject({ loaded_sequence_id: '7', app_id: 'resumed', position: 'step7', status: 'completed' });
      expect(Object.keys(loaded!).sort()).toEqual(['app_id', 'created_at', 'loaded_sequence_id', 'partition_key', 'position', 'sequence_id', 'state', 'status']);
      expect(await pythonLoad(suite.admin, ns, 'p', 'resumed', 6)).not.toBeNull();
      expect(await pythonLoad(suite.admin, ns, 'p', 'resumed', 5)).toBeNull();
      expect(await pythonListAppIds(suite.admin, ns, 'p')).toEqual(['resumed']);
      expect(await suite.admin.zScore(`${ns}:p`, 'resumed')).toBe(7);
    });

    it('steps Python saved after ours are found, and the app’s last save time is Python’s', async () => {
      const { persister, ns } = await fresh();
      for (const sequenceId of [0, 1, 2]) await saveStep(persister, 'p', 'handed-over', sequenceId);
      const pythonTime = new Date(Date.now() + 60_000);
      for (const sequenceId of [3, 4]) await pythonSave(suite.admin, ns, { partitionKey: 'p', appId: 'handed-over', sequenceId, status: 'failed', createdAt: pythonTime });
      expect(await allSequenceIds(persister, 'p', 'handed-over')).toEqual(range(0, 4));
      const [app] = (await persister.listApps('p')).apps;
      expect(app).toMatchObject({ appId: 'handed-over', lastSequenceId: 4, lastPosition: 'step4', lastStatus: 'failed' });
      expect(app?.lastSavedAt.getTime()).toBe(pythonTime.getTime());
      expect(await persister.prune({ keepLast: 1, target: { partitionKey: 'p', appId: 'handed-over' } })).toMatchObject({ stepsRemoved: 4 });
      expect(await pythonLoad(suite.admin, ns, 'p', 'handed-over')).toMatchObject({ loaded_sequence_id: '4', status: 'failed' });
    });

    it('prune with olderThan compares Python’s isoformat times, fraction or none', async () => {
      const { persister, ns, keys } = await fresh();
      const old = new Date('2026-01-02T03:04:05.000Z');
      await pythonSave(suite.admin, ns, { partitionKey: 'p', appId: 'times', sequenceId: 0, createdAt: old });
      await pythonSave(suite.admin, ns, { partitionKey: 'p', appId: 'times', sequenceId: 1, createdAt: old });
      await pythonSave(suite.admin, ns, { partitionKey: 'p', appId: 'times', sequenceId: 2, createdAt: new Date('2026-01-02T03:04:07.000Z') });
      await pythonSave(suite.admin, ns, { partitionKey: 'p', appId: 'times', sequenceId: 3 });
      // isoformat() leaves the fraction out when it is zero.
      await suite.admin.hSet(keys.stepKey('p', 'times', 1), 'created_at', '2026-01-02T03:04:06+00:00');
      const report = await persister.prune({ olderThan: new Date('2026-01-02T03:04:06.500Z'), target: { partitionKey: 'p' } });
      expect(report.stepsRemoved).toBe(2);
      expect(await allSequenceIds(persister, 'p', 'times')).toEqual([2, 3]);
    });

    it('listApps shows apps only Python wrote after ours, by latest sequence id, and pages across both', async () => {
      const { persister, ns } = await fresh();
      for (const [appId, latest] of [
        ['py-a', 3],
        ['py-b', 7],
        ['py-c', 3],
      ] as const) {
        await pythonSaveMany(suite.admin, ns, { partitionKey: 'p', appId, count: latest + 1 });
      }
      await saveStep(persister, 'p', 'ours-1', 0);
      await saveStep(persister, 'p', 'ours-2', 0);
      const expected = ['ours-2', 'ours-1', 'py-b', 'py-c', 'py-a'];
      expect((await persister.listApps('p')).apps.map((app) => app.appId)).toEqual(expected);
      expect(await persister.listAppIds('p')).toEqual(expected);
      for (const limit of [1, 2, 3])
        expect(
          (await pageThroughApps(persister, 'p', limit)).map((app) => app.appId),
          `limit ${limit}`,
        ).toEqual(expected);
      const pyB = (await persister.listApps('p')).apps[2];
      expect(pyB).toMatchObject({ appId: 'py-b', lastSequenceId: 7, lastPosition: 'step7', lastStatus: 'completed' });
      // With only Python's apps, the partition's latest is Python's highest sequence id (its own order).
      await persister.deleteApp('p', 'ours-1');
      await persister.deleteApp('p', 'ours-2');
      expect((await persister.load('p', null))?.appId).toBe('py-b');
    });

    it('a partition-set entry whose step hash is gone is listed nowhere and leaves Python’s set', async () => {
      const { persister, ns } = await fresh();
      await pythonSave(suite.admin, ns, { partitionKey: 'p', appId: 'alive', sequenceId: 0 });
      await suite.admin.zAdd(`${ns}:p`, { score: 4, value: 'ghost' });
      expect(await persister.listAppIds('p')).toEqual(['alive']);
      expect((await persister.listApps('p')).apps.map((app) => app.appId)).toEqual(['alive']);
      expect(await pythonListAppIds(suite.admin, ns, 'p')).toEqual(['alive']);
      expect(await persister.deleteApp('p', 'ghost')).toBe(0);
    });
  });

  describe('what Python reads after our deletes and prunes', () => {
    it('deleteApp removes the app from Python’s set and every key of it; other apps stay readable to Python', async () => {
      const { persister, ns, keys } = await fresh();
      for (const sequenceId of range(0, 4)) await saveStep(persister, 'p', 'gone', sequenceId);
      for (const sequenceId of range(0, 2)) await saveStep(persister, 'p', 'kept', sequenceId);
      await pythonSaveMany(suite.admin, ns, { partitionKey: 'p', appId: 'python-kept', count: 2 });
      expect(await persister.deleteApp('p', 'gone')).toBe(5);
      expect(await keysOf(`${ns}:p:gone:*`)).toEqual([]);
      expect((await pythonListAppIds(suite.admin, ns, 'p')).sort()).toEqual(['kept', 'python-kept']);
      expect(await suite.admin.zScore(keys.appsBySaveKey('p'), 'gone')).toBeNull();
      expect(await suite.admin.hExists(keys.savedAtKey('p'), 'gone')).toBe(0);
      expect(await pythonLoad(suite.admin, ns, 'p', 'kept')).toMatchObject({ loaded_sequence_id: '2' });
      expect(await pythonLoad(suite.admin, ns, 'p', 'python-kept')).toMatchObject({ loaded_sequence_id: '1' });
    });

    it('prune leaves Python’s set naming each app’s latest step, whose hash keeps its seven fields', async () => {
      const { persister, ns, keys } = await fresh();
      for (const sequenceId of range(0, 9)) await saveStep(persister, 'p', 'long', sequenceId);
      await persister.prune({ keepLast: 3 });
      expect(await pythonLoad(suite.admin, ns, 'p', 'long')).toMatchObject({ loaded_sequence_id: '9', sequence_id: '9', position: 'step9' });
      expect(await keysOf(`${ns}:p:long:*`)).toEqual(
        [keys.stepKey('p', 'long', 7), keys.stepKey('p', 'long', 8), keys.stepKey('p', 'long', 9), keys.appStepsKey('p', 'long')].sort(),
      );
      expect(await suite.admin.zRange(keys.appStepsKey('p', 'long'), 0, -1)).toEqual(['7', '8', '9']);
    });
  });

  describe('prune of every partition', () => {
    it('finds the partitions of its namespace only, Python’s and ours, the empty partition key included', async () => {
      const { persister, ns } = await fresh();
      const neighbour = await fresh();
      for (const partitionKey of ['a', 'b', '']) for (const sequenceId of range(0, 3)) await saveStep(persister, partitionKey, `app-${partitionKey}`, sequenceId);
      await pythonSaveMany(suite.admin, ns, { partitionKey: 'python-only', appId: 'py', count: 4 });
      for (const sequenceId of range(0, 3)) await saveStep(neighbour.persister, 'a', 'app-a', sequenceId);
      const report = await persister.prune({ keepLast: 1 });
      expect(report).toMatchObject({ appsScanned: 4, appsPruned: 4, stepsRemoved: 12 });
      for (const [partitionKey, appId] of [
        ['a', 'app-a'],
        ['b', 'app-b'],
        ['', 'app-'],
        ['python-only', 'py'],
      ]) {
        expect(await allSequenceIds(persister, partitionKey!, appId!)).toEqual([3]);
      }
      expect(await allSequenceIds(neighbour.persister, 'a', 'app-a')).toEqual(range(0, 3));
    });

    it('scans a partition of more apps than one page holds, each once', async () => {
      const { persister } = await fresh();
      const apps = Array.from({ length: 1203 }, (_, i) => `app-${i}`);
      // Many apps share a latest sequence id, so the scan resumes among equal scores.
      await Promise.all(
        apps.map((appId, i) =>
          (async () => {
            for (let sequenceId = 0; sequenceId <= i % 3; sequenceId++) await saveStep(persister, 'wide', appId, sequenceId);
          })(),
        ),
      );
      const report = await persister.prune({ keepLast: 1, target: { partitionKey: 'wide' } });
      expect(report).toMatchObject({ appsScanned: 1203, appsPruned: 802, stepsRemoved: 401 + 401 * 2 });
    });
  });
});
