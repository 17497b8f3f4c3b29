// Incremental storage: a delta whose insert has not committed yet when a prune or deleteApp removes its base (see
// pruneBesideOpenInsert and deleteBesideOpenInsert), and deletes beside writers saving chains of deltas.
import { deleteBesideChainsOfSaves, provideMysql, REMOVALS_BESIDE_OPEN_INSERT } from '@burr/testkit';
import type mysql from 'mysql2/promise';
import { describe, it } from 'vitest';
import { MySQLPersister } from '../src/index.js';
import { mysqlSuite } from './helpers.js';

const database = await provideMysql();
const skipReason = 'skip' in database ? database.skip : undefined;
const cases = REMOVALS_BESIDE_OPEN_INSERT;

describe.skipIf(skipReason !== undefined)(`MySQL${skipReason ? ` [skipped: ${skipReason}]` : ''}`, () => {
  const url = 'url' in database ? database.url : '';
  const suite = mysqlSuite(url, database);

  for (const [title, run] of cases) {
    it(title, async () => {
      const tableName = suite.store.table();
      const open = () => MySQLPersister.fromUrl(url, { tableName, storage: 'incremental', clientOptions: { connectionLimit: 2 } });
      await using writer = open();
      await using other = open();
      await using remover = open();
      await writer.initialize();
      await run({
        writer,
        other,
        remover,
        runInOpenTransaction: async (sql, params, whileOpen) => {
          const connection = await suite.admin.getConnection();
          try {
            await connection.beginTransaction();
            const [result] = await connection.execute<mysql.ResultSetHeader>(sql, params as never[]);
            await whileOpen();
            await connection.commit();
            return result.affectedRows;
          } finally {
            connection.release();
          }
        },
        // A DELETE still in the process list while the insert stays open is one waiting for its lock (it takes microseconds otherwise).
        removalWaits: async () => {
          const [rows] = await suite.admin.query<mysql.RowDataPacket[]>(
            "SELECT COUNT(*) AS waiting FROM information_schema.PROCESSLIST WHERE COMMAND IN ('Query', 'Execute') AND INFO LIKE 'DELETE FROM%'",
          );
          return Number(rows[0]?.waiting ?? 0) > 0;
        },
      });
    });
  }

  it('incremental storage: deleteApp beside writers saving chains of deltas leaves no delta without its base', async () => {
    const tableName = suite.store.table();
    const opened: MySQLPersister[] = [];
    try {
      await deleteBesideChainsOfSaves({
        open: async () => {
          const persister = MySQLPersister.fromUrl(url, { tableName, storage: 'incremental', clientOptions: { connectionLimit: 2 } });
          opened.push(persister);
          await persister.initialize();
          return persister;
        },
      });
    } finally {
      await Promise.all(opened.map((persister) => persister.cleanup()));
    }
  });
});
