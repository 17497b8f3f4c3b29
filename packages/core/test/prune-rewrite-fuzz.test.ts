// A prune that removes a kept delta's base rewrites that delta as a snapshot from the stored values, decoding nothing:
// for any state, the snapshot is the one the application's own save of that state writes, whatever the pruning
// persister's serde options (docs/incremental-storage.md, "prune").
import { deepStrictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryPersister, InMemoryStore, State } from '../src/index.js';
import { jsonLike, stateValues, text } from './state-arbitraries.js';

/** The values the plain JSON of `valueEncoding: 'python-plain'` writes differently: tagged ones. */
const typedValue = fc.oneof(
  jsonLike,
  fc.date({ noInvalidDate: true }),
  fc.array(text, { maxLength: 4 }).map((items) => new Set(items)),
  fc.uint8Array({ maxLength: 8 }),
);
const changes = fc.dictionary(text, typedValue, { maxKeys: 4, noNullPrototype: true });

describe('prune rewrite fuzz', () => {
  it('rewrites 300 random kept deltas as the snapshot the writer saves of their state, and they load back equal', async () => {
    await fc.assert(
      fc.asyncProperty(stateValues, typedValue, changes, async (values, item, changed) => {
        const store = new InMemoryStore();
        const writer = new InMemoryPersister({ store, storage: 'incremental' });
        const pruner = new InMemoryPersister({ store, storage: 'incremental', serdeKwargs: { valueEncoding: 'python-plain' } });
        const first = new State({ ...values, log: [] as unknown[] });
        const second = first.append({ log: item }).update(changed);
        await writer.initialize();
        await pruner.initialize();
        await writer.save({ appId: 'app', sequenceId: 0, position: 'step', state: first, status: 'completed' });
        await writer.save({ appId: 'app', sequenceId: 1, position: 'step', state: second, status: 'completed' });
        await writer.save({ appId: 'reference', sequenceId: 0, position: 'step', state: second, status: 'completed' });
        const rowOf = (appId: string, sequenceId: number) => [...store.incrementalRecords.values()].find((row) => row.appId === appId && row.sequenceId === sequenceId)!;
        expect(rowOf('app', 1).base, 'step 1 was saved as a delta').toBeTruthy();
        expect((await pruner.prune({ keepLast: 1 })).stepsRemoved).toBe(1);
        expect(rowOf('app', 1).base, 'step 1 was rewritten as a snapshot').toBeFalsy();
        expect(rowOf('app', 1).state).toBe(rowOf('reference', 0).state);
        const loaded = await writer.load(null, 'app');
        expect(loaded?.state.keys()).toEqual(second.keys());
        deepStrictEqual(loaded?.state.getAll(), second.getAll());
      }),
      { numRuns: 300 },
    );
  });
});
