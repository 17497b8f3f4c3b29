// Random runs of writers and readers sharing one app in incremental storage: writers continue from their own saves,
// from loads, or from copies of loads (as a schema check makes them); readers load and change their own copies in
// place, often exactly as a writer then changes its state. Every saved step must load back as it was saved.
import { describe, expect, it } from 'vitest';
import { encodeState, InMemoryPersister, InMemoryStore, State, type StorageModeOptions } from '../src/index.js';

/** Short chains and a small byte budget, so runs cross snapshots often. */
const POLICY: StorageModeOptions = { storage: 'incremental', snapshotEvery: 8, snapshotBytes: 600 };
const SEEDS = 40;
const OPERATIONS = 300;

/** A small linear congruential generator: the same run for a seed on every machine. */
function random(seed: number) {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]! };
}

type Values = Record<string, unknown>;

/** A writer's next state: appends, rewrites of an element or a nested field (to values readers also write), deletes, reorders. */
function changed(state: State, n: number, rnd: ReturnType<typeof random>): State {
  const shared = rnd.pick(['z', 1]);
  const list = state.get('msgs', null as unknown) as unknown[] | null;
  switch (Math.floor(rnd.next() * 7)) {
    case 0:
      return Array.isArray(list) ? state.append({ msgs: { n, text: `m${n}` } }) : state.update({ msgs: [] });
    case 1:
      return Array.isArray(list) ? state.extend({ msgs: [`x${n}`, n] }) : state.update({ msgs: [n] });
    case 2: {
      if (!Array.isArray(list) || list.length === 0) return state.update({ msgs: [shared] });
      const copy = list.slice();
      const i = Math.floor(rnd.next() * copy.length);
      const item = copy[i];
      copy[i] = item !== null && typeof item === 'object' ? { ...item, n: shared } : shared;
      return state.update({ msgs: copy });
    }
    case 3: {
      const obj = state.get('obj', null as unknown) as { a: unknown; b: unknown[] } | null;
      return state.update({ obj: obj ? { ...obj, a: shared, b: [shared, ...obj.b.slice(1)] } : { a: shared, b: [shared, n] } });
    }
    case 4:
      return state.update({ counter: n });
    case 5:
      return state.has('counter') ? state.wipe({ delete: ['counter'] }) : state;
    default: {
      const entries = [...state.entries()];
      entries.push(...entries.splice(Math.floor(rnd.next() * entries.length), 1));
      return new State(entries);
    }
  }
}

/** A reader changing its loaded copy in place, to values writers also write. */
function changeInPlace(values: Values, rnd: ReturnType<typeof random>): void {
  const shared = rnd.pick(['z', 1]);
  const list = values.msgs;
  if (Array.isArray(list) && list.length > 0) {
    const i = Math.floor(rnd.next() * list.length);
    const item = list[i] as unknown;
    if (item !== null && typeof item === 'object') (item as Values).n = shared;
    else list[i] = shared;
    if (rnd.next() < 0.3) list.push(shared);
  }
  const obj = values.obj as { a: unknown; b: unknown[] } | undefined;
  if (obj) {
    obj.a = shared;
    obj.b[0] = shared;
  }
}

async function run(seed: number): Promise<{ saves: number; deltas: number }> {
  const rnd = random(seed);
  const store = new InMemoryStore();
  const open = async () => {
    const persister = new InMemoryPersister({ store, ...POLICY });
    await persister.initialize();
    return persister;
  };
  const persisters = [await open(), await open()];
  const writers = [0, 1, 2].map((i) => ({ persister: persisters[i % 2]!, state: new State({ msgs: [] as unknown[] }) as State, seq: -1 }));
  const checker = await open();
  let saves = 0;
  let deltas = 0;
  for (let op = 0; op < OPERATIONS; op++) {
    const writer = rnd.pick(writers);
    const dice = rnd.next();
    if (dice < 0.25) {
      const loaded = await writer.persister.load(null, 'app');
      if (loaded) {
        writer.state = rnd.next() < 0.7 ? new State(structuredClone([...loaded.state.entries()])) : loaded.state;
        writer.seq = loaded.sequenceId;
      }
    } else if (dice < 0.45) {
      const loaded = await rnd.pick(persisters).load(null, 'app');
      if (loaded && rnd.next() < 0.8) changeInPlace(loaded.state.getAll() as Values, rnd);
    } else if (dice < 0.47) {
      await rnd.pick(persisters).deleteApp(null, 'app');
    } else {
      const sequenceId = writer.seq + 1;
      let state = writer.state;
      for (let i = 0, m = 1 + Math.floor(rnd.next() * 3); i < m; i++) state = changed(state, sequenceId, rnd);
      const rowsBefore = store.incrementalRecords.size;
      try {
        await writer.persister.save({ appId: 'app', sequenceId, position: 'respond', state, status: 'completed' });
      } catch (error) {
        // Another writer took this sequence id: this one loads before it goes on.
        if ((error as Error).name === 'PersisterConflictError') continue;
        throw error;
      }
      writer.state = state;
      writer.seq = sequenceId;
      if (store.incrementalRecords.size === rowsBefore) continue; // a repeat of the stored step (same content)
      saves++;
      const row = [...store.incrementalRecords.values()].find((record) => record.appId === 'app' && record.sequenceId === sequenceId);
      if (row?.base) deltas++;
      const back = await checker.load(null, 'app', sequenceId);
      expect(back && [back.state.keys(), encodeState(back.state)], `seed ${seed}, operation ${op}, step ${sequenceId}, row ${row?.state}`).toEqual([
        state.keys(),
        encodeState(state),
      ]);
    }
  }
  return { saves, deltas };
}

describe('incremental storage: writers and in-place readers at random', () => {
  it(`${SEEDS} seeded runs of ${OPERATIONS} operations: every saved step loads back as it was saved`, async () => {
    let saves = 0;
    let deltas = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const counts = await run(seed);
      saves += counts.saves;
      deltas += counts.deltas;
    }
    // The runs are worth something only if they save, and mostly deltas.
    expect(saves).toBeGreaterThan(SEEDS * 50);
    expect(deltas).toBeGreaterThan(saves / 2);
  });
});
