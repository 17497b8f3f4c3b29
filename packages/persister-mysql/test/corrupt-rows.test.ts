// A corrupt stored row must give a DeserializationError naming the step (the shared cases of @burr/testkit); the
// corruptions are written with mysql2 itself over a step the persister saved. Needs MySQL or MariaDB:
// BURR_TEST_MYSQL_URL, else a Testcontainers container; without either the cases are skipped saying why.
import { provideMysql, runCorruptRowCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MySQLPersister } from '../src/index.js';
import { scratch } from './helpers.js';
import type mysql from 'mysql2/promise';

/** Tables of the cases, one per persister. */
function tables(url: string) {
  const made = scratch(url);
  return { next: () => made.table(), drop: made.drop };
}

runCorruptRowCases<MySQLPersister>(
  { describe, it, beforeAll, afterAll },
  {
    name: 'MySQL',
    server: await provideMysql(),
    stores: tables,
    open: (url, tableName) => MySQLPersister.fromUrl(url, { tableName }),
    writeRaw: async ({ client, tableName }, { partitionKey, appId, sequenceId }, field, value) => {
      const sql = `UPDATE \`${tableName}\` SET ${field} = ? WHERE partition_key = ? AND app_id = ? AND sequence_id = ?`;
      const [result] = await client.query<mysql.ResultSetHeader>(sql, [value, partitionKey, appId, sequenceId]);
      return result.affectedRows;
    },
    // created_at is a DATETIME(6): it holds no text that is not a time.
    limits: { holdsMalformedTimestamp: false },
  },
);
