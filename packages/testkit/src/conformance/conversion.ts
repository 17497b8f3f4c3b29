import assert from 'node:assert/strict';
import {
  convertStorage,
  encodeState,
  State,
  StorageConversionError,
  StorageModeMismatchError,
  type BaseStatePersister,
  type PartitionKeyInput,
  type StorageConversionReport,
  type StorageModeOptions,
} from '@burr/core';
import { newAppId, pause, type SuiteContext } from './context.js';
import { saveChatSteps } from '../chat-steps.js';
import { positionOf } from './history-fixtures.js';

const FULL: StorageModeOptions = { storage: 'full' };
/** The default policy: what a user converting a table gets. */
const INCREMENTAL: StorageModeOptions = { storage: 'incremental' };

/** A step as the history shows it, its state as the JSON the full mode stores, for exact comparison. */
interface SeenStep {
  sequenceId: number;
  position: string;
  status: string;
  createdAt: number;
  json: string;
}

/** Every step of an app, oldest first, with its state encoded (paged, so a long app fits). */
async function stepsOf(persister: BaseStatePersister, partitionKey: PartitionKeyInput, appId: string): Promise<{ steps: SeenStep[]; sizes: number[] }> {
  const steps: SeenStep[] = [];
  const sizes: number[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await persister.listSteps(partitionKey, appId, { order: 'oldest-first', limit: 100, includeState: true, ...(after === undefined ? {} : { after }) });
    for (const step of page.steps) {
      assert.ok(step.state, 'listSteps with includeState returns the state');
      steps.push({ sequenceId: step.sequenceId, position: step.position, status: step.status, createdAt: step.createdAt.getTime(), json: encodeState(step.state) });
      sizes.push(step.sizeBytes);
    }
    if (page.nextCursor === null) return { steps, sizes };
    after = page.nextCursor;
  }
}

/**
 * States with every kind of change between steps, tagged values, and (when
 * the backend stores several positions at one sequence id) parallel
 * positions: `[sequenceId, position, state, status]` in save order.
 */
function variedSteps(count: number, manyPositions: boolean): Array<[number, string, State, 'completed' | 'failed']> {
  const steps: Array<[number, string, State, 'completed' | 'failed']> = [];
  let state: State = new State({
    messages: [] as unknown[],
    turn: 0,
    gone: 'x',
    tags: new Set(['a']),
    big: 2n ** 70n,
    when: new Date(Date.UTC(2026, 0, 1)),
    lookup: new Map([['k', 1]]),
    summary: { text: 'start', scores: [1, 2.5] },
  });
  for (let n = 0; n < count; n++) {
    state = state.append({ messages: { n, text: `message ${n} é ☃` } }).update({ turn: n });
    if (n % 5 === 0) state = state.update({ summary: { text: `summary ${n}`, scores: [n, n + 0.5] } });
    if (n % 6 === 2) state = state.wipe({ delete: ['gone'] });
    if (n % 6 === 3) state = state.update({ gone: { back: n } });
    if (n % 9 === 7) state = state.update({ messages: (state.get('messages') as unknown[]).slice(2) });
    state = state.update({ __SEQUENCE_ID: n, __PRIOR_STEP: positionOf(n) });
    // A failed step holds the state from before its action: the same state as the step before.
    steps.push([n, positionOf(n), state, n % 7 === 6 ? 'failed' : 'completed']);
    if (manyPositions && n % 8 === 3) steps.push([n, `${positionOf(n)}-branch`, state.update({ branch: n }), 'completed']);
  }
  return steps;
}

/** `value` with the keys of every object sorted. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/** Steps of the chat case: hundreds of append deltas over two conversion batches, without writing the quadratic full mode of a long chat to every backend. */
const CHAT_STEPS = 200;

/** The cases of `convertStorage` between the two modes of one store (docs/incremental-storage.md, "Converting between modes"). */
export function conversionCases({ api, capabilities, fresh, again }: SuiteContext): void {
  const manyPositions = capabilities.positionsPerSequence === 'many';
  /** A state's JSON as compared here: as is, or with object keys sorted where the backend does not keep their order. */
  const comparable = (json: string): string => (capabilities.preservesKeyOrder ? json : JSON.stringify(sortedKeys(JSON.parse(json))));
  const comparableSteps = (steps: readonly SeenStep[]): SeenStep[] => steps.map((step) => ({ ...step, json: comparable(step.json) }));
  /** Fails with a short message (the states of a long chat are far too large to print). */
  const assertSameState = (actual: State | undefined, expected: State, what: string): void => {
    assert.ok(actual, `${what}: loads`);
    assert.ok(comparable(encodeState(actual)) === comparable(encodeState(expected)), `${what}: the state differs`);
  };

  /** A full-mode persister on a fresh store, and one in incremental mode (default policy) on the same store. */
  const bothModes = async (): Promise<{ full: BaseStatePersister; incremental: BaseStatePersister }> => {
    const full = await fresh({ storage: FULL });
    const incremental = await again(full, { storage: INCREMENTAL });
    await incremental.initialize();
    return { full, incremental };
  };

  api.describe('storage conversion', () => {
    const { it } = api;

    it('full → incremental → full keeps every step exactly (states, positions, statuses, save times, stored bytes), and a new full-mode reader loads them', async () => {
      const { full, incremental } = await bothModes();
      const appId = newAppId('convert');
      const saved = variedSteps(40, manyPositions);
      for (const [sequenceId, position, state, status] of saved) await full.save({ partitionKey: 'p', appId, sequenceId, position, state, status });
      const before = await stepsOf(full, 'p', appId);
      assert.equal(before.steps.length, saved.length);
      const [appBefore] = (await full.listApps('p')).apps;

      const there = await convertStorage({ from: full, to: incremental, batchSize: 7 });
      assert.deepEqual(
        { ...there, bytesBefore: 0, bytesAfter: 0 },
        { dryRun: false, from: 'full', to: 'incremental', appsScanned: 1, appsConverted: 1, stepsConverted: saved.length, stepsResumed: 0, bytesBefore: 0, bytesAfter: 0 },
      );
      assert.equal(
        there.bytesBefore,
        before.sizes.reduce((a, b) => a + b, 0),
        'bytesBefore: the sizes listSteps reported',
      );
      assert.deepEqual((await incremental.listSteps('p', appId, { limit: 1000 })).steps.length, saved.length);
      assert.deepEqual((await full.listSteps('p', appId)).steps, [], 'nothing is left in full mode');
      assert.deepEqual((await stepsOf(incremental, 'p', appId)).steps, before.steps, 'incremental mode holds the same steps');
      assert.deepEqual((await incremental.listApps('p')).apps, [appBefore], "the app's listing entry (latest step, last save time) is the same");
      for (const step of before.steps) {
        // load by sequence id returns the least position, the first one listed.
        if (before.steps.find((candidate) => candidate.sequenceId === step.sequenceId) !== step) continue;
        const loaded = await incremental.load('p', appId, step.sequenceId);
        assert.ok(loaded, `step ${step.sequenceId} loads in incremental mode`);
        assert.deepEqual([loaded.position, loaded.status, loaded.createdAt.getTime(), encodeState(loaded.state)], [step.position, step.status, step.createdAt, step.json]);
      }

      const back = await convertStorage({ from: incremental, to: full });
      assert.equal(back.stepsConverted, saved.length);
      assert.equal(back.bytesAfter, there.bytesBefore, 'full mode stores as many bytes as before');
      assert.equal(back.bytesBefore, there.bytesAfter);
      const after = await stepsOf(full, 'p', appId);
      assert.deepEqual(after.steps, before.steps, 'full mode holds the steps it held');
      assert.deepEqual(after.sizes, before.sizes, 'each step stored in as many bytes as before');
      assert.deepEqual((await incremental.listSteps('p', appId)).steps, []);
      assert.deepEqual((await full.listApps('p')).apps, [appBefore]);
      // A reader that knows only the full table (Python Burr's format) sees every step.
      const reader = await again(full, { storage: FULL });
      for (const step of before.steps) {
        if (before.steps.find((candidate) => candidate.sequenceId === step.sequenceId) !== step) continue;
        const loaded = await reader.load('p', appId, step.sequenceId);
        assert.ok(loaded, `step ${step.sequenceId} loads in full mode`);
        assert.deepEqual([loaded.position, loaded.status, loaded.createdAt.getTime(), encodeState(loaded.state)], [step.position, step.status, step.createdAt, step.json]);
      }
    });

    it('an app saved in incremental mode converts to full mode, then loads there as it was saved', async () => {
      const { full, incremental } = await bothModes();
      const appId = newAppId('to-full');
      const saved = variedSteps(25, manyPositions);
      for (const [sequenceId, position, state, status] of saved) await incremental.save({ appId, sequenceId, position, state, status });
      const before = await stepsOf(incremental, null, appId);
      const report = await convertStorage({ from: incremental, to: full, target: { partitionKey: null } });
      assert.equal(report.stepsConverted, saved.length);
      assert.deepEqual(comparableSteps((await stepsOf(full, null, appId)).steps), comparableSteps(before.steps));
      const reader = await again(full, { storage: FULL });
      const [lastSequenceId, , lastState] = saved.filter(([, position]) => !position.endsWith('-branch')).at(-1)!;
      assertSameState((await reader.load(null, appId, lastSequenceId))?.state, lastState, `step ${lastSequenceId} read in full mode`);
    });

    it('a conversion keeps the order apps were saved in: listApps and load(partitionKey, null), either way', async () => {
      const { full, incremental } = await bothModes();
      // The conversion copies apps in id order: the app saved last has the lower id, so it is copied first.
      const prefix = newAppId('order');
      const [savedLast, savedFirst] = [`${prefix}-1`, `${prefix}-2`];
      const save = (persister: BaseStatePersister, appId: string) =>
        persister.save({ partitionKey: 'p', appId, sequenceId: 0, position: 'step', state: new State({ appId }), status: 'completed' });
      await save(incremental, savedFirst);
      await pause(5);
      await save(incremental, savedLast);
      const order = async (persister: BaseStatePersister): Promise<[string[], string | undefined]> => [
        (await persister.listApps('p')).apps.map((app) => `${app.appId} at ${app.lastSavedAt.getTime()}`),
        (await persister.load('p', null))?.appId,
      ];
      const expected = await order(incremental);
      assert.deepEqual([expected[0].map((app) => app.split(' at ')[0]), expected[1]], [[savedLast, savedFirst], savedLast], 'before');
      await convertStorage({ from: incremental, to: full, target: { partitionKey: 'p' } });
      assert.deepEqual(await order(full), expected, 'in full mode');
      await convertStorage({ from: full, to: incremental, target: { partitionKey: 'p' } });
      assert.deepEqual(await order(incremental), expected, 'back in incremental mode');
    });

    it(`a ${CHAT_STEPS}-step chat: each converted step is an append of its message, not the conversation; the way back restores every byte`, async () => {
      const { full, incremental } = await bothModes();
      const appId = newAppId('chat');
      const last = await saveChatSteps(full, { appId, steps: CHAT_STEPS, messageLength: 60 });
      const fullSizes = (await stepsOf(full, null, appId)).sizes;
      const there = await convertStorage({ from: full, to: incremental, batchSize: CHAT_STEPS / 2 + 10 });
      assert.equal(there.stepsConverted, CHAT_STEPS);
      const sizes = (await stepsOf(incremental, null, appId)).sizes;
      const small = sizes.filter((size) => size < 400).length;
      assert.ok(small > CHAT_STEPS * 0.95, `most steps are stored as a delta of one message (${small} of ${CHAT_STEPS} under 400 bytes)`);
      assert.ok(there.bytesAfter * 10 < there.bytesBefore, `incremental mode stores far less (${there.bytesAfter} bytes, full mode ${there.bytesBefore})`);
      assertSameState((await incremental.load(null, appId))?.state, last, 'the latest step in incremental mode');
      const back = await convertStorage({ from: incremental, to: full });
      assert.equal(back.stepsConverted, CHAT_STEPS);
      assert.deepEqual((await stepsOf(full, null, appId)).sizes, fullSizes);
      assertSameState((await full.load(null, appId))?.state, last, 'the latest step back in full mode');
    }, 300_000);

    for (const how of ['an AbortSignal', 'a throwing onProgress'] as const) {
      it(`stopped midway by ${how}: no step is lost, a save of the app in either mode is refused, and a re-run completes it`, async () => {
        const { full, incremental } = await bothModes();
        const apps = [newAppId('first'), newAppId('second')];
        for (const appId of apps) for (const [sequenceId, position, state, status] of variedSteps(30, false)) await full.save({ appId, sequenceId, position, state, status });
        const before = await Promise.all(apps.map(async (appId) => (await stepsOf(full, null, appId)).steps));
        const controller = new AbortController();
        const stop = (report: StorageConversionReport): void => {
          if (report.stepsConverted < 45) return;
          if (how === 'an AbortSignal') controller.abort(new Error('stopped'));
          else throw new Error('stopped');
        };
        await assert.rejects(convertStorage({ from: full, to: incremental, batchSize: 5, signal: controller.signal, onProgress: stop }), /stopped/);
        // Every step is still stored whole in at least one mode.
        const inFull = await Promise.all(apps.map(async (appId) => (await stepsOf(full, null, appId)).steps));
        const inIncremental = await Promise.all(apps.map(async (appId) => (await stepsOf(incremental, null, appId)).steps));
        for (const [i, appId] of apps.entries()) {
          const held = new Map([...inIncremental[i]!, ...inFull[i]!].map((step) => [`${step.sequenceId}|${step.position}`, step]));
          assert.deepEqual(
            [...held.values()].sort((a, b) => a.sequenceId - b.sequenceId || a.position.localeCompare(b.position)),
            before[i],
            `${appId}: every step is stored`,
          );
        }
        const partly = apps.findIndex((_, i) => inFull[i]!.length > 0 && inIncremental[i]!.length > 0);
        assert.ok(partly >= 0, 'one app was stopped with steps in both modes');
        const otherFull = await again(full, { storage: FULL });
        await assert.rejects(otherFull.save({ appId: apps[partly]!, sequenceId: 99, position: 'x', state: new State({}), status: 'completed' }), StorageModeMismatchError);

        const resumed = await convertStorage({ from: full, to: incremental, batchSize: 5 });
        assert.ok(resumed.stepsResumed > 0, 'steps copied before the stop are found, not written again');
        for (const [i, appId] of apps.entries()) {
          assert.deepEqual((await stepsOf(incremental, null, appId)).steps, before[i], `${appId} is whole in incremental mode`);
          assert.deepEqual((await full.listSteps(null, appId)).steps, []);
        }
      }, 120_000);
    }

    it('refuses two persisters in the same mode, or on different stores, before writing anything', async () => {
      const { full, incremental } = await bothModes();
      const appId = newAppId('refused');
      await full.save({ appId, sequenceId: 0, position: 'a', state: new State({ n: 0 }), status: 'completed' });
      const reason = async (promise: Promise<unknown>): Promise<string> => {
        try {
          await promise;
          return 'converted';
        } catch (error) {
          assert.ok(error instanceof StorageConversionError, `a StorageConversionError, got ${String(error)}`);
          assert.equal(error.code, 'BURR_STORAGE_CONVERSION');
          return error.reason;
        }
      };
      assert.equal(await reason(convertStorage({ from: full, to: await again(full, { storage: FULL }) })), 'same-mode');
      assert.equal(await reason(convertStorage({ from: incremental, to: incremental })), 'same-mode');
      const elsewhere = await fresh({ storage: INCREMENTAL });
      assert.equal(await reason(convertStorage({ from: full, to: elsewhere })), 'different-stores');
      assert.deepEqual((await elsewhere.listApps(null)).apps, []);
      assert.equal((await full.listSteps(null, appId)).steps.length, 1);
    });
  });
}
