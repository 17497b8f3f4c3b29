// A corrupt stored row must give a DeserializationError naming the step (the shared cases of @burr/testkit), written
// with postgres.js itself over a step the persister saved. Needs PostgreSQL (BURR_TEST_POSTGRES_URL), else skipped saying why.
import { providePostgres, runCorruptRowCases } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PostgreSQLPersister } from '../src/index.js';
import { scratch } from './helpers.js';

runCorruptRowCases<PostgreSQLPersister>(
  { describe, it, beforeAll, afterAll },
  {
    name: 'PostgreSQL',
    // JSONB holds only valid JSON, and created_at is a TIMESTAMP: truncated JSON and unreadable times cannot occur.
    limits: { holdsMalformedJson: false, holdsMalformedTimestamp: false },
    server: await providePostgres(),
    stores: (url) => {
      const tables = scratch(url);
      return { next: () => tables.table(), drop: tables.drop };
    },
    open: (url, tableName) => PostgreSQLPersister.fromUrl(url, { tableName }),
    writeRaw: async ({ client, tableName }, step, field, value) => {
      const where = 'WHERE partition_key = $2 AND app_id = $3 AND sequence_id = $4';
      const sql = `UPDATE "${tableName}" SET ${field} = $1${field === 'state' ? '::jsonb' : ''} ${where}`;
      return (await client.unsafe(sql, [value, step.partitionKey, step.appId, step.sequenceId])).count;
    },
  },
);
