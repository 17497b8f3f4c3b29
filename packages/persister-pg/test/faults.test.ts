// Connection faults, for real, through the shared cases of @burr/testkit: a refused port and a server that never
// answers (no PostgreSQL needed), then a call held by a table lock and connections cut with pg_terminate_backend
// (BURR_TEST_POSTGRES_URL, else those are skipped saying why). Here: only how PostgreSQL does each of those.
import { constructorOpeners, providePostgres, runConnectionFaultCases, type LiveFaultHooks } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PostgreSQLPersister } from '../src/index.js';
import { connectionCutter, scratch, serverAddress, testClient } from './helpers.js';

/** Where the cases without a server point each constructor: the password must never show in an error. */
const openers = constructorOpeners(
  PostgreSQLPersister,
  ({ address, secret }) => `postgres://burr:${secret}@${address}/app`,
  ({ host, port, secret }) => ({ dbName: 'app', user: 'burr', password: secret, host, port }),
);

/**
 * Locks the persister's tables (its step table and any named after it, such as an app index) from another
 * session, ACCESS EXCLUSIVE, so every call of the persister waits on the server until released.
 */
function tableLocker(admin: ReturnType<typeof testClient>) {
  return (persister: PostgreSQLPersister) =>
    new Promise<() => Promise<void>>((locked, failed) => {
      let unlock = () => {};
      const held = new Promise<void>((resolve) => (unlock = resolve));
      const transaction = admin.begin(async (tx) => {
        const tables = await tx`SELECT tablename FROM pg_tables WHERE tablename LIKE ${`${persister.tableName}%`}`;
        await tx.unsafe(`LOCK TABLE ${tables.map((row) => `"${row.tablename}"`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
        locked(async () => {
          unlock();
          await transaction;
        });
        await held;
      });
      transaction.catch(failed);
    });
}

function liveHooks(url: string): LiveFaultHooks<PostgreSQLPersister> {
  const store = scratch(url);
  const cutter = connectionCutter(url);
  const admin = testClient(url, { max: 2 });
  const { host, port } = serverAddress(url, 5432);
  return {
    open: async (timeouts) => {
      const persister = cutter.open((clientOptions) => PostgreSQLPersister.fromUrl(url, { tableName: store.table(), clientOptions, ...timeouts }));
      await persister.initialize().catch(async (error: unknown) => {
        await persister.cleanup();
        throw error;
      });
      return { persister, address: `${host}:${port}` };
    },
    stall: tableLocker(admin),
    cut: (persister) => cutter.cut(persister),
    connectionId: async (persister) => Number((await persister.client`SELECT pg_backend_pid() AS pid`)[0]?.pid),
    teardown: async () => {
      await cutter.close();
      await admin.end({ timeout: 5 });
      await store.drop();
    },
  };
}

runConnectionFaultCases({ describe, it, beforeAll, afterAll }, { name: 'PostgreSQLPersister', backend: 'PostgreSQL', openers, server: await providePostgres(), live: liveHooks });
