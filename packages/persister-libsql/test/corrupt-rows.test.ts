// A corrupt stored row must give a DeserializationError naming the step (the shared cases of @burr/testkit);
// the corruptions are written with @libsql/client itself, on an embedded file, over a step the persister saved.
import { runCorruptRowCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LibSQLPersister } from '../src/index.js';
import { tempDir } from './helpers.js';

const files = tempDir('corrupt-rows');

runCorruptRowCases<LibSQLPersister>(
  { describe, it, beforeAll, afterAll },
  {
    name: 'libSQL (embedded file)',
    open: () => LibSQLPersister.fromValues({ url: files.url('corrupt.db') }),
    writeRaw: async ({ client, tableName }, step, field, value) => {
      const sql = `UPDATE ${tableName} SET ${field} = ? WHERE partition_key = ? AND app_id = ? AND sequence_id = ?`;
      return (await client.execute({ sql, args: [value, step.partitionKey, step.appId, step.sequenceId] })).rowsAffected;
    },
    teardown: async () => files.remove(),
  },
);
