import assert from 'node:assert/strict';
import { PersisterConflictError, State, StorageModeMismatchError, type BaseStatePersister, type StorageModeOptions } from '@burr/core';
import { newAppId, stepState, type SuiteContext } from './context.js';
import { allSteps, incompressibleText, positionOf, saveSteps, sequenceIdsOf, timeBetweenSaves } from './history-fixtures.js';

/** Incremental storage with a chain longer than any case here and no byte limit: every save after an app's first is a delta. */
const LONG_CHAINS: StorageModeOptions = { storage: 'incremental', snapshotEvery: 1000, snapshotBytes: 100_000_000 };

/** Saves `states` (by sequence id) in order; `failed` sequence ids are saved with status `failed`. */
async function saveStates(persister: BaseStatePersister, appId: string, states: readonly State[], options: { from?: number; failed?: (n: number) => boolean } = {}): Promise<void> {
  const { from = 0, failed = () => false } = options;
  for (let sequenceId = from; sequenceId < states.length; sequenceId++) {
    await persister.save({ appId, sequenceId, position: positionOf(sequenceId), state: states[sequenceId]!, status: failed(sequenceId) ? 'failed' : 'completed' });
  }
}

/** A chat: each state is the one before it with one more message (the same message objects, as `State.append` keeps them). */
function chatStates(count: number, messageLength: number, extra: Record<string, unknown> = {}): State[] {
  const states: State[] = [];
  let state: State = new State({ ...extra, messages: [] as unknown[] });
  for (let n = 0; n < count; n++) {
    state = state
      .append({ messages: { role: n % 2 ? 'assistant' : 'user', content: incompressibleText(messageLength) } })
      .update({ __SEQUENCE_ID: n, __PRIOR_STEP: positionOf(n) });
    states.push(state);
  }
  return states;
}

/**
 * States that exercise every kind of change: a list that grows, is cut
 * short and replaced; keys rewritten, deleted and added back (which moves
 * them last); tagged values; a step saved as failed.
 */
function variedStates(count: number): State[] {
  const states: State[] = [];
  let state: State = new State({ messages: [] as unknown[], turn: 0, summary: { text: 'start' }, scratch: 'x', updatedAt: new Date(0), big: 0n });
  for (let n = 0; n < count; n++) {
    state = state.append({ messages: { n, text: `message ${n} é ☃` } }).update({ turn: n, updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)), big: 2n ** 60n + BigInt(n) });
    if (n % 5 === 0) state = state.update({ summary: { text: `summary at ${n}`, at: [n, n + 0.5] } });
    if (n % 7 === 3) state = state.wipe({ delete: ['scratch'] });
    if (n % 7 === 4) state = state.update({ scratch: { back: n } });
    if (n % 11 === 6) state = state.wipe({ delete: ['turn'] }).update({ turn: n });
    if (n % 13 === 9) state = state.update({ messages: (state.get('messages') as unknown[]).slice(2) });
    state = state.update({ __SEQUENCE_ID: n, __PRIOR_STEP: positionOf(n) });
    states.push(state);
  }
  return states;
}

/** The cases of incremental storage (see docs/incremental-storage.md in the repository). */
export function incrementalCases({ api, capabilities, fresh, again }: SuiteContext): void {
  const sameState = (loaded: State | undefined, expected: State, what: string): void => {
    assert.ok(loaded, `${what}: loads`);
    assert.deepEqual(loaded.getAll(), expected.getAll(), what);
    if (capabilities.preservesKeyOrder) assert.deepEqual(loaded.keys(), expected.keys(), `${what}: key order`);
  };

  api.describe('incremental storage', () => {
    const { it } = api;

    it('a step that appends to a list stores the new tail only: step sizes stay flat while the state grows', async () => {
      const persister = await fresh({ storage: LONG_CHAINS });
      const appId = newAppId('tail');
      const messageLength = 1000;
      const states = chatStates(40, messageLength);
      await saveStates(persister, appId, states);
      const steps = await allSteps(persister, null, appId);
      const fullSize = Buffer.byteLength(JSON.stringify(states[39]!.getAll()));
      assert.ok(fullSize > 39 * messageLength, `the last state holds every message (${fullSize} bytes)`);
      for (const step of steps.slice(1)) {
        assert.ok(step.sizeBytes < messageLength + 600, `step ${step.sequenceId} stores ${step.sizeBytes} bytes: about one message, not the ${fullSize}-byte state`);
      }
      assert.deepEqual(
        steps.map((step) => step.storedAs),
        ['snapshot', ...Array(39).fill('delta')],
        'listSteps says the first step is a snapshot and the others deltas',
      );
      sameState((await persister.load(null, appId))?.state, states[39]!, 'the latest step');
      sameState((await persister.load(null, appId, 20))?.state, states[20]!, 'step 20');
    });

    it('rebuilds every step of a long chain exactly (appends, rewrites, deletions, key order, tagged values, failed steps), by load and by listSteps', async () => {
      const persister = await fresh({ storage: { storage: 'incremental', snapshotEvery: 7 } });
      const appId = newAppId('varied');
      const states = variedStates(60);
      await saveStates(persister, appId, states, { failed: (n) => n % 9 === 8 });
      for (const [sequenceId, state] of states.entries()) {
        const loaded = await persister.load(null, appId, sequenceId);
        sameState(loaded?.state, state, `step ${sequenceId}`);
        assert.equal(loaded?.status, sequenceId % 9 === 8 ? 'failed' : 'completed', `step ${sequenceId}: status`);
      }
      sameState((await persister.load(null, appId))?.state, states[59]!, 'the latest step');
      for (const order of ['oldest-first', 'newest-first'] as const) {
        let cursor: number | null | undefined;
        let seen = 0;
        do {
          const bound = cursor === undefined || cursor === null ? {} : order === 'oldest-first' ? { after: cursor } : { before: cursor };
          const page = await persister.listSteps(null, appId, { order, limit: 25, includeState: true, ...bound });
          for (const step of page.steps) sameState(step.state, states[step.sequenceId]!, `${order} listSteps, step ${step.sequenceId}`);
          seen += page.steps.length;
          cursor = page.nextCursor;
        } while (cursor !== null);
        assert.equal(seen, 60, `${order}: every step listed`);
      }
    });

    it('a persister with nothing remembered (a restart, another process) saves a snapshot first, and every step loads from either', async () => {
      const first = await fresh({ storage: LONG_CHAINS });
      const appId = newAppId('restart');
      const padding = incompressibleText(20_000);
      const states = chatStates(10, 200, { padding });
      await saveStates(first, appId, states.slice(0, 6));
      const restarted = await again(first, { storage: LONG_CHAINS });
      await restarted.save({ appId, sequenceId: 6, position: positionOf(6), state: states[6]!, status: 'completed' });
      await restarted.save({ appId, sequenceId: 7, position: positionOf(7), state: states[7]!, status: 'completed' });
      // The first persister still remembers step 5: its next delta applies to it, over the other's snapshot.
      await first.save({ appId, sequenceId: 8, position: positionOf(8), state: states[8]!, status: 'completed' });
      const sizes = new Map((await allSteps(first, null, appId)).map((step) => [step.sequenceId, step.sizeBytes]));
      for (const sequenceId of [0, 6]) assert.ok(sizes.get(sequenceId)! > 20_000, `step ${sequenceId} is a snapshot (${sizes.get(sequenceId)} bytes)`);
      for (const sequenceId of [1, 5, 7, 8]) assert.ok(sizes.get(sequenceId)! < 2000, `step ${sequenceId} is a delta (${sizes.get(sequenceId)} bytes)`);
      for (const reader of [first, restarted]) {
        for (let sequenceId = 0; sequenceId <= 8; sequenceId++) sameState((await reader.load(null, appId, sequenceId))?.state, states[sequenceId]!, `step ${sequenceId}`);
      }
      // A fork is a new app id: its first save is a snapshot too.
      const forkId = newAppId('fork');
      await first.save({ appId: forkId, sequenceId: 9, position: positionOf(9), state: states[9]!, status: 'completed' });
      assert.ok((await allSteps(first, null, forkId))[0]!.sizeBytes > 20_000, "a fork's first save is a snapshot");
      sameState((await restarted.load(null, forkId))?.state, states[9]!, 'the fork');
    });

    it('a save that continues from a load (a new process, or a new application per request) is a delta on the loaded step', async () => {
      const first = await fresh({ storage: LONG_CHAINS });
      const appId = newAppId('resumed');
      const padding = incompressibleText(20_000);
      const states = chatStates(10, 200, { padding });
      await saveStates(first, appId, states.slice(0, 4));
      // Each later step: another persister loads the latest step and saves the next one, built on the loaded state.
      for (let sequenceId = 4; sequenceId < 10; sequenceId++) {
        const resumed = await again(first, { storage: LONG_CHAINS });
        const loaded = await resumed.load(null, appId);
        assert.ok(loaded, 'the load finds the app');
        assert.equal(loaded.sequenceId, sequenceId - 1, 'the load finds the step saved before');
        const message = (states[sequenceId]!.get('messages') as unknown[]).at(-1);
        const next = loaded.state.append({ messages: message }).update({ __SEQUENCE_ID: sequenceId, __PRIOR_STEP: positionOf(sequenceId) });
        await resumed.save({ appId, sequenceId, position: positionOf(sequenceId), state: next, status: 'completed' });
      }
      const steps = await allSteps(first, null, appId);
      assert.deepEqual(
        steps.map((step) => step.storedAs),
        ['snapshot', ...Array(9).fill('delta')],
        'only the first step is a snapshot',
      );
      for (const step of steps.slice(1)) assert.ok(step.sizeBytes < 2000, `step ${step.sequenceId} stores ${step.sizeBytes} bytes: one message, not the state`);
      for (let sequenceId = 0; sequenceId < 10; sequenceId++) sameState((await first.load(null, appId, sequenceId))?.state, states[sequenceId]!, `step ${sequenceId}`);
    });

    it('a delta whose base another process deleted, or deleted and saved again, is written as a snapshot instead', async () => {
      const writer = await fresh({ storage: LONG_CHAINS });
      const other = await again(writer, { storage: LONG_CHAINS });
      const deleted = newAppId('deleted');
      await saveSteps(writer, { appId: deleted, count: 3 });
      assert.equal(await other.deleteApp(null, deleted), 3);
      const [after] = (await saveSteps(writer, { appId: deleted, from: 3, count: 1 })).values();
      sameState((await other.load(null, deleted))?.state, after!, 'the step saved after the delete');
      assert.deepEqual(sequenceIdsOf(await allSteps(other, null, deleted)), [3]);

      const recreated = newAppId('recreated');
      await saveSteps(writer, { appId: recreated, count: 3, values: (n) => ({ who: 'writer', n }) });
      await other.deleteApp(null, recreated);
      await saveSteps(other, { appId: recreated, count: 3, values: (n) => ({ who: 'other', n, extra: true }) });
      // The writer still remembers its own step 2, which is gone: the same key now holds the other's step.
      const [mine] = (await saveSteps(writer, { appId: recreated, from: 3, count: 1, values: (n) => ({ who: 'writer', n }) })).values();
      sameState((await other.load(null, recreated, 3))?.state, mine!, "the writer's step, not a mix with the other's");
      assert.equal((await other.load(null, recreated, 2))?.state.get('who'), 'other');
    });

    it('saving a stored delta step again is idempotent from any connection; other content there is a conflict and the step stays', async () => {
      const persister = await fresh({ storage: LONG_CHAINS });
      const appId = newAppId('resave');
      const states = chatStates(6, 100);
      await saveStates(persister, appId, states.slice(0, 5));
      const first = await persister.load(null, appId, 3);
      const resave = (by: BaseStatePersister, state: State) => by.save({ appId, sequenceId: 3, position: positionOf(3), state, status: 'completed' });
      await resave(persister, states[3]!);
      await resave(await again(persister), states[3]!);
      await assert.rejects(resave(persister, states[3]!.update({ changed: true })), PersisterConflictError);
      await assert.rejects(resave(persister, states[4]!), PersisterConflictError);
      const stored = await persister.load(null, appId, 3);
      assert.equal(stored?.createdAt.getTime(), first?.createdAt.getTime(), 'the first save time is kept');
      sameState(stored?.state, states[3]!, 'step 3 as first saved');
      await saveStates(persister, appId, states, { from: 5 });
      for (const [sequenceId, state] of states.entries()) sameState((await persister.load(null, appId, sequenceId))?.state, state, `step ${sequenceId}`);
    });

    it('prune keeps every kept step loadable: a kept delta whose base goes becomes a snapshot; a dry run changes nothing', async () => {
      const persister = await fresh({ storage: { storage: 'incremental', snapshotEvery: 10 } });
      const appId = newAppId('pruned');
      const states = chatStates(30, 300);
      await saveStates(persister, appId, states);
      const before = await allSteps(persister, null, appId);
      await persister.prune({ keepLast: 15, dryRun: true });
      assert.deepEqual(await allSteps(persister, null, appId), before, 'a dry run rewrites and removes nothing');
      await persister.prune({ keepLast: 15, batchSize: 4 });
      const after = await allSteps(persister, null, appId);
      assert.deepEqual(sequenceIdsOf(after), sequenceIdsOf(before.slice(15)));
      const sizeAt = (steps: typeof before, sequenceId: number) => steps.find((step) => step.sequenceId === sequenceId)!.sizeBytes;
      assert.ok(sizeAt(after, 15) > 10 * sizeAt(before, 15), `step 15 lost its base and became a snapshot (${sizeAt(before, 15)} → ${sizeAt(after, 15)} bytes)`);
      assert.equal(sizeAt(after, 16), sizeAt(before, 16), 'step 16 stays a delta (its base, step 15, is kept)');
      const storedAs = (steps: typeof before) => steps.map((step) => `${step.sequenceId}:${step.storedAs}`);
      const expectedBefore = before.map((step) => `${step.sequenceId}:${step.sequenceId % 10 === 0 ? 'snapshot' : 'delta'}`);
      assert.deepEqual(storedAs(before), expectedBefore, 'a snapshot every 10 steps (snapshotEvery)');
      assert.deepEqual(storedAs(after), ['15:snapshot', ...expectedBefore.slice(16)], 'step 15 is listed as a snapshot after the prune');
      for (let sequenceId = 15; sequenceId < 30; sequenceId++) sameState((await persister.load(null, appId, sequenceId))?.state, states[sequenceId]!, `kept step ${sequenceId}`);
      // Saving goes on with deltas on the remembered step.
      const more = chatStates(33, 300).slice(30);
      const next = [...states, ...more];
      await saveStates(persister, appId, next, { from: 30 });
      for (let sequenceId = 15; sequenceId < next.length; sequenceId++) sameState((await persister.load(null, appId, sequenceId))?.state, next[sequenceId]!, `step ${sequenceId}`);
    });

    it('a prune in batches rewrites only the oldest kept step: batches go newest first, and bytesRemoved is what the removed steps held', async () => {
      const persister = await fresh({ storage: LONG_CHAINS });
      const appId = newAppId('batches');
      const states = chatStates(30, 200);
      await saveStates(persister, appId, states);
      const before = await allSteps(persister, null, appId);
      const removedBytes = before.slice(0, 25).reduce((sum, step) => sum + step.sizeBytes, 0);
      const report = await persister.prune({ keepLast: 5, batchSize: 4 });
      assert.deepEqual([report.stepsRemoved, report.bytesRemoved], [25, removedBytes], 'no step was rewritten as a snapshot and then removed');
      const after = await allSteps(persister, null, appId);
      assert.deepEqual(
        after.map((step) => `${step.sequenceId}:${step.storedAs}`),
        ['25:snapshot', '26:delta', '27:delta', '28:delta', '29:delta'],
      );
      for (let sequenceId = 25; sequenceId < 30; sequenceId++) sameState((await persister.load(null, appId, sequenceId))?.state, states[sequenceId]!, `kept step ${sequenceId}`);
    });

    it("a prune's rewrite keeps the values as the application saved them, whatever the pruning persister's serde options", async () => {
      // The pruner writes plain JSON for Python (a Date as a bare ISO string); the application saved tagged values.
      const pruner = await fresh({ storage: LONG_CHAINS, serdeKwargs: { valueEncoding: 'python-plain' } });
      const writer = await again(pruner, { storage: LONG_CHAINS });
      const appId = newAppId('serde');
      // A chat whose steps also append a dated event, beside values of the other tagged types.
      const events: unknown[] = [];
      const typed = chatStates(6, 100, { when: new Date('2026-01-02T03:04:05.678Z'), big: 2n ** 70n, tags: new Set(['a', 'b']), zero: -0 }).map((state, n) => {
        events.push({ n, at: new Date(Date.UTC(2026, 0, n + 1)) });
        return state.update({ events: [...events] });
      });
      await saveStates(writer, appId, typed);
      const report = await pruner.prune({ keepLast: 2 });
      assert.equal(report.stepsRemoved, 4);
      for (const sequenceId of [4, 5]) sameState((await writer.load(null, appId, sequenceId))?.state, typed[sequenceId]!, `kept step ${sequenceId}`);
      // Byte for byte what the writer saves as a snapshot of that state.
      const reference = newAppId('reference');
      await writer.save({ appId: reference, sequenceId: 4, position: positionOf(4), state: typed[4]!, status: 'completed' });
      const [rewritten] = await allSteps(writer, null, appId);
      const [snapshot] = await allSteps(writer, null, reference);
      assert.deepEqual([rewritten?.storedAs, rewritten?.sizeBytes], ['snapshot', snapshot?.sizeBytes], "step 4 was rewritten as the writer's own snapshot of it");
    });

    const concurrentPrune =
      'a prune while another process saves a delta on a step it removes: the batch finds it, rewrites it as a snapshot and removes its base; every kept step loads';
    (capabilities.atomicRemovalCheck ? it : (it.skip ?? it))(
      capabilities.atomicRemovalCheck ? concurrentPrune : `${concurrentPrune} [skipped: the backend's removal and its check are not one atomic step]`,
      async () => {
        if (!capabilities.atomicRemovalCheck) return;
        const writer = await fresh({ storage: LONG_CHAINS });
        const other = await again(writer, { storage: LONG_CHAINS });
        const pruner = await again(writer, { storage: LONG_CHAINS });
        const appId = newAppId('race');
        const states = chatStates(4, 200);
        await saveStates(writer, appId, states.slice(0, 2));
        // Another process, which remembers nothing, saves 2 as a snapshot; a prune keeping 1 step removes 0 and 1.
        await other.save({ appId, sequenceId: 2, position: positionOf(2), state: states[2]!, status: 'completed' });
        // Right before the prune removes its batch, the writer saves 3: a delta on its own last save, 1.
        const internals = pruner as unknown as { removeSteps?: (removal: unknown) => Promise<number> };
        const removeSteps = internals.removeSteps;
        assert.equal(typeof removeSteps, 'function', 'the persister removes batches through removeSteps (a RecordPersister)');
        let savedDuringPrune = false;
        Object.defineProperty(pruner, 'removeSteps', {
          configurable: true,
          value: async (removal: unknown) => {
            if (!savedDuringPrune) {
              savedDuringPrune = true;
              await writer.save({ appId, sequenceId: 3, position: positionOf(3), state: states[3]!, status: 'completed' });
              const [step] = (await writer.listSteps(null, appId, { after: 2 })).steps;
              assert.equal(step?.storedAs, 'delta', 'step 3 was saved as a delta on step 1, which the batch removes');
            }
            return removeSteps!.call(pruner, removal);
          },
        });
        const report = await pruner.prune({ keepLast: 1 });
        assert.ok(savedDuringPrune, 'the save ran during the prune');
        assert.equal(report.stepsRemoved, 2);
        const kept = await allSteps(writer, null, appId);
        assert.deepEqual(
          kept.map((step) => `${step.sequenceId}:${step.storedAs}`),
          ['2:snapshot', '3:snapshot'],
          'step 3 lost its base and is a snapshot',
        );
        sameState((await writer.load(null, appId))?.state, states[3]!, 'step 3, the latest');
        sameState((await pruner.load(null, appId, 2))?.state, states[2]!, 'step 2');
      },
    );

    it('prune with olderThan and small batches keeps every kept step loadable, whatever the batch boundaries', async () => {
      const persister = await fresh({ storage: { storage: 'incremental', snapshotEvery: 4 } });
      const appId = newAppId('older');
      const states = chatStates(18, 100);
      await saveStates(persister, appId, states.slice(0, 11));
      const cutoff = await timeBetweenSaves();
      await saveStates(persister, appId, states, { from: 11 });
      for (const batchSize of [1, 2, 3]) {
        await persister.prune({ olderThan: cutoff, keepLast: 1, batchSize });
      }
      assert.deepEqual(sequenceIdsOf(await allSteps(persister, null, appId)), [11, 12, 13, 14, 15, 16, 17]);
      for (let sequenceId = 11; sequenceId < 18; sequenceId++) sameState((await persister.load(null, appId, sequenceId))?.state, states[sequenceId]!, `kept step ${sequenceId}`);
    });

    it('mixing storage modes for one app is a StorageModeMismatchError that writes nothing, in either direction, on a save or a load', async () => {
      const incremental = await fresh();
      const full = await again(incremental, { storage: { storage: 'full' } });
      await full.initialize();
      const inFull = newAppId('in-full');
      await saveSteps(full, { appId: inFull, count: 2 });
      const refusedIncremental = await incremental.save({ appId: inFull, sequenceId: 2, position: 'p', state: stepState({}, 2), status: 'completed' }).then(
        () => null,
        (error: unknown) => error,
      );
      assert.ok(refusedIncremental instanceof StorageModeMismatchError, `expected StorageModeMismatchError, got ${String(refusedIncremental)}`);
      assert.deepEqual([refusedIncremental.code, refusedIncremental.storedMode, refusedIncremental.persisterMode], ['BURR_STORAGE_MODE_MISMATCH', 'full', 'incremental']);
      assert.deepEqual(await allSteps(incremental, null, inFull), [], 'the incremental persister stored nothing');
      assert.equal((await full.load(null, inFull))?.sequenceId, 1);
      // Nor does a load in the other mode find the app new, which would start it over from its default state.
      for (const sequenceId of [undefined, 1]) {
        await assert.rejects(
          incremental.load(null, inFull, sequenceId),
          (error: unknown) => error instanceof StorageModeMismatchError && error.storedMode === 'full' && /it cannot load them/.test(error.message),
        );
      }

      const inIncremental = newAppId('in-incremental');
      await saveSteps(incremental, { appId: inIncremental, count: 2 });
      await assert.rejects(
        full.save({ appId: inIncremental, sequenceId: 2, position: 'p', state: stepState({}, 2), status: 'completed' }),
        (error: unknown) => error instanceof StorageModeMismatchError && error.storedMode === 'incremental' && error.persisterMode === 'full',
      );
      assert.deepEqual(await allSteps(full, null, inIncremental), [], 'the full-mode persister stored nothing');
      await assert.rejects(full.load(null, inIncremental), (error: unknown) => error instanceof StorageModeMismatchError && error.storedMode === 'incremental');
      assert.deepEqual(sequenceIdsOf(await allSteps(incremental, null, inIncremental)), [0, 1]);

      // Once deleted, the app id may be used again in the other mode.
      await incremental.deleteApp(null, inIncremental);
      await saveSteps(full, { appId: inIncremental, count: 1 });
      assert.equal((await full.load(null, inIncremental))?.sequenceId, 0);
    });
  });
}
