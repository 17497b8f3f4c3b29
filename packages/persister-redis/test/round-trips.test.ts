// Each page of history, each app listing page and a delete are one command from the client (one Lua script), read
// from MONITOR. Needs Redis: BURR_TEST_REDIS_URL, else a Testcontainers container, else a server on 127.0.0.1:6379;
// without any, every case is registered as skipped with the reason.
import { State } from '@burr/core';
import { provideRedis } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisPersister } from '../src/index.js';
import { monitorCommands, scratch, testClient } from './helpers.js';

const database = await provideRedis();
const skipReason = 'skip' in database ? database.skip : null;
const url = 'url' in database ? database.url : 'redis://127.0.0.1:6379';
const registerSuite = skipReason === null ? describe : describe.skip;

registerSuite(skipReason === null ? 'RedisPersister round trips' : `RedisPersister round trips [skipped: ${skipReason}]`, () => {
  const store = scratch(url);
  let admin!: Awaited<ReturnType<typeof testClient>>;
  let persister!: RedisPersister;
  beforeAll(async () => {
    admin = await testClient(url);
    persister = await RedisPersister.fromUrl(url, { namespace: store.namespace() });
  });
  afterAll(async () => {
    await persister?.cleanup();
    await store.drop();
    await admin?.close();
    if ('stop' in database) await database.stop();
  });

  /** The commands `persister`'s connection sent, and those its scripts ran, while `work` ran. */
  async function commandsOf(work: () => Promise<unknown>): Promise<{ fromClient: string[]; fromScripts: string[] }> {
    const seen = await monitorCommands(url, admin, persister, work);
    return { fromClient: seen.fromClient, fromScripts: seen.fromScripts.map((script) => script.command) };
  }

  it('listSteps, listApps (first and next page), load(partitionKey, null) and deleteApp: one EVALSHA each', async () => {
    for (const appId of ['a', 'b', 'c']) {
      for (let sequenceId = 0; sequenceId < 20; sequenceId++) {
        await persister.save({ partitionKey: 'p', appId, sequenceId, position: 'step', state: new State({ n: sequenceId }), status: 'completed' });
      }
    }
    // Warm the script cache, so no NOSCRIPT fallback shows up below.
    await persister.listSteps('p', 'a');
    await persister.listApps('p');
    await persister.deleteApp('p', 'nothing');

    const steps = await commandsOf(() => persister.listSteps('p', 'a', { limit: 5, before: 12 }));
    expect(steps.fromClient).toEqual(['EVALSHA']);
    expect(steps.fromScripts).toEqual(expect.arrayContaining(['ZRANGE', 'HMGET', 'HSTRLEN']));
    // The page, plus one row that says whether a next page exists.
    expect(steps.fromScripts.filter((command) => command === 'HMGET')).toHaveLength(6);
    expect(steps.fromScripts).not.toContain('HGET');
    expect(steps.fromScripts).not.toContain('HGETALL');

    const withState = await commandsOf(() => persister.listSteps('p', 'a', { limit: 3, includeState: true }));
    expect(withState.fromClient).toEqual(['EVALSHA']);
    expect(withState.fromScripts.filter((command) => command === 'HGET')).toHaveLength(4);

    let cursor: string | null = null;
    const firstApps = await commandsOf(async () => {
      cursor = (await persister.listApps('p', { limit: 2 })).nextCursor;
    });
    expect(firstApps.fromClient).toEqual(['EVALSHA']);
    const nextApps = await commandsOf(() => persister.listApps('p', { limit: 2, cursor }));
    expect(nextApps.fromClient).toEqual(['EVALSHA']);
    const latest = await commandsOf(() => persister.load('p', null));
    expect(latest.fromClient).toEqual(['EVALSHA', 'EVALSHA']);

    const deleted = await commandsOf(() => persister.deleteApp('p', 'b'));
    expect(deleted.fromClient).toEqual(['EVALSHA']);
    expect(deleted.fromScripts).toContain('UNLINK');
    for (const { fromClient, fromScripts } of [steps, withState, firstApps, nextApps, latest, deleted]) {
      expect([...fromClient, ...fromScripts]).not.toContain('KEYS');
      expect([...fromClient, ...fromScripts]).not.toContain('SCAN');
    }
  });

  it('a prune batch is one script; a prune of one partition never scans the keyspace', async () => {
    const { fromClient, fromScripts } = await commandsOf(() => persister.prune({ keepLast: 1, target: { partitionKey: 'p', appId: 'c' } }));
    // The newest step kept, the batch below it, the removal (which checks that kept step itself: the app was not started over).
    expect(fromClient).toEqual(['EVALSHA', 'EVALSHA', 'EVALSHA']);
    expect(fromScripts.filter((command) => command === 'UNLINK')).toHaveLength(19);
    const partition = await commandsOf(() => persister.prune({ keepLast: 1, target: { partitionKey: 'p' } }));
    expect(partition.fromClient).not.toContain('SCAN');
  });
});
