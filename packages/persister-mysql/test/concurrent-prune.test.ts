// Incremental storage: a delta whose insert has not committed yet when a prune removes its base (see pruneBesideOpenInsert).
import { provideMysql, pruneBesideOpenInsert } from '@burr/testkit';
import type mysql from 'mysql2/promise';
import { describe, it } from 'vitest';
import { MySQLPersister } from '../src/index.js';
import { mysqlSuite } from './helpers.js';

const database = await provideMysql();
const skipReason = 'skip' in database ? database.skip : undefined;

describe.skipIf(skipReason !== undefined)(`MySQL${skipReason ? ` [skipped: ${skipReason}]` : ''}`, () => {
  const url = 'url' in database ? database.url : '';
  const suite = mysqlSuite(url, database);

  it('incremental storage: a prune waits for a delta insert still open on a step it removes (the insert locks its base), then rewrites the delta as a snapshot; every kept step loads', async () => {
    const tableName = suite.store.table();
    const open = () => MySQLPersister.fromUrl(url, { tableName, storage: 'incremental', clientOptions: { connectionLimit: 2 } });
    await using writer = open();
    await using other = open();
    await using pruner = open();
    await writer.initialize();
    await pruneBesideOpenInsert({
      writer,
      other,
      pruner,
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
});
