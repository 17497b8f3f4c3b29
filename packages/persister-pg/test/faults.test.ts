// Connection faults, for real: a refused port, a server that accepts and never answers, a table locked by another
// session, and connections cut with pg_terminate_backend. The last two need PostgreSQL (BURR_TEST_POSTGRES_URL).
import { PersisterUnavailableError, State } from '@burr/core';
import { closedPort, FAST_FAULT_TIMEOUTS, providePostgres, sampleStep, startSilentServer, timedRejection } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgreSQLPersister } from '../src/index.js';
import { scratch, testClient, uniqueName } from './helpers.js';

const FAST = FAST_FAULT_TIMEOUTS;
const PASSWORD = 'pw-never-shown-9f3';

describe('PostgreSQLPersister without a server', () => {
  it('a refused connection is a PersisterUnavailableError (unreachable) naming host:port, not the password', async () => {
    const port = await closedPort();
    await using persister = PostgreSQLPersister.fromUrl(`postgres://burr:${PASSWORD}@127.0.0.1:${port}/app`, FAST);
    const { error } = await timedRejection(persister.initialize());
    expect(error).toBeInstanceOf(PersisterUnavailableError);
    const unavailable = error as PersisterUnavailableError;
    expect(unavailable).toMatchObject({ code: 'BURR_PERSISTER_UNAVAILABLE', backend: 'PostgreSQL', address: `127.0.0.1:${port}`, reason: 'unreachable' });
    expect(unavailable.message).toContain(`127.0.0.1:${port}`);
    expect(unavailable.message).not.toContain(PASSWORD);
    expect((unavailable.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('a server that accepts and never answers: connect-timeout within the timeout, on every call', async () => {
    const server = await startSilentServer();
    try {
      await using persister = PostgreSQLPersister.fromValues({ dbName: 'app', user: 'burr', password: PASSWORD, host: '127.0.0.1', port: server.port, ...FAST });
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

  it('timeouts that are not positive numbers are refused before connecting', () => {
    expect(() => PostgreSQLPersister.fromUrl('postgres://127.0.0.1:1/x', { operationTimeoutMs: 0 })).toThrow(/operationTimeoutMs must be a positive number/);
    expect(() => PostgreSQLPersister.fromConfig({ url: 'postgres://127.0.0.1:1/x', connectTimeoutMs: -1 })).toThrow(/connectTimeoutMs/);
  });
});

const database = await providePostgres();

if ('skip' in database) {
  describe.skip(`PostgreSQLPersister faults on a live server [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const { url } = database;
  const store = scratch(url);
  const admin = testClient(url, { max: 2 });
  afterAll(async () => {
    await store.drop();
    await admin.end({ timeout: 5 });
    await database.stop();
  });

  /** A persister whose connections carry `application_name`, so tests can find and cut exactly them. */
  const tagged = async (options: { operationTimeoutMs?: number } = {}) => {
    const applicationName = uniqueName('burr_fault');
    const persister = PostgreSQLPersister.fromUrl(url, { tableName: store.table(), clientOptions: { connection: { application_name: applicationName } }, ...options });
    await persister.initialize();
    return { persister, applicationName };
  };

  const cut = (applicationName: string) => admin`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = ${applicationName}`;

  describe('PostgreSQLPersister faults on a live server', () => {
    it('a call that waits longer than operationTimeoutMs (table locked by another session) is an operation-timeout', async () => {
      const { persister } = await tagged({ operationTimeoutMs: 300 });
      await using _ = persister;
      await persister.save(sampleStep({ sequenceId: 0 }));
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked: () => void = () => {};
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const locker = admin.begin(async (tx) => {
        await tx.unsafe(`LOCK TABLE "${persister.tableName}" IN ACCESS EXCLUSIVE MODE`);
        locked();
        await held;
      });
      await isLocked;
      try {
        const { error, ms } = await timedRejection(persister.load('', 'app'));
        expect(error).toMatchObject({ reason: 'operation-timeout', backend: 'PostgreSQL' });
        expect(ms).toBeGreaterThanOrEqual(290);
        expect(ms).toBeLessThan(300 + 1500);
      } finally {
        release();
        await locker;
      }
      // Once the lock is gone the same persister works again.
      expect((await persister.load('', 'app'))?.sequenceId).toBe(0);
    });

    it('a cut connection: the call in flight or the next one is a typed error, then the persister recovers', async () => {
      const { persister, applicationName } = await tagged();
      await using _ = persister;
      await persister.save(sampleStep({ sequenceId: 0 }));
      expect((await cut(applicationName))[0]?.n).toBeGreaterThan(0);
      const outcomes = await Promise.allSettled([persister.load('', 'app'), persister.load('', 'app')]);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'BURR_PERSISTER_UNAVAILABLE', reason: 'disconnected' });
      }
      await persister.save(sampleStep({ sequenceId: 1, state: new State({ n: 1 }) }));
      expect((await persister.load('', 'app'))?.sequenceId).toBe(1);
    });
  });
}
