// Needs Redis: BURR_TEST_REDIS_URL, else a Testcontainers container; without either it is skipped saying why.
import { DeserializationError, State } from '@burr/core';
import { provideRedis } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisKeyLayout, RedisPersister } from '../src/index.js';
import { scratch, testClient } from './helpers.js';

const database = await provideRedis();

/** Each corruption is written with node-redis itself (HSET) into the hash of a step the persister saved. */
const corruptions: Array<[string, 'state' | 'status' | 'created_at', string]> = [
  ['truncated JSON', 'state', '{"count": 1, "history": [1, 2'],
  ['a JSON array where the state object belongs', 'state', '[1, 2, 3]'],
  ['a bare JSON string', 'state', '"just text"'],
  ['a date tag whose value is no date', 'state', '{"when": {"__burr_serde__": "date", "value": "soon"}}'],
  ['a map tag whose value is no list of pairs', 'state', '{"m": {"__burr_serde__": "map", "value": {"a": 1}}}'],
  ['a bigint tag whose value is no integer', 'state', '{"n": {"__burr_serde__": "bigint", "value": "12.5"}}'],
  ['nesting far beyond the depth limit', 'state', `{"deep": ${'['.repeat(5000)}${']'.repeat(5000)}}`],
  ['an unknown status', 'status', 'paused'],
  ['a timestamp that is no date', 'created_at', 'the day before yesterday'],
];

if ('skip' in database) {
  describe.skip(`Redis corrupt rows [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const { url } = database;
  const store = scratch(url);
  const namespace = store.namespace();
  const keys = new RedisKeyLayout(namespace);
  const admin = await testClient(url);
  const persister = await RedisPersister.fromUrl(url, { namespace });
  afterAll(async () => {
    await persister.cleanup();
    await admin.close();
    await store.drop();
    await database.stop();
  });

  describe('Redis: a corrupt stored step gives a DeserializationError naming partition, app id and sequence id', () => {
    for (const [index, [what, field, value]] of corruptions.entries()) {
      it(`for ${what}`, async () => {
        const appId = `app-${index}`;
        await persister.save({ partitionKey: 'tenant-7', appId, sequenceId: 3, position: 'respond', state: new State({ count: 1 }), status: 'completed' });
        const stepKey = keys.stepKey('tenant-7', appId, 3);
        expect(Number(await admin.hExists(stepKey, field))).toBe(1);
        await admin.hSet(stepKey, field, value);
        for (const sequenceId of [undefined, 3]) {
          const error = await persister.load('tenant-7', appId, sequenceId).catch((caught: unknown) => caught);
          expect(error).toBeInstanceOf(DeserializationError);
          expect((error as Error).message).toContain(`partition "tenant-7", app "${appId}", sequence "3"`);
        }
      });
    }
  });
}
