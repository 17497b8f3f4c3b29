// ttlSeconds: steps expire for real on the local server (short TTLs, polled until gone), and apps whose steps
// expired leave every listing. Needs Redis: BURR_TEST_REDIS_URL, else a Testcontainers container, else a server
// on 127.0.0.1:6379; without any, every case is registered as skipped with the reason.
import { InvalidPersistArgumentError, State } from '@burr/core';
import { provideRedis } from '@burr/testkit';
import { describe, expect, it } from 'vitest';
import { RedisKeyLayout, RedisPersister } from '../src/index.js';
import { redisSuite } from './helpers.js';

const database = await provideRedis();
const skipReason = 'skip' in database ? database.skip : null;
const url = 'url' in database ? database.url : 'redis://127.0.0.1:6379';
const registerSuite = skipReason === null ? describe : describe.skip;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 50 ms until it is true; fails after `withinMs`. */
async function eventually(check: () => Promise<boolean>, withinMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms: ${what}`);
    await pause(50);
  }
  return Date.now() - started;
}

const saveStep = (persister: RedisPersister, partitionKey: string, appId: string, sequenceId: number) =>
  persister.save({ partitionKey, appId, sequenceId, position: `step${sequenceId}`, state: new State({ n: sequenceId }), status: 'completed' });

describe('ttlSeconds validation', () => {
  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '5', 2 ** 60])('refuses %s with InvalidPersistArgumentError, before connecting', async (bad) => {
    const fakeClient = { sendCommand: async () => null };
    expect(() => new RedisPersister(fakeClient, { ttlSeconds: bad as number })).toThrow(InvalidPersistArgumentError);
    expect(() => new RedisPersister(fakeClient, { ttlSeconds: bad as number })).toThrow(/ttlSeconds must be a positive whole number of seconds/);
    // Port 1: nothing listens there, so reaching the connect step would fail differently.
    await expect(RedisPersister.fromUrl('redis://127.0.0.1:1', { ttlSeconds: bad as number })).rejects.toThrow(InvalidPersistArgumentError);
    await expect(RedisPersister.fromValues({ port: 1, ttlSeconds: bad as number })).rejects.toThrow(InvalidPersistArgumentError);
  });

  it('fromConfig takes ttlSeconds as a number only', async () => {
    await expect(RedisPersister.fromConfig({ url: 'redis://127.0.0.1:1', ttlSeconds: '60' })).rejects.toThrow(/"ttlSeconds" must be a number/);
    await expect(RedisPersister.fromConfig({ url: 'redis://127.0.0.1:1', ttlSeconds: 0 })).rejects.toThrow(InvalidPersistArgumentError);
  });

  it('keeps the value on the persister; none by default', () => {
    const fakeClient = { sendCommand: async () => null };
    expect(new RedisPersister(fakeClient, { ttlSeconds: 3600 }).ttlSeconds).toBe(3600);
    expect(new RedisPersister(fakeClient).ttlSeconds).toBeUndefined();
  });
});

registerSuite(skipReason === null ? 'RedisPersister ttlSeconds' : `RedisPersister ttlSeconds [skipped: ${skipReason}]`, () => {
  const suite = redisSuite(url, database);
  const { store, opened } = suite;

  const open = async (namespace: string, ttlSeconds?: number): Promise<RedisPersister> => {
    const persister = await RedisPersister.fromConfig({ url, namespace, ...(ttlSeconds === undefined ? {} : { ttlSeconds }) });
    opened.push(persister);
    return persister;
  };

  it('each step hash expires ttlSeconds after its save; the sets live as long as their newest member', async () => {
    const ns = store.namespace();
    const keys = new RedisKeyLayout(ns);
    const persister = await open(ns, 5);
    await saveStep(persister, 'p', 'a', 0);
    await pause(1100);
    await saveStep(persister, 'p', 'a', 1);
    // Read together (back to back on one connection), and compared with each other rather than with the clock,
    // which on a loaded machine may have moved on by a second since the save.
    const sets = [keys.appsBySequenceKey('p'), keys.appsBySaveKey('p'), keys.savedAtKey('p'), keys.appStepsKey('p', 'a')];
    const [first, second, ...ofSets] = await Promise.all([keys.stepKey('p', 'a', 0), keys.stepKey('p', 'a', 1), ...sets].map((key) => suite.admin.pTTL(key)));
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(4000);
    expect(second! - first!).toBeGreaterThanOrEqual(1000); // saved 1.1 s apart, each with 5 s to live
    expect(second).toBeLessThanOrEqual(5000);
    for (const [index, key] of sets.entries()) {
      expect(Math.abs(ofSets[index]! - second!), key).toBeLessThan(100); // as long as their newest member
    }
  });

  it('the partition’s expiring marker lives at least as long as every key a save gave a TTL, a shorter TTL’s save included', async () => {
    const ns = store.namespace();
    const keys = new RedisKeyLayout(ns);
    const marker = keys.expiringKey('p');
    await saveStep(await open(ns, 60), 'p', 'a', 0);
    await saveStep(await open(ns, 5), 'p', 'b', 0);
    const sets = [keys.appsBySequenceKey('p'), keys.appsBySaveKey('p'), keys.savedAtKey('p'), keys.appStepsKey('p', 'a'), keys.appStepsKey('p', 'b')];
    const [markerTtl, ...setTtls] = await Promise.all([marker, ...sets].map((key) => suite.admin.pTTL(key)));
    expect(Math.max(...setTtls)).toBeGreaterThan(50_000); // the 60 s save's
    for (const [index, key] of sets.entries()) expect(markerTtl, key).toBeGreaterThanOrEqual(setTtls[index]!);
  });

  it('a save without a TTL after saves with one, on the same app: every set it added to is persistent, and its step', async () => {
    const ns = store.namespace();
    const keys = new RedisKeyLayout(ns);
    await saveStep(await open(ns, 60), 'p', 'a', 0);
    await saveStep(await open(ns), 'p', 'a', 1);
    const sets = [keys.appsBySequenceKey('p'), keys.appsBySaveKey('p'), keys.savedAtKey('p'), keys.appStepsKey('p', 'a'), keys.stepKey('p', 'a', 1)];
    for (const key of sets) expect(await suite.admin.pTTL(key), key).toBe(-1);
    expect(await suite.admin.pTTL(keys.stepKey('p', 'a', 0))).toBeGreaterThan(0);
  });

  it('saves without a TTL leave no expiring marker, and read it rather than touch each set', async () => {
    const ns = store.namespace();
    const keys = new RedisKeyLayout(ns);
    const persister = await open(ns);
    await saveStep(persister, 'p', 'a', 0);
    expect(await suite.admin.exists(keys.expiringKey('p'))).toBe(0);
    // A TTL set on a shared set by hand, without the marker, stays: the save trusts the marker alone.
    await suite.admin.pExpire(keys.appsBySaveKey('p'), 60_000);
    await saveStep(persister, 'p', 'a', 1);
    expect(await suite.admin.pTTL(keys.appsBySaveKey('p'))).toBeGreaterThan(0);
  });

  it('an app whose steps expired leaves listApps, listAppIds and load(partitionKey, null); its entries go too', async () => {
    const ns = store.namespace();
    const keys = new RedisKeyLayout(ns);
    const shortLived = await open(ns, 1);
    const lasting = await open(ns);
    await saveStep(lasting, 'p', 'lasting', 0);
    await saveStep(shortLived, 'p', 'brief', 0);
    const briefSavedAt = Date.now();
    await saveStep(shortLived, 'p', 'brief', 1);
    // A save without TTL makes the shared sets persistent again: its app must not expire with them.
    await saveStep(lasting, 'p', 'lasting', 1);
    expect(await suite.admin.pTTL(keys.appsBySequenceKey('p'))).toBe(-1);
    expect((await lasting.listApps('p')).apps.map((app) => app.appId)).toEqual(['lasting', 'brief']);
    await eventually(async () => (await suite.admin.exists(keys.stepKey('p', 'brief', 1))) === 0, 5000, 'the step hash expires');
    // It lived its second (measured from before the save: calls in between may take long on a loaded machine).
    expect(Date.now() - briefSavedAt).toBeGreaterThan(900);
    expect(await lasting.listAppIds('p')).toEqual(['lasting']);
    expect((await lasting.listApps('p')).apps.map((app) => app.appId)).toEqual(['lasting']);
    expect((await shortLived.load('p', null))?.appId).toBe('lasting');
    expect(await shortLived.load('p', 'brief')).toBeNull();
    expect(await shortLived.listSteps('p', 'brief')).toEqual({ steps: [], nextCursor: null });
    // Removed lazily by the listings above, from Python's set too.
    expect(await suite.admin.zScore(keys.appsBySequenceKey('p'), 'brief')).toBeNull();
    expect(await suite.admin.zScore(keys.appsBySaveKey('p'), 'brief')).toBeNull();
    expect(await suite.admin.hExists(keys.savedAtKey('p'), 'brief')).toBe(0);
    expect(await suite.admin.exists(keys.appStepsKey('p', 'brief'))).toBe(0);
  });

  it('an app whose steps expired, saved again from sequence 0 before any listing forgot it, is the new run again', async () => {
    const ns = store.namespace();
    const keys = new RedisKeyLayout(ns);
    const shortLived = await open(ns, 1);
    // Saves without a TTL keep the partition's sets, and the expired app's entries in them, alive.
    const lasting = await open(ns);
    await saveStep(lasting, 'p', 'lasting', 0);
    for (const sequenceId of [0, 1, 2, 3]) await saveStep(shortLived, 'p', 'a', sequenceId);
    await saveStep(lasting, 'p', 'lasting', 1);
    await eventually(async () => (await suite.admin.exists(keys.stepKey('p', 'a', 3))) === 0, 5000, 'the first run expires');
    expect(await suite.admin.zScore(keys.appsBySequenceKey('p'), 'a')).toBe(3);
    await saveStep(lasting, 'p', 'a', 0);
    // Before the fix the app kept its score 3 (ZADD GT), so its latest step was one long gone: it loaded as none.
    expect((await lasting.load('p', 'a'))?.sequenceId).toBe(0);
    expect(await lasting.listAppIds('p')).toEqual(['a', 'lasting']);
    await saveStep(lasting, 'p', 'a', 1);
    expect((await lasting.load('p', 'a'))?.state.get('n')).toBe(1);
  });

  it('when every app of a partition expired, the partition’s keys are gone and it lists nothing', async () => {
    const ns = store.namespace();
    const persister = await open(ns, 1);
    await saveStep(persister, 'p', 'a', 0);
    await saveStep(persister, 'p', 'b', 0);
    await eventually(async () => (await persister.listAppIds('p')).length === 0, 5000, 'both apps expire');
    await eventually(
      async () => {
        const left: string[] = [];
        for await (const batch of suite.admin.scanIterator({ MATCH: `${ns}:*` })) left.push(...batch);
        return left.length === 0;
      },
      5000,
      'every key expires',
    );
    expect(await persister.listApps('p')).toEqual({ apps: [], nextCursor: null });
    expect(await persister.load('p', null)).toBeNull();
    expect(await persister.prune({ keepLast: 1 })).toMatchObject({ appsScanned: 0, stepsRemoved: 0 });
  });

  it('listSteps skips steps that expired while newer ones live, and pages stay full', async () => {
    const ns = store.namespace();
    const keys = new RedisKeyLayout(ns);
    const persister = await open(ns, 2);
    for (const sequenceId of [0, 1, 2]) await saveStep(persister, 'p', 'a', sequenceId);
    // The newer steps outlive the first ones by this long: the checks below must run within it.
    await pause(1800);
    for (const sequenceId of [3, 4, 5]) await saveStep(persister, 'p', 'a', sequenceId);
    await eventually(async () => (await suite.admin.exists(keys.stepKey('p', 'a', 2))) === 0, 3000, 'the first three steps expire');
    const oldest = await persister.listSteps('p', 'a', { order: 'oldest-first', limit: 2 });
    expect(oldest.steps.map((step) => step.sequenceId)).toEqual([3, 4]);
    expect(oldest.nextCursor).toBe(4);
    expect((await persister.listSteps('p', 'a')).steps.map((step) => step.sequenceId)).toEqual([5, 4, 3]);
    expect(await suite.admin.zRange(keys.appStepsKey('p', 'a'), 0, -1)).toEqual(['3', '4', '5']);
    expect((await persister.load('p', 'a'))?.sequenceId).toBe(5);
  });

  it('each save with a TTL drops expired entries: the index and the partition sets do not grow with steps and apps long gone', async () => {
    const ns = store.namespace();
    const keys = new RedisKeyLayout(ns);
    const persister = await open(ns, 2);
    await saveStep(persister, 'p', 'old-app', 0);
    await saveStep(persister, 'p', 'running', 0);
    await pause(1800);
    // Keeps the app's index and the partition's sets alive past the expiry of the steps above.
    await saveStep(persister, 'p', 'running', 1);
    await eventually(async () => (await suite.admin.exists(keys.stepKey('p', 'running', 0))) === 0, 3000, 'the first steps expire');
    expect(await suite.admin.exists(keys.stepKey('p', 'old-app', 0))).toBe(0);
    expect(await suite.admin.zRange(keys.appStepsKey('p', 'running'), 0, -1)).toEqual(['0', '1']);
    expect(await suite.admin.zRange(keys.appsBySaveKey('p'), 0, -1)).toEqual(['old-app', 'running']);
    await saveStep(persister, 'p', 'running', 2);
    expect(await suite.admin.zRange(keys.appStepsKey('p', 'running'), 0, -1)).toEqual(['1', '2']);
    expect(await suite.admin.zRange(keys.appsBySaveKey('p'), 0, -1)).toEqual(['running']);
    expect(await suite.admin.zScore(keys.appsBySequenceKey('p'), 'old-app')).toBeNull();
    expect(await suite.admin.hExists(keys.savedAtKey('p'), 'old-app')).toBe(0);
  });
});
