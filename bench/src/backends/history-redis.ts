/**
 * History and retention on Redis: each store is a namespace of its own on
 * the session's client. The floor runs the commands the persister's scripts
 * run (a range of the app's index, the step hashes' fields, UNLINK), in small
 * scripts of their own without the persister's checks (adoption of steps
 * Python Burr wrote, expired entries, the latest step guard).
 */
import { createHash } from 'node:crypto';
import { toIsoTimestamp } from '@burr/core';
import { RedisPersister } from '@burr/persister-redis';
import type { createClient } from 'redis';
import { assertLayoutPrefixes, type HistoryBench, type HistoryFloor, type HistoryStore } from './history-types.js';
import type { StepRow } from './types.js';

type Client = ReturnType<typeof createClient>;

/** Rows per fill script: each blocks the server for well under a second. */
const FILL_CHUNK = 25_000;
/** Apps one SCAN_PARTITION-like read takes (the persister's prune scans 500 apps per call). */
const APPS_PER_SCAN = 500;
/** The fill's save times start here (µs): 2026-01-01 00:00:00 UTC. */
const FILL_EPOCH_MICROS = Date.UTC(2026, 0, 1) * 1000;

/** A script run with EVALSHA (EVAL once when the server does not know it yet), as the persister runs its own. */
class FloorScript {
  readonly #sha: string;
  constructor(readonly source: string) {
    this.#sha = createHash('sha1').update(source).digest('hex');
  }
  async run(client: Client, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await client.sendCommand(['EVALSHA', this.#sha, ...tail]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.sendCommand(['EVAL', this.source, ...tail]);
    }
  }
}

/**
 * Writes rows ARGV[2]..ARGV[3]-1 of a layout (see history-types.ts) with
 * every key the persister's save script writes: the step hash, the app's
 * index of sequence ids, Python's partition set (app → latest sequence id),
 * the apps_by_save set (score: save time in µs) and the saved_at hash. The
 * app-level entries are written at an app's last row in the chunk; later
 * rows only move them forward, as the save script's would. No unindexed
 * marker: every step is in its app's index.
 */
const FILL = new FloorScript(`
local ns, from, to, prefix, suffix = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local partition_prefix, app_prefix, steps, per_partition, epoch = ARGV[6], ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
for i = from, to - 1 do
  local id = string.format('%d', i % steps)
  local part = partition_prefix .. string.format('%d', math.floor(i / per_partition))
  local app = app_prefix .. string.format('%d', math.floor(i / steps))
  local created = string.format('2026-01-01T%02d:%02d:%02d.%03d000+00:00', math.floor(i / 3600000), math.floor(i / 60000) % 60, math.floor(i / 1000) % 60, i % 1000)
  local step_prefix = ns .. ':' .. part .. ':' .. app .. ':'
  redis.call('HSET', step_prefix .. id, 'partition_key', part, 'app_id', app, 'sequence_id', id,
    'position', 'respond', 'state', prefix .. id .. suffix, 'status', 'completed', 'created_at', created)
  redis.call('ZADD', step_prefix .. 'burr:steps', id, id)
  if i % steps == steps - 1 or i == to - 1 then
    local partition_key = ns .. ':' .. part
    redis.call('ZADD', partition_key, 'GT', id, app)
    redis.call('ZADD', partition_key .. ':burr:apps_by_save', string.format('%d', epoch + i * 1000), app)
    redis.call('HSET', partition_key .. ':burr:saved_at', app, created)
  end
end
return to - from`);

/**
 * A page of an app's steps from its index: ZRANGE BYSCORE with LIMIT, then
 * HMGET of position, status, created_at and HSTRLEN of the state per step.
 * KEYS: the app's index. ARGV: step key prefix, '1' newest first, lower and
 * upper bound (ZRANGE syntax), limit.
 */
const STEPS_PAGE = new FloorScript(`
local ids
if ARGV[2] == '1' then ids = redis.call('ZRANGE', KEYS[1], ARGV[4], ARGV[3], 'BYSCORE', 'REV', 'LIMIT', 0, tonumber(ARGV[5]))
else ids = redis.call('ZRANGE', KEYS[1], ARGV[3], ARGV[4], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[5])) end
local rows = {}
for i, id in ipairs(ids) do
  local key = ARGV[1] .. id
  local fields = redis.call('HMGET', key, 'position', 'status', 'created_at')
  rows[i] = {id, fields[1], fields[2], fields[3], redis.call('HSTRLEN', key, 'state')}
end
return rows`);

/**
 * A page of a partition's apps by last save, newest first: ZRANGE BYSCORE
 * REV of apps_by_save below the cursor's score, then per app its latest
 * sequence id (Python's set), that step's fields and its saved_at.
 * KEYS: apps_by_save, Python's partition set, saved_at. ARGV: partition key
 * prefix, limit, upper bound ('+inf' or '(score').
 */
const APPS_PAGE = new FloorScript(`
local entries = redis.call('ZRANGE', KEYS[1], ARGV[3], '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, tonumber(ARGV[2]), 'WITHSCORES')
local rows = {}
for i = 1, #entries, 2 do
  local app = entries[i]
  local latest = redis.call('ZSCORE', KEYS[2], app)
  local fields = redis.call('HMGET', ARGV[1] .. app .. ':' .. latest, 'position', 'status', 'created_at')
  rows[#rows + 1] = {app, latest, fields[1], fields[2], redis.call('HGET', KEYS[3], app), entries[i + 1]}
end
return rows`);

/**
 * Every step of an app (UNLINK in batches of 500 keys), its index, and its
 * entries in the partition's sets. KEYS: the app's index, its marker,
 * Python's partition set, apps_by_save, saved_at. ARGV: step key prefix, app id.
 */
const DELETE_APP = new FloorScript(`
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local removed = 0
for i = 1, #ids, 500 do
  local keys = {}
  for j = i, math.min(i + 499, #ids) do keys[#keys + 1] = ARGV[1] .. ids[j] end
  removed = removed + redis.call('UNLINK', unpack(keys))
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[2])
redis.call('HDEL', KEYS[5], ARGV[2])
return removed`);

/** The steps of an app with sequence ids ARGV[2]..ARGV[3], and their index entries. KEYS: the app's index. ARGV: step key prefix, from, to. */
const REMOVE_RANGE = new FloorScript(`
local ids = redis.call('ZRANGE', KEYS[1], ARGV[2], ARGV[3], 'BYSCORE')
local removed = 0
for i = 1, #ids, 500 do
  local keys = {}
  for j = i, math.min(i + 499, #ids) do keys[#keys + 1] = ARGV[1] .. ids[j] end
  removed = removed + redis.call('UNLINK', unpack(keys))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[3])
return removed`);

/** Deletes every key of a namespace, in batches (no KEYS). */
export async function deleteNamespace(client: Client, namespace: string): Promise<void> {
  let batch: string[] = [];
  for await (const keys of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 5000 })) {
    batch.push(...keys);
    if (batch.length >= 5000) {
      await client.unlink(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await client.unlink(batch);
}

async function usedMemory(client: Client): Promise<number | null> {
  const bytes = /^used_memory:(\d+)\s*$/m.exec(await client.info('memory'))?.[1];
  return bytes === undefined ? null : Number(bytes);
}

function redisFloor(client: Client, namespace: string): HistoryFloor {
  const partitionSet = (partitionKey: string) => `${namespace}:${partitionKey}`;
  const stepPrefix = (partitionKey: string, appId: string) => `${namespace}:${partitionKey}:${appId}:`;
  const appIndex = (partitionKey: string, appId: string) => `${stepPrefix(partitionKey, appId)}burr:steps`;
  const page = async (partitionKey: string, appId: string, newest: boolean, lo: string, hi: string, limit: number) =>
    (await STEPS_PAGE.run(client, [appIndex(partitionKey, appId)], [stepPrefix(partitionKey, appId), newest ? '1' : '0', lo, hi, String(limit)])) as unknown[][];
  return {
    insert: (row: StepRow) => {
      const createdAt = toIsoTimestamp(new Date());
      const set = partitionSet(row.partitionKey);
      return client
        .multi()
        .hSet(`${stepPrefix(row.partitionKey, row.appId)}${row.sequenceId}`, {
          partition_key: row.partitionKey,
          app_id: row.appId,
          sequence_id: String(row.sequenceId),
          position: row.position,
          state: row.state,
          status: row.status,
          created_at: createdAt,
        })
        .zAdd(set, { score: row.sequenceId, value: row.appId }, { comparison: 'GT' })
        .zAdd(`${set}:burr:apps_by_save`, { score: Date.now() * 1000, value: row.appId })
        .hSet(`${set}:burr:saved_at`, row.appId, createdAt)
        .zAdd(appIndex(row.partitionKey, row.appId), { score: row.sequenceId, value: String(row.sequenceId) })
        .exec();
    },
    stepsPage: (partitionKey, appId, limit) => page(partitionKey, appId, true, '-inf', '+inf', limit),
    async appsPage(partitionKey, limit, after) {
      const set = partitionSet(partitionKey);
      const keys = [`${set}:burr:apps_by_save`, set, `${set}:burr:saved_at`];
      const rows = (await APPS_PAGE.run(client, keys, [`${set}:`, String(limit), after ? `(${after.savedAtKey}` : '+inf'])) as unknown[][];
      const last = rows[rows.length - 1];
      return last ? { savedAtKey: String(last[5]), appId: String(last[0]) } : null;
    },
    appIds: (partitionKey) => client.zRange(`${partitionSet(partitionKey)}:burr:apps_by_save`, 0, -1, { REV: true }),
    async deleteApp(partitionKey, appId) {
      const set = partitionSet(partitionKey);
      const keys = [appIndex(partitionKey, appId), `${stepPrefix(partitionKey, appId)}burr:unindexed`, set, `${set}:burr:apps_by_save`, `${set}:burr:saved_at`];
      return Number(await DELETE_APP.run(client, keys, [stepPrefix(partitionKey, appId), appId]));
    },
    async prune(keepLast, batchSize) {
      let removed = 0;
      // Partitions as the persister finds them for prune({ target: 'all' }): SCAN over the keyspace, sorted sets of one component.
      // Collected before pruning: once, a SCAN interleaved with this loop's deletes (a million keys) missed most partitions.
      const partitionSets: string[] = [];
      for await (const keys of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 1000, TYPE: 'zset' })) {
        partitionSets.push(...keys.filter((key) => !key.slice(namespace.length + 1).includes(':')));
      }
      for (const key of new Set(partitionSets)) {
        const partitionKey = key.slice(namespace.length + 1);
        for (let rank = 0; ; rank += APPS_PER_SCAN) {
          const apps = await client.zRange(key, rank, rank + APPS_PER_SCAN - 1);
          for (const appId of apps) {
            const newest = await page(partitionKey, appId, true, '-inf', '+inf', keepLast);
            if (newest.length < keepLast) continue;
            const keptFrom = String(newest[newest.length - 1]![0]);
            let after: string | undefined;
            for (;;) {
              const steps = await page(partitionKey, appId, false, after === undefined ? '-inf' : `(${after}`, `(${keptFrom}`, batchSize);
              if (steps.length === 0) break;
              const [from, to] = [String(steps[0]![0]), String(steps[steps.length - 1]![0])];
              removed += Number(await REMOVE_RANGE.run(client, [appIndex(partitionKey, appId)], [stepPrefix(partitionKey, appId), from, to]));
              if (steps.length < batchSize) break;
              after = to;
            }
          }
          if (apps.length < APPS_PER_SCAN) break;
        }
      }
      return removed;
    },
    // Redis frees a deleted key's memory at once: nothing to run, as the persister's compact(); used_memory is the whole server's.
    compact: async () => {
      const bytesBefore = await usedMemory(client);
      return { bytesBefore, bytesAfter: await usedMemory(client) };
    },
  };
}

export function redisHistory(client: Client, namespacePrefix: string): HistoryBench {
  const namespaceOf = (name: string) => `${namespacePrefix}${name}`;
  return {
    async createStore(name): Promise<HistoryStore> {
      const namespace = namespaceOf(name);
      await deleteNamespace(client, namespace);
      return {
        persister: new RedisPersister(client, { namespace }),
        floor: redisFloor(client, namespace),
        fill: async (layout, from, to, prefix, suffix) => {
          assertLayoutPrefixes(layout);
          const shape = [layout.partitionPrefix, layout.appPrefix, String(layout.stepsPerApp), String(layout.stepsPerApp * layout.appsPerPartition), String(FILL_EPOCH_MICROS)];
          for (let start = from; start < to; start += FILL_CHUNK) {
            await FILL.run(client, [], [namespace, String(start), String(Math.min(to, start + FILL_CHUNK)), prefix, suffix, ...shape]);
          }
        },
        indexFilled: async () => {},
        drop: () => deleteNamespace(client, namespace),
      };
    },
    async plainTable(name) {
      const namespace = namespaceOf(name);
      await deleteNamespace(client, namespace);
      return {
        // What Python Burr writes: the step hash and the partition's app → latest sequence id set.
        insert: (row) =>
          client
            .multi()
            .hSet(`${namespace}:${row.partitionKey}:${row.appId}:${row.sequenceId}`, {
              partition_key: row.partitionKey,
              app_id: row.appId,
              sequence_id: String(row.sequenceId),
              position: row.position,
              state: row.state,
              status: row.status,
              created_at: toIsoTimestamp(new Date()),
            })
            .zAdd(`${namespace}:${row.partitionKey}`, { score: row.sequenceId, value: row.appId }, { comparison: 'GT' })
            .exec(),
        drop: () => deleteNamespace(client, namespace),
      };
    },
  };
}
