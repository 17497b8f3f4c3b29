import { createHash } from 'node:crypto';
import type { RedisCommandClient } from './client.js';

/** A Lua script run with EVALSHA, falling back to EVAL (which caches it) when the server does not know it yet. */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisCommandClient, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await client.sendCommand(['EVALSHA', this.#sha, ...tail]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.sendCommand(['EVAL', this.#source, ...tail]);
    }
  }
}

/**
 * Saves a step if its hash does not exist: returns 1, or 0 (nothing written).
 * KEYS: step hash, apps by sequence id, apps by save time.
 * ARGV: partition_key, app_id, sequence_id, position, state, status, created_at.
 * Reads and the write that can fail (ZADD GT needs Redis 6.2) come first, so
 * an error leaves nothing half-written.
 */
export const SAVE_STEP = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now = redis.call('TIME')
local score = tonumber(now[1]) * 1000000 + tonumber(now[2])
local newest = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) >= score then score = tonumber(newest[2]) + 1 end
redis.call('ZADD', KEYS[2], 'GT', ARGV[3], ARGV[2])
redis.call('HSET', KEYS[1], 'partition_key', ARGV[1], 'app_id', ARGV[2], 'sequence_id', ARGV[3],
  'position', ARGV[4], 'state', ARGV[5], 'status', ARGV[6], 'created_at', ARGV[7])
redis.call('ZADD', KEYS[3], string.format('%d', score), ARGV[2])
return 1
`);

/**
 * An app's latest step in one round trip: its sequence id from the sorted set, then its hash.
 * KEYS: apps by sequence id. ARGV: app id, step key prefix. Returns nil or {sequence id, {field, value, ...}}.
 */
export const LOAD_LATEST_STEP = new LuaScript(`
local sequence = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not sequence then return false end
return {sequence, redis.call('HGETALL', ARGV[2] .. sequence)}
`);
