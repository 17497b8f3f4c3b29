// How long deleteApp of a 10,000-step app holds the server: the delete is one Lua script (atomic for readers), so
// every other client waits while it runs. The server's own SLOWLOG times each script (what the bound is checked on);
// a second connection PINGs throughout, and its slowest reply is printed beside it (it also counts this process's
// own pauses, so it is not asserted: on a loaded machine it measures the machine). Needs Redis: BURR_TEST_REDIS_URL, else a Testcontainers container, else a server on
// 127.0.0.1:6379; without any, every case is registered as skipped with the reason.
import { State } from '@burr/core';
import { provideRedis } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeyLayout, RedisPersister } from '../src/index.js';
import { scratch, testClient } from './helpers.js';
import { pythonSaveMany } from './python-burr.js';

const database = await provideRedis();
const skipReason = 'skip' in database ? database.skip : null;
const url = 'url' in database ? database.url : 'redis://127.0.0.1:6379';
const registerSuite = skipReason === null ? describe : describe.skip;

const STEPS = 10_000;
/** A generous bound on one script's server time: the local server takes about 20 ms (see the README for measured numbers). */
const MAX_BLOCKED_MS = 1000;

registerSuite(skipReason === null ? 'deleteApp of a long app' : `deleteApp of a long app [skipped: ${skipReason}]`, () => {
  const store = scratch(url);
  let admin!: Awaited<ReturnType<typeof testClient>>;
  let pinger!: Awaited<ReturnType<typeof testClient>>;
  const opened: RedisPersister[] = [];
  beforeAll(async () => {
    admin = await testClient(url);
    pinger = await testClient(url);
  });
  afterAll(async () => {
    await Promise.allSettled(opened.map((persister) => persister.cleanup()));
    await store.drop();
    await Promise.allSettled([admin?.close(), pinger?.close()]);
    if ('stop' in database) await database.stop();
  });

  /** Runs `work` while `pinger` PINGs back to back (from before it starts); returns its result, how long it took and the slowest PING. */
  async function whilePinging<T>(work: () => Promise<T>): Promise<{ result: T; tookMs: number; slowestPingMs: number; pings: number }> {
    let running = true;
    let slowestPingMs = 0;
    let pings = 0;
    let firstPing!: () => void;
    const pinged = new Promise<void>((resolve) => (firstPing = resolve));
    const pinging = (async () => {
      while (running) {
        const sent = performance.now();
        await pinger.ping();
        slowestPingMs = Math.max(slowestPingMs, performance.now() - sent);
        pings++;
        firstPing();
      }
    })();
    await pinged;
    const started = performance.now();
    let result: T;
    let tookMs: number;
    try {
      result = await work();
      tookMs = performance.now() - started;
    } finally {
      running = false;
      await pinging;
    }
    return { result, tookMs, slowestPingMs, pings: pings - 1 };
  }

  /**
   * The server's own time for the scripts that touched `key`, in ms, from SLOWLOG (which keeps calls over
   * slowlog-log-slower-than, 10 ms by default; read only, the server's settings are left alone).
   */
  async function slowlogMs(key: string): Promise<number[]> {
    const entries = (await admin.sendCommand(['SLOWLOG', 'GET', '128'])) as unknown[];
    return entries
      .filter((entry): entry is unknown[] => Array.isArray(entry) && Array.isArray(entry[3]) && (entry[3] as unknown[]).map(String).includes(key))
      .map((entry) => Number(entry[2]) / 1000);
  }

  const text = 'x'.repeat(500);

  it(`of ${STEPS.toLocaleString('en')} steps we saved: one script; no script blocks the server for ${MAX_BLOCKED_MS} ms`, async () => {
    const namespace = store.namespace();
    const persister = await RedisPersister.fromUrl(url, { namespace });
    opened.push(persister);
    for (let from = 0; from < STEPS; from += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          persister.save({ partitionKey: 'p', appId: 'long', sequenceId: from + i, position: 'step', state: new State({ n: from + i, text }), status: 'completed' }),
        ),
      );
    }
    const measured = await whilePinging(() => persister.deleteApp('p', 'long'));
    const scripts = await slowlogMs(new RedisKeyLayout(namespace).appStepsKey('p', 'long'));
    console.log(
      `deleteApp of ${STEPS} steps saved by us: ${measured.tookMs.toFixed(1)} ms in all, slowest PING meanwhile ${measured.slowestPingMs.toFixed(1)} ms (${measured.pings} PINGs); SLOWLOG: ${scripts.map((ms) => `${ms.toFixed(1)} ms`).join(', ') || 'no script over the threshold'}`,
    );
    expect(measured.result).toBe(STEPS);
    expect(Math.max(0, ...scripts)).toBeLessThan(MAX_BLOCKED_MS);
    const left: string[] = [];
    for await (const batch of admin.scanIterator({ MATCH: `${namespace}:*` })) left.push(...batch);
    expect(left).toEqual([]);
  }, 120_000);

  it(`of ${STEPS.toLocaleString('en')} steps Python wrote: indexed in chunks first, each call short, then deleted in one script`, async () => {
    const namespace = store.namespace();
    const persister = await RedisPersister.fromUrl(url, { namespace });
    opened.push(persister);
    await pythonSaveMany(admin, namespace, { partitionKey: 'p', appId: 'long', count: STEPS, state: JSON.stringify({ text }) });
    const measured = await whilePinging(() => persister.deleteApp('p', 'long'));
    const scripts = await slowlogMs(new RedisKeyLayout(namespace).appStepsKey('p', 'long'));
    console.log(
      `deleteApp of ${STEPS} steps Python wrote (indexing included): ${measured.tookMs.toFixed(1)} ms in all, slowest PING meanwhile ${measured.slowestPingMs.toFixed(1)} ms (${measured.pings} PINGs); SLOWLOG: ${scripts.map((ms) => `${ms.toFixed(1)} ms`).join(', ') || 'no script over the threshold'}`,
    );
    expect(measured.result).toBe(STEPS);
    expect(Math.max(0, ...scripts)).toBeLessThan(MAX_BLOCKED_MS);
    expect(await admin.exists(new RedisKeyLayout(namespace).appsBySequenceKey('p'))).toBe(0);
  }, 120_000);
});
