// Connection faults, for real, through the shared cases of @burr/testkit: a refused port and a server that never
// answers (no Redis needed), then a network that stops forwarding and the persister's own client killed with
// CLIENT KILL (BURR_TEST_REDIS_URL, else those are skipped saying why). Here: only how Redis does each of those.
import { constructorOpeners, provideRedis, runConnectionFaultCases, startFreezableProxy, type FreezableProxy, type LiveFaultHooks } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RedisPersister } from '../src/index.js';
import { connectionCutter, scratch, serverAddress } from './helpers.js';

/**
 * Every persister reaches Redis through a proxy of its own, so `stall()` silences exactly its traffic
 * (Redis answers each command at once: only the network can hold one).
 */
function liveHooks(url: string): LiveFaultHooks<RedisPersister> {
  const store = scratch(url);
  const cutter = connectionCutter(url);
  const server = serverAddress(url, 6379);
  const proxies = new Map<object, FreezableProxy>();
  const started: FreezableProxy[] = [];
  return {
    open: async (timeouts) => {
      const proxy = await startFreezableProxy(server.port, server.host);
      started.push(proxy);
      const persister = await cutter.open((clientOptions) =>
        RedisPersister.fromValues({ host: '127.0.0.1', port: proxy.port, namespace: store.namespace(), clientOptions, ...timeouts }),
      );
      proxies.set(persister, proxy);
      return { persister, address: `127.0.0.1:${proxy.port}` };
    },
    stall: async (persister) => {
      const proxy = proxies.get(persister)!;
      proxy.freeze();
      return async () => proxy.thaw();
    },
    cut: (persister) => cutter.cut(persister),
    connectionId: async (persister) => String(await persister.client.sendCommand(['CLIENT', 'ID'])),
    teardown: async () => {
      await Promise.all(started.map((proxy) => proxy.close()));
      await cutter.close();
      await store.drop();
    },
  };
}

runConnectionFaultCases(
  { describe, it, beforeAll, afterAll },
  {
    name: 'RedisPersister',
    backend: 'Redis',
    // Redis connects while building: fromUrl(), fromValues() and fromConfig() are the calls that fail.
    openers: constructorOpeners(
      RedisPersister,
      ({ address, secret }) => `redis://:${secret}@${address}`,
      ({ host, port, secret }) => ({ host, port, password: secret }),
    ),
    server: await provideRedis(),
    live: liveHooks,
  },
);
