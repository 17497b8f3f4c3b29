import assert from 'node:assert/strict';
import { InvalidPersistArgumentError, type AppSummary, type BaseStatePersister } from '@burr/core';
import { newAppId, pause, type SuiteContext } from './context.js';
import { pageThroughApps, positionOf, saveSteps } from './history-fixtures.js';

/** Milliseconds between the saves of different apps, so "most recently saved" never rests on a sub-millisecond difference. */
const BETWEEN_APPS_MS = 3;

const appIdsOf = (apps: readonly AppSummary[]) => apps.map((app) => app.appId);

/** The `createdAt` of a saved step, as `load` reports it. */
async function savedAt(persister: BaseStatePersister, partitionKey: string, appId: string, sequenceId: number): Promise<number> {
  const step = await persister.load(partitionKey, appId, sequenceId);
  assert.ok(step, `${appId} step ${sequenceId} is stored`);
  return step.createdAt.getTime();
}

/** `listApps` (order, summaries, paging, cursors, partitions) and `load(partitionKey, null)`. */
export function appListingCases({ api, fresh }: SuiteContext): void {
  api.describe('listApps and load(partitionKey, null)', () => {
    const { it } = api;

    it("lists a partition's apps most recently saved first, each with its latest step and last save time", async () => {
      const persister = await fresh();
      const [a, b, c] = [newAppId('a'), newAppId('b'), newAppId('c')];
      const step = async (appId: string, sequenceId: number, status: 'completed' | 'failed' = 'completed') => {
        await saveSteps(persister, { partitionKey: 'tenant', appId, from: sequenceId, count: 1, failed: status === 'failed' ? [sequenceId] : [] });
        await pause(BETWEEN_APPS_MS);
      };
      await step(a, 0);
      await step(b, 0);
      await step(a, 1);
      await step(c, 0);
      await step(b, 1, 'failed');
      await step(a, 2);
      const page = await persister.listApps('tenant');
      assert.deepEqual(appIdsOf(page.apps), [a, b, c]);
      assert.equal(page.nextCursor, null);
      const [first, second, third] = page.apps;
      assert.deepEqual(first, { partitionKey: 'tenant', appId: a, lastSequenceId: 2, lastPosition: positionOf(2), lastStatus: 'completed', lastSavedAt: first?.lastSavedAt });
      assert.deepEqual(second, { partitionKey: 'tenant', appId: b, lastSequenceId: 1, lastPosition: positionOf(1), lastStatus: 'failed', lastSavedAt: second?.lastSavedAt });
      assert.deepEqual(third, { partitionKey: 'tenant', appId: c, lastSequenceId: 0, lastPosition: positionOf(0), lastStatus: 'completed', lastSavedAt: third?.lastSavedAt });
      assert.equal(first?.lastSavedAt.getTime(), await savedAt(persister, 'tenant', a, 2));
      assert.equal(second?.lastSavedAt.getTime(), await savedAt(persister, 'tenant', b, 1));
      assert.equal(third?.lastSavedAt.getTime(), await savedAt(persister, 'tenant', c, 0));
      assert.deepEqual(await persister.listAppIds('tenant'), [a, b, c], 'listAppIds agrees');
    });

    it('a save at a lower sequence id (a rewind) moves the app to the front, but its latest step stays the one with the highest sequence id', async () => {
      const persister = await fresh();
      const [rewound, other] = [newAppId('rewound'), newAppId('other')];
      const saved = await saveSteps(persister, { partitionKey: 'tenant', appId: rewound, from: 10, count: 3 });
      await pause(BETWEEN_APPS_MS);
      await saveSteps(persister, { partitionKey: 'tenant', appId: other, count: 2 });
      await pause(BETWEEN_APPS_MS);
      assert.deepEqual(appIdsOf((await persister.listApps('tenant')).apps), [other, rewound]);
      await saveSteps(persister, { partitionKey: 'tenant', appId: rewound, from: 3, count: 1 });
      const [first, second] = (await persister.listApps('tenant')).apps;
      assert.equal(first?.appId, rewound, 'the app saved last comes first');
      assert.equal(first?.lastSequenceId, 12, 'lastSequenceId does not move back');
      assert.equal(first?.lastPosition, positionOf(12));
      assert.equal(first?.lastSavedAt.getTime(), await savedAt(persister, 'tenant', rewound, 3), 'lastSavedAt is the time of the save at sequence id 3');
      assert.ok(second && first && first.lastSavedAt > second.lastSavedAt);
      assert.deepEqual(await persister.listAppIds('tenant'), [rewound, other], 'listAppIds agrees');
      const latest = await persister.load('tenant', null);
      assert.equal(latest?.appId, rewound);
      assert.equal(latest?.sequenceId, 12, "load(partitionKey, null) loads the app's latest step, not its last save");
      assert.deepEqual(latest?.state.getAll(), saved.get(12)?.getAll());
    });

    it('pages of a few apps visit each of 12 apps exactly once, in the order of one big page, and end with nextCursor null', async () => {
      const persister = await fresh();
      const saveOrder: string[] = [];
      for (let i = 0; i < 12; i++) {
        const appId = newAppId(`app${i}`);
        saveOrder.push(appId);
        await saveSteps(persister, { partitionKey: 'many', appId, count: 1 + (i % 3) });
        if (i % 4 === 0) await saveSteps(persister, { partitionKey: 'elsewhere', appId: newAppId('elsewhere'), count: 1 });
        await pause(BETWEEN_APPS_MS);
      }
      const expected = [...saveOrder].reverse();
      const whole = await persister.listApps('many', { limit: 1000 });
      assert.deepEqual(appIdsOf(whole.apps), expected);
      assert.equal(whole.nextCursor, null);
      for (const limit of [1, 4, 5]) assert.deepEqual(appIdsOf(await pageThroughApps(persister, 'many', limit)), expected, `limit ${limit}`);
      const firstPage = await persister.listApps('many', { limit: 5 });
      assert.notEqual(firstPage.nextCursor, null, 'a full page that is not the last has a nextCursor');
      assert.deepEqual(await persister.listAppIds('many'), expected, 'listAppIds agrees');
    });

    it('refuses a cursor that listApps did not return, and a bad limit, with InvalidPersistArgumentError', async () => {
      const persister = await fresh();
      await saveSteps(persister, { partitionKey: 'p', appId: newAppId('a'), count: 1 });
      const base64url = (text: string) => Buffer.from(text).toString('base64url');
      for (const cursor of ['not-a-cursor', '%%%', base64url('{"a":1}'), base64url('[1,2]'), base64url('["x"]')]) {
        await assert.rejects(persister.listApps('p', { cursor }), InvalidPersistArgumentError, `cursor ${JSON.stringify(cursor)}`);
      }
      for (const limit of [0, 1001, 1.5]) await assert.rejects(persister.listApps('p', { limit }), InvalidPersistArgumentError, `limit ${limit}`);
      assert.equal((await persister.listApps('p', { cursor: null })).apps.length, 1, 'a null cursor is the first page');
    });

    it('lists only the partition asked for; null, undefined and "" are one partition; an empty partition lists nothing', async () => {
      const persister = await fresh();
      const [x, y] = [newAppId('x'), newAppId('y')];
      await saveSteps(persister, { partitionKey: null, appId: x, count: 2 });
      await saveSteps(persister, { partitionKey: 'p', appId: y, count: 1 });
      for (const partitionKey of [null, undefined, '']) {
        const page = await persister.listApps(partitionKey);
        assert.deepEqual(appIdsOf(page.apps), [x], `listApps(${JSON.stringify(partitionKey)})`);
        assert.equal(page.apps[0]?.partitionKey, '');
      }
      const p = await persister.listApps('p');
      assert.deepEqual(appIdsOf(p.apps), [y]);
      assert.equal(p.apps[0]?.partitionKey, 'p');
      assert.deepEqual(await persister.listApps('nobody'), { apps: [], nextCursor: null });
    });

    it("load(partitionKey, null) loads the latest step of the partition's most recently saved app; null for an empty partition", async () => {
      const persister = await fresh();
      const [a, b] = [newAppId('a'), newAppId('b')];
      assert.equal(await persister.load('p', null), null, 'nothing saved yet');
      await saveSteps(persister, { partitionKey: 'p', appId: a, count: 3 });
      await pause(BETWEEN_APPS_MS);
      await saveSteps(persister, { partitionKey: 'p', appId: b, count: 2 });
      await pause(BETWEEN_APPS_MS);
      const [aStep3] = (await saveSteps(persister, { partitionKey: 'p', appId: a, from: 3, count: 1, values: () => ({ who: 'a' }) })).values();
      await pause(BETWEEN_APPS_MS);
      await saveSteps(persister, { partitionKey: 'q', appId: newAppId('q'), count: 1 });
      const latest = await persister.load('p', null);
      assert.equal(latest?.partitionKey, 'p');
      assert.equal(latest?.appId, a);
      assert.equal(latest?.sequenceId, 3);
      assert.equal(latest?.position, positionOf(3));
      assert.deepEqual(latest?.state.getAll(), aStep3?.getAll());
      assert.equal((await persister.load('p', null, null))?.appId, a, 'a null sequence id is the same as none');
      await saveSteps(persister, { partitionKey: 'p', appId: b, from: 2, count: 1 });
      assert.equal((await persister.load('p', null))?.appId, b, 'the next save of another app takes over');
      assert.equal(await persister.load('empty', null), null);
      assert.equal(await persister.load(null, null), null, 'nothing was saved without a partition');
    });

    it('load(partitionKey, null) with a sequence id is refused with InvalidPersistArgumentError', async () => {
      const persister = await fresh();
      await saveSteps(persister, { partitionKey: 'p', appId: newAppId('a'), count: 2 });
      await assert.rejects(persister.load('p', null, 0), InvalidPersistArgumentError);
      await assert.rejects(persister.load('p', null, 1), InvalidPersistArgumentError);
      await assert.rejects(persister.load('empty', null, 0), InvalidPersistArgumentError, 'refused also where there is nothing to load');
    });
  });
}
