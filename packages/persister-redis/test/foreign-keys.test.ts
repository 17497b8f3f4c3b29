// A key of another type at a name a save writes (another program's, in Burr's namespace): the save must fail before
// its first write, not halfway, leaving a step that loads but is missing from the indexes. Needs Redis:
// BURR_TEST_REDIS_URL, else a Testcontainers container, else a server on 127.0.0.1:6379; without any, the cases are
// registered as skipped with the reason.
import { State, type StorageMode } from '@burr/core';
import { provideRedis } from '@burr/testkit';
import { describe, expect, it } from 'vitest';
import { RedisKeyLayout, RedisPersister } from '../src/index.js';
import { redisSuite } from './helpers.js';

const database = await provideRedis();
const skipReason = 'skip' in database ? database.skip : null;
const url = 'url' in database ? database.url : 'redis://127.0.0.1:6379';
const registerSuite = skipReason === null ? describe : describe.skip;

type Layout = RedisKeyLayout;

/** The keys a save writes, each with the step saved before it (`null`: the app's first save). */
const CASES: ReadonlyArray<{ storage: StorageMode; name: string; key: (keys: Layout) => string; savedBefore: number | null; saving: number }> = [
  { storage: 'full', name: 'the partition’s save-time hash', key: (keys) => keys.savedAtKey('p'), savedBefore: 0, saving: 1 },
  { storage: 'incremental', name: 'the partition’s save-time hash', key: (keys) => keys.savedAtKey('p'), savedBefore: 0, saving: 1 },
  { storage: 'full', name: 'the index of an app’s first step', key: (keys) => keys.appStepsKey('p', 'app'), savedBefore: null, saving: 0 },
  { storage: 'incremental', name: 'the index of an app’s first step', key: (keys) => keys.appStepsKey('p', 'app'), savedBefore: null, saving: 0 },
  // Sequence 64 is the first of segment 1: its delta is the first record pushed there.
  { storage: 'incremental', name: 'the segment a delta opens', key: (keys) => keys.appSegmentKey('p', 'app', 1), savedBefore: 63, saving: 64 },
];

registerSuite(`a foreign key at a name a save writes${skipReason ? ` [skipped: ${skipReason}]` : ''}`, () => {
  const suite = redisSuite(url, database);

  /** Every key of the namespace with its type and serialized value. */
  async function contents(namespace: string): Promise<Record<string, string>> {
    const all: Record<string, string> = {};
    for await (const keys of suite.admin.scanIterator({ MATCH: `${namespace}:*`, COUNT: 500 })) {
      for (const key of keys) {
        const dump = await suite.admin.sendCommand(['DUMP', key], { typeMapping: { 36: Buffer } } as never);
        all[key] = `${await suite.admin.type(key)} ${(dump as unknown as Buffer).toString('base64')}`;
      }
    }
    return all;
  }

  for (const { storage, name, key, savedBefore, saving } of CASES) {
    it(`${storage} storage, ${name}: the save fails with WRONGTYPE and writes nothing`, async () => {
      const namespace = suite.store.namespace();
      const persister = await RedisPersister.fromUrl(url, { namespace, storage });
      suite.opened.push(persister);
      const save = (sequenceId: number) =>
        persister.save({
          partitionKey: 'p',
          appId: 'app',
          sequenceId,
          position: 'step',
          status: 'completed',
          state: new State({ list: Array.from({ length: sequenceId + 1 }, (_, i) => i) }),
        });
      if (savedBefore !== null) for (let n = 0; n <= savedBefore; n++) await save(n);
      // Another app of the partition, so its sets exist whichever app's key is foreign.
      await persister.save({ partitionKey: 'p', appId: 'other', sequenceId: 0, position: 'step', status: 'completed', state: new State({}) });
      const foreign = key(new RedisKeyLayout(namespace, storage));
      await suite.admin.del(foreign);
      await suite.admin.set(foreign, 'another program’s value');
      const before = await contents(namespace);
      await expect(save(saving)).rejects.toThrow(/WRONGTYPE/);
      expect(await contents(namespace)).toEqual(before);
    });
  }

  it('incremental storage, the segment below the one a delta opens (which that save seals): the save fails with WRONGTYPE and writes nothing', async () => {
    const namespace = suite.store.namespace();
    const open = async () => {
      const persister = await RedisPersister.fromUrl(url, { namespace, storage: 'incremental' });
      suite.opened.push(persister);
      return persister;
    };
    const save = (persister: RedisPersister, sequenceId: number) =>
      persister.save({ partitionKey: 'p', appId: 'app', sequenceId, position: 'step', status: 'completed', state: new State({ n: sequenceId }) });
    const first = await open();
    for (let n = 0; n <= 62; n++) await save(first, n);
    // Another persister's first save is a snapshot, in a hash of its own: the delta at 64 finds its base without
    // reading segment 0, the segment it seals.
    const second = await open();
    await save(second, 63);
    const foreign = new RedisKeyLayout(namespace, 'incremental').appSegmentKey('p', 'app', 0);
    await suite.admin.del(foreign);
    await suite.admin.set(foreign, 'another program’s value');
    const before = await contents(namespace);
    await expect(save(second, 64)).rejects.toThrow(/WRONGTYPE/);
    // Before the fix the delta was pushed onto segment 1 before sealing segment 0 failed.
    expect(await contents(namespace)).toEqual(before);
  });
});
