// Incremental storage when an application continues from a load: a new process, or a new application per
// request (a web server, a serverless function). Its saves must continue the chain as the process that saved
// it would have, not start over with snapshots (which made such a chat store its history once per step).
import { describe, expect, it } from 'vitest';
import { ApplicationBuilder, InMemoryPersister, InMemoryStore, State, action, registerFieldSerde, unregisterFieldSerde, type StorageModeOptions } from '../src/index.js';

/** Small limits, so a run of 40 steps crosses both: a chain of at most 25 rows, and 2,000 bytes of rewrites. */
const POLICY: StorageModeOptions = { storage: 'incremental', snapshotEvery: 25, snapshotBytes: 2000 };

/**
 * Step `n` of a chat that also rewrites a larger key every third step. Its
 * text holds what JSON escapes (quotes, backslashes, control characters) and
 * non-ASCII characters: a load must count their bytes as the save did.
 */
function nextState(state: State, n: number): State {
  const content = `message ${n} "quoted" \\ back\nslash \u0007\u001b[2K é ☃ ${'x'.repeat(60)}`;
  const next = state.append({ messages: { role: n % 2 ? 'assistant' : 'user', content } }).update({ turn: n });
  return n % 3 === 0 ? next.update({ notes: `notes at ${n}\t"${'\u001b[31m'.repeat(40)}" ${'y'.repeat(300)}` }) : next;
}

const INITIAL: State = new State({ turn: -1, notes: '', messages: [] as unknown[] });

/** Each stored row of `appId`, in order: its sequence id, `S` (snapshot) or `d` (delta), its base and its JSON. */
function rowsOf(store: InMemoryStore, appId: string) {
  return [...store.incrementalRecords.values()]
    .filter((row) => row.appId === appId)
    .sort((a, b) => a.sequenceId - b.sequenceId)
    .map((row) => ({ sequenceId: row.sequenceId, kind: row.base ? 'd' : 'S', base: row.base?.sequenceId ?? null, json: row.state }));
}

async function opened(store: InMemoryStore, options: StorageModeOptions = POLICY): Promise<InMemoryPersister> {
  const persister = new InMemoryPersister({ store, ...options });
  await persister.initialize();
  return persister;
}

const save = (persister: InMemoryPersister, appId: string, sequenceId: number, state: State) =>
  persister.save({ appId, sequenceId, position: 'respond', state, status: 'completed' });

/** Saves steps `from` to `to - 1` of the chat that follow `state`, as one application does; returns the last state. */
async function saveChat(persister: InMemoryPersister, appId: string, state: State, from: number, to: number): Promise<State> {
  let current = state;
  for (let n = from; n < to; n++) {
    current = nextState(current, n);
    await save(persister, appId, n, current);
  }
  return current;
}

describe('incremental storage: a save that continues from a load', () => {
  it('a new persister each step (a new process) and a new application per request store the same rows as one long-running application', async () => {
    const store = new InMemoryStore();
    const steps = 40;
    // One application, from start to end.
    const long = await opened(store);
    const state = await saveChat(long, 'long', INITIAL, 0, steps);
    // A new persister for each step: load the latest step, build on it, save.
    await save(await opened(store), 'per-process', 0, nextState(INITIAL, 0));
    for (let n = 1; n < steps; n++) {
      const persister = await opened(store);
      const loaded = await persister.load(null, 'per-process');
      await save(persister, 'per-process', n, nextState(loaded!.state, n));
    }
    // The same with the runner: one application from start to end, and a new application (built from a load) per step.
    const shared = await opened(store);
    const respond = action({ reads: ['turn'], writes: ['messages', 'turn', 'notes'], run: (s: State) => nextState(s, (s.get('turn') as number) + 1) });
    const application = (appId: string) =>
      new ApplicationBuilder()
        .withActions({ respond })
        .withTransitions(['respond', 'respond'])
        .initializeFrom(shared, { defaultState: INITIAL.getAll(), defaultEntrypoint: 'respond', resumeAtNextAction: true })
        .withStatePersister(shared)
        .withIdentifiers({ appId })
        .build();
    const running = await application('long-application');
    for (let n = 0; n < steps; n++) await running.step();
    for (let n = 0; n < steps; n++) await (await application('per-request')).step();

    for (const [appId, like] of [
      ['per-process', 'long'],
      ['per-request', 'long-application'],
    ] as const) {
      const expected = rowsOf(store, like);
      expect(expected.map((row) => row.kind).join(''), like).toMatch(/^S(d+S)+d+$/);
      expect(rowsOf(store, appId), `${appId}: the rows of ${like}`).toEqual(expected);
      const last = await long.load(null, appId);
      expect(last?.state.get('messages'), appId).toEqual(state.get('messages'));
      expect(last?.state.get('notes'), appId).toBe(state.get('notes'));
    }
  });

  it('a state whose values were copied after the load (as a schema check may copy them) still saves a delta of what changed', async () => {
    const store = new InMemoryStore();
    const writer = await opened(store);
    await saveChat(writer, 'app', INITIAL, 0, 5);
    const resumed = await opened(store);
    const loaded = await resumed.load(null, 'app');
    const copied = new State(structuredClone(loaded!.state.getAll()));
    await save(resumed, 'app', 5, copied.append({ messages: { role: 'user', content: 'after a copy' } }));
    const last = rowsOf(store, 'app').at(-1)!;
    expect(last).toMatchObject({ sequenceId: 5, kind: 'd', base: 4 });
    expect(JSON.parse(last.json)).toEqual({ '+messages': [{ role: 'user', content: 'after a copy' }] });
  });

  it("a load through a running writer's persister costs the writer none of its deltas, whatever its values (dates too)", async () => {
    const store = new InMemoryStore();
    const writer = await opened(store, { storage: 'incremental' });
    let state = INITIAL;
    for (let n = 0; n < 12; n++) {
      state = state.append({ messages: { text: `message ${n}`, at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)) } }).update({ turn: n });
      await save(writer, 'app', n, state);
      // A status endpoint polls the latest step through the same persister; the writer goes on with its own values.
      await writer.load(null, 'app');
    }
    const rows = rowsOf(store, 'app');
    expect(rows.map((row) => row.kind).join('')).toBe(`S${'d'.repeat(11)}`);
    for (const row of rows.slice(1)) expect(Object.keys(JSON.parse(row.json) as object).sort(), `step ${row.sequenceId}`).toEqual(['+messages', '=turn']);
    expect((await writer.load(null, 'app'))?.state.getAll()).toEqual(state.getAll());
  });

  it("a reader changing its loaded copy in place never stands for the writer's change", async () => {
    const store = new InMemoryStore();
    const writer = await opened(store, { storage: 'incremental' });
    const first = new State({ cart: { items: ['apple'] } });
    await save(writer, 'app', 0, first);
    const read = await writer.load(null, 'app');
    (read!.state.get('cart') as { items: string[] }).items.push('pear');
    const second = first.update({ cart: { items: ['apple', 'pear'] } });
    await save(writer, 'app', 1, second);
    expect((await (await opened(store, { storage: 'incremental' })).load(null, 'app'))?.state.get('cart')).toEqual({ items: ['apple', 'pear'] });
  });

  it("a reader changing primitive elements of its loaded list in place never stands for the writer's change", async () => {
    const store = new InMemoryStore();
    const persister = await opened(store, { storage: 'incremental' });
    const first = new State({ tags: ['Foo', 'Bar'] });
    await save(persister, 'app', 0, first);
    // A status read through the writer's persister lower-cases its own copy for display, and never saves.
    const view = (await persister.load(null, 'app'))!.state.get('tags') as string[];
    for (let i = 0; i < view.length; i++) view[i] = view[i]!.toLowerCase();
    // The writer makes the same change on its own values, immutably, and adds a tag.
    const second = first.update({ tags: [...(first.get('tags') as string[]).map((tag) => tag.toLowerCase()), 'baz'] });
    await save(persister, 'app', 1, second);
    expect((await (await opened(store, { storage: 'incremental' })).load(null, 'app'))?.state.get('tags')).toEqual(['foo', 'bar', 'baz']);
  });

  it("on a persister that only loaded the app, another request's loaded copy changed in place never stands for the saver's change", async () => {
    const store = new InMemoryStore();
    await save(await opened(store), 'app', 0, new State({ profile: { name: 'old' }, n: 0 }));
    const shared = await opened(store);
    const committing = (await shared.load(null, 'app'))!.state;
    // Another request loads the app last and edits its own copy in place (a preview); it never saves.
    const preview = (await shared.load(null, 'app'))!.state;
    (preview.get('profile') as { name: string }).name = 'new';
    await save(shared, 'app', 1, committing.update({ profile: { name: 'new' }, n: 1 }));
    expect((await (await opened(store)).load(null, 'app'))?.state.getAll()).toEqual({ profile: { name: 'new' }, n: 1 });
    // Building on the remembered load itself still saves only what changed.
    const latest = (await shared.load(null, 'app'))!.state;
    await save(shared, 'app', 2, latest.update({ n: 2 }));
    expect(JSON.parse(rowsOf(store, 'app').at(-1)!.json)).toEqual({ '=n': 2 });
  });

  it('a list with a field serde pushed to in place is written whole (its serde sees the whole list), after a save or a load', async () => {
    registerFieldSerde<Date[]>('dates', {
      serialize: (dates) => dates.map((date) => date.toISOString()).join(' '),
      deserialize: (text) => (text as string).split(' ').map((iso) => new Date(iso)),
    });
    try {
      for (const via of ['its own save', 'a load'] as const) {
        const store = new InMemoryStore();
        const writer = await opened(store);
        const first = new State({ dates: [new Date(0)] });
        await save(writer, 'app', 0, first);
        const persister = via === 'a load' ? await opened(store) : writer;
        const base: State = via === 'a load' ? (await persister.load(null, 'app'))!.state : first;
        (base.get('dates') as Date[]).push(new Date(86_400_000));
        await save(persister, 'app', 1, base.update({ n: 1 }));
        expect(JSON.parse(rowsOf(store, 'app').at(-1)!.json), via).toEqual({ '=dates': '1970-01-01T00:00:00.000Z 1970-01-02T00:00:00.000Z', '=n': 1 });
        expect((await (await opened(store)).load(null, 'app'))?.state.get('dates'), via).toEqual([new Date(0), new Date(86_400_000)]);
      }
    } finally {
      unregisterFieldSerde('dates');
    }
  });

  it('only a load of the latest step is a base: a view of an older step meanwhile changes nothing', async () => {
    const store = new InMemoryStore();
    await saveChat(await opened(store), 'app', INITIAL, 0, 30);
    const resumed = await opened(store);
    const latest = await resumed.load(null, 'app');
    await resumed.load(null, 'app', 2);
    await save(resumed, 'app', 30, nextState(latest!.state, 30));
    const last = rowsOf(store, 'app').at(-1)!;
    expect(last).toMatchObject({ sequenceId: 30, kind: 'd', base: 29 });
    expect(Object.keys(JSON.parse(last.json) as object).sort()).toEqual(['+messages', '=notes', '=turn']);
  });

  it('a loaded step deleted before the save that continues from it: that save is a snapshot', async () => {
    const store = new InMemoryStore();
    const writer = await opened(store);
    await saveChat(writer, 'app', INITIAL, 0, 3);
    const resumed = await opened(store);
    const loaded = await resumed.load(null, 'app');
    await writer.deleteApp(null, 'app');
    await save(writer, 'app', 0, INITIAL);
    await save(resumed, 'app', 3, nextState(loaded!.state, 3));
    expect(rowsOf(store, 'app').map((row) => `${row.sequenceId}${row.kind}`)).toEqual(['0S', '3S']);
    expect((await resumed.load(null, 'app'))?.state.get('messages')).toHaveLength(4);
  });
});
