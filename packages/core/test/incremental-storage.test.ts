// Incremental storage as the engine writes it, seen through InMemoryPersister's store: what is a snapshot, what a
// delta holds, and the options. The whole persister contract in this mode is the conformance suite's
// (`@burr/testkit`, "(incremental storage)"), run against every backend that has the mode.
import { describe, expect, it } from 'vitest';
import {
  DeserializationError,
  INCREMENTAL_TABLE_SUFFIX,
  InMemoryPersister,
  InMemoryStore,
  InvalidIdentifierError,
  InvalidPersistArgumentError,
  MAX_INCREMENTAL_TABLE_NAME_LENGTH,
  MIN_CHAIN_STEPS,
  MIN_DELTA_COST_BYTES,
  State,
  StateTooLargeError,
  registerFieldSerde,
  registerSerde,
  unregisterFieldSerde,
  unregisterSerde,
  validateSqlPersisterOptions,
  type IncrementalSettings,
  type StorageModeOptions,
} from '../src/index.js';
import { memoryIncrementalRows } from '../src/persistence/incremental/memory-rows.js';
import { RecentMap } from '../src/persistence/incremental/recent.js';

function incremental(options: Omit<StorageModeOptions, 'storage'> = {}) {
  const store = new InMemoryStore();
  const persister = new InMemoryPersister({ store, storage: 'incremental', ...options });
  /** Each stored row of the app, by sequence id: `S` (snapshot) or `d` (delta), and its JSON. */
  const rows = (appId = 'app') =>
    [...store.incrementalRecords.values()]
      .filter((row) => row.appId === appId)
      .sort((a, b) => a.sequenceId - b.sequenceId)
      .map((row) => ({ sequenceId: row.sequenceId, kind: row.base ? 'd' : 'S', json: row.state }));
  return { store, persister, rows };
}

const save = (persister: InMemoryPersister, sequenceId: number, state: State, appId = 'app') => persister.save({ appId, sequenceId, position: 'step', state, status: 'completed' });

describe('incremental storage options', () => {
  it('refuses an unknown mode, snapshot options in full mode and values out of range, naming the option', () => {
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['an unknown mode', { storage: 'deltas' }, /storage must be 'full' or 'incremental', got "deltas"/],
      ['snapshotEvery in full mode', { snapshotEvery: 10 }, /snapshotEvery apply only with storage: 'incremental'/],
      ['both in full mode', { storage: 'full', snapshotEvery: 10, snapshotBytes: 5 }, /snapshotEvery and snapshotBytes apply only/],
      ['snapshotEvery 0', { storage: 'incremental', snapshotEvery: 0 }, /snapshotEvery must be an integer from 1 to 100000, got 0/],
      ['snapshotEvery 2.5', { storage: 'incremental', snapshotEvery: 2.5 }, /snapshotEvery must be an integer/],
      ['snapshotEvery beyond the maximum', { storage: 'incremental', snapshotEvery: 100_001 }, /snapshotEvery must be an integer/],
      ['snapshotBytes -1', { storage: 'incremental', snapshotBytes: -1 }, /snapshotBytes must be an integer from 0/],
      ['snapshotBytes as text', { storage: 'incremental', snapshotBytes: '1MB' }, /snapshotBytes must be an integer/],
    ];
    for (const [what, options, message] of bad) {
      expect(() => new InMemoryPersister(options as StorageModeOptions), what).toThrow(InvalidPersistArgumentError);
      expect(() => new InMemoryPersister(options as StorageModeOptions), what).toThrow(message);
    }
    expect(new InMemoryPersister({ storage: 'incremental', snapshotEvery: 1, snapshotBytes: 0 }).storageMode).toBe('incremental');
    expect(new InMemoryPersister().storageMode).toBe('full');
  });

  it(`needs a SQL table name of at most ${MAX_INCREMENTAL_TABLE_NAME_LENGTH} characters in incremental mode, so ${INCREMENTAL_TABLE_SUFFIX} and its derived names fit`, () => {
    const identity = { persister: 'TestPersister', dialect: 'postgres' } as const;
    const longest = 'a'.repeat(MAX_INCREMENTAL_TABLE_NAME_LENGTH);
    expect(() => validateSqlPersisterOptions(identity, { tableName: longest, storage: 'incremental' })).not.toThrow();
    expect(() => validateSqlPersisterOptions(identity, { tableName: `${longest}b`, storage: 'incremental' })).toThrow(InvalidIdentifierError);
    expect(() => validateSqlPersisterOptions(identity, { tableName: `${longest}b` })).not.toThrow();
    expect(() => validateSqlPersisterOptions(identity, { storage: 'incremental', snapshotEvery: -1 })).toThrow(InvalidPersistArgumentError);
  });
});

describe('incremental storage: what a save writes', () => {
  it('a step saved as the runner saves it writes neither __SEQUENCE_ID nor __PRIOR_STEP: replay takes them from the row', async () => {
    const { persister, rows } = incremental();
    await persister.initialize();
    const states: State[] = [];
    let state = new State({ messages: [] as string[] });
    for (let n = 0; n < 6; n++) {
      const position = n % 2 === 0 ? 'ask' : 'answer';
      state = state.append({ messages: `message ${n}` }).update({ __SEQUENCE_ID: n, __PRIOR_STEP: position });
      states.push(state);
      await persister.save({ appId: 'app', sequenceId: n, position, state, status: 'completed' });
    }
    const deltas = rows().filter((row) => row.kind === 'd');
    expect(deltas).toHaveLength(5);
    for (const row of deltas) expect(row.json).toMatch(/^\{"\+messages":\["message \d"\]\}$/);
    for (const [n, saved] of states.entries()) {
      const loaded = await persister.load(null, 'app', n);
      expect([...loaded!.state.entries()], `step ${n}`).toEqual([...saved.entries()]);
    }
  });

  it('a key that stops following its row is written: a failed step, a sequence id that stays, a deleted and a new key', async () => {
    const { persister, rows } = incremental();
    await persister.initialize();
    const steps: Array<[position: string, values: Record<string, unknown>]> = [
      ['a', { __SEQUENCE_ID: 0, __PRIOR_STEP: 'a', n: 0 }],
      ['b', { __SEQUENCE_ID: 1, __PRIOR_STEP: 'b', n: 1 }], // follows: nothing written for either key
      ['c', { __SEQUENCE_ID: 2, __PRIOR_STEP: 'b', n: 2 }], // a failed step: the state from before its action
      ['d', { __SEQUENCE_ID: 3, __PRIOR_STEP: 'd', n: 3 }], // its base did not follow: written as any change
      ['e', { __SEQUENCE_ID: 3, __PRIOR_STEP: 'e', n: 4 }], // the sequence id stays: written
      ['f', { __PRIOR_STEP: 'f', n: 5 }], // deleted
      ['g', { __PRIOR_STEP: 'g', n: 6, __SEQUENCE_ID: 6 }], // back, as a new key
    ];
    for (const [n, [position, values]] of steps.entries()) await persister.save({ appId: 'app', sequenceId: n, position, state: new State(values), status: 'completed' });
    expect(rows().map((row) => row.json)).toEqual([
      '{"__SEQUENCE_ID":0,"__PRIOR_STEP":"a","n":0}',
      '{"=n":1}',
      '{"=__PRIOR_STEP":"b","=n":2}',
      '{"=__PRIOR_STEP":"d","=n":3}',
      '{"=__SEQUENCE_ID":3,"=n":4}',
      '{"=n":5,"-__SEQUENCE_ID":null}',
      '{"=n":6,"=__SEQUENCE_ID":6}',
    ]);
    for (const [n, [, values]] of steps.entries()) {
      const loaded = await persister.load(null, 'app', n);
      expect([...loaded!.state.entries()], `step ${n}`).toEqual(Object.entries(values));
    }
  });

  it('an append stores only the new element; an unchanged key nothing; a rewritten key its value; a deleted key its name', async () => {
    const { persister, rows } = incremental();
    await persister.initialize();
    const first = new State({ messages: ['hello'], title: 'chat', notes: { n: 1 } });
    await save(persister, 0, first);
    await save(
      persister,
      1,
      first
        .append({ messages: 'second' })
        .update({ notes: { n: 2 } })
        .wipe({ delete: ['title'] }),
    );
    const [snapshot, delta] = rows();
    expect(snapshot?.kind).toBe('S');
    expect(delta?.kind).toBe('d');
    expect(JSON.parse(delta!.json)).toEqual({ '+messages': ['second'], '=notes': { n: 2 }, '-title': null });
  });

  it('a list pushed to in place since it was saved is stored as an append of what was pushed', async () => {
    const { persister, rows } = incremental();
    await persister.initialize();
    const messages = ['a'];
    const state = new State({ messages });
    await save(persister, 0, state);
    messages.push('b', 'c');
    await save(persister, 1, state);
    expect(JSON.parse(rows()[1]!.json)).toEqual({ '+messages': ['b', 'c'] });
    expect((await persister.load(null, 'app', 1))?.state.get('messages')).toEqual(['a', 'b', 'c']);
    expect((await persister.load(null, 'app', 0))?.state.get('messages')).toEqual(['a']);
  });

  it('a list grown by append/extend is stored as its tail without reading the saved elements again (O(1) a step)', async () => {
    const { persister, rows } = incremental();
    await persister.initialize();
    const saved = new State({ messages: ['a', 'b'] });
    await save(persister, 0, saved);
    const next = saved
      .append({ messages: 'c' })
      .extend({ messages: new Set(['d', 'e']) })
      .append({ messages: 'f' });
    // Reading a saved element now throws: comparing element by element would fail this save.
    Object.defineProperty(saved.get('messages'), 0, {
      get() {
        throw new Error('element 0 was read');
      },
    });
    await save(persister, 1, next);
    expect(JSON.parse(rows()[1]!.json)).toEqual({ '+messages': ['c', 'd', 'e', 'f'] });
    expect((await persister.load(null, 'app', 1))?.state.get('messages')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('a list built some other way is compared element by element: the same prefix is a tail, a changed one a set', async () => {
    const { persister, rows } = incremental();
    await persister.initialize();
    const first = { id: 1 };
    const saved = new State({ messages: [first, { id: 2 }] });
    await save(persister, 0, saved);
    const messages = saved.get('messages');
    await save(persister, 1, saved.update({ messages: [...messages, { id: 3 }] }));
    await save(persister, 2, saved.update({ messages: [first, { id: 9 }, { id: 3 }] }));
    expect(rows().map((row) => JSON.parse(row.json))).toEqual([
      expect.objectContaining({ messages: [{ id: 1 }, { id: 2 }] }),
      { '+messages': [{ id: 3 }] },
      { '=messages': [{ id: 1 }, { id: 9 }, { id: 3 }] },
    ]);
  });

  it('a saved list shortened in place, then appended to, is stored whole (its saved elements are no longer its first ones)', async () => {
    const { persister, rows } = incremental();
    await persister.initialize();
    const saved = new State({ messages: ['a', 'b'] });
    await save(persister, 0, saved);
    (saved.get('messages') as string[]).pop();
    await save(persister, 1, saved.append({ messages: 'c' }));
    expect(JSON.parse(rows()[1]!.json)).toEqual({ '=messages': ['a', 'c'] });
  });

  it('an object changed in place keeps its identity and is not seen until the next snapshot (the documented limit)', async () => {
    const { persister } = incremental({ snapshotEvery: 3 });
    await persister.initialize();
    const profile = { name: 'a' };
    const state = new State({ profile, turn: 0 });
    await save(persister, 0, state);
    profile.name = 'b';
    await save(persister, 1, state.update({ turn: 1 }));
    await save(persister, 2, state.update({ turn: 2 }));
    await save(persister, 3, state.update({ turn: 3 }));
    expect((await persister.load(null, 'app', 1))?.state.get('profile')).toEqual({ name: 'a' });
    expect((await persister.load(null, 'app', 3))?.state.get('profile')).toEqual({ name: 'b' });
  });

  it('a key with a field serde is always stored whole: its serializer sees the whole value', async () => {
    registerFieldSerde<string[]>('transcript', {
      serialize: (lines) => ({ joined: lines.join('\n'), count: lines.length }),
      deserialize: (payload) => ((payload as { joined: string }).joined === '' ? [] : (payload as { joined: string }).joined.split('\n')),
    });
    try {
      const { persister, rows } = incremental();
      await persister.initialize();
      let state = new State({ transcript: ['one'] as string[] });
      await save(persister, 0, state);
      state = state.append({ transcript: 'two' });
      await save(persister, 1, state);
      expect(JSON.parse(rows()[1]!.json)).toEqual({ '=transcript': { joined: 'one\ntwo', count: 2 } });
      expect((await persister.load(null, 'app'))?.state.get('transcript')).toEqual(['one', 'two']);
    } finally {
      unregisterFieldSerde('transcript');
    }
  });

  it('a field serde registered after steps were stored sees the whole stored value, items appended by deltas included, as in full mode', async () => {
    const { persister } = incremental();
    const full = new InMemoryPersister();
    await persister.initialize();
    await full.initialize();
    // Saved before any serde: appends are stored as deltas, dated items tagged.
    let state = new State({ tags: ['a', 'b'] as unknown[] });
    for (let sequenceId = 0; sequenceId < 4; sequenceId++) {
      for (const each of [persister, full]) await save(each, sequenceId, state);
      state = state.append({ tags: sequenceId === 1 ? new Date(Date.UTC(2026, 0, 2)) : `t${sequenceId}` });
    }
    const loaded = async () => Promise.all([persister, full].map(async (each) => (await each.load(null, 'app', 3))?.state.get('tags')));
    const seen: unknown[][] = [];
    registerFieldSerde('tags', {
      serialize: (value) => [...(value as Set<unknown>)],
      // Changes its input in place: a later step replayed from the same values must not see it changed.
      deserialize: (value) => {
        seen.push(structuredClone(value as unknown[]));
        return new Set((value as unknown[]).splice(0));
      },
    });
    try {
      const [fromDeltas, fromFull] = await loaded();
      expect(fromDeltas).toEqual(new Set(['a', 'b', 't0', new Date(Date.UTC(2026, 0, 2)), 't2']));
      expect(fromDeltas).toEqual(fromFull);
      expect(seen[0]).toEqual(['a', 'b', 't0', new Date(Date.UTC(2026, 0, 2)), 't2']);
      // Consecutive steps replayed from one chain each get their whole value.
      const page = await persister.listSteps(null, 'app', { order: 'oldest-first', includeState: true });
      expect(page.steps.map((step) => (step.state?.get('tags') as Set<unknown> | undefined)?.size)).toEqual([2, 3, 4, 5]);
    } finally {
      unregisterFieldSerde('tags');
    }
  });

  it('writes a snapshot every snapshotEvery steps of a chain', async () => {
    const { persister, rows } = incremental({ snapshotEvery: 4 });
    await persister.initialize();
    for (let n = 0; n < 10; n++) await save(persister, n, new State({ n }));
    expect(
      rows()
        .map((row) => row.kind)
        .join(''),
    ).toBe('SdddSdddSd');
  });

  it('counts the items appended to a list as the state they are: a chat that only grows needs no snapshot after its first', async () => {
    const { persister, rows } = incremental({ snapshotBytes: 0 });
    await persister.initialize();
    let state = new State({ messages: [] as string[] });
    for (let n = 0; n < 200; n++) {
      state = state.append({ messages: `message ${String(n).padStart(4, '0')} ${'x'.repeat(400)}` });
      await save(persister, n, state);
    }
    expect(rows().map((row) => row.kind)).toEqual(['S', ...Array<string>(199).fill('d')]);
    expect((await persister.load(null, 'app'))?.state.get('messages')).toEqual(state.get('messages'));
  });

  it('a chain holds at most as many steps as its snapshot covers (at least minChainSteps): a long chat gets snapshots at doubling lengths', async () => {
    expect(MIN_CHAIN_STEPS).toBe(10_000);
    const store = new InMemoryStore();
    const persister = new PolicyUnderTest(store, { snapshotEvery: 100_000, snapshotBytes: 64 * 1024, minChainSteps: 10 });
    await persister.initialize();
    let state = new State({ messages: [] as string[] });
    for (let n = 0; n <= 80; n++) {
      state = state.append({ messages: 'm'.repeat(260) });
      await save(persister, n, state);
    }
    const snapshots = [...store.incrementalRecords.values()].filter((row) => row.base === null).map((row) => row.sequenceId);
    expect(snapshots.sort((a, b) => a - b)).toEqual([0, 10, 20, 40, 80]);
    expect((await persister.load(null, 'app'))?.state.get('messages')).toHaveLength(81);
  });

  it('counts what was appended to a list that is then set whole as overhead: the chain ends at the next save', async () => {
    const { persister, rows } = incremental({ snapshotBytes: 0 });
    await persister.initialize();
    let state = new State({ messages: [] as string[] });
    for (let n = 0; n < 20; n++) {
      state = state.append({ messages: 'x'.repeat(400) });
      await save(persister, n, state);
    }
    await save(persister, 20, state.update({ messages: ['summary'] }));
    await save(persister, 21, state.update({ messages: ['summary', 'y'.repeat(400)] }));
    expect(
      rows()
        .map((row) => row.kind)
        .join(''),
    ).toBe(`S${'d'.repeat(19)}Sd`);
  });

  it('on a backend whose rows are expensive to read, appended items count like any delta bytes: snapshots of a growing chat about double', async () => {
    const store = new InMemoryStore();
    const persister = new ExpensiveRows(store, { snapshotBytes: 0 });
    await persister.initialize();
    let state = new State({ messages: [] as string[] });
    for (let n = 0; n < 200; n++) {
      state = state.append({ messages: `message ${String(n).padStart(4, '0')} ${'x'.repeat(400)}` });
      await save(persister, n, state);
    }
    const snapshots = [...store.incrementalRecords.values()].filter((row) => row.base === null).sort((a, b) => a.sequenceId - b.sequenceId);
    expect(snapshots.length).toBeGreaterThan(4);
    expect(snapshots.length).toBeLessThan(12);
    for (let i = 2; i < snapshots.length; i++) {
      const ratio = snapshots[i]!.state.length / snapshots[i - 1]!.state.length;
      expect(ratio, `snapshot ${i} over snapshot ${i - 1}`).toBeGreaterThan(1.7);
      expect(ratio).toBeLessThan(2.3);
    }
    expect((await persister.load(null, 'app'))?.state.get('messages')).toEqual(state.get('messages'));
  });

  it('counts a tiny delta as MIN_DELTA_COST_BYTES, so a small state gets a snapshot every snapshotBytes / 256 steps', async () => {
    const { persister, rows } = incremental({ snapshotBytes: 10 * MIN_DELTA_COST_BYTES });
    await persister.initialize();
    for (let n = 0; n < 25; n++) await save(persister, n, new State({ n }));
    expect(
      rows()
        .map((row) => row.kind)
        .join(''),
    ).toBe('SddddddddddSddddddddddSdd');
  });

  it('a save below the remembered step (a rewind), or at the same sequence id, is a snapshot; the chain then goes on from it', async () => {
    const { persister, rows } = incremental();
    await persister.initialize();
    for (const n of [10, 11, 12, 3, 4]) await save(persister, n, new State({ n }));
    await persister.save({ appId: 'app', sequenceId: 4, position: 'other', state: new State({ n: 4, other: true }), status: 'completed' });
    expect(rows().map((row) => `${row.sequenceId}${row.kind}`)).toEqual(['3S', '4d', '4S', '10S', '11d', '12d']);
    expect((await persister.load(null, 'app'))?.state.get('n')).toBe(12);
  });

  it('after setSerdeKwargs the next save is a snapshot (values may encode differently); after a failed save too', async () => {
    const { persister, rows } = incremental();
    await persister.initialize();
    await save(persister, 0, new State({ n: 0 }));
    await save(persister, 1, new State({ n: 1 }));
    persister.setSerdeKwargs({ unit: 'x' });
    await save(persister, 2, new State({ n: 2 }));
    await expect(save(persister, 2, new State({ n: 'different' }))).rejects.toThrow(/already saved/);
    await save(persister, 3, new State({ n: 3 }));
    await save(persister, 4, new State({ n: 4 }));
    expect(
      rows()
        .map((row) => row.kind)
        .join(''),
    ).toBe('SdSSd');
  });

  it('concurrent saves of one app by one persister all land and load back', async () => {
    const { persister } = incremental();
    await persister.initialize();
    await save(persister, 0, new State({ list: [0] }));
    const states = Array.from({ length: 20 }, (_, i) => new State({ list: Array.from({ length: i + 2 }, (__, k) => k) }));
    await Promise.all(states.map((state, i) => save(persister, i + 1, state)));
    for (const [i, state] of states.entries()) expect((await persister.load(null, 'app', i + 1))?.state.getAll()).toEqual(state.getAll());
  });

  it('a delta whose base is not stored fails to load with a DeserializationError naming the missing base', async () => {
    const { store, persister } = incremental();
    await persister.initialize();
    for (let n = 0; n < 3; n++) await save(persister, n, new State({ n }));
    const base = [...store.incrementalRecords.entries()].find(([, row]) => row.sequenceId === 1)!;
    store.incrementalRecords.delete(base[0]);
    await expect(persister.load(null, 'app', 2)).rejects.toThrow(DeserializationError);
    await expect(persister.load(null, 'app', 2)).rejects.toThrow(/sequence 2.*base.*|applied to the step at sequence 1, position "step", which is not stored/);
    expect((await persister.load(null, 'app', 0))?.state.get('n')).toBe(0);
  });

  it('a delta whose base is missing below every stored row fails the same way (the chain is not read again and again)', async () => {
    const { store, persister } = incremental();
    await persister.initialize();
    for (let n = 0; n < 3; n++) await save(persister, n, new State({ n }));
    for (const [key, row] of [...store.incrementalRecords.entries()]) if (row.sequenceId < 2) store.incrementalRecords.delete(key);
    await expect(persister.load(null, 'app', 2)).rejects.toThrow(/applied to the step at sequence 1, position "step", which is not stored/);
  });
});

/** The incremental rows of an `InMemoryStore`, keyed as the tests' persisters below key them. */
function memoryRows(store: InMemoryStore, conflict: (key: { partitionKey: string; appId: string; sequenceId: number; position: string }) => Error) {
  const keyOf = (key: { partitionKey: string; appId: string; sequenceId: number; position: string }) => JSON.stringify([key.partitionKey, key.appId, key.sequenceId, key.position]);
  return memoryIncrementalRows(store.incrementalRecords, keyOf, conflict);
}

/** An in-memory persister with the engine's settings given whole (`minChainSteps` included). */
class PolicyUnderTest extends InMemoryPersister {
  constructor(store: InMemoryStore, settings: IncrementalSettings) {
    super({ store, storage: 'incremental' });
    this.useIncrementalStorage(
      memoryRows(store, (key) => this.conflict(key)),
      settings,
    );
  }
}

/** An in-memory persister whose rows say they are expensive to read, as Redis's do. */
class ExpensiveRows extends InMemoryPersister {
  constructor(store: InMemoryStore, settings: { snapshotBytes: number }) {
    super({ store, storage: 'incremental' });
    const rows = memoryRows(store, (key) => this.conflict(key));
    this.useIncrementalStorage({ ...rows, expensiveRows: true }, { snapshotEvery: 10_000, ...settings });
  }
}

/** An in-memory persister whose rows declare a snapshot limit, and refuse a snapshot beyond it as MongoDB refuses a document. */
class LimitedSnapshots extends InMemoryPersister {
  constructor(store: InMemoryStore, limit: number) {
    super({ store, storage: 'incremental' });
    const rows = memoryRows(store, (key) => this.conflict(key));
    this.useIncrementalStorage(
      {
        ...rows,
        maxSnapshotBytes: limit,
        insert: async (record) => {
          const bytes = Buffer.byteLength(record.state);
          if (!record.base && bytes > limit) throw new StateTooLargeError(bytes, limit, 'this store');
          return rows.insert(record);
        },
      },
      { snapshotEvery: 1000, snapshotBytes: 1_000_000 },
    );
  }
}

describe('incremental storage: a backend with a snapshot limit', () => {
  it('refuses the step whose state outgrows the limit, as full mode would, not a later snapshot; steps before it stay loadable', async () => {
    const store = new InMemoryStore();
    const persister = new LimitedSnapshots(store, 3000);
    await persister.initialize();
    let state = new State({ messages: [] as string[] });
    let refusedAt: number | undefined;
    for (let sequenceId = 0; sequenceId < 40 && refusedAt === undefined; sequenceId++) {
      state = state.append({ messages: 'x'.repeat(100) });
      const error = await save(persister, sequenceId, state).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      if (error !== undefined) {
        expect(error).toBeInstanceOf(StateTooLargeError);
        refusedAt = sequenceId;
      }
    }
    // 100 characters and a little framing a message: the state passes 3,000 bytes at the 29th message.
    expect(refusedAt).toBe(28);
    expect(Buffer.byteLength(JSON.stringify({ messages: state.get('messages') }))).toBeGreaterThan(3000);
    // Without the limit the chain would go on in deltas (the budget is 1 MB): every save below it was one.
    const kinds = [...store.incrementalRecords.values()].map((row) => (row.base ? 'd' : 'S'));
    expect(kinds[0]).toBe('S');
    expect((await persister.load(null, 'app'))?.sequenceId).toBe(27);
  });
});

describe('RecentMap', () => {
  it('forgets the least recently set key past its limit', () => {
    const map = new RecentMap<number>(3);
    for (const [key, value] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      map.set(key, value);
    map.set('a', 10);
    map.set('d', 4);
    expect([map.has('a'), map.has('b'), map.has('c'), map.has('d')]).toEqual([true, false, true, true]);
    expect(map.get('a')).toBe(10);
  });

  it('with a weight limit, also forgets the least recently set keys past it, but never the newest', () => {
    const map = new RecentMap<number>(10, { weight: (value) => value, max: 100 });
    map.set('a', 40);
    map.set('b', 40);
    map.set('c', 30);
    expect([map.has('a'), map.has('b'), map.has('c')]).toEqual([false, true, true]);
    map.set('b', 10);
    map.set('d', 60);
    expect([map.has('b'), map.has('c'), map.has('d')]).toEqual([true, true, true]);
    map.set('huge', 500);
    expect([map.has('b'), map.has('c'), map.has('d'), map.has('huge')]).toEqual([false, false, false, true]);
    map.delete('huge');
    map.set('e', 100);
    expect(map.has('e')).toBe(true);
  });
});

/** An in-memory persister that runs `between` once, right after its first chain read: another process's writes between two reads of one load. */
class InterruptedReads extends InMemoryPersister {
  constructor(store: InMemoryStore, between: () => Promise<void>) {
    super({ store, storage: 'incremental' });
    const rows = memoryRows(store, (key) => this.conflict(key));
    let interrupted = false;
    this.useIncrementalStorage(
      {
        ...rows,
        findChain: async (query) => {
          const found = await rows.findChain(query);
          if (!interrupted) {
            interrupted = true;
            await between();
          }
          return found;
        },
      },
      { snapshotEvery: 1000, snapshotBytes: 1_000_000 },
    );
  }
}

describe('incremental storage: a load whose chain takes two reads', () => {
  // Steps 0-3 at position "step", and a snapshot another persister wrote at sequence 2, position "other": the load of
  // step 3 reads from that snapshot up, and must read again below it for the base of (2, "step").
  async function chainOverAForeignSnapshot(store: InMemoryStore) {
    const writer = new InMemoryPersister({ store, storage: 'incremental' });
    await writer.initialize();
    for (let n = 0; n <= 2; n++) await save(writer, n, new State({ run: 'first', list: Array.from({ length: n + 1 }, (_, k) => k) }));
    const other = new InMemoryPersister({ store, storage: 'incremental' });
    await other.save({ appId: 'app', sequenceId: 2, position: 'other', state: new State({ run: 'other' }), status: 'completed' });
    await save(writer, 3, new State({ run: 'first', list: [0, 1, 2, 3] }));
    const kinds = [...store.incrementalRecords.values()].map((row) => `${row.sequenceId}${row.position === 'other' ? 'o' : ''}:${row.base ? 'd' : 'S'}`);
    expect(kinds.sort()).toEqual(['0:S', '1:d', '2:d', '2o:S', '3:d']);
  }

  it('reads the chain below the foreign snapshot and rebuilds the step', async () => {
    const store = new InMemoryStore();
    await chainOverAForeignSnapshot(store);
    const reader = new InMemoryPersister({ store, storage: 'incremental' });
    expect((await reader.load(null, 'app'))?.state.getAll()).toMatchObject({ run: 'first', list: [0, 1, 2, 3] });
  });

  it('never mixes two runs: an app deleted and saved again between the reads loads as one run or the other', async () => {
    const store = new InMemoryStore();
    await chainOverAForeignSnapshot(store);
    const restarter = new InMemoryPersister({ store, storage: 'incremental' });
    const reader = new InterruptedReads(store, async () => {
      await restarter.deleteApp(null, 'app');
      await save(restarter, 0, new State({ run: 'second', list: [9] }));
      await save(restarter, 1, new State({ run: 'second', list: [9, 9] }));
    });
    const loaded = await reader.load(null, 'app');
    // Before the fix the second read took the new run's steps 0-1 as the base of the first run's deltas: list [9, 9, 2, 3].
    expect({ sequenceId: loaded?.sequenceId, state: loaded?.state.getAll() }).toMatchObject({ sequenceId: 1, state: { run: 'second', list: [9, 9] } });
  });
});

describe('incremental storage: a prune that rewrites a kept delta as a snapshot', () => {
  it('leaves alone the row of a run saved after the app was deleted between its read and its rewrite', async () => {
    const store = new InMemoryStore();
    const first = new InMemoryPersister({ store, storage: 'incremental' });
    await first.initialize();
    for (let n = 0; n <= 4; n++) await save(first, n, new State({ run: 'first', n }));
    const restarter = new InMemoryPersister({ store, storage: 'incremental' });
    // Runs after the prune rebuilt step 3 (the kept delta whose base goes), before it rewrites it.
    const pruner = new InterruptedReads(store, async () => {
      await restarter.deleteApp(null, 'app');
      for (let n = 0; n <= 3; n++) await save(restarter, n, new State({ run: 'second', n }));
    });
    await pruner.prune({ keepLast: 2 });
    const reader = new InMemoryPersister({ store, storage: 'incremental' });
    // Before the fix the rewrite matched the new run's step 3 by its key and base alone: it loaded { run: 'first', n: 3 }.
    expect((await reader.load(null, 'app', 3))?.state.getAll()).toEqual({ run: 'second', n: 3 });
  });
});

describe('incremental storage: listing states of steps whose chains take two reads', () => {
  it('rebuilds a step from its own read, not from the state of a step listed before it in another read', async () => {
    const store = new InMemoryStore();
    const first = new InMemoryPersister({ store, storage: 'incremental' });
    await first.initialize();
    await save(first, 0, new State({ run: 'first', n: 0 }));
    // Another persister's first save is a snapshot; `first` then saves step 2 as a delta on its own step 0.
    await save(new InMemoryPersister({ store, storage: 'incremental' }), 1, new State({ run: 'first', n: 1 }));
    await save(first, 2, new State({ run: 'first', n: 2 }));
    const kinds = [...store.incrementalRecords.values()].map((row) => `${row.sequenceId}:${row.base ? `d${row.base.sequenceId}` : 'S'}`);
    expect(kinds).toEqual(['0:S', '1:S', '2:d0']);
    const restarter = new InMemoryPersister({ store, storage: 'incremental' });
    // The page's read starts at step 1's snapshot; step 2's base lies below it, so step 2 is read again, from the new run.
    const lister = new InterruptedReads(store, async () => {
      await restarter.deleteApp(null, 'app');
      await save(restarter, 0, new State({ run: 'second', n: 0 }));
      await save(restarter, 1, new State({ run: 'second', n: 1, extra: true }));
      await save(restarter, 2, new State({ run: 'second', n: 2, extra: true }));
    });
    const page = await lister.listSteps(null, 'app', { order: 'oldest-first', after: 0, includeState: true });
    expect(page.steps.map((step) => step.state?.getAll())).toEqual([
      { run: 'first', n: 1 },
      // Before the fix the new run's delta at step 2 was applied to the first run's step 1, found by its key: { run: 'first', n: 2 }.
      { run: 'second', n: 2, extra: true },
    ]);
  });
});

describe('incremental storage: loading the latest step of a chain saved by another process', () => {
  /** A value whose decoded form refers to itself: JSON.stringify cannot write it. */
  class Linked {
    readonly self: Linked;
    constructor(readonly name: string) {
      this.self = this;
    }
  }

  it('counts the chain from the stored text, so values a serde decodes into cycles load', async () => {
    registerSerde<Linked>({
      tag: 'linked',
      matches: (value): value is Linked => value instanceof Linked,
      serialize: (value) => value.name,
      deserialize: (payload) => new Linked(String(payload)),
    });
    try {
      const store = new InMemoryStore();
      const writer = new InMemoryPersister({ store, storage: 'incremental' });
      await writer.initialize();
      // Each step appends a tagged item and sets an object: the account measures the appended items on their own.
      let state = new State({ items: [] as Linked[], meta: { n: 0 } });
      for (let n = 0; n < 3; n++) {
        state = state.append({ items: new Linked(`item ${n}`) }).update({ meta: { n } });
        await save(writer, n, state);
      }
      const loaded = await new InMemoryPersister({ store, storage: 'incremental' }).load(null, 'app');
      // Before the fix the account wrote the decoded items as JSON again: TypeError "Converting circular structure to JSON".
      expect(((loaded?.state.get('items') ?? []) as Linked[]).map((item) => item.name)).toEqual(['item 0', 'item 1', 'item 2']);
    } finally {
      unregisterSerde('linked');
    }
  });
});
