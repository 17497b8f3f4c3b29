import Database from 'better-sqlite3';
import { DeserializationError, State } from '@burr/core';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLitePersister } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir('corrupt-rows');
afterAll(() => dir.remove());

/** Each corruption is written with better-sqlite3 itself over a step the persister saved. */
const corruptions: Array<[string, string, unknown]> = [
  ['truncated JSON', 'state', '{"count": 1, "history": [1, 2'],
  ['a JSON array where the state object belongs', 'state', '[1, 2, 3]'],
  ['a bare JSON string', 'state', '"just text"'],
  ['a date tag whose value is no date', 'state', '{"when": {"__burr_serde__": "date", "value": "soon"}}'],
  ['a map tag whose value is no list of pairs', 'state', '{"m": {"__burr_serde__": "map", "value": {"a": 1}}}'],
  ['a bigint tag whose value is no integer', 'state', '{"n": {"__burr_serde__": "bigint", "value": "12.5"}}'],
  ['nesting far beyond the depth limit', 'state', `{"deep": ${'['.repeat(5000)}${']'.repeat(5000)}}`],
  ['an unknown status', 'status', 'paused'],
  ['a timestamp that is no date', 'created_at', 'the day before yesterday'],
];

describe('SQLite: a corrupt stored row gives a DeserializationError naming partition, app id and sequence id', () => {
  const db = new Database(dir.path('corrupt.db'));
  const persister = new SQLitePersister(db, { tableName: 'burr_state' });
  afterAll(async () => {
    await persister.cleanup();
    db.close();
  });

  for (const [what, column, value] of corruptions) {
    it(`for ${what}`, async () => {
      await persister.initialize();
      const appId = `app-${corruptions.findIndex(([label]) => label === what)}`;
      await persister.save({ partitionKey: 'tenant-7', appId, sequenceId: 3, position: 'respond', state: new State({ count: 1 }), status: 'completed' });
      const changed = db.prepare(`UPDATE burr_state SET ${column} = ? WHERE partition_key = ? AND app_id = ?`).run(value, 'tenant-7', appId);
      expect(changed.changes).toBe(1);
      for (const sequenceId of [undefined, 3]) {
        const error = await persister.load('tenant-7', appId, sequenceId).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(DeserializationError);
        expect((error as Error).message).toContain(`partition "tenant-7", app "${appId}", sequence "3"`);
      }
    });
  }
});
