// Connection faults, for real: a refused port, a server that accepts and never answers, a proxy that stops
// forwarding, and the persister's own client killed with CLIENT KILL. The last two need Redis (BURR_TEST_REDIS_URL).
import { PersisterUnavailableError } from '@burr/core';
import { closedPort, FAST_FAULT_TIMEOUTS, provideRedis, sampleStep, startFreezableProxy, startSilentServer, timedRejection } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisPersister } from '../src/index.js';
import { scratch, testClient } from './helpers.js';
import { killByName } from './kill-client.js';

const FAST = FAST_FAULT_TIMEOUTS;
const PASSWORD = 'pw-never-shown-9f3';

describe('RedisPersister without a server', () => {
  it('a refused connection is a PersisterUnavailableError (unreachable) naming host:port, not the password', async () => {
    const port = await closedPort();
    const { error } = await timedRejection(RedisPersister.fromUrl(`redis://:${PASSWORD}@127.0.0.1:${port}`, FAST));
    expect(error).toBeInstanceOf(PersisterUnavailableError);
    expect(error).toMatchObject({ code: 'BURR_PERSISTER_UNAVAILABLE', backend: 'Redis', address: `127.0.0.1:${port}`, reason: 'unreachable' });
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain(PASSWORD);
  });

  it('a server that accepts and never answers: connect-timeout within connectTimeoutMs', async () => {
    const server = await startSilentServer();
    try {
      const { error, ms } = await timedRejection(RedisPersister.fromValues({ host: '127.0.0.1', port: server.port, password: PASSWORD, ...FAST }));
      expect(error).toBeInstanceOf(PersisterUnavailableError);
      expect(error).toMatchObject({ reason: 'connect-timeout', address: `127.0.0.1:${server.port}` });
      expect((error as Error).message).not.toContain(PASSWORD);
      expect(ms).toBeLessThan(300 + 1500);
      expect(server.accepted).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('timeouts that are not positive numbers are refused before connecting', async () => {
    await expect(RedisPersister.fromUrl('redis://127.0.0.1:1', { operationTimeoutMs: Number.NaN })).rejects.toThrow(/operationTimeoutMs must be a positive number/);
    await expect(RedisPersister.fromConfig({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 0 })).rejects.toThrow(/connectTimeoutMs/);
  });
});

const database = await provideRedis();

if ('skip' in database) {
  describe.skip(`RedisPersister faults on a live server [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const { url } = database;
  const store = scratch(url);
  const admin = await testClient(url);
  const redisPort = Number(new URL(url).port || 6379);
  afterAll(async () => {
    await store.drop();
    await admin.close();
    await database.stop();
  });

  describe('RedisPersister faults on a live server', () => {
    it('a server that stops answering mid-session: operation-timeout within operationTimeoutMs, then recovery', async () => {
      const proxy = await startFreezableProxy(redisPort, new URL(url).hostname);
      try {
        await using persister = await RedisPersister.fromValues({ host: '127.0.0.1', port: proxy.port, namespace: store.namespace(), ...FAST });
        await persister.save(sampleStep({ sequenceId: 0 }));
        proxy.freeze();
        for (const call of [() => persister.save(sampleStep({ sequenceId: 1 })), () => persister.load('', 'app'), () => persister.listAppIds('')]) {
          const { error, ms } = await timedRejection(call());
          expect(error).toMatchObject({ code: 'BURR_PERSISTER_UNAVAILABLE', reason: 'operation-timeout', address: `127.0.0.1:${proxy.port}` });
          expect(ms).toBeGreaterThanOrEqual(290);
          expect(ms).toBeLessThan(300 + 1500);
        }
        proxy.thaw();
        // The save that timed out landed once the network came back; saving it again is idempotent.
        await persister.save(sampleStep({ sequenceId: 1 }));
        expect((await persister.load('', 'app'))?.sequenceId).toBe(1);
      } finally {
        await proxy.close();
      }
    });

    it("CLIENT KILL of the persister's own client: a typed error or success, then the persister recovers", async () => {
      const name = `burr_fault_${process.pid}_${Date.now()}`;
      await using persister = await RedisPersister.fromUrl(url, { namespace: store.namespace(), clientOptions: { name } });
      await persister.save(sampleStep({ sequenceId: 0 }));
      const killed = await killByName(admin, name);
      expect(killed).toBe(1);
      const outcome = await Promise.allSettled([persister.load('', 'app')]);
      if (outcome[0].status === 'rejected') expect(outcome[0].reason).toMatchObject({ code: 'BURR_PERSISTER_UNAVAILABLE', reason: 'disconnected' });
      await waitFor(async () => (await persister.load('', 'app').catch(() => null)) !== null);
      await persister.save(sampleStep({ sequenceId: 1 }));
      expect((await persister.load('', 'app'))?.sequenceId).toBe(1);
    });
  });
}

/** Polls `check` every 20 ms for at most 5 s. */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not met within 5 s');
}
