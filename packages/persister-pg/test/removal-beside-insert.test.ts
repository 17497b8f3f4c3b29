// Incremental storage: a delta whose insert has not committed yet when a prune or deleteApp removes its base (see
// pruneBesideOpenInsert and deleteBesideOpenInsert), and deletes beside writers saving chains of deltas.
import { deleteBesideChainsOfSaves, providePostgres, REMOVALS_BESIDE_OPEN_INSERT } from '@burr/testkit';
import { describe, it } from 'vitest';
import { PostgreSQLPersister } from '../src/index.js';
import { postgresSuite } from './helpers.js';

const database = await providePostgres();
const cases = REMOVALS_BESIDE_OPEN_INSERT;
const CHAINS_TITLE = 'incremental storage: deleteApp beside writers saving chains of deltas leaves no delta without its base';

if ('skip' in database) {
  describe.skip(`PostgreSQL [skipped: ${database.skip}]`, () => {
    for (const [title] of cases) it(title, () => {});
    it(CHAINS_TITLE, () => {});
    it(`${CHAINS_TITLE} (the deleter names the table with its schema, the writers without)`, () => {});
  });
} else {
  const { url } = database;
  const { store, admin, opened } = postgresSuite(database, 3);

  describe('PostgreSQL', () => {
    for (const [title, run] of cases) {
      it(title, async () => {
        const tableName = store.table();
        const open = async () => {
          const persister = await PostgreSQLPersister.fromUrl(url, { tableName, storage: 'incremental', clientOptions: { max: 2 } });
          opened.push(persister);
          return persister;
        };
        const [writer, other, remover] = [await open(), await open(), await open()];
        await writer.initialize();
        await run({
          writer,
          other,
          remover,
          runInOpenTransaction: (sql, params, whileOpen) =>
            admin.begin(async (tx) => {
              const result = await tx.unsafe(sql, [...params] as never[]);
              await whileOpen();
              return result.count;
            }),
          // A prune's delete waits for the insert's lock on its base row, a deleteApp for its lock on the app.
          removalWaits: async () => {
            const [row] = await admin`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock'
              AND (query LIKE 'DELETE FROM%' OR query LIKE 'SELECT pg_advisory_xact_lock(%') AND query LIKE ${`%${tableName}%`}`;
            return (row?.waiting ?? 0) > 0;
          },
        });
      });
    }

    for (const deleterSchema of [undefined, 'public']) {
      it(`${CHAINS_TITLE}${deleterSchema ? ' (the deleter names the table with its schema, the writers without)' : ''}`, async () => {
        const tableName = store.table();
        const open = (schema?: string) => async () => {
          const persister = await PostgreSQLPersister.fromUrl(url, { tableName, schema, storage: 'incremental', clientOptions: { max: 2 } });
          opened.push(persister);
          await persister.initialize();
          return persister;
        };
        await deleteBesideChainsOfSaves({ open: open(), openDeleter: open(deleterSchema) });
      });
    }
  });
}
