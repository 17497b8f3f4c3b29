import { uniqueName } from '@burr/testkit';
import postgres from 'postgres';
import { afterAll } from 'vitest';
import type { PostgreSQLPersister, PostgresClient } from '../src/index.js';

export { serverAddress, uniqueName, urlAt } from '@burr/testkit';

/** A client for test set-up and inspection, with notices silenced. */
export function testClient(url: string, options: postgres.Options<Record<string, postgres.PostgresType>> = {}): PostgresClient {
  return postgres(url, { onnotice: () => {}, max: 2, ...options });
}

/**
 * Tables and schemas a test file made, dropped at the end. Each `table()` is
 * a fresh name; `schema()` likewise.
 */
export function scratch(url: string) {
  const tables: string[] = [];
  const schemas: string[] = [];
  return {
    table(prefix = 'burr_t'): string {
      const name = uniqueName(prefix);
      tables.push(name);
      return name;
    },
    schema(prefix = 'burr_s'): string {
      const name = uniqueName(prefix);
      schemas.push(name);
      return name;
    },
    async drop(): Promise<void> {
      const sql = testClient(url);
      try {
        for (const table of tables) {
          // The step table, its app index and trigger function, in both storage modes, and the incremental segments.
          for (const name of [table, `${table}_incremental`]) {
            await sql.unsafe(`DROP TABLE IF EXISTS "${name}", "${name}_apps"`);
            await sql.unsafe(`DROP FUNCTION IF EXISTS "${name}_apps_on_insert"()`);
          }
          await sql.unsafe(`DROP TABLE IF EXISTS "${table}_incremental_segments"`);
          await sql.unsafe(`DROP FUNCTION IF EXISTS "${table}_incremental_segments_guard"()`);
        }
        for (const schema of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
  };
}

/**
 * Cuts persisters' connections from the server side, for the conformance
 * suite's connection-cut cases. Each pool opened through `open()` gets its
 * own `application_name`; `cut()` runs `pg_terminate_backend` on exactly
 * the backends with that name, so other tests' connections live on.
 */
export function connectionCutter(url: string) {
  const names = new WeakMap<object, string>();
  let admin: PostgresClient | undefined;
  return {
    /** Calls `create` with connection options carrying a fresh application name, and remembers it for `persister`. */
    open<P extends object>(create: (clientOptions: postgres.Options<Record<string, postgres.PostgresType>>) => P): P {
      const name = uniqueName('burr_cut');
      const persister = create({ connection: { application_name: name } });
      names.set(persister, name);
      return persister;
    },
    /** Terminates every backend of `persister`'s pool; resolves to how many there were. */
    async cut(persister: object): Promise<number> {
      const name = names.get(persister);
      if (name === undefined) throw new Error('cut(): this persister was not opened through the cutter');
      admin ??= testClient(url, { max: 1 });
      const rows = await admin`SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE application_name = ${name} AND pid <> pg_backend_pid()`;
      return rows.filter((row) => row.cut === true).length;
    },
    async close(): Promise<void> {
      await admin?.end({ timeout: 5 });
    },
  };
}

/**
 * What a suite of server tests shares: a scratch store, an admin client of
 * `adminConnections` connections and the persisters the tests opened (push
 * them to `opened`). After the file's tests the persisters are cleaned up, the
 * tables dropped, the client ended and the provided server stopped.
 */
export function postgresSuite(database: { url: string; stop(): Promise<void> }, adminConnections: number) {
  const store = scratch(database.url);
  const admin = testClient(database.url, { max: adminConnections });
  const opened: PostgreSQLPersister[] = [];
  afterAll(async () => {
    await Promise.allSettled(opened.map((persister) => persister.cleanup()));
    await store.drop();
    await admin.end({ timeout: 5 });
    await database.stop();
  });
  return { store, admin, opened };
}
