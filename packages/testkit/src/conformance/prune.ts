import assert from 'node:assert/strict';
import { InvalidPersistArgumentError, State, type BaseStatePersister, type PruneOptions, type PruneReport } from '@burr/core';
import { newAppId, type SuiteContext } from './context.js';
import { allSteps, incompressibleText, saveSteps, sequenceIdsOf, timeBetweenSaves } from './history-fixtures.js';

/** Sequence ids from `from` to `to`, inclusive. */
function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** What each app of `apps` (partition, app id) holds now, oldest first. */
async function sequenceIdsByApp(persister: BaseStatePersister, apps: ReadonlyArray<readonly [string, string, ...unknown[]]>): Promise<number[][]> {
  return Promise.all(apps.map(async ([partitionKey, appId]) => sequenceIdsOf(await allSteps(persister, partitionKey, appId))));
}

/** A report with only the counts: for comparing two runs whose `dryRun` differs. */
function counts({ appsScanned, appsPruned, stepsRemoved, bytesRemoved }: PruneReport) {
  return { appsScanned, appsPruned, stepsRemoved, bytesRemoved };
}

/** `prune`: keepLast, olderThan, both, dry runs, targets, batches, progress, abort, bad options. */
export function pruneCases({ api, fresh, again, storage, capabilities }: SuiteContext): void {
  api.describe('prune', () => {
    const { it } = api;

    it("keepLast keeps each app's newest steps, across apps of different lengths", async () => {
      const persister = await fresh();
      const apps = [
        ['p', newAppId('six'), 6],
        ['p', newAppId('three'), 3],
        ['p', newAppId('one'), 1],
        ['q', newAppId('five'), 5],
      ] as const;
      for (const [partitionKey, appId, count] of apps) await saveSteps(persister, { partitionKey, appId, count });
      const report = await persister.prune({ keepLast: 3 });
      assert.deepEqual(report, { dryRun: false, appsScanned: 4, appsPruned: 2, stepsRemoved: 5, bytesRemoved: report.bytesRemoved, appsFailed: 0 });
      assert.ok(report.bytesRemoved > 0, 'removed steps had bytes');
      assert.deepEqual(await sequenceIdsByApp(persister, apps), [[3, 4, 5], [0, 1, 2], [0], [2, 3, 4]]);
      assert.deepEqual(
        await persister.prune({ keepLast: 3 }),
        { dryRun: false, appsScanned: 4, appsPruned: 0, stepsRemoved: 0, bytesRemoved: 0, appsFailed: 0 },
        'a second run finds nothing',
      );
    });

    it("olderThan removes only steps saved before the time, and never an app's latest step, even when every step is older", async () => {
      const persister = await fresh();
      const [mixed, allOld] = [newAppId('mixed'), newAppId('all-old')];
      await saveSteps(persister, { appId: mixed, count: 3 });
      await saveSteps(persister, { appId: allOld, count: 3 });
      const cutoff = await timeBetweenSaves();
      await saveSteps(persister, { appId: mixed, from: 3, count: 2 });
      const report = await persister.prune({ olderThan: cutoff });
      assert.deepEqual(counts(report), { appsScanned: 2, appsPruned: 2, stepsRemoved: 5, bytesRemoved: report.bytesRemoved });
      assert.deepEqual(
        await sequenceIdsByApp(persister, [
          ['', mixed],
          ['', allOld],
        ]),
        [[3, 4], [2]],
      );
      const later = await timeBetweenSaves();
      assert.equal((await persister.prune({ olderThan: later })).stepsRemoved, 1, 'only the older of the two newer steps');
      assert.deepEqual(
        await sequenceIdsByApp(persister, [
          ['', mixed],
          ['', allOld],
        ]),
        [[4], [2]],
      );
    });

    it('keepLast with olderThan removes a step only when both allow it', async () => {
      const persister = await fresh();
      const [growing, idle] = [newAppId('growing'), newAppId('idle')];
      await saveSteps(persister, { appId: growing, count: 5 });
      await saveSteps(persister, { appId: idle, count: 5 });
      const cutoff = await timeBetweenSaves();
      await saveSteps(persister, { appId: growing, from: 5, count: 3 });
      // Alone, keepLast would let growing's 0-5 and idle's 0-2 go; olderThan growing's 0-4 and idle's 0-3.
      const report = await persister.prune({ keepLast: 2, olderThan: cutoff });
      assert.deepEqual(counts(report), { appsScanned: 2, appsPruned: 2, stepsRemoved: 8, bytesRemoved: report.bytesRemoved });
      assert.deepEqual(
        await sequenceIdsByApp(persister, [
          ['', growing],
          ['', idle],
        ]),
        [range(5, 7), [3, 4]],
      );
    });

    it('a dry run reports exactly what the real run then removes, bytes included, and removes nothing', async () => {
      const persister = await fresh();
      const apps = [
        ['p', newAppId('a'), 5],
        ['p', newAppId('b'), 3],
        ['q', newAppId('c'), 2],
      ] as const;
      for (const [partitionKey, appId, count] of apps) {
        await saveSteps(persister, { partitionKey, appId, count, values: (n) => ({ text: incompressibleText(100 + 400 * n) }) });
      }
      const before = await Promise.all(apps.map(([partitionKey, appId]) => allSteps(persister, partitionKey, appId)));
      const going = before.flatMap((steps) => steps.slice(0, -2));
      const expected = { appsScanned: 3, appsPruned: 2, stepsRemoved: going.length, bytesRemoved: going.reduce((sum, step) => sum + step.sizeBytes, 0), appsFailed: 0 };
      const dryRun = await persister.prune({ keepLast: 2, dryRun: true });
      assert.deepEqual(dryRun, { dryRun: true, ...expected });
      const afterDryRun = await Promise.all(apps.map(([partitionKey, appId]) => allSteps(persister, partitionKey, appId)));
      assert.deepEqual(afterDryRun, before, 'a dry run removes nothing');
      assert.deepEqual(await persister.prune({ keepLast: 2 }), { dryRun: false, ...expected });
      assert.deepEqual(await sequenceIdsByApp(persister, apps), [
        [3, 4],
        [1, 2],
        [0, 1],
      ]);
    });

    it('targets one app, one partition (others untouched) or all', async () => {
      const persister = await fresh();
      const apps = [
        ['p', newAppId('a')],
        ['p', newAppId('b')],
        ['q', newAppId('c')],
        ['', newAppId('d')],
      ] as const;
      for (const [partitionKey, appId] of apps) await saveSteps(persister, { partitionKey, appId, count: 4 });
      const oneApp = await persister.prune({ keepLast: 1, target: { partitionKey: 'p', appId: apps[0][1] } });
      assert.deepEqual(counts(oneApp), { appsScanned: 1, appsPruned: 1, stepsRemoved: 3, bytesRemoved: oneApp.bytesRemoved });
      assert.deepEqual(await sequenceIdsByApp(persister, apps), [[3], range(0, 3), range(0, 3), range(0, 3)]);
      const onePartition = await persister.prune({ keepLast: 1, target: { partitionKey: 'p' } });
      assert.deepEqual(counts(onePartition), { appsScanned: 2, appsPruned: 1, stepsRemoved: 3, bytesRemoved: onePartition.bytesRemoved });
      assert.deepEqual(await sequenceIdsByApp(persister, apps), [[3], [3], range(0, 3), range(0, 3)]);
      const noPartition = await persister.prune({ keepLast: 2, target: { partitionKey: null } });
      assert.deepEqual(counts(noPartition), { appsScanned: 1, appsPruned: 1, stepsRemoved: 2, bytesRemoved: noPartition.bytesRemoved });
      assert.deepEqual(await sequenceIdsByApp(persister, apps), [[3], [3], range(0, 3), [2, 3]]);
      const all = await persister.prune({ keepLast: 1, target: 'all' });
      assert.deepEqual(counts(all), { appsScanned: 4, appsPruned: 2, stepsRemoved: 4, bytesRemoved: all.bytesRemoved });
      assert.deepEqual(await sequenceIdsByApp(persister, apps), [[3], [3], [3], [3]]);
    });

    it('batchSize 2 removes exactly what the default does, and onProgress sees totals that never decrease', async () => {
      const stores = [await fresh(), await fresh()];
      const apps = [newAppId('a'), newAppId('b'), newAppId('c')];
      const cutoffs: Date[] = [];
      for (const persister of stores) {
        // a: 9 steps, 0-4 older than the cutoff; b: 5 steps, all older; c: 1 step.
        await saveSteps(persister, { appId: apps[0]!, count: 5 });
        await saveSteps(persister, { appId: apps[1]!, count: 5 });
        await saveSteps(persister, { appId: apps[2]!, count: 1 });
        cutoffs.push(await timeBetweenSaves());
        await saveSteps(persister, { appId: apps[0]!, from: 5, count: 4 });
      }
      const progress: PruneReport[] = [];
      const [batched, unbatched] = [
        await stores[0]!.prune({ keepLast: 1, olderThan: cutoffs[0], batchSize: 2, onProgress: (totals) => progress.push(totals) }),
        await stores[1]!.prune({ keepLast: 1, olderThan: cutoffs[1] }),
      ];
      // bytesRemoved too: incremental storage removes batches newest first, so no step is rewritten and then removed.
      assert.deepEqual(batched, unbatched);
      assert.deepEqual(counts(batched), { appsScanned: 3, appsPruned: 2, stepsRemoved: 9, bytesRemoved: batched.bytesRemoved });
      for (const persister of stores) {
        assert.deepEqual(
          await sequenceIdsByApp(persister, [
            ['', apps[0]!],
            ['', apps[1]!],
            ['', apps[2]!],
          ]),
          [range(5, 8), [4], [0]],
        );
      }
      assert.ok(progress.length >= 3, `onProgress is called at least once per app, got ${progress.length} calls`);
      for (let i = 1; i < progress.length; i++) {
        for (const field of ['appsScanned', 'appsPruned', 'stepsRemoved', 'bytesRemoved'] as const) {
          assert.ok(progress[i]![field] >= progress[i - 1]![field], `onProgress ${field} decreased at call ${i}: ${progress[i - 1]![field]} → ${progress[i]![field]}`);
        }
      }
      assert.deepEqual(progress.at(-1), batched, 'the last progress is the report');
    });

    it('an aborted signal rejects with its reason; aborting between batches leaves the newest steps intact', async () => {
      const persister = await fresh();
      const appId = newAppId('aborted');
      const saved = await saveSteps(persister, { appId, count: 8 });
      const reason = new Error('stopped before it began');
      await assert.rejects(persister.prune({ keepLast: 1, signal: AbortSignal.abort(reason) }), (error) => error === reason);
      assert.deepEqual(sequenceIdsOf(await allSteps(persister, null, appId)), range(0, 7), 'nothing removed');
      const controller = new AbortController();
      const midway = new Error('stopped between batches');
      const stopAfterFirstRemoval = (totals: PruneReport) => {
        if (totals.stepsRemoved > 0) controller.abort(midway);
      };
      await assert.rejects(persister.prune({ keepLast: 1, batchSize: 1, signal: controller.signal, onProgress: stopAfterFirstRemoval }), (error) => error === midway);
      const left = sequenceIdsOf(await allSteps(persister, null, appId));
      assert.ok(left.length > 1 && left.length < 8, `the prune stopped part way, leaving ${left.length} steps`);
      const removed = 8 - left.length;
      if (storage?.storage === 'incremental') {
        assert.deepEqual(left, [...range(0, 6 - removed), 7], 'what was removed is the newest of the steps that go (incremental storage removes batches newest first)');
      } else {
        assert.deepEqual(left, range(removed, 7), 'what was removed is the oldest steps');
      }
      assert.deepEqual((await persister.load(null, appId))?.state.getAll(), saved.get(7)?.getAll());
    });

    it('refuses options that select nothing to keep or nothing to remove, before removing anything', async () => {
      const persister = await fresh();
      const appId = newAppId('bad-options');
      await saveSteps(persister, { appId, count: 3 });
      const bad: Array<[string, PruneOptions]> = [
        ['neither keepLast nor olderThan', {}],
        ['neither, in a dry run', { dryRun: true }],
        ['keepLast 0', { keepLast: 0 }],
        ['keepLast -1', { keepLast: -1 }],
        ['keepLast 1.5', { keepLast: 1.5 }],
        ['batchSize 0', { keepLast: 1, batchSize: 0 }],
        ['batchSize 10001', { keepLast: 1, batchSize: 10_001 }],
        ['batchSize 2.5', { keepLast: 1, batchSize: 2.5 }],
        ['an invalid Date', { olderThan: new Date(Number.NaN) }],
        ['olderThan as text', { olderThan: '2020-01-01' as unknown as Date }],
      ];
      for (const [what, options] of bad) await assert.rejects(persister.prune(options), InvalidPersistArgumentError, what);
      assert.deepEqual(sequenceIdsOf(await allSteps(persister, null, appId)), [0, 1, 2], 'nothing removed');
    });

    if (capabilities.positionsPerSequence === 'many') {
      it('a batch takes whole sequence ids: with more positions at one id than batchSize, a dry run counts what the real run removes', async () => {
        for (const batchSize of [1, 2]) {
          const persister = await fresh();
          const appId = newAppId('positions');
          const save = (sequenceId: number, position: string) =>
            persister.save({ partitionKey: 'p', appId, sequenceId, position, state: new State({ n: sequenceId, position }), status: 'completed' });
          await save(0, 'a');
          for (const position of ['a', 'b', 'c']) await save(1, position);
          await save(2, 'a');
          await save(3, 'a');
          const dryRun = await persister.prune({ keepLast: 1, batchSize, dryRun: true });
          const report = await persister.prune({ keepLast: 1, batchSize });
          assert.equal(report.stepsRemoved, 5, `batchSize ${batchSize}`);
          assert.deepEqual(counts(dryRun), counts(report), `batchSize ${batchSize}`);
          assert.deepEqual(sequenceIdsOf(await allSteps(persister, 'p', appId)), [3]);
        }
      });
    }

    it('an app deleted and started again right before a batch is removed keeps every step of its new run', async () => {
      const pruner = await fresh();
      const other = await again(pruner);
      const appId = newAppId('restarted');
      await saveSteps(pruner, { partitionKey: 'p', appId, count: 10 });
      // The prune keeps 8 and 9 and lists 0..7; before its removal another process deletes the app and saves 0..5 anew.
      const internals = pruner as unknown as { removeSteps?: (removal: unknown) => Promise<number> };
      const removeSteps = internals.removeSteps;
      assert.equal(typeof removeSteps, 'function', 'the persister removes batches through removeSteps (a RecordPersister)');
      let restarted: Map<number, State> | undefined;
      Object.defineProperty(pruner, 'removeSteps', {
        configurable: true,
        value: async (removal: unknown) => {
          if (!restarted) {
            await other.deleteApp('p', appId);
            restarted = await saveSteps(other, { partitionKey: 'p', appId, count: 6, values: (n) => ({ n, run: 'second' }) });
          }
          return removeSteps!.call(pruner, removal);
        },
      });
      const report = await pruner.prune({ keepLast: 2 });
      assert.ok(restarted, 'the app started again during the prune');
      assert.equal(report.stepsRemoved, 0, 'nothing of the new run was removed');
      assert.deepEqual(sequenceIdsOf(await allSteps(other, 'p', appId)), range(0, 5));
      for (const [sequenceId, state] of restarted) assert.deepEqual((await other.load('p', appId, sequenceId))?.state.getAll(), state.getAll(), `step ${sequenceId}`);
    });

    it('an app keeps its place in listApps and listAppIds after a prune removes its most recent save (a step below its latest)', async () => {
      const persister = await fresh();
      const [rewound, other] = [newAppId('rewound'), newAppId('other')];
      await saveSteps(persister, { partitionKey: 'p', appId: rewound, count: 1, pauseMs: 2 });
      await saveSteps(persister, { partitionKey: 'p', appId: rewound, from: 2, count: 3, pauseMs: 2 });
      await saveSteps(persister, { partitionKey: 'p', appId: other, count: 1, pauseMs: 2 });
      // The rewound app's most recent save is sequence id 1, below its latest: the prune removes it.
      await saveSteps(persister, { partitionKey: 'p', appId: rewound, from: 1, count: 1 });
      const order = async () => [(await persister.listApps('p')).apps.map((app) => app.appId), await persister.listAppIds('p')];
      assert.deepEqual(await order(), [
        [rewound, other],
        [rewound, other],
      ]);
      assert.equal((await persister.prune({ keepLast: 2 })).stepsRemoved, 3, 'sequence ids 0 to 2 went');
      assert.deepEqual(
        await order(),
        [
          [rewound, other],
          [rewound, other],
        ],
        'ordered by their last saves, as before the prune',
      );
    });

    it('saving goes on normally after a prune, and the kept steps load exactly as saved', async () => {
      const persister = await fresh();
      const appId = newAppId('goes-on');
      const saved = await saveSteps(persister, { partitionKey: 'p', appId, count: 6, values: (n) => ({ n, text: incompressibleText(50) }) });
      await persister.prune({ keepLast: 2 });
      assert.equal(await persister.load('p', appId, 3), null, 'a pruned step is gone');
      for (const sequenceId of [4, 5]) assert.deepEqual((await persister.load('p', appId, sequenceId))?.state.getAll(), saved.get(sequenceId)?.getAll());
      const next = await saveSteps(persister, { partitionKey: 'p', appId, from: 6, count: 2 });
      assert.deepEqual((await persister.load('p', appId))?.state.getAll(), next.get(7)?.getAll());
      assert.deepEqual(sequenceIdsOf(await allSteps(persister, 'p', appId)), [4, 5, 6, 7]);
      assert.equal((await persister.listApps('p')).apps[0]?.lastSequenceId, 7);
    });
  });
}
