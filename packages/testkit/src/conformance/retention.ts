import assert from 'node:assert/strict';
import type { CompactReport, PersistedStateData, State } from '@burr/core';
import { newAppId, pause, stepState, type SuiteContext } from './context.js';
import { allSteps, incompressibleText, positionOf, saveSteps, sequenceIdsOf } from './history-fixtures.js';

/** Steps of the app deleted under a concurrent reader. */
const STEPS_UNDER_READER = 200;

/** Throws unless each field of a compact report has its documented type. */
function assertCompactReport(report: CompactReport): void {
  for (const field of ['bytesBefore', 'bytesAfter'] as const) {
    const value = report[field];
    assert.ok(value === null || (Number.isFinite(value) && value >= 0), `${field} is a byte count or null, got ${String(value)}`);
  }
  for (const field of ['performed', 'advice'] as const) {
    assert.ok(Array.isArray(report[field]) && report[field].every((line) => typeof line === 'string' && line.length > 0), `${field} is a list of text`);
  }
}

/** What a reader may see of one step while its app is deleted: the step as saved, or nothing. */
function assertWholeOrGone(loaded: PersistedStateData | null, expected: State, sequenceId: number, what: string): void {
  if (loaded === null) return;
  assert.equal(loaded.sequenceId, sequenceId, what);
  assert.equal(loaded.position, positionOf(sequenceId), what);
  assert.deepEqual(loaded.state.getAll(), expected.getAll(), what);
}

/** `deleteApp` and `compact`. */
export function retentionCases({ api, capabilities, fresh, again }: SuiteContext): void {
  api.describe('deleteApp', () => {
    const { it } = api;

    it('removes every step of one app and returns how many; other apps and partitions keep theirs', async () => {
      const persister = await fresh();
      const [target, kept] = [newAppId('target'), newAppId('kept')];
      await saveSteps(persister, { partitionKey: 'q', appId: target, count: 3 });
      await saveSteps(persister, { partitionKey: 'p', appId: kept, count: 2 });
      await pause(3);
      await saveSteps(persister, { partitionKey: 'p', appId: target, count: 5 });
      let stepsOfTarget = 5;
      if (capabilities.positionsPerSequence === 'many') {
        await persister.save({ partitionKey: 'p', appId: target, sequenceId: 2, position: 'another', state: stepState({}, 2), status: 'completed' });
        stepsOfTarget++;
      }
      assert.equal(await persister.deleteApp('p', target), stepsOfTarget);
      for (const reader of [persister, await again(persister)]) {
        assert.equal(await reader.load('p', target), null);
        assert.equal(await reader.load('p', target, 0), null);
        assert.equal(await reader.load('p', target, 2), null);
      }
      assert.deepEqual(await persister.listSteps('p', target), { steps: [], nextCursor: null });
      assert.deepEqual(
        (await persister.listApps('p')).apps.map((app) => app.appId),
        [kept],
      );
      assert.deepEqual(await persister.listAppIds('p'), [kept]);
      assert.equal((await persister.load('p', null))?.appId, kept, "the partition's latest is now the other app's");
      assert.deepEqual(sequenceIdsOf(await allSteps(persister, 'p', kept)), [0, 1]);
      assert.deepEqual(sequenceIdsOf(await allSteps(persister, 'q', target)), [0, 1, 2], 'the same app id in another partition stays');
      assert.equal((await persister.load('q', target))?.sequenceId, 2);
    });

    it('returns 0 for an unknown app and for an app already deleted; the app id can then save again from sequence id 0', async () => {
      const persister = await fresh();
      const appId = newAppId('again');
      assert.equal(await persister.deleteApp('p', 'never-saved'), 0);
      await saveSteps(persister, { partitionKey: 'p', appId, count: 3 });
      assert.equal(await persister.deleteApp('p', appId), 3);
      assert.equal(await persister.deleteApp('p', appId), 0);
      await saveSteps(persister, { partitionKey: 'p', appId, count: 1, values: () => ({ life: 'second' }) });
      const loaded = await persister.load('p', appId);
      assert.equal(loaded?.sequenceId, 0);
      assert.equal(loaded?.state.get('life'), 'second', 'the new step, not a leftover of the deleted one');
      assert.deepEqual(sequenceIdsOf(await allSteps(persister, 'p', appId)), [0]);
      assert.equal((await persister.listApps('p')).apps[0]?.lastSequenceId, 0);
    });

    it(`a reader on another connection during deleteApp of ${STEPS_UNDER_READER} steps sees each step whole or not at all, never an error`, async () => {
      const persister = await fresh();
      const reader = await again(persister);
      const appId = newAppId('deleted-under-reader');
      const last = STEPS_UNDER_READER - 1;
      const saved = await saveSteps(persister, { partitionKey: 'p', appId, count: STEPS_UNDER_READER, values: (n) => ({ n, text: `step ${n} `.repeat(20) }) });
      let deleting = true;
      let reads = 0;
      let goneSeen = false;
      const readWhileDeleting = async () => {
        while (deleting || reads < 2) {
          const sequenceId = (reads * 37) % STEPS_UNDER_READER;
          const [latest, atId] = [await reader.load('p', appId), await reader.load('p', appId, sequenceId)];
          // The first two reads end before the delete starts.
          if (reads < 2) assert.notEqual(latest, null, 'the app is whole before the delete');
          assertWholeOrGone(latest, saved.get(last)!, last, `the latest step during the delete (read ${reads})`);
          assertWholeOrGone(atId, saved.get(sequenceId)!, sequenceId, `step ${sequenceId} during the delete (read ${reads})`);
          if (goneSeen) assert.ok(latest === null && atId === null, `read ${reads}: a step came back after the latest step was gone`);
          if (latest === null) goneSeen = true;
          reads++;
          // A store answering from memory resolves without I/O: yield, or the delete never gets its turn.
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      const deleteOnceReading = async () => {
        while (reads < 2) await pause(1);
        try {
          return await persister.deleteApp('p', appId);
        } finally {
          deleting = false;
        }
      };
      const [, removed] = await Promise.all([readWhileDeleting(), deleteOnceReading()]);
      assert.equal(removed, STEPS_UNDER_READER);
      assert.equal(await reader.load('p', appId), null);
      assert.equal(await reader.load('p', appId, 0), null);
    }, 60_000);
  });

  api.describe('compact', () => {
    const { it } = api;

    it('reports byte counts as numbers or null and what it did as text, and every stored step stays loadable and savable', async () => {
      const persister = await fresh();
      const [kept, dropped] = [newAppId('kept'), newAppId('dropped')];
      const saved = await saveSteps(persister, { appId: kept, count: 3 });
      await saveSteps(persister, { appId: dropped, count: 3 });
      await persister.deleteApp(null, dropped);
      assertCompactReport(await persister.compact());
      for (const [sequenceId, state] of saved) assert.deepEqual((await persister.load(null, kept, sequenceId))?.state.getAll(), state.getAll());
      await saveSteps(persister, { appId: kept, from: 3, count: 1 });
      assert.equal((await persister.load(null, kept))?.sequenceId, 3);
      assertCompactReport(await persister.compact());
    });

    if (capabilities.compactReclaimsSpace) {
      it('gives space back: after deleting apps of large steps, bytesAfter < bytesBefore', async () => {
        const persister = await fresh();
        const kept = newAppId('kept');
        const saved = await saveSteps(persister, { appId: kept, count: 2 });
        const large = Array.from({ length: 4 }, (_, i) => newAppId(`large${i}`));
        for (const appId of large) await saveSteps(persister, { appId, count: 8, values: () => ({ text: incompressibleText(64 * 1024) }) });
        for (const appId of large) assert.equal(await persister.deleteApp(null, appId), 8);
        const report = await persister.compact();
        assertCompactReport(report);
        const { bytesBefore, bytesAfter } = report;
        assert.ok(bytesBefore !== null && bytesAfter !== null, 'a backend that reclaims space measures it');
        assert.ok(bytesAfter < bytesBefore, `bytesAfter ${bytesAfter} should be below bytesBefore ${bytesBefore} after deleting 2 MB of steps`);
        for (const [sequenceId, state] of saved) assert.deepEqual((await persister.load(null, kept, sequenceId))?.state.getAll(), state.getAll());
      });
    }
  });
}
