// Connection faults, for real, through the shared cases of @burr/testkit: a refused port and a server that never
// answers (no MySQL needed), then a call held by a table lock and connections killed with KILL <id> (needs MySQL or
// MariaDB: BURR_TEST_MYSQL_URL, else skipped saying why). Here: only how MySQL does each of those.
import { InvalidIdentifierError } from '@burr/core';
import { constructorOpeners, provideMysql, runConnectionFaultCases, type LiveFaultHooks } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MySQLPersister } from '../src/index.js';
import { connectionCutter, scratch, serverAddress, testPool } from './helpers.js';
import type mysql from 'mysql2/promise';

/** Where the cases without a server point each constructor: the password must never show in an error. */
const openers = constructorOpeners(
  MySQLPersister,
  ({ address, secret }) => `mysql://burr:${secret}@${address}/app`,
  ({ host, port, secret }) => ({ dbName: 'app', user: 'burr', password: secret, host, port }),
);

/**
 * Locks the persister's tables (its step table and any named after it, such as an app index) from another
 * session with LOCK TABLES ... WRITE, so every call of the persister waits on the server until released.
 */
function tableLocker(admin: mysql.Pool) {
  return async (persister: MySQLPersister) => {
    const locker = await admin.getConnection();
    const [tables] = await locker.query<mysql.RowDataPacket[]>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?', [
      `${persister.tableName}%`,
    ]);
    await locker.query(`LOCK TABLES ${tables.map((table) => `\`${table.name}\` WRITE`).join(', ')}`);
    return async () => {
      await locker.query('UNLOCK TABLES');
      locker.release();
    };
  };
}

function liveHooks(url: string): LiveFaultHooks<MySQLPersister> {
  const store = scratch(url);
  const admin = testPool(url);
  const cutter = connectionCutter(url);
  const { host, port } = serverAddress(url);
  return {
    open: async (timeouts) => {
      const persister = MySQLPersister.fromUrl(url, { tableName: store.table(), clientOptions: { connectionLimit: 1 }, ...timeouts });
      cutter.track(persister, persister.client as mysql.Pool);
      await persister.initialize().catch(async (error: unknown) => {
        await persister.cleanup();
        throw error;
      });
      return { persister, address: `${host}:${port}` };
    },
    stall: tableLocker(admin),
    cut: (persister) => cutter.cut(persister),
    connectionId: async (persister) => {
      const [rows] = await persister.client.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
      return Number(rows[0]?.id);
    },
    teardown: async () => {
      await cutter.close();
      await admin.end();
      await store.drop();
    },
  };
}

runConnectionFaultCases({ describe, it, beforeAll, afterAll }, { name: 'MySQLPersister', backend: 'MySQL', openers, server: await provideMysql(), live: liveHooks });

describe('MySQLPersister options', () => {
  it('a bad table name or a url beside connection values is refused before connecting', () => {
    expect(() => MySQLPersister.fromUrl('mysql://127.0.0.1:1/x', { tableName: 'Bad-Name' })).toThrow(InvalidIdentifierError);
    expect(() => MySQLPersister.fromConfig({ url: 'mysql://127.0.0.1:1/x', host: 'h' })).toThrow(/either "url"/);
  });
});
