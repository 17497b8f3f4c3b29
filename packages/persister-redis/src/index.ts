/**
 * @packageDocumentation
 * Redis state persister for Burr (node-redis), in the key layout of Python
 * Burr's `RedisBasePersister` (Python's `AsyncRedisBasePersister` maps to the
 * same class: every call returns a promise).
 */
export {
  RedisPersister,
  type RedisPersisterOptions,
  type RedisPersisterUrlOptions,
  type RedisPersisterValues,
} from './redis-persister.js';
export { INCREMENTAL_SEGMENT, RedisKeyLayout } from './keys.js';
export type { RedisCommandClient } from './client.js';
