// A prune over a kept delta whose base was gone before the prune began (a corrupt chain): the removal's check for
// deltas saved meanwhile sees it, the prune looks again, finds no delta to rewrite, and removes its batch.
import { DeserializationError, State } from '@burr/core';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLitePersister } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir('prune-corrupt-chain');
afterAll(() => dir.remove());

describe('SQLite incremental storage: a prune over a corrupt chain', () => {
  it('removes its batch, leaving the delta without its base as broken as it was; saving goes on', async () => {
    const dbPath = dir.path('chain.db');
    await using first = SQLitePersister.fromValues({ dbPath, storage: 'incremental' });
    await using second = SQLitePersister.fromValues({ dbPath, storage: 'incremental' });
    await first.initialize();
    const save = (persister: SQLitePersister, sequenceId: number) =>
      persister.save({ appId: 'app', sequenceId, position: 'step', state: new State({ n: sequenceId }), status: 'completed' });
    for (const sequenceId of [0, 1, 2]) await save(first, sequenceId);
    await save(second, 3);
    // A delta on 2, the first persister's last save; then 2 goes without a prune (another tool, a bug).
    await save(first, 4);
    const table = `${first.tableName}_incremental`;
    const baseOf4 = first.client.prepare(`SELECT base_sequence_id FROM ${table} WHERE sequence_id = 4`).pluck().get();
    expect(baseOf4).toBe(2);
    expect(first.client.prepare(`DELETE FROM ${table} WHERE sequence_id = 2`).run().changes).toBe(1);

    // Keeping 4 only: the batch (0-3) holds 4's missing base.
    const report = await second.prune({ keepLast: 1 });
    expect(report.stepsRemoved).toBe(3);
    expect((await second.listSteps(null, 'app')).steps.map((step) => step.sequenceId)).toEqual([4]);
    await expect(second.load(null, 'app', 4)).rejects.toThrow(DeserializationError);
    // Saving goes on.
    await save(second, 5);
    expect((await second.load(null, 'app', 5))?.state.get('n')).toBe(5);
  });
});
