// Connection faults without a MongoDB server: a refused port and a server that accepts and never answers
// (neither needs a real MongoDB). Cuts on a live server run wherever BURR_TEST_MONGO_URL is set, in the conformance suite.
import { PersisterUnavailableError } from '@burr/core';
import { closedPort, FAST_FAULT_TIMEOUTS, startSilentServer, timedRejection } from '@burr/testkit';
import { describe, expect, it } from 'vitest';
import { MongoDBPersister } from '../src/index.js';

const FAST = FAST_FAULT_TIMEOUTS;
const PASSWORD = 'pw-never-shown-9f3';

describe('MongoDBPersister without a server', () => {
  it('a refused connection is a PersisterUnavailableError (unreachable) naming host:port, not the password', async () => {
    const port = await closedPort();
    await using persister = MongoDBPersister.fromValues({ url: `mongodb://burr:${PASSWORD}@127.0.0.1:${port}/?directConnection=true`, ...FAST });
    const { error, ms } = await timedRejection(persister.initialize());
    expect(error).toBeInstanceOf(PersisterUnavailableError);
    expect(error).toMatchObject({ code: 'BURR_PERSISTER_UNAVAILABLE', backend: 'MongoDB', address: `127.0.0.1:${port}`, reason: 'unreachable' });
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain(PASSWORD);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(ms).toBeLessThan(300 + 1500);
  });

  it('a server that accepts and never answers: connect-timeout within the timeouts, on every call', async () => {
    const server = await startSilentServer();
    try {
      await using persister = MongoDBPersister.fromValues({ url: `mongodb://burr:${PASSWORD}@127.0.0.1:${server.port}/?directConnection=true`, ...FAST });
      for (const call of [() => persister.initialize(), () => persister.load('p', 'a'), () => persister.listAppIds('p')]) {
        const { error, ms } = await timedRejection(call());
        expect(error).toBeInstanceOf(PersisterUnavailableError);
        expect(error).toMatchObject({ reason: 'connect-timeout', address: `127.0.0.1:${server.port}` });
        expect((error as Error).message).not.toContain(PASSWORD);
        expect(ms).toBeLessThan(300 + 300 + 1500);
      }
      expect(server.accepted).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('timeouts that are not positive numbers are refused before a client exists', () => {
    expect(() => MongoDBPersister.fromValues({ url: 'mongodb://127.0.0.1:1', operationTimeoutMs: Infinity })).toThrow(/operationTimeoutMs must be a positive number/);
    expect(() => MongoDBPersister.fromConfig({ url: 'mongodb://127.0.0.1:1', connectTimeoutMs: 0 })).toThrow(/connectTimeoutMs/);
  });
});
