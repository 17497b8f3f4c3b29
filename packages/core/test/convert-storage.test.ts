// convertStorage between the two storage modes of one InMemoryStore: what is written (snapshots and real append
// deltas from decoded states), what is kept exactly (states, positions, statuses, save times to the microsecond),
// resuming after a stop, and what is refused. The same behaviour on real databases is the conformance suite's
// ("storage conversion", @burr/testkit), run by every SQL persister's tests.
import { describe, expect, it } from 'vitest';
import {
  convertStorage,
  DEFAULT_CONVERSION_BATCH_SIZE,
  encodeState,
  InMemoryPersister,
  InMemoryStore,
  InvalidPersistArgumentError,
  State,
  StorageConversionError,
  StorageModeMismatchError,
  type StorageConversionReport,
  type StorageModeOptions,
} from '../src/index.js';
import { samePlainValue } from '../src/persistence/incremental/delta.js';
import { toSqlTimestamp } from '../src/persistence/timestamps.js';

/** Text of `length` characters that does not repeat (so no backend could compress it away). */
function text(length: number, seed: number): string {
  let out = '';
  let x = seed * 2654435761;
  while (out.length < length) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += x.toString(36);
  }
  return out.slice(0, length);
}

/** A chat: each step appends one ~200-byte message; every 10th step fails (saved with the state from before its action). */
function chatStates(count: number): State[] {
  const states: State[] = [];
  let state = new State({ messages: [] as unknown[], turn: 0, meta: { model: 'm', at: new Date(Date.UTC(2026, 0, 1)) } });
  for (let n = 0; n < count; n++) {
    const failed = n % 10 === 9;
    if (!failed) state = state.append({ messages: { role: n % 2 ? 'assistant' : 'user', content: text(180, n) } }).update({ turn: n });
    state = state.update({ __SEQUENCE_ID: n, __PRIOR_STEP: `step${n}` });
    states.push(state);
  }
  return states;
}

function storeWith(incremental: StorageModeOptions = { storage: 'incremental' }) {
  const store = new InMemoryStore();
  const full = new InMemoryPersister({ store });
  const inc = new InMemoryPersister({ store, ...incremental });
  return { store, full, inc };
}

async function saveAll(persister: InMemoryPersister, appId: string, states: readonly State[], partitionKey = ''): Promise<void> {
  await persister.initialize();
  for (const [n, state] of states.entries()) {
    await persister.save({ partitionKey, appId, sequenceId: n, position: `step${n}`, state, status: n % 10 === 9 ? 'failed' : 'completed' });
  }
}

/** Every stored row of a mode, as comparable text: key, status, exact save time, and the state's JSON as the full mode stores it. */
async function snapshotOf(persister: InMemoryPersister, appId: string, partitionKey = '') {
  const rows: string[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await persister.listSteps(partitionKey, appId, { order: 'oldest-first', limit: 1000, includeState: true, ...(after === undefined ? {} : { after }) });
    for (const step of page.steps) rows.push(`${step.sequenceId}|${step.position}|${step.status}|${encodeState(step.state!)}`);
    if (page.nextCursor === null) return rows;
    after = page.nextCursor;
  }
}

/** The full-mode rows of an app as stored: key, status and the state's JSON text. */
function fullRows(store: InMemoryStore, appId: string): string[] {
  return [...store.records.values()]
    .filter((record) => record.appId === appId)
    .sort((a, b) => a.sequenceId - b.sequenceId || (a.position < b.position ? -1 : 1))
    .map((record) => `${record.sequenceId}|${record.position}|${record.status}|${record.state}`);
}

/** Save times with microseconds, from the store's records. */
function timesOf(records: Map<string, { appId: string; sequenceId: number; position: string; createdAt: Date; createdAtMicros: number }>, appId: string): string[] {
  return [...records.values()]
    .filter((record) => record.appId === appId)
    .sort((a, b) => a.sequenceId - b.sequenceId || (a.position < b.position ? -1 : 1))
    .map((record) => `${record.sequenceId}|${record.position}|${toSqlTimestamp(record.createdAt, record.createdAtMicros)}`);
}

const bytesOf = (records: Map<string, { appId: string; state: string }>, appId: string) =>
  [...records.values()].filter((record) => record.appId === appId).reduce((sum, record) => sum + Buffer.byteLength(record.state), 0);

/** Long enough for hundreds of append deltas; docs/incremental-storage.md measures 1,000 steps. */
const CHAT_STEPS = 400;

describe('convertStorage: full to incremental and back', () => {
  it(`a ${CHAT_STEPS}-step chat: real append deltas from decoded states, and the round trip gives back every row exactly`, async () => {
    const { store, full, inc } = storeWith();
    const states = chatStates(CHAT_STEPS);
    await saveAll(full, 'chat', states);
    const before = fullRows(store, 'chat');
    const timesBefore = timesOf(store.records, 'chat');
    const fullBytes = bytesOf(store.records, 'chat');

    const progress: StorageConversionReport[] = [];
    const there = await convertStorage({ from: full, to: inc, onProgress: (report) => progress.push(report) });
    expect(there).toMatchObject({ dryRun: false, from: 'full', to: 'incremental', appsScanned: 1, appsConverted: 1, stepsConverted: CHAT_STEPS, stepsResumed: 0 });
    expect(there.bytesBefore).toBe(fullBytes);
    expect(progress.length).toBeGreaterThanOrEqual(CHAT_STEPS / DEFAULT_CONVERSION_BATCH_SIZE); // one report per batch at least
    expect(store.records.size).toBe(0);
    expect(store.incrementalRecords.size).toBe(CHAT_STEPS);
    const incrementalBytes = bytesOf(store.incrementalRecords, 'chat');
    expect(there.bytesAfter).toBe(incrementalBytes);
    // Full mode stores the whole conversation at every step (quadratic: ~16 MB for 400 steps of ~200 bytes);
    // incremental mode a few times what the steps changed (~80 KB): snapshots, and one small delta a step.
    expect(fullBytes).toBeGreaterThan(14_000_000);
    expect(incrementalBytes).toBeLessThan(600_000);
    const rows = [...store.incrementalRecords.values()].sort((a, b) => a.sequenceId - b.sequenceId);
    const deltas = rows.filter((row) => row.base !== null);
    expect(deltas.length).toBeGreaterThan(CHAT_STEPS * 0.98);
    // A step's delta is its new message (an append) and the hidden keys, not the conversation.
    const appends = deltas.filter((row) => row.state.includes('"+messages":'));
    expect(appends.length).toBeGreaterThan(CHAT_STEPS * 0.88);
    for (const row of deltas) expect(row.state.length).toBeLessThan(400);
    expect(rows[0]!.base).toBeNull();
    expect(await snapshotOf(inc, 'chat')).toEqual(before);
    expect(timesOf(store.incrementalRecords, 'chat')).toEqual(timesBefore);

    const back = await convertStorage({ from: inc, to: full });
    expect(back).toMatchObject({ from: 'incremental', to: 'full', appsConverted: 1, stepsConverted: CHAT_STEPS, bytesBefore: incrementalBytes, bytesAfter: fullBytes });
    expect(store.incrementalRecords.size).toBe(0);
    // Byte for byte: the full rows are the ones saved in the first place.
    expect(fullRows(store, 'chat')).toEqual(before);
    expect(timesOf(store.records, 'chat')).toEqual(timesBefore);
  }, 60_000);

  it('without value comparison a decoded state would share nothing with its base: each delta would be the whole state', () => {
    const a = JSON.parse(JSON.stringify({ messages: [{ role: 'user', content: 'x' }], meta: { n: 1 } })) as Record<string, unknown>;
    const b = JSON.parse(JSON.stringify({ messages: [{ role: 'user', content: 'x' }], meta: { n: 1 } })) as Record<string, unknown>;
    expect(a.messages).not.toBe(b.messages);
    expect(samePlainValue(a, b)).toBe(true);
    expect(samePlainValue({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(samePlainValue([0], [-0])).toBe(false);
    expect(samePlainValue([Number.NaN], [Number.NaN])).toBe(true);
    expect(samePlainValue(new Date(0), new Date(0))).toBe(false);
    expect(samePlainValue([1, [2, { c: [3] }]], [1, [2, { c: [3] }]])).toBe(true);
    expect(samePlainValue([1, [2, { c: [3] }]], [1, [2, { c: [4] }]])).toBe(false);
  });

  it('every kind of change, several positions at one sequence id, tagged values and failed steps survive both ways', async () => {
    const { store, full, inc } = storeWith({ storage: 'incremental', snapshotEvery: 4 });
    await full.initialize();
    let state: State = new State({ list: [1, 2, 3], gone: 'x', set: new Set(['a']), big: 2n ** 70n, when: new Date(5), nested: { deep: [{ a: 1 }] } });
    const saved: Array<[number, string, State, 'completed' | 'failed']> = [];
    for (let n = 0; n < 30; n++) {
      state = state.append({ list: n }).update({ n, nested: n % 4 === 0 ? { deep: [{ a: n }] } : state.get('nested') });
      if (n % 6 === 2) state = state.wipe({ delete: ['gone'] });
      if (n % 6 === 3) state = state.update({ gone: { back: n } });
      if (n % 7 === 5) state = state.update({ list: (state.get('list') as number[]).slice(3) });
      saved.push([n, 'act', state, n % 5 === 4 ? 'failed' : 'completed']);
      // A second position at the same sequence id (a parallel branch), and a third.
      if (n % 8 === 1) saved.push([n, 'branch', state.update({ branch: true }), 'completed'], [n, 'other', state.update({ other: n }), 'failed']);
    }
    for (const [sequenceId, position, s, status] of saved) await full.save({ appId: 'varied', sequenceId, position, state: s, status });
    const before = await snapshotOf(full, 'varied');
    const times = timesOf(store.records, 'varied');
    expect(before).toHaveLength(saved.length);

    await convertStorage({ from: full, to: inc, batchSize: 3 });
    expect(await snapshotOf(inc, 'varied')).toEqual(before);
    expect(timesOf(store.incrementalRecords, 'varied')).toEqual(times);
    // load by sequence id picks the least position, as in full mode.
    expect((await inc.load('', 'varied', 9))?.position).toBe('act');
    await convertStorage({ from: inc, to: full, batchSize: 7 });
    expect(await snapshotOf(full, 'varied')).toEqual(before);
    expect(timesOf(store.records, 'varied')).toEqual(times);
    expect([...store.records.values()].map((record) => record.state)).toEqual(saved.map(([, , s]) => encodeState(s)));
  });

  it('one app, one partition or every partition; the rest stays where it was, and saves work in the new mode afterwards', async () => {
    const { store, full, inc } = storeWith();
    const states = chatStates(5);
    await saveAll(full, 'a', states);
    await saveAll(full, 'b', states);
    await saveAll(full, 'c', states, 'tenant');
    await saveAll(full, 'd', states, 'other');
    const appsOf = (records: Map<string, { partitionKey: string; appId: string }>) => [...new Set([...records.values()].map((r) => `${r.partitionKey}/${r.appId}`))].sort();

    expect(await convertStorage({ from: full, to: inc, target: { partitionKey: null, appId: 'a' } })).toMatchObject({ appsScanned: 1, appsConverted: 1, stepsConverted: 5 });
    expect(appsOf(store.incrementalRecords)).toEqual(['/a']);
    expect(await convertStorage({ from: full, to: inc, target: { partitionKey: 'tenant' } })).toMatchObject({ appsScanned: 1, appsConverted: 1 });
    expect(appsOf(store.incrementalRecords)).toEqual(['/a', 'tenant/c']);
    expect(appsOf(store.records)).toEqual(['/b', 'other/d']);
    // An app that has no steps in the source is scanned and left alone.
    expect(await convertStorage({ from: full, to: inc, target: { partitionKey: '', appId: 'nobody' } })).toMatchObject({ appsScanned: 1, appsConverted: 0, stepsConverted: 0 });
    expect(await convertStorage({ from: full, to: inc })).toMatchObject({ appsScanned: 2, appsConverted: 2, stepsConverted: 10 });
    expect(store.records.size).toBe(0);

    // The converted app goes on in incremental mode; the full-mode persister now refuses it.
    await inc.save({ appId: 'a', sequenceId: 5, position: 'step5', state: states[4]!.update({ more: true }), status: 'completed' });
    await expect(full.save({ appId: 'a', sequenceId: 6, position: 'step6', state: states[4]!, status: 'completed' })).rejects.toThrow(StorageModeMismatchError);
    expect((await inc.listApps(null)).apps.map((app) => app.appId)).toEqual(['a', 'b']);
  });

  it('a dry run reads every step and estimates the size in the other mode, writing and removing nothing', async () => {
    const { store, full, inc } = storeWith();
    await saveAll(full, 'chat', chatStates(200));
    const rows = [...store.records.entries()];
    const dry = await convertStorage({ from: full, to: inc, dryRun: true });
    expect(store.incrementalInitialized).toBe(false);
    expect([...store.records.entries()]).toEqual(rows);
    expect(store.incrementalRecords.size).toBe(0);
    const real = await convertStorage({ from: full, to: inc });
    expect(dry).toEqual({ ...real, dryRun: true });
  });
});

describe('convertStorage: stopped midway, then run again', () => {
  for (const how of ['an abort signal', 'a throwing onProgress'] as const) {
    it(`${how} after some batches: nothing is lost, both modes are consistent, and a re-run completes it`, async () => {
      const { store, full, inc } = storeWith();
      const states = chatStates(300);
      await saveAll(full, 'one', states);
      await saveAll(full, 'two', states);
      const before = [await snapshotOf(full, 'one'), await snapshotOf(full, 'two')];
      const controller = new AbortController();
      let batches = 0;
      const stop = (report: StorageConversionReport) => {
        // Stop inside the second app, after some of its steps were written.
        if (report.stepsConverted < 450) return;
        batches++;
        if (how === 'an abort signal') controller.abort(new Error('stop'));
        else throw new Error('progress callback failed');
      };
      await expect(convertStorage({ from: full, to: inc, batchSize: 50, signal: controller.signal, onProgress: stop })).rejects.toThrow(
        how === 'an abort signal' ? 'stop' : 'progress callback failed',
      );
      expect(batches).toBe(1);
      // The first app moved; the second is in both modes, whole in full mode.
      expect(await snapshotOf(inc, 'one')).toEqual(before[0]);
      const partial = [...store.incrementalRecords.values()].filter((row) => row.appId === 'two').length;
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(300);
      expect(await snapshotOf(full, 'two')).toEqual(before[1]);
      // Neither mode will take a save of the app that is in both.
      await expect(inc.save({ appId: 'two', sequenceId: 300, position: 'x', state: states[0]!, status: 'completed' })).rejects.toThrow(StorageModeMismatchError);

      const again = await convertStorage({ from: full, to: inc, batchSize: 50 });
      expect(again).toMatchObject({ appsScanned: 1, appsConverted: 1, stepsConverted: 300, stepsResumed: partial });
      expect(store.records.size).toBe(0);
      expect(await snapshotOf(inc, 'one')).toEqual(before[0]);
      expect(await snapshotOf(inc, 'two')).toEqual(before[1]);
      const times = timesOf(store.incrementalRecords, 'two');
      expect(new Set(times).size).toBe(300);
    });
  }

  it('a crash after the target was complete, before the source was removed: the re-run only removes', async () => {
    const { store, full, inc } = storeWith();
    await saveAll(full, 'app', chatStates(20));
    // Copy by hand what a conversion writes, as if it stopped just before removing the full rows.
    const scratch = new InMemoryStore();
    const copier = new InMemoryPersister({ store: scratch, storage: 'incremental' });
    const fullCopy = new InMemoryPersister({ store: scratch });
    for (const [key, record] of store.records) scratch.records.set(key, record);
    scratch.initialized = true;
    await convertStorage({ from: fullCopy, to: copier });
    for (const [key, row] of scratch.incrementalRecords) store.incrementalRecords.set(key, row);
    store.incrementalInitialized = true;
    const report = await convertStorage({ from: full, to: inc });
    expect(report).toMatchObject({ appsConverted: 1, stepsConverted: 20, stepsResumed: 20 });
    expect(store.records.size).toBe(0);
    expect(store.incrementalRecords.size).toBe(20);
  });

  it('steps saved in the old mode while their app is converted (a new one, another position at an old id) are copied by another round', async () => {
    const { store, full, inc } = storeWith();
    const states = chatStates(31);
    await saveAll(full, 'live', states.slice(0, 30));
    let calls = 0;
    // A writer still going in full mode (its persister checked the app's mode before the conversion began).
    const writeDuring = () => {
      if (++calls !== 1) return;
      void full.save({ appId: 'live', sequenceId: 30, position: 'step30', state: states[30]!, status: 'completed' });
      void full.save({ appId: 'live', sequenceId: 5, position: 'branch', state: states[5]!.update({ branch: true }), status: 'completed' });
    };
    const before = (await snapshotOf(full, 'live')).length;
    const report = await convertStorage({ from: full, to: inc, batchSize: 10, onProgress: writeDuring });
    expect(before).toBe(30);
    expect(report).toMatchObject({ appsConverted: 1, stepsConverted: 32 + report.stepsResumed });
    expect(store.records.size).toBe(0);
    const rows = await snapshotOf(inc, 'live');
    expect(rows).toHaveLength(32);
    expect(rows.filter((row) => row.startsWith('5|'))).toHaveLength(2);
    expect(rows.at(-1)).toMatch(/^30\|step30\|/);
  });

  it('an app that never stops getting steps in the old mode is given up after 5 rounds (app-still-written), nothing lost', async () => {
    const { store, full, inc } = storeWith();
    const states = chatStates(200);
    // Another process's persister, which checked the app's mode on its first save, before the conversion.
    const writer = new InMemoryPersister({ store });
    await saveAll(writer, 'busy', states.slice(0, 3));
    let next = 3;
    const writeOne = () => {
      const n = next++;
      return writer.save({ appId: 'busy', sequenceId: n, position: `step${n}`, state: states[n]!, status: 'completed' });
    };
    const error = await convertStorage({ from: full, to: inc, onProgress: () => writeOne() }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ reason: 'app-still-written', app: { appId: 'busy' } });
    await new Promise((resolve) => setImmediate(resolve));
    const stored = [...store.records.values(), ...store.incrementalRecords.values()].map((record) => record.sequenceId).sort((a, b) => a - b);
    expect(stored).toEqual(Array.from({ length: next }, (_, n) => n));
    // One new step a round: three at first, then five rounds of one.
    expect(next).toBe(8);
  });

  it('two conversions of one table at once: a step written by one is reported as resumed by the other (each step written once in all)', async () => {
    const { store, full, inc } = storeWith();
    await saveAll(full, 'app', chatStates(30));
    const twin = { from: new InMemoryPersister({ store }), to: new InMemoryPersister({ store, storage: 'incremental' as const }) };
    // One step a batch: the two interleave at every step.
    const reports = await Promise.all([convertStorage({ from: full, to: inc, batchSize: 1 }), convertStorage({ ...twin, batchSize: 1 })]);
    expect(store.records.size).toBe(0);
    expect(await snapshotOf(inc, 'app')).toHaveLength(30);
    const written = reports.map((report) => report.stepsConverted - report.stepsResumed);
    expect(written[0]! + written[1]!).toBe(30);
  });

  it('an app whose steps differ between the modes is refused (steps-differ) and left as it is in both', async () => {
    const { store, full, inc } = storeWith();
    await saveAll(full, 'app', chatStates(10));
    // The same key in incremental mode, with other content (as if written around the mode check).
    store.incrementalInitialized = true;
    const key = JSON.stringify(['', 'app', 3, 'step3']);
    const planted = {
      partitionKey: '',
      appId: 'app',
      sequenceId: 3,
      position: 'step3',
      status: 'completed' as const,
      state: '{"different":true}',
      createdAt: new Date(),
      createdAtMicros: 0,
      base: null,
    };
    store.incrementalRecords.set(key, planted);
    const error = await convertStorage({ from: full, to: inc }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageConversionError);
    expect(error).toMatchObject({ code: 'BURR_STORAGE_CONVERSION', reason: 'steps-differ', app: { partitionKey: '', appId: 'app' } });
    expect((error as Error).message).toMatch(/step 3 \(position "step3"\) differs/);
    expect(store.records.size).toBe(10);
    expect([...store.incrementalRecords.values()]).toEqual([planted]);
  });
});

describe('convertStorage: what it refuses', () => {
  it('the same mode on both sides, different stores, persisters without modes, bad options', async () => {
    const { full, inc } = storeWith();
    await saveAll(full, 'app', chatStates(3));
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => 'converted',
        (error: unknown) => (error instanceof StorageConversionError ? error.reason : String(error)),
      );
    expect(await refusal(convertStorage({ from: full, to: full }))).toBe('same-mode');
    expect(await refusal(convertStorage({ from: inc, to: new InMemoryPersister({ storage: 'incremental' }) }))).toBe('same-mode');
    // Another store: refused once the first app is read, before anything is written.
    const elsewhere = new InMemoryPersister({ storage: 'incremental' });
    expect(await refusal(convertStorage({ from: full, to: elsewhere }))).toBe('different-stores');
    expect(await elsewhere.isInitialized()).toBe(true);
    expect((await elsewhere.listApps(null)).apps).toEqual([]);
    const plain = {
      save: async () => {},
      load: async () => null,
      listAppIds: async () => [],
      initialize: async () => {},
      isInitialized: async () => true,
      cleanup: async () => {},
    };
    expect(await refusal(convertStorage({ from: plain as never, to: inc }))).toBe('unsupported-persister');
    await expect(convertStorage({ from: full, to: inc, batchSize: 0 })).rejects.toThrow(InvalidPersistArgumentError);
    await expect(convertStorage({ from: full, to: inc, batchSize: 1001 })).rejects.toThrow(/batchSize must be an integer from 1 to 1000/);
    expect((await full.listSteps(null, 'app')).steps).toHaveLength(3);
  });
});
