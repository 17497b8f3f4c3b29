// Incremental storage: a delta whose insert has not committed yet when a prune or deleteApp removes its base (see
// pruneBesideOpenInsert and deleteBesideOpenInsert).
import { providePostgres, REMOVALS_BESIDE_OPEN_INSERT } from '@burr/testkit';
import { describe, it } from 'vitest';
import { PostgreSQLPersister } from '../src/index.js';
import { postgresSuite } from './helpers.js';

const database = await providePostgres();
const cases = REMOVALS_BESIDE_OPEN_INSERT;

if ('skip' in database) {
  describe.skip(`PostgreSQL [skipped: ${database.skip}]`, () => {
    for (const [title] of cases) it(title, () => {});
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
          removalWaits: async () => {
            const [row] = await admin`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM%'`;
            return (row?.waiting ?? 0) > 0;
          },
        });
      });
    }
  });
}
