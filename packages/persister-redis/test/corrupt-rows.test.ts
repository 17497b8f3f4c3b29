// A corrupt stored step must give a DeserializationError naming it (the shared cases of @burr/testkit); the
// corruptions are written with node-redis itself (HSET) into the hash of a step the persister saved.
// Needs Redis: BURR_TEST_REDIS_URL, else a Testcontainers container; without either the cases are skipped saying why.
import { provideRedis, runCorruptRowCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RedisKeyLayout, RedisPersister } from '../src/index.js';
import { scratch } from './helpers.js';

runCorruptRowCases<RedisPersister>(
  { describe, it, beforeAll, afterAll },
  {
    name: 'Redis',
    server: await provideRedis(),
    open: (url, namespace) => RedisPersister.fromUrl(url, { namespace }),
    stores: (url) => {
      const namespaces = scratch(url);
      return { next: () => namespaces.namespace(), drop: namespaces.drop };
    },
    writeRaw: async ({ client, namespace }, { partitionKey, appId, sequenceId }, field, value) => {
      const stepKey = new RedisKeyLayout(namespace).stepKey(partitionKey, appId, sequenceId);
      // HSET answers how many fields it added (0 for one it overwrote): whether the field was there says what changed.
      const existed = await client.sendCommand(['HEXISTS', stepKey, field]);
      await client.sendCommand(['HSET', stepKey, field, value]);
      return Number(existed);
    },
  },
);
