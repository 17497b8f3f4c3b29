/**
 * Redis: node-redis floor and RedisPersister on one client, keys under the
 * `burrbench` namespace (deleted at the end with SCAN + UNLINK). LangGraph's
 * RedisSaver needs the RedisJSON and RediSearch modules; without them the
 * peer row says so.
 */
import { createClient } from 'redis';
import { toIsoTimestamp } from '@burr/core';
import { RedisPersister } from '@burr/persister-redis';
import { RedisSaver } from '@langchain/langgraph-checkpoint-redis';
import { packageVersion } from '../environment.js';
import { PeerCheckpointer, type PeerSlot } from '../peer.js';
import { deleteNamespace, redisHistory } from './history-redis.js';
import { redactUrl } from './postgres.js';
import type { Backend, BackendSession, Floor, StoredStepsTable } from './types.js';

const NAMESPACE = 'burrbench';
const FILL_NAMESPACE = 'burrbenchfill';
/** Rows per fill script: each blocks the server for well under a second. */
const FILL_CHUNK = 25_000;

type Client = ReturnType<typeof createClient>;

/** Latest step in one round trip, as the persister does it: sorted-set score, then the hash. */
const LATEST = `local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return false end
return {s, redis.call('HGETALL', ARGV[2] .. s)}`;

/**
 * Burr's key layout written with plain commands: every key a save writes (the
 * step hash, Python's app → latest sequence id set, the apps' save-time set
 * and save-time hash, the app's step index), in one MULTI (one round trip,
 * atomic), with no existence check.
 */
function redisFloor(client: Client, namespace: string): Floor {
  const partitionSet = (partitionKey: string) => `${namespace}:${partitionKey}`;
  return {
    insert: (row) => {
      const createdAt = toIsoTimestamp(new Date());
      const stepPrefix = `${namespace}:${row.partitionKey}:${row.appId}:`;
      return client
        .multi()
        .hSet(`${stepPrefix}${row.sequenceId}`, {
          partition_key: row.partitionKey,
          app_id: row.appId,
          sequence_id: String(row.sequenceId),
          position: row.position,
          state: row.state,
          status: row.status,
          created_at: createdAt,
        })
        .zAdd(partitionSet(row.partitionKey), { score: row.sequenceId, value: row.appId }, { comparison: 'GT' })
        .zAdd(`${partitionSet(row.partitionKey)}:burr:apps_by_save`, { score: Date.now() * 1000, value: row.appId })
        .hSet(`${partitionSet(row.partitionKey)}:burr:saved_at`, row.appId, createdAt)
        .zAdd(`${stepPrefix}burr:steps`, { score: row.sequenceId, value: String(row.sequenceId) })
        .exec();
    },
    selectLatest: (partitionKey, appId) => client.eval(LATEST, { keys: [partitionSet(partitionKey)], arguments: [appId, `${namespace}:${partitionKey}:${appId}:`] }),
    selectAtSequence: (partitionKey, appId, sequenceId) => client.hGetAll(`${namespace}:${partitionKey}:${appId}:${sequenceId}`),
    selectAppIds: (partitionKey) => client.zRange(`${partitionSet(partitionKey)}:burr:apps_by_save`, 0, -1, { REV: true }),
    stateText: (selected) => {
      // selectLatest: the script's [sequence id, [field, value, ...]]; selectAtSequence: HGETALL as an object.
      if (!Array.isArray(selected)) return (selected as Record<string, string>).state!;
      const fields = selected[1] as string[];
      for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'state') return fields[i + 1]!;
      throw new Error('no state field in the step hash');
    },
  };
}

/** Writes rows from..to-1 server-side (the layout of types.ts), latest-step and save-time sets included. */
const FILL = `local ns, from, to, prefix, suffix, created = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5], ARGV[6]
for i = from, to - 1 do
  local seq = i % 100
  local part = 'fill-p' .. math.floor(i / 1000)
  local app = 'fill-a' .. math.floor(i / 100)
  redis.call('HSET', ns .. ':' .. part .. ':' .. app .. ':' .. seq, 'partition_key', part, 'app_id', app, 'sequence_id', seq,
    'position', 'respond', 'state', prefix .. seq .. suffix, 'status', 'completed', 'created_at', created)
  if seq == 99 then
    redis.call('ZADD', ns .. ':' .. part, seq, app)
    redis.call('ZADD', ns .. ':' .. part .. ':burr:apps_by_save', i, app)
  end
end
return to - from`;

async function storedSteps(client: Client): Promise<StoredStepsTable> {
  const created = toIsoTimestamp(new Date(Date.UTC(2026, 0, 1)));
  return {
    persister: new RedisPersister(client, { namespace: FILL_NAMESPACE }),
    floor: redisFloor(client, FILL_NAMESPACE),
    fill: async (from, to, prefix, suffix) => {
      for (let start = from; start < to; start += FILL_CHUNK) {
        await client.eval(FILL, { arguments: [FILL_NAMESPACE, String(start), String(Math.min(to, start + FILL_CHUNK)), prefix, suffix, created] });
      }
    },
  };
}

/** RedisSaver when the server has RedisJSON and RediSearch, else why not. */
async function peerSaver(client: Client, url: string): Promise<{ peer: PeerSlot; close: () => Promise<void> }> {
  const reply = (await client.sendCommand(['MODULE', 'LIST'])) as unknown[];
  const names = reply.map((module) => {
    const fields = Array.isArray(module) ? module : Object.entries(module as object).flat();
    const at = fields.findIndex((field) => String(field) === 'name');
    return at >= 0 ? String(fields[at + 1]).toLowerCase() : '';
  });
  const missing = [
    ['ReJSON', 'rejson'],
    ['RediSearch', 'search'],
  ]
    .filter(([, name]) => !names.includes(name!))
    .map(([label]) => label);
  if (missing.length > 0) {
    const loaded = names.filter(Boolean);
    return {
      peer: { unavailable: `RedisSaver needs ${missing.join(' + ')}, absent here (MODULE LIST: ${loaded.length ? loaded.join(', ') : 'empty'})` },
      close: async () => {},
    };
  }
  const saver = await RedisSaver.fromUrl(url);
  const peer = new PeerCheckpointer(saver, 'RedisSaver');
  const threads = new Set<string>();
  const put = peer.put.bind(peer);
  peer.put = async (threadId, values) => {
    threads.add(threadId);
    return put(threadId, values);
  };
  return {
    peer,
    close: async () => {
      for (const thread of threads) await saver.deleteThread(thread);
      await saver.end();
    },
  };
}

/** A connected client and the server's version, or why no Redis answered at `url` (the client is then gone). */
export async function connectRedis(url: string): Promise<{ client: Client; serverVersion: string } | { skip: string }> {
  const client: Client = createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    return { client, serverVersion: /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown' };
  } catch (error) {
    client.destroy();
    return { skip: `no Redis answered at ${redactUrl(url)} (${(error as Error).message}); set BURR_BENCH_REDIS_URL` };
  }
}

export function redisUrl(): string {
  return process.env.BURR_BENCH_REDIS_URL ?? process.env.BURR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

export const redisBackend: Backend = {
  id: 'redis',
  label: 'Redis',
  async open(): Promise<BackendSession | { skip: string }> {
    const url = redisUrl();
    const connected = await connectRedis(url);
    if ('skip' in connected) return connected;
    const { client, serverVersion } = connected;
    await deleteNamespace(client, NAMESPACE);
    await deleteNamespace(client, FILL_NAMESPACE);
    const persister = new RedisPersister(client, { namespace: NAMESPACE });
    await persister.initialize();
    const peer = await peerSaver(client, url);
    return {
      driver: `node-redis ${packageVersion('redis')}, server ${serverVersion} at ${redactUrl(url)}`,
      floor: redisFloor(client, `${NAMESPACE}floor`),
      persister,
      peer: peer.peer,
      storedSteps: () => storedSteps(client),
      history: redisHistory(client, `${NAMESPACE}-`),
      async close() {
        await peer.close();
        await persister.cleanup();
        for (const namespace of [NAMESPACE, `${NAMESPACE}floor`, FILL_NAMESPACE]) await deleteNamespace(client, namespace);
        await client.close();
      },
    };
  },
};
