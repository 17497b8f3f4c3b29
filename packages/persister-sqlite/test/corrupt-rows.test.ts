// A corrupt stored row must give a DeserializationError naming the step (the shared cases of @burr/testkit);
// the corruptions are written with better-sqlite3 itself over a step the persister saved.
import { runCorruptRowCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SQLitePersister } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir('corrupt-rows');

runCorruptRowCases<SQLitePersister>(
  { describe, it, beforeAll, afterAll },
  {
    name: 'SQLite',
    open: () => SQLitePersister.fromValues({ dbPath: dir.path('corrupt.db') }),
    writeRaw: async ({ client, tableName }, { partitionKey, appId, sequenceId }, field, value) =>
      client.prepare(`UPDATE ${tableName} SET ${field} = ? WHERE partition_key = ? AND app_id = ? AND sequence_id = ?`).run(value, partitionKey, appId, sequenceId).changes,
    teardown: async () => dir.remove(),
  },
);
