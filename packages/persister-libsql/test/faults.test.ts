// Remote connection faults, for real, through the shared cases of @burr/testkit (a refused port, a server that
// accepts and never answers), and local files whose descriptors must be released by cleanup(), counted in /proc/self/fd.
import { existsSync, readdirSync } from 'node:fs';
import { runConnectionFaultCases, sampleStep } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibSQLPersister } from '../src/index.js';
import { tempDir } from './helpers.js';

runConnectionFaultCases(
  { describe, it, beforeAll, afterAll },
  {
    name: 'LibSQLPersister on a remote URL',
    backend: 'libSQL',
    // Over WebSockets the driver's error says only HRANA_WEBSOCKET_ERROR, not why.
    refusedCauseCode: null,
    openers: {
      'http, token in the URL': ({ address, secret, timeouts }) => LibSQLPersister.fromValues({ url: `http://${address}?authToken=${secret}`, ...timeouts }),
      'ws, token in fromConfig': ({ address, secret, timeouts }) => LibSQLPersister.fromConfig({ url: `ws://${address}`, authToken: secret, ...timeouts }),
    },
  },
);

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
