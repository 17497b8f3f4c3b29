// A call the persister gave up on is not sent later: while node-redis reconnects it queues commands, and a save whose
// deadline passed in that queue must not be written once the connection is back (its caller was told the save
// failed). The connection goes through a proxy that cuts it, then holds the client's next connection unanswered for a
// while. Needs Redis (BURR_TEST_REDIS_URL, else a Testcontainers container, else 127.0.0.1:6379); without one the
// case is skipped saying why.
import { createConnection, createServer, type Socket } from 'node:net';
import { PersisterUnavailableError, State } from '@burr/core';
import { provideRedis, serverAddress } from '@burr/testkit';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { RedisPersister } from '../src/index.js';
import { redisSuite } from './helpers.js';

const database = await provideRedis();
const skipReason = 'skip' in database ? database.skip : null;
const url = 'url' in database ? database.url : 'redis://127.0.0.1:6379';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP proxy to Redis that can cut its connections, then hold new ones (accepted, not forwarded) until released. */
async function cuttingProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  const held: Socket[] = [];
  let holding = false;
  const forward = (client: Socket) => {
    const upstream = createConnection(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  };
  const server = createServer((client) => {
    client.on('error', () => {});
    client.pause();
    if (holding) held.push(client);
    else forward(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy did not bind a TCP port');
  return {
    port: address.port,
    cutAndHold() {
      holding = true;
      for (const socket of sockets) socket.destroy();
    },
    release() {
      holding = false;
      for (const client of held.splice(0)) if (!client.destroyed) forward(client);
    },
    async close() {
      for (const socket of [...sockets, ...held]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

(skipReason === null ? describe : describe.skip)(`calls queued while reconnecting${skipReason === null ? '' : ` [skipped: ${skipReason}]`}`, () => {
  const suite = redisSuite(url, database);

  // A state of 16 K characters or more is saved in a MULTI/EXEC transaction when the client is connected.
  it.each([
    ['a small state', 10],
    ['a large state', 20_000],
  ])('a save whose deadline passed while the client reconnected is not written when the connection comes back: %s', async (_, characters) => {
    const proxy = await cuttingProxy(serverAddress(url, 6379));
    const client = createClient({ socket: { host: '127.0.0.1', port: proxy.port, reconnectStrategy: () => 20 } });
    client.on('error', () => {});
    try {
      await client.connect();
      const namespace = suite.store.namespace();
      const persister = new RedisPersister(client, { namespace, operationTimeoutMs: 300 });
      await persister.initialize();
      await persister.save({ appId: 'queued', sequenceId: 0, position: 'start', state: new State({ n: 0 }), status: 'completed' });
      proxy.cutAndHold();
      await pause(100);
      expect(client.isReady, 'the client is reconnecting').toBe(false);
      const late = persister.save({ appId: 'queued', sequenceId: 1, position: 'next', state: new State({ n: 1, text: 'x'.repeat(characters) }), status: 'completed' });
      await expect(late).rejects.toThrow(PersisterUnavailableError);
      await expect(late).rejects.toMatchObject({ reason: 'operation-timeout' });
      proxy.release();
      await new Promise<void>((resolve) => (client.isReady ? resolve() : client.once('ready', () => resolve())));
      // Long enough for a command still queued to reach the server after the reconnect.
      await pause(300);
      expect(await suite.admin.exists(`${namespace}::queued:0`), 'step 0 is stored under this key').toBe(1);
      expect(await suite.admin.exists(`${namespace}::queued:1`), 'step 1 was never written').toBe(0);
      // Read without the 300 ms deadline under test: the first call after a reconnect may take longer on a loaded machine.
      const reader = new RedisPersister(client, { namespace });
      expect((await reader.load(null, 'queued'))?.sequenceId).toBe(0);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});
