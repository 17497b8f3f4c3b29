import assert from 'node:assert/strict';
import { State, type BaseStatePersister } from '@burr/core';

/** What {@link pruneBesideOpenInsert} and {@link deleteBesideOpenInsert} need from a SQL backend. */
export interface OpenInsertRemoval {
  /** Three incremental persisters on one table, one store: none has saved anything yet. */
  writer: BaseStatePersister;
  other: BaseStatePersister;
  remover: BaseStatePersister;
  /**
   * Runs `sql` with `params` in a transaction of its own, then awaits
   * `whileOpen()` before committing; resolves to the rows it changed.
   */
  runInOpenTransaction(sql: string, params: readonly unknown[], whileOpen: () => Promise<void>): Promise<number>;
  /** Whether the removal is waiting for a lock: its delete, or the lock a deleteApp takes on the app first where the dialect has one. */
  removalWaits(): Promise<boolean>;
}

const APP_ID = 'race';

/** Four states of a chat, each one more message than the one before. */
function chatStates(): State[] {
  const states: State[] = [];
  let state: State = new State({ messages: [] as string[] });
  for (let sequenceId = 0; sequenceId < 4; sequenceId++) {
    state = state.append({ messages: `message ${sequenceId}` });
    states.push(state);
  }
  return states;
}

function step(states: readonly State[], sequenceId: number) {
  return { appId: APP_ID, sequenceId, position: 'respond', state: states[sequenceId]!, status: 'completed' as const };
}

/**
 * Saves step `sequenceId` with the writer, whose delta insert runs in a
 * transaction held open, and runs `removal` once it is inserted; checks that
 * the removal's delete waits for that transaction (the insert locks its base
 * row), then lets it commit. Resolves to what `removal` resolved to.
 */
async function besideOpenInsert<T>(options: OpenInsertRemoval, states: readonly State[], sequenceId: number, removal: () => Promise<T>): Promise<T> {
  const { writer, runInOpenTransaction, removalWaits } = options;
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
  const saving = writer.save(step(states, sequenceId));
  let removing: Promise<T> | undefined;
  try {
    await insertedNow;
    removing = removal();
    const deadline = Date.now() + 10_000;
    while (!(await removalWaits())) {
      assert.ok(Date.now() < deadline, 'within 10 s, the removal waits for the insert still open');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    // Whatever failed, the open transaction ends, so the store can be closed.
    release();
    await saving.catch(() => {});
    await removing?.catch(() => {});
    delete (writer as unknown as Record<string, unknown>).execute;
  }
  await saving;
  return removing;
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
export async function pruneBesideOpenInsert(options: OpenInsertRemoval): Promise<void> {
  const { writer, other, remover: pruner } = options;
  const states = chatStates();
  await writer.save(step(states, 0));
  await writer.save(step(states, 1));
  // Another process, which remembers nothing, saves 2 as a snapshot: a prune keeping 1 step removes 0 and 1.
  await other.save(step(states, 2));
  const report = await besideOpenInsert(options, states, 3, () => pruner.prune({ keepLast: 1 }));
  assert.equal(report.stepsRemoved, 2, 'the prune removes steps 0 and 1');
  const kept = (await writer.listSteps(null, APP_ID, { order: 'oldest-first' })).steps;
  assert.deepEqual(
    kept.map(({ sequenceId, storedAs }) => `${sequenceId}:${storedAs}`),
    ['2:snapshot', '3:snapshot'],
    'step 3, a delta on step 1, became a snapshot',
  );
  assert.deepEqual((await pruner.load(null, APP_ID))?.state.getAll(), states[3]!.getAll(), 'step 3 loads');
  assert.deepEqual((await pruner.load(null, APP_ID, 2))?.state.getAll(), states[2]!.getAll(), 'step 2 loads');
}

/**
 * Incremental storage on a SQL backend: the writer's delta insert of step 2
 * (on step 1) runs in a transaction held open while another persister
 * deletes the app. Checks that the delete waits for that insert, then
 * removes it too (3 steps): no step of the app is left, not even a delta
 * without its base, and the app is not listed; the writer's next save is a
 * snapshot that loads.
 */
export async function deleteBesideOpenInsert(options: OpenInsertRemoval): Promise<void> {
  const { writer, remover: deleter } = options;
  const states = chatStates();
  await writer.save(step(states, 0));
  await writer.save(step(states, 1));
  const removed = await besideOpenInsert(options, states, 2, () => deleter.deleteApp(null, APP_ID));
  assert.equal(removed, 3, 'deleteApp removes steps 0 and 1 and the delta saved beside it');
  assert.deepEqual((await writer.listSteps(null, APP_ID)).steps, [], 'no step of the app is left');
  assert.equal(await deleter.load(null, APP_ID), null, 'the app loads nothing');
  assert.ok(!(await deleter.listAppIds(null)).includes(APP_ID), 'the app is not listed');
  await writer.save(step(states, 3));
  const [only] = (await writer.listSteps(null, APP_ID)).steps;
  assert.equal(only?.storedAs, 'snapshot', "the writer's next save is a snapshot (its base is gone)");
  assert.deepEqual((await deleter.load(null, APP_ID))?.state.getAll(), states[3]!.getAll(), 'it loads');
}

/** Both checks with their test titles, for a backend's test file to register each. */
export const REMOVALS_BESIDE_OPEN_INSERT: ReadonlyArray<readonly [title: string, run: (options: OpenInsertRemoval) => Promise<void>]> = [
  [
    'incremental storage: a prune waits for a delta insert still open on a step it removes (the insert locks its base), then rewrites the delta as a snapshot; every kept step loads',
    pruneBesideOpenInsert,
  ],
  ['incremental storage: deleteApp waits for a delta insert still open, then removes that delta too: nothing of the app is left', deleteBesideOpenInsert],
];
