// Remote connection faults, for real (a refused port, a server that accepts and never answers), and local
// files whose descriptors must be released by cleanup(), counted in /proc/self/fd.
import { existsSync, readdirSync } from 'node:fs';
import { PersisterUnavailableError } from '@burr/core';
import { closedPort, FAST_FAULT_TIMEOUTS, sampleStep, startSilentServer, timedRejection } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { LibSQLPersister } from '../src/index.js';
import { tempDir } from './helpers.js';

const FAST = FAST_FAULT_TIMEOUTS;
const TOKEN = 'token-never-shown-9f3';

describe('LibSQLPersister on a remote URL without a server', () => {
  for (const scheme of ['http', 'ws']) {
    it(`${scheme}: a refused connection is a PersisterUnavailableError (unreachable) naming host:port, not the token`, async () => {
      const port = await closedPort();
      await using persister = LibSQLPersister.fromValues({ url: `${scheme}://127.0.0.1:${port}?authToken=${TOKEN}`, ...FAST });
      const { error, ms } = await timedRejection(persister.initialize());
      expect(error).toBeInstanceOf(PersisterUnavailableError);
      expect(error).toMatchObject({ code: 'BURR_PERSISTER_UNAVAILABLE', backend: 'libSQL', address: `127.0.0.1:${port}`, reason: 'unreachable' });
      expect((error as Error).message).not.toContain(TOKEN);
      expect(ms).toBeLessThan(2000);
    });

    it(`${scheme}: a server that accepts and never answers: a typed timeout within connect + operation timeouts`, async () => {
      const server = await startSilentServer();
      try {
        await using persister = LibSQLPersister.fromValues({ url: `${scheme}://127.0.0.1:${server.port}`, authToken: TOKEN, ...FAST });
        const { error, ms } = await timedRejection(persister.load('p', 'a'));
        expect(error).toBeInstanceOf(PersisterUnavailableError);
        expect(error).toMatchObject({ reason: 'connect-timeout', address: `127.0.0.1:${server.port}` });
        expect((error as Error).message).not.toContain(TOKEN);
        expect(ms).toBeLessThan(600 + 1500);
        expect(server.accepted).toBeGreaterThan(0);
      } finally {
        await server.close();
      }
    });
  }

  it('timeouts that are not positive numbers are refused before connecting', () => {
    expect(() => LibSQLPersister.fromValues({ url: 'http://127.0.0.1:1', operationTimeoutMs: -5 })).toThrow(/operationTimeoutMs must be a positive number/);
    expect(() => LibSQLPersister.fromConfig({ url: 'http://127.0.0.1:1', connectTimeoutMs: 'soon' })).toThrow(/connectTimeoutMs/);
  });
});

describe.runIf(existsSync('/proc/self/fd'))('LibSQLPersister on a local file: cleanup() releases its file descriptors', () => {
  const files = tempDir('libsql-fds');
  afterAll(() => files.remove());
  const openDescriptors = () => readdirSync('/proc/self/fd').length;

  it('20 build/initialize/save/load/cleanup cycles leave no descriptor behind', async () => {
    const url = files.url('cycles.db');
    const cycle = async (sequenceId: number) => {
      const persister = LibSQLPersister.fromValues({ url });
      await persister.initialize();
      await persister.save(sampleStep({ sequenceId }));
      expect((await persister.load('', 'app'))?.sequenceId).toBe(sequenceId);
      await persister.cleanup();
    };
    await cycle(0);
    const before = openDescriptors();
    for (let i = 1; i <= 20; i++) await cycle(i);
    // Without the release each cycle left three (database, -wal, -shm) until a garbage collection.
    expect(openDescriptors() - before).toBeLessThan(5);
    // Each cleanup() runs a full garbage collection: slow on a loaded machine, so a generous limit.
  }, 180_000);
});
