// Needs PostgreSQL: BURR_TEST_POSTGRES_URL, else a Testcontainers container; without either it is skipped saying why.
import { DeserializationError, State } from '@burr/core';
import { providePostgres } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgreSQLPersister } from '../src/index.js';
import { scratch, testClient } from './helpers.js';

const database = await providePostgres();

/**
 * Each corruption is written with postgres.js itself over a step the
 * persister saved. JSONB accepts only valid JSON and `created_at` is a
 * TIMESTAMP, so truncated JSON and unreadable times cannot occur here.
 */
const corruptions: Array<[string, 'state' | 'status', string]> = [
  ['a JSON array where the state object belongs', 'state', '[1, 2, 3]'],
  ['a bare JSON number', 'state', '42'],
  ['a date tag whose value is no date', 'state', '{"when": {"__burr_serde__": "date", "value": "soon"}}'],
  ['a set tag whose value is no list', 'state', '{"s": {"__burr_serde__": "set", "value": 7}}'],
  ['a bigint tag whose value is no integer', 'state', '{"n": {"__burr_serde__": "bigint", "value": "12.5"}}'],
  ['nesting beyond the depth limit', 'state', `{"deep": ${'['.repeat(1200)}${']'.repeat(1200)}}`],
  ['an unknown status', 'status', 'paused'],
];

if ('skip' in database) {
  describe.skip(`PostgreSQL corrupt rows [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const { url } = database;
  const store = scratch(url);
  const table = store.table();
  const admin = testClient(url);
  const persister = PostgreSQLPersister.fromUrl(url, { tableName: table });
  afterAll(async () => {
    await persister.cleanup();
    await store.drop();
    await admin.end({ timeout: 5 });
    await database.stop();
  });

  describe('PostgreSQL: a corrupt stored row gives a DeserializationError naming partition, app id and sequence id', () => {
    for (const [index, [what, column, value]] of corruptions.entries()) {
      it(`for ${what}`, async () => {
        await persister.initialize();
        const appId = `app-${index}`;
        await persister.save({ partitionKey: 'tenant-7', appId, sequenceId: 3, position: 'respond', state: new State({ count: 1 }), status: 'completed' });
        const changed =
          column === 'state'
            ? await admin.unsafe(`UPDATE "${table}" SET state = $1::jsonb WHERE partition_key = $2 AND app_id = $3`, [value, 'tenant-7', appId])
            : await admin.unsafe(`UPDATE "${table}" SET status = $1 WHERE partition_key = $2 AND app_id = $3`, [value, 'tenant-7', appId]);
        expect(changed.count).toBe(1);
        for (const sequenceId of [undefined, 3]) {
          const error = await persister.load('tenant-7', appId, sequenceId).catch((caught: unknown) => caught);
          expect(error).toBeInstanceOf(DeserializationError);
          expect((error as Error).message).toContain(`partition "tenant-7", app "${appId}", sequence "3"`);
        }
      });
    }
  });
}
