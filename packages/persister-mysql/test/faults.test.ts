// Connection faults, for real: a refused port, a server that accepts and never answers, a table locked by another
// session, and connections killed with KILL <id>. The last two need MySQL or MariaDB (BURR_TEST_MYSQL_URL).
import { InvalidIdentifierError, PersisterUnavailableError, State, StateTooLargeError } from '@burr/core';
import { closedPort, FAST_FAULT_TIMEOUTS, provideMysql, sampleStep, startSilentServer, timedRejection } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { MYSQL_MAX_KEY_BYTES, MySQLPersister } from '../src/index.js';
import { scratch, testPool } from './helpers.js';
import type mysql from 'mysql2/promise';

const FAST = FAST_FAULT_TIMEOUTS;
const PASSWORD = 'pw-never-shown-4c1';

describe('MySQLPersister without a server', () => {
  it('a refused connection is a PersisterUnavailableError (unreachable) naming host:port, not the password', async () => {
    const port = await closedPort();
    await using persister = MySQLPersister.fromUrl(`mysql://burr:${PASSWORD}@127.0.0.1:${port}/app`, FAST);
    const { error } = await timedRejection(persister.initialize());
    expect(error).toBeInstanceOf(PersisterUnavailableError);
    const unavailable = error as PersisterUnavailableError;
    expect(unavailable).toMatchObject({ code: 'BURR_PERSISTER_UNAVAILABLE', backend: 'MySQL', address: `127.0.0.1:${port}`, reason: 'unreachable' });
    expect(unavailable.message).toContain(`127.0.0.1:${port}`);
    expect(unavailable.message).not.toContain(PASSWORD);
    expect((unavailable.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('a server that accepts and never answers: connect-timeout within the timeout, on every call', async () => {
    const server = await startSilentServer();
    try {
      await using persister = MySQLPersister.fromValues({ dbName: 'app', user: 'burr', password: PASSWORD, host: '127.0.0.1', port: server.port, ...FAST });
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

  it('bad options are refused before connecting', () => {
    expect(() => MySQLPersister.fromUrl('mysql://127.0.0.1:1/x', { operationTimeoutMs: 0 })).toThrow(/operationTimeoutMs must be a positive number/);
    expect(() => MySQLPersister.fromUrl('mysql://127.0.0.1:1/x', { tableName: 'Bad-Name' })).toThrow(InvalidIdentifierError);
    expect(() => MySQLPersister.fromConfig({ url: 'mysql://127.0.0.1:1/x', host: 'h' })).toThrow(/either "url"/);
  });
});

const database = await provideMysql();

if ('skip' in database) {
  describe.skip(`MySQLPersister on a live server [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const { url } = database;
  const store = scratch(url);
  const admin = testPool(url);
  afterAll(async () => {
    await store.drop();
    await admin.end();
    await database.stop();
  });

  const initialized = async (options: { operationTimeoutMs?: number } = {}) => {
    const persister = MySQLPersister.fromUrl(url, { tableName: store.table(), clientOptions: { connectionLimit: 1 }, ...options });
    await persister.initialize();
    return persister;
  };
  const threadOf = async (persister: MySQLPersister) => {
    const [rows] = await persister.client.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    return Number(rows[0]?.id);
  };

  describe('MySQLPersister on a live server', () => {
    it('a call that waits longer than operationTimeoutMs (table locked by another session) is an operation-timeout, then it recovers', async () => {
      await using persister = await initialized({ operationTimeoutMs: 300 });
      await persister.save(sampleStep({ sequenceId: 0 }));
      const locker = await admin.getConnection();
      try {
        await locker.query(`LOCK TABLES \`${persister.tableName}\` WRITE`);
        const { error, ms } = await timedRejection(persister.load('', 'app'));
        expect(error).toMatchObject({ reason: 'operation-timeout', backend: 'MySQL' });
        expect(ms).toBeGreaterThanOrEqual(290);
        expect(ms).toBeLessThan(300 + 1500);
      } finally {
        await locker.query('UNLOCK TABLES');
        locker.release();
      }
      expect((await persister.load('', 'app'))?.sequenceId).toBe(0);
    });

    it('a killed connection: the next call works on a new connection, and nothing stored is lost', async () => {
      await using persister = await initialized();
      await persister.save(sampleStep({ sequenceId: 0 }));
      const thread = await threadOf(persister);
      await admin.query(`KILL ${thread}`);
      const outcome = await persister.load('', 'app').catch((error: unknown) => error);
      if (outcome instanceof Error) expect(outcome).toBeInstanceOf(PersisterUnavailableError);
      expect((await persister.load('', 'app'))?.sequenceId).toBe(0);
      expect(await threadOf(persister)).not.toBe(thread);
    });

    it('a connection killed in the middle of a call is a PersisterUnavailableError (disconnected), then it recovers', async () => {
      await using persister = await initialized();
      await persister.save(sampleStep({ sequenceId: 0 }));
      const thread = await threadOf(persister);
      const locker = await admin.getConnection();
      try {
        // The load waits for the lock, so it is in flight when its connection is killed.
        await locker.query(`LOCK TABLES \`${persister.tableName}\` WRITE`);
        const load = persister.load('', 'app').then(
          () => null,
          (caught: unknown) => caught,
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
        await admin.query(`KILL ${thread}`);
        const error = await load;
        expect(error).toBeInstanceOf(PersisterUnavailableError);
        expect(error).toMatchObject({ reason: 'disconnected', backend: 'MySQL' });
      } finally {
        await locker.query('UNLOCK TABLES');
        locker.release();
      }
      expect((await persister.load('', 'app'))?.sequenceId).toBe(0);
    });
  });

  describe('MySQLPersister table format', () => {
    it('ids that differ only in case, accents or trailing spaces stay apart (byte-exact keys)', async () => {
      await using persister = await initialized();
      const ids = ['chat', 'Chat', 'chat ', 'chát', 'chat\u0301'];
      for (const [n, appId] of ids.entries()) await persister.save({ ...sampleStep({ sequenceId: 0 }), appId, state: new State({ n }) });
      for (const [n, appId] of ids.entries()) expect((await persister.load(null, appId))?.state.get('n')).toBe(n);
      expect(new Set(await persister.listAppIds(null))).toEqual(new Set(ids));
    });

    it(`refuses ids longer than ${MYSQL_MAX_KEY_BYTES} bytes of UTF-8 before the write, and accepts one of exactly that`, async () => {
      await using persister = await initialized();
      const fits = 'é'.repeat(MYSQL_MAX_KEY_BYTES / 2);
      const tooLong = `${fits}x`;
      await persister.save({ ...sampleStep({ sequenceId: 0 }), appId: fits, partitionKey: fits, position: fits });
      expect((await persister.load(fits, fits))?.position).toBe(fits);
      for (const field of ['appId', 'partitionKey', 'position'] as const) {
        await expect(persister.save({ ...sampleStep({ sequenceId: 1 }), [field]: tooLong })).rejects.toThrow(InvalidIdentifierError);
      }
      await expect(persister.save({ ...sampleStep({ sequenceId: 1 }), appId: tooLong })).rejects.toThrow(/1021 bytes of UTF-8/);
      expect(await persister.load(null, tooLong)).toBeNull();
      expect(await persister.listAppIds(tooLong)).toEqual([]);
      const [rows] = await admin.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${persister.tableName}\``);
      expect(Number(rows[0]?.n)).toBe(1);
    });

    it("a state larger than the server's max_allowed_packet is a StateTooLargeError before the write, and the connection stays usable", async () => {
      await using persister = await initialized();
      const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT @@max_allowed_packet AS limit_bytes');
      const limit = Number(rows[0]?.limit_bytes);
      await persister.save(sampleStep({ sequenceId: 0 }));
      const error = await persister.save({ ...sampleStep({ sequenceId: 1 }), state: new State({ s: 'x'.repeat(limit) }) }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StateTooLargeError);
      expect((error as StateTooLargeError).bytes).toBeGreaterThan(limit);
      expect((await persister.load('', 'app'))?.sequenceId).toBe(0);
    });

    it('created_at is UTC with microseconds whatever the session time zone', async () => {
      await using persister = await initialized();
      await persister.client.query("SET time_zone = '+05:00'");
      const before = Date.now();
      await persister.save(sampleStep({ sequenceId: 0 }));
      const [rows] = await admin.query<mysql.RowDataPacket[]>(`SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') AS t FROM \`${persister.tableName}\``);
      const stored = Date.parse(`${String(rows[0]?.t).replace(' ', 'T').slice(0, 23)}Z`);
      expect(Math.abs(stored - before)).toBeLessThan(5000);
      expect((await persister.load('', 'app'))?.createdAt.getTime()).toBe(stored);
    });
  });
}
