/**
 * Median latency of RedisPersister.save / load (latest) against plain
 * node-redis calls with the same payload on the same connection, ~1 KB state.
 * Not a test: `BURR_TEST_REDIS_URL=... npx tsx scripts/latency.ts [rounds]`.
 */
import { State, encodeState, toIsoTimestamp } from '@burr/core';
import { createClient } from 'redis';
import { RedisPersister } from '../src/index.js';

const url = process.env.BURR_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const rounds = Number(process.argv[2] ?? 2000);
const namespace = `burr_latency_${process.pid}`;
const client = createClient({ url });
await client.connect();
const persister = new RedisPersister(client, { namespace });

const state = (i: number) =>
  new State({ messages: Array.from({ length: 8 }, (_, k) => ({ role: k % 2 ? 'assistant' : 'user', content: 'x'.repeat(90) })), i, __SEQUENCE_ID: i, __PRIOR_STEP: 'chat' });
console.log(`state size: ${encodeState(state(0)).length} bytes of JSON`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (f: () => Promise<unknown>) => {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};

try {
  const t = { save: [] as number[], rawHset: [] as number[], load: [] as number[], rawHgetall: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    const s = state(i);
    t.save.push(await time(() => persister.save({ partitionKey: 'p', appId: 'persister', sequenceId: i, position: 'chat', state: s, status: 'completed' })));
    const fields = { partition_key: 'p', app_id: 'raw', sequence_id: String(i), position: 'chat', state: encodeState(s), status: 'completed', created_at: toIsoTimestamp(new Date()) };
    t.rawHset.push(await time(() => client.hSet(`${namespace}:p:raw:${i}`, fields)));
    t.load.push(await time(() => persister.load('p', 'persister')));
    t.rawHgetall.push(await time(() => client.hGetAll(`${namespace}:p:raw:${i}`)));
  }
  const warm = (xs: number[]) => xs.slice(Math.min(100, Math.floor(xs.length / 10)));
  console.log(`rounds: ${rounds} (first ${Math.min(100, Math.floor(rounds / 10))} dropped as warm-up)`);
  console.log(`save         median ${median(warm(t.save)).toFixed(3)} ms   raw HSET     median ${median(warm(t.rawHset)).toFixed(3)} ms`);
  console.log(`load latest  median ${median(warm(t.load)).toFixed(3)} ms   raw HGETALL  median ${median(warm(t.rawHgetall)).toFixed(3)} ms`);
} finally {
  for await (const keys of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 1000 })) if (keys.length) await client.del(keys);
  await client.close();
}
