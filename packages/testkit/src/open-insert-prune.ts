import assert from 'node:assert/strict';
import { State, type BaseStatePersister } from '@burr/core';

/** What {@link pruneBesideOpenInsert} needs from a SQL backend. */
export interface OpenInsertPrune {
  /** Three incremental persisters on one table, one store: none has saved anything yet. */
  writer: BaseStatePersister;
  other: BaseStatePersister;
  pruner: BaseStatePersister;
  /**
   * Runs `sql` with `params` in a transaction of its own, then awaits
   * `whileOpen()` before committing; resolves to the rows it changed.
   */
  runInOpenTransaction(sql: string, params: readonly unknown[], whileOpen: () => Promise<void>): Promise<number>;
  /** Whether a statement deleting rows is waiting for a lock. */
  removalWaits(): Promise<boolean>;
}

/**
 * Incremental storage on a SQL backend: the writer's delta insert (on its
 * last save, step 1) runs in a transaction held open while a prune keeping
 * one step removes steps 0 and 1. Checks that the prune's removal waits for
 * that insert (the insert locks its base row), then sees the delta and
 * removes nothing, so that the prune rewrites the delta as a snapshot and
 * removes the batch again: both kept steps load. Throws an assertion error
 * naming what did not hold.
 */
export async function pruneBesideOpenInsert({ writer, other, pruner, runInOpenTransaction, removalWaits }: OpenInsertPrune): Promise<void> {
  const states: State[] = [];
  let state: State = new State({ messages: [] as string[] });
  for (let sequenceId = 0; sequenceId < 4; sequenceId++) {
    state = state.append({ messages: `message ${sequenceId}` });
    states.push(state);
  }
  const step = (sequenceId: number) => ({ appId: 'race', sequenceId, position: 'respond', state: states[sequenceId]!, status: 'completed' as const });
  await writer.save(step(0));
  await writer.save(step(1));
  // Another process, which remembers nothing, saves 2 as a snapshot: a prune keeping 1 step removes 0 and 1.
  await other.save(step(2));

  let inserted!: () => void;
  const insertedNow = new Promise<void>((resolve) => (inserted = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const internals = writer as unknown as { execute(sql: string, params: readonly unknown[]): Promise<number> };
  const execute = internals.execute;
  assert.equal(typeof execute, 'function', 'the writer runs statements through execute (a SqlPersister)');
  Object.defineProperty(writer, 'execute', {
    configurable: true,
    value: (sql: string, params: readonly unknown[]) => {
      if (!sql.startsWith('INSERT') || !sql.includes('base_sequence_id')) return execute.call(writer, sql, params);
      return runInOpenTransaction(sql, params, () => {
        inserted();
        return released;
      });
    },
  });
  const saving = writer.save(step(3));
  let pruning: Promise<{ stepsRemoved: number }> | undefined;
  try {
    await insertedNow;
    pruning = pruner.prune({ keepLast: 1 });
    const deadline = Date.now() + 10_000;
    while (!(await removalWaits())) {
      assert.ok(Date.now() < deadline, "within 10 s, the prune's removal waits for the insert still open");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    // Whatever failed, the open transaction ends, so the store can be closed.
    release();
    await saving.catch(() => {});
    await pruning?.catch(() => {});
  }
  await saving;
  const report = await pruning;
  assert.equal(report.stepsRemoved, 2, 'the prune removes steps 0 and 1');
  const kept = (await writer.listSteps(null, 'race', { order: 'oldest-first' })).steps;
  assert.deepEqual(
    kept.map(({ sequenceId, storedAs }) => `${sequenceId}:${storedAs}`),
    ['2:snapshot', '3:snapshot'],
    'step 3, a delta on step 1, became a snapshot',
  );
  assert.deepEqual((await pruner.load(null, 'race'))?.state.getAll(), states[3]!.getAll(), 'step 3 loads');
  assert.deepEqual((await pruner.load(null, 'race', 2))?.state.getAll(), states[2]!.getAll(), 'step 2 loads');
}
