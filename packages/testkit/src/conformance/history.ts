import assert from 'node:assert/strict';
import { InvalidPersistArgumentError, PersisterNotInitializedError, State, type ListStepsOptions } from '@burr/core';
import { newAppId, stepState, type SuiteContext } from './context.js';
import { allSteps, incompressibleText, pageThroughSteps, positionOf, saveSteps, sequenceIdsOf } from './history-fixtures.js';

/** `listSteps`: order, paging, bounds, the fields of each entry, partitions, bad options; and the history calls before `initialize()`. */
export function historyCases({ api, capabilities, fresh, uninitialized, storage }: SuiteContext): void {
  api.describe('listSteps', () => {
    const { it } = api;

    it('lists steps newest first by default and oldest first on request, each with its key, position, status, time and size, and no state', async () => {
      const persister = await fresh();
      const appId = newAppId('history');
      const startedAt = Date.now();
      await saveSteps(persister, { partitionKey: 'hist', appId, count: 6, failed: [4], pauseMs: 2 });
      const newest = await persister.listSteps('hist', appId);
      assert.deepEqual(sequenceIdsOf(newest.steps), [5, 4, 3, 2, 1, 0]);
      assert.equal(newest.nextCursor, null, 'one page holds all six steps');
      const oldest = await persister.listSteps('hist', appId, { order: 'oldest-first' });
      assert.deepEqual(sequenceIdsOf(oldest.steps), [0, 1, 2, 3, 4, 5]);
      assert.deepEqual(oldest.steps, [...newest.steps].reverse(), 'both orders list the same entries');
      for (const step of oldest.steps) {
        const what = `step ${step.sequenceId}`;
        assert.equal(step.partitionKey, 'hist', what);
        assert.equal(step.appId, appId, what);
        assert.equal(step.position, positionOf(step.sequenceId), what);
        assert.equal(step.status, step.sequenceId === 4 ? 'failed' : 'completed', what);
        assert.ok(step.createdAt instanceof Date && Math.abs(step.createdAt.getTime() - startedAt) < 60_000, `${what}: createdAt should be about now`);
        assert.equal(step.createdAt.getTime(), (await persister.load('hist', appId, step.sequenceId))?.createdAt.getTime(), `${what}: createdAt as load() reports it`);
        assert.ok(Number.isSafeInteger(step.sizeBytes) && step.sizeBytes > 0, `${what}: sizeBytes ${step.sizeBytes} should be a positive integer`);
        assert.equal(step.state, undefined, `${what}: no state without includeState`);
      }
      for (let i = 1; i < oldest.steps.length; i++) {
        assert.ok(oldest.steps[i]!.createdAt > oldest.steps[i - 1]!.createdAt, `createdAt increases with the sequence id (step ${i})`);
      }
      // Six small steps of one persister: a snapshot every snapshotEvery steps, deltas between (the failed step too).
      const storedAs = oldest.steps.map((step) => step.storedAs);
      if (storage?.storage !== 'incremental') assert.deepEqual(storedAs, Array(6).fill(undefined), 'full storage has no storedAs');
      else {
        const every = storage.snapshotEvery ?? Number.POSITIVE_INFINITY;
        const expected = oldest.steps.map((step) => (step.sequenceId % every === 0 ? 'snapshot' : 'delta'));
        assert.deepEqual(storedAs, expected, 'incremental storage says how each step is stored');
      }
    });

    it('pages with limit and nextCursor (passed as before or after) visit every step exactly once, in order, and end with nextCursor null', async () => {
      const persister = await fresh();
      const appId = newAppId('paging');
      await saveSteps(persister, { appId, count: 7 });
      const oldestFirst = [0, 1, 2, 3, 4, 5, 6];
      for (const order of ['newest-first', 'oldest-first'] as const) {
        const expected = order === 'oldest-first' ? oldestFirst : [...oldestFirst].reverse();
        for (const limit of [1, 2, 3, 7, 50]) {
          const { steps, pages } = await pageThroughSteps(persister, null, appId, { order, limit });
          assert.deepEqual(sequenceIdsOf(steps), expected, `${order}, limit ${limit}`);
          assert.ok(pages >= Math.ceil(expected.length / limit), `${order}, limit ${limit}: ${pages} pages`);
        }
      }
      const firstPage = await persister.listSteps(null, appId, { limit: 3 });
      assert.deepEqual(sequenceIdsOf(firstPage.steps), [6, 5, 4]);
      assert.notEqual(firstPage.nextCursor, null, 'a full page that is not the last has a nextCursor');
    });

    it('before and after bound the sequence ids listed, in either order', async () => {
      const persister = await fresh();
      const appId = newAppId('bounds');
      await saveSteps(persister, { appId, count: 10 });
      const ids = async (options: ListStepsOptions) => {
        const page = await persister.listSteps(null, appId, options);
        return sequenceIdsOf(page.steps);
      };
      assert.deepEqual(await ids({ before: 4 }), [3, 2, 1, 0]);
      assert.deepEqual(await ids({ before: 4, order: 'oldest-first' }), [0, 1, 2, 3]);
      assert.deepEqual(await ids({ after: 6, order: 'oldest-first' }), [7, 8, 9]);
      assert.deepEqual(await ids({ after: 6 }), [9, 8, 7]);
      assert.deepEqual(await ids({ after: 2, before: 6 }), [5, 4, 3]);
      assert.deepEqual(await ids({ after: 2, before: 6, order: 'oldest-first' }), [3, 4, 5]);
      assert.deepEqual(await ids({ before: 4, limit: 2 }), [3, 2]);
      assert.deepEqual(await ids({ after: 4, limit: 2, order: 'oldest-first' }), [5, 6]);
      assert.deepEqual(await persister.listSteps(null, appId, { before: 0 }), { steps: [], nextCursor: null });
      assert.deepEqual(await persister.listSteps(null, appId, { after: 9, order: 'oldest-first' }), { steps: [], nextCursor: null });
    });

    it('sizeBytes grows with the stored state: 32 KB more of random text measures at least 16 KB more', async () => {
      const persister = await fresh();
      const appId = newAppId('sizes');
      const randomLength = 32 * 1024;
      await saveSteps(persister, { appId, count: 2, values: (sequenceId) => ({ text: sequenceId === 0 ? 'small' : incompressibleText(randomLength) }) });
      const [small, large] = await allSteps(persister, null, appId);
      assert.ok(small && large);
      assert.ok(small.sizeBytes > 0, `a small step measures ${small.sizeBytes} bytes`);
      assert.ok(
        large.sizeBytes >= small.sizeBytes + randomLength / 2,
        `${randomLength} random characters more should measure at least ${randomLength / 2} bytes more: ${small.sizeBytes} → ${large.sizeBytes}`,
      );
    });

    it('includes each decoded state only with includeState: true, equal to the state saved', async () => {
      const persister = await fresh();
      const appId = newAppId('with-state');
      const saved = await saveSteps(persister, {
        partitionKey: 'states',
        appId,
        count: 3,
        values: (sequenceId) => ({ n: sequenceId, text: `naïve ☃ 𝄞 ${sequenceId}`, nested: { list: [1, 2.5, null, true, { deep: 'x'.repeat(sequenceId) }] } }),
      });
      for (const step of (await persister.listSteps('states', appId)).steps) assert.equal(step.state, undefined, `step ${step.sequenceId}`);
      const page = await persister.listSteps('states', appId, { includeState: true, limit: 2 });
      assert.deepEqual(sequenceIdsOf(page.steps), [2, 1]);
      const rest = await persister.listSteps('states', appId, { includeState: true, before: page.nextCursor ?? 0 });
      assert.deepEqual(sequenceIdsOf(rest.steps), [0]);
      for (const step of [...page.steps, ...rest.steps]) {
        assert.ok(step.state instanceof State, `step ${step.sequenceId}: a State with includeState`);
        assert.deepEqual(step.state.getAll(), saved.get(step.sequenceId)?.getAll(), `step ${step.sequenceId}`);
      }
    });

    it('lists nothing for an unknown app, and keeps the same app id in two partitions apart', async () => {
      const persister = await fresh();
      const appId = newAppId('shared-id');
      await saveSteps(persister, { partitionKey: 'left', appId, count: 3 });
      await saveSteps(persister, { partitionKey: 'right', appId, count: 1, values: () => ({ side: 'right' }) });
      assert.deepEqual(sequenceIdsOf((await persister.listSteps('left', appId)).steps), [2, 1, 0]);
      const right = await persister.listSteps('right', appId, { includeState: true });
      assert.deepEqual(sequenceIdsOf(right.steps), [0]);
      assert.equal(right.steps[0]?.partitionKey, 'right');
      assert.equal(right.steps[0]?.state?.get('side'), 'right');
      assert.deepEqual(await persister.listSteps(null, appId), { steps: [], nextCursor: null }, 'the no-partition partition has none of it');
      assert.deepEqual(await persister.listSteps('left', 'no-such-app'), { steps: [], nextCursor: null });
    });

    if (capabilities.positionsPerSequence === 'many') {
      it('orders two positions at one sequence id: the greatest first when newest first, the least first when oldest first', async () => {
        const persister = await fresh();
        const appId = newAppId('ties');
        const save = (sequenceId: number, position: string) => persister.save({ appId, sequenceId, position, state: stepState({ position }, sequenceId), status: 'completed' });
        await save(0, 'a');
        await save(1, 'beta');
        await save(1, 'alpha');
        await save(2, 'c');
        const positions = async (order: 'newest-first' | 'oldest-first') =>
          (await persister.listSteps(null, appId, { order })).steps.map((step) => `${step.sequenceId}:${step.position}`);
        assert.deepEqual(await positions('newest-first'), ['2:c', '1:beta', '1:alpha', '0:a']);
        assert.deepEqual(await positions('oldest-first'), ['0:a', '1:alpha', '1:beta', '2:c']);
      });
    }

    it('refuses a bad limit, order or bound with InvalidPersistArgumentError', async () => {
      const persister = await fresh();
      const appId = newAppId('bad-options');
      await saveSteps(persister, { appId, count: 2 });
      const bad: Array<[string, ListStepsOptions]> = [
        ['limit 0', { limit: 0 }],
        ['limit 1001', { limit: 1001 }],
        ['limit 1.5', { limit: 1.5 }],
        ['limit -1', { limit: -1 }],
        ['limit NaN', { limit: Number.NaN }],
        ['an unknown order', { order: 'sideways' as ListStepsOptions['order'] }],
        ['before -1', { before: -1 }],
        ['before 1.5', { before: 1.5 }],
        ['after -1', { after: -1 }],
      ];
      for (const [what, options] of bad) await assert.rejects(persister.listSteps(null, appId, options), InvalidPersistArgumentError, what);
      assert.deepEqual(sequenceIdsOf((await persister.listSteps(null, appId, { limit: 1000 })).steps), [1, 0], 'limit 1000 is allowed');
    });
  });

  if (!capabilities.needsInitialize) return;
  if (capabilities.readsBeforeInitialize === 'throw') {
    api.it('listSteps, listApps, load(partitionKey, null), deleteApp and prune before initialize() throw PersisterNotInitializedError', async () => {
      const persister = await uninitialized();
      await assert.rejects(persister.listSteps('p', 'a'), PersisterNotInitializedError, 'listSteps');
      await assert.rejects(persister.listApps('p'), PersisterNotInitializedError, 'listApps');
      await assert.rejects(persister.load('p', null), PersisterNotInitializedError, 'load(partitionKey, null)');
      await assert.rejects(persister.deleteApp('p', 'a'), PersisterNotInitializedError, 'deleteApp');
      await assert.rejects(persister.prune({ keepLast: 1 }), PersisterNotInitializedError, 'prune');
    });
  } else {
    api.it('listSteps, listApps, load(partitionKey, null), deleteApp and prune before initialize() find nothing, remove nothing, and create nothing', async () => {
      const persister = await uninitialized();
      assert.deepEqual(await persister.listSteps('p', 'a'), { steps: [], nextCursor: null });
      assert.deepEqual(await persister.listApps('p'), { apps: [], nextCursor: null });
      assert.equal(await persister.load('p', null), null);
      assert.equal(await persister.deleteApp('p', 'a'), 0);
      assert.deepEqual(await persister.prune({ keepLast: 1 }), { dryRun: false, appsScanned: 0, appsPruned: 0, stepsRemoved: 0, bytesRemoved: 0, appsFailed: 0 });
      assert.equal(await persister.isInitialized(), false);
    });
  }
}
