// MySQL's table format, on a live server: byte-exact keys, the key length limit, max_allowed_packet, UTC times.
// Needs MySQL or MariaDB (BURR_TEST_MYSQL_URL), else skipped saying why.
import { InvalidIdentifierError, PruneIncompleteError, State, StateTooLargeError } from '@burr/core';
import { provideMysql, sampleStep } from '@burr/testkit';
import { describe, expect, it } from 'vitest';
import { MYSQL_MAX_KEY_BYTES, MySQLPersister } from '../src/index.js';
import { mysqlSuite } from './helpers.js';
import type mysql from 'mysql2/promise';

const database = await provideMysql();
const skipReason = 'skip' in database ? database.skip : undefined;

// A skipped suite's body still runs to list its cases: it only reaches the server inside hooks and cases.
describe.skipIf(skipReason !== undefined)(`MySQLPersister table format${skipReason ? ` [skipped: ${skipReason}]` : ''}`, () => {
  const url = 'url' in database ? database.url : '';
  const suite = mysqlSuite(url, database);
  const { store } = suite;

  const initialized = async () => {
    const persister = MySQLPersister.fromUrl(url, { tableName: store.table(), clientOptions: { connectionLimit: 1 } });
    await persister.initialize();
    return persister;
  };

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
    const [rows] = await suite.admin.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${persister.tableName}\``);
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it("a state larger than the server's max_allowed_packet is a StateTooLargeError before the write, and the connection stays usable", async () => {
    await using persister = await initialized();
    const [rows] = await suite.admin.query<mysql.RowDataPacket[]>('SELECT @@max_allowed_packet AS limit_bytes');
    const limit = Number(rows[0]?.limit_bytes);
    await persister.save(sampleStep({ sequenceId: 0 }));
    const error = await persister.save({ ...sampleStep({ sequenceId: 1 }), state: new State({ s: 'x'.repeat(limit) }) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateTooLargeError);
    expect((error as StateTooLargeError).bytes).toBeGreaterThan(limit);
    expect((await persister.load('', 'app'))?.sequenceId).toBe(0);
  });

  it("incremental storage: a delta, or a prune's rewrite of a delta as a snapshot, larger than max_allowed_packet is refused before the write; the prune goes on with the other apps", async () => {
    await using persister = MySQLPersister.fromUrl(url, { tableName: store.table(), storage: 'incremental', clientOptions: { connectionLimit: 1 } });
    await persister.initialize();
    const [rows] = await suite.admin.query<mysql.RowDataPacket[]>('SELECT @@max_allowed_packet AS limit_bytes');
    const chunk = 'x'.repeat(Math.floor(Number(rows[0]?.limit_bytes) * 0.6));
    const big = new State({ messages: [chunk] });
    await persister.save({ appId: 'a-big', sequenceId: 0, position: 'p', state: big, status: 'completed' });
    // A delta of one chunk fits, the state it makes (two chunks) does not; a delta of two chunks does not either.
    await persister.save({ appId: 'a-big', sequenceId: 1, position: 'p', state: big.append({ messages: chunk }), status: 'completed' });
    const tooBigDelta = await persister
      .save({ appId: 'a-big', sequenceId: 2, position: 'p', state: big.append({ messages: chunk }).append({ messages: chunk }).append({ messages: chunk }), status: 'completed' })
      .catch((caught: unknown) => caught);
    expect(tooBigDelta).toBeInstanceOf(StateTooLargeError);
    for (const sequenceId of [0, 1, 2]) await persister.save({ appId: 'b-small', sequenceId, position: 'p', state: new State({ n: sequenceId }), status: 'completed' });

    const error = await persister.prune({ keepLast: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PruneIncompleteError);
    expect((error as PruneIncompleteError).failures.map(({ appId, error: cause }) => [appId, cause.name])).toEqual([['a-big', 'StateTooLargeError']]);
    const steps = async (appId: string) => (await persister.listSteps(null, appId, { order: 'oldest-first' })).steps.map((step) => step.sequenceId);
    expect(await steps('a-big')).toEqual([0, 1]);
    expect(await steps('b-small')).toEqual([2]);
    expect((await persister.load(null, 'a-big'))?.state.get('messages')).toHaveLength(2);
  });

  it('created_at is UTC with microseconds whatever the session time zone', async () => {
    await using persister = await initialized();
    await persister.client.query("SET time_zone = '+05:00'");
    const before = Date.now();
    await persister.save(sampleStep({ sequenceId: 0 }));
    const [rows] = await suite.admin.query<mysql.RowDataPacket[]>(`SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') AS t FROM \`${persister.tableName}\``);
    const stored = Date.parse(`${String(rows[0]?.t).replace(' ', 'T').slice(0, 23)}Z`);
    expect(Math.abs(stored - before)).toBeLessThan(5000);
    expect((await persister.load('', 'app'))?.createdAt.getTime()).toBe(stored);
  });
});
