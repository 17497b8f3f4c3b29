// Incremental storage: a delta whose insert has not committed yet when a prune removes its base (see pruneBesideOpenInsert).
import { providePostgres, pruneBesideOpenInsert } from '@burr/testkit';
import { describe, it } from 'vitest';
import { PostgreSQLPersister } from '../src/index.js';
import { postgresSuite } from './helpers.js';

const database = await providePostgres();
const title =
  'incremental storage: a prune waits for a delta insert still open on a step it removes (the insert locks its base), then rewrites the delta as a snapshot; every kept step loads';

if ('skip' in database) {
  describe.skip(`PostgreSQL [skipped: ${database.skip}]`, () => {
    it(title, () => {});
  });
} else {
  const { url } = database;
  const { store, admin, opened } = postgresSuite(database, 3);

  describe('PostgreSQL', () => {
    it(title, async () => {
      const tableName = store.table();
      const open = async () => {
        const persister = await PostgreSQLPersister.fromUrl(url, { tableName, storage: 'incremental', clientOptions: { max: 2 } });
        opened.push(persister);
        return persister;
      };
      const [writer, other, pruner] = [await open(), await open(), await open()];
      await writer.initialize();
      await pruneBesideOpenInsert({
        writer,
        other,
        pruner,
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
  });
}
