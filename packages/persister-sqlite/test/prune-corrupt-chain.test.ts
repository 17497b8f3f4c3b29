// A prune over a kept delta whose base was gone before the prune began (a corrupt chain): the removal's check for
// deltas saved meanwhile sees it, the prune looks again, finds no delta to rewrite, and removes its batch. And a prune
// over an app whose kept delta cannot be rebuilt: it goes on with the other apps, then says which one failed.
import { DeserializationError, PruneIncompleteError, State } from '@burr/core';
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
    // The broken row is 4 itself: the delta whose base is not stored.
    await expect(second.load(null, 'app', 4)).rejects.toThrow(DeserializationError);
    await expect(second.load(null, 'app', 4)).rejects.toMatchObject({ chainRow: { kind: 'delta', sequenceId: 4, position: 'step' } });
    // Saving goes on.
    await save(second, 5);
    expect((await second.load(null, 'app', 5))?.state.get('n')).toBe(5);
  });

  it('goes on past an app whose kept delta cannot be rebuilt, leaves that app whole, then throws PruneIncompleteError naming it', async () => {
    await using persister = SQLitePersister.fromValues({ dbPath: dir.path('apps.db'), storage: 'incremental' });
    await persister.initialize();
    // Listed in this order: the broken app is pruned first.
    for (const appId of ['a-broken', 'b-fine']) {
      for (const sequenceId of [0, 1, 2, 3]) {
        await persister.save({ appId, sequenceId, position: 'step', state: new State({ n: sequenceId, appId }), status: 'completed' });
      }
    }
    const table = `${persister.tableName}_incremental`;
    const corrupt = persister.client.prepare(`UPDATE ${table} SET state = '{"n": ' WHERE app_id = 'a-broken' AND sequence_id = 1 AND base_sequence_id = 0`);
    expect(corrupt.run().changes).toBe(1);

    // Keeping 3 only: 3 is a delta on 2, so it must be rebuilt (through 1) and rewritten before 0-2 go.
    const error = await persister.prune({ keepLast: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PruneIncompleteError);
    const { report, failures, message } = error as PruneIncompleteError;
    expect(failures.map(({ appId, error: cause }) => [appId, cause.name])).toEqual([['a-broken', 'DeserializationError']]);
    // The step rebuilt is 3; the message names the row of its chain that is broken.
    expect(failures[0]?.error.message).toMatch(/sequence "3": the delta at sequence 1 \(position "step"\) of its chain: Stored state is not valid JSON/);
    // And names it in fields, as does a load of any step whose chain goes through it (the inspector links to it).
    expect(failures[0]).toMatchObject({ error: { chainRow: { kind: 'delta', sequenceId: 1, position: 'step' } } });
    for (const sequenceId of [1, 2, 3]) {
      const loadError = await persister.load(null, 'a-broken', sequenceId).catch((caught: unknown) => caught);
      expect(loadError).toBeInstanceOf(DeserializationError);
      expect((loadError as DeserializationError).chainRow).toEqual({ kind: 'delta', sequenceId: 1, position: 'step' });
    }
    expect((await persister.load(null, 'a-broken', 0))?.state.getAll()).toEqual({ n: 0, appId: 'a-broken' });
    expect(report).toEqual({ dryRun: false, appsScanned: 2, appsPruned: 1, stepsRemoved: 3, bytesRemoved: report.bytesRemoved, appsFailed: 1 });
    expect(message).toContain('could not finish 1 of 2 apps (3 steps removed in all)');
    expect(message).toContain('"a-broken"');
    const steps = async (appId: string) => (await persister.listSteps(null, appId, { order: 'oldest-first' })).steps.map((step) => step.sequenceId);
    expect(await steps('a-broken')).toEqual([0, 1, 2, 3]);
    expect(await steps('b-fine')).toEqual([3]);
    expect((await persister.load(null, 'b-fine'))?.state.getAll()).toEqual({ n: 3, appId: 'b-fine' });
  });

  it('an app that fails after some of its batches went: counted as failed, not pruned; onAppFailure tells it at once, even when the prune is then stopped', async () => {
    const dbPath = dir.path('batches.db');
    await using persister = SQLitePersister.fromValues({ dbPath, storage: 'incremental' });
    await using other = SQLitePersister.fromValues({ dbPath, storage: 'incremental' });
    await persister.initialize();
    const save = (by: SQLitePersister, appId: string, sequenceId: number) =>
      by.save({ appId, sequenceId, position: 'step', state: new State({ n: sequenceId }), status: 'completed' });
    // a-broken: 0-3 by one persister, 4-8 by another (4 a snapshot), then 9 by the first: a delta on 3, its last save.
    for (const sequenceId of [0, 1, 2, 3]) await save(persister, 'a-broken', sequenceId);
    for (const sequenceId of [4, 5, 6, 7, 8]) await save(other, 'a-broken', sequenceId);
    await save(persister, 'a-broken', 9);
    for (let sequenceId = 0; sequenceId < 10; sequenceId++) await save(persister, 'b-fine', sequenceId);
    const table = `${persister.tableName}_incremental`;
    expect(persister.client.prepare(`SELECT base_sequence_id FROM ${table} WHERE app_id = 'a-broken' AND sequence_id = 9`).pluck().get()).toBe(3);
    expect(persister.client.prepare(`UPDATE ${table} SET state = '{"n": ' WHERE app_id = 'a-broken' AND sequence_id = 1`).run().changes).toBe(1);

    // Batches of 2, newest first: 8, 6-7 and 4-5 go; batch 2-3 holds the base of 9, which is rebuilt (through 1) to be rewritten.
    const told: string[] = [];
    const error = await persister
      .prune({ keepLast: 1, batchSize: 2, target: { partitionKey: null, appId: 'a-broken' }, onAppFailure: ({ appId, error: cause }) => told.push(`${appId}: ${cause.name}`) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PruneIncompleteError);
    expect((error as PruneIncompleteError).report).toMatchObject({ appsScanned: 1, appsPruned: 0, appsFailed: 1, stepsRemoved: 5 });
    expect((error as PruneIncompleteError).message).toContain('could not finish 1 of 1 apps (5 steps removed in all)');
    expect(told).toEqual(['a-broken: DeserializationError']);
    const steps = async (appId: string) => (await persister.listSteps(null, appId, { order: 'oldest-first' })).steps.map((step) => step.sequenceId);
    expect(await steps('a-broken')).toEqual([0, 1, 2, 3, 9]);

    // Stopped at the first failure: the prune rejects with the signal's reason, the failure was told, b-fine is untouched.
    const stop = new AbortController();
    const stopped = await persister.prune({ keepLast: 1, onAppFailure: () => stop.abort(new Error('stop')), signal: stop.signal }).catch((caught: unknown) => caught);
    expect(stopped).toEqual(new Error('stop'));
    expect(await steps('b-fine')).toHaveLength(10);
  });
});
