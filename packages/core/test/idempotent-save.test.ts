import { describe, expect, it } from 'vitest';
import { InMemoryPersister, InMemoryStore, PersisterConflictError, State, type SaveStateArgs } from '@burr/core';

function step(patch: Partial<SaveStateArgs> = {}): SaveStateArgs {
  return {
    partitionKey: 'p',
    appId: 'app',
    sequenceId: 0,
    position: 'counter',
    state: new State({ count: 1, __SEQUENCE_ID: 0, __PRIOR_STEP: 'counter' }),
    status: 'completed',
    ...patch,
  };
}

async function initialized(store = new InMemoryStore()): Promise<InMemoryPersister> {
  const persister = new InMemoryPersister({ store });
  await persister.initialize();
  return persister;
}

describe('idempotent saves', () => {
  it('saving the stored step again succeeds and keeps the first record, created_at included', async () => {
    const persister = await initialized();
    await persister.save(step());
    const first = await persister.load('p', 'app', 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await persister.save(step());
    const after = await persister.load('p', 'app', 0);
    expect(after?.createdAt).toEqual(first?.createdAt);
    expect(after?.state.getAll()).toEqual(first?.state.getAll());
  });

  it('identical means same status and same content, whatever the key order of the state', async () => {
    const persister = await initialized();
    const values = { b: [1, { y: 2, x: 1 }], a: 'text', big: 2n ** 70n, nan: Number.NaN, when: new Date(0) };
    await persister.save(step({ state: new State(values) }));
    const reordered = { when: new Date(0), nan: Number.NaN, big: 2n ** 70n, a: 'text', b: [1, { x: 1, y: 2 }] };
    await persister.save(step({ state: new State(reordered) }));
  });

  it('a different status, state, or a neighbouring big integer is a conflict, and the first record stays', async () => {
    const persister = await initialized();
    await persister.save(step({ state: new State({ big: 2n ** 70n }) }));
    for (const other of [
      step({ state: new State({ big: 2n ** 70n }), status: 'failed' }),
      step({ state: new State({ big: 2n ** 70n + 1n }) }),
      step({ state: new State({ big: 2n ** 70n, extra: null }) }),
    ]) {
      await expect(persister.save(other)).rejects.toBeInstanceOf(PersisterConflictError);
    }
    expect((await persister.load('p', 'app', 0))?.state.get('big')).toBe(2n ** 70n);
  });

  it('array order matters', async () => {
    const persister = await initialized();
    await persister.save(step({ state: new State({ list: [1, 2] }) }));
    await expect(persister.save(step({ state: new State({ list: [2, 1] }) }))).rejects.toBeInstanceOf(PersisterConflictError);
  });

  it('two writers racing with the same step both succeed; with different steps exactly one does', async () => {
    const store = new InMemoryStore();
    const [one, two] = [await initialized(store), await initialized(store)];
    const same = await Promise.allSettled([one.save(step()), two.save(step())]);
    expect(same.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const different = await Promise.allSettled([
      one.save(step({ sequenceId: 1, state: new State({ writer: 'one' }) })),
      two.save(step({ sequenceId: 1, state: new State({ writer: 'two' }) })),
    ]);
    expect(different.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('a re-save at a second position of a sequence id checks that exact position', async () => {
    const persister = await initialized();
    await persister.save(step({ position: 'a' }));
    await persister.save(step({ position: 'b', state: new State({ other: true }) }));
    await persister.save(step({ position: 'b', state: new State({ other: true }) }));
    await expect(persister.save(step({ position: 'b' }))).rejects.toBeInstanceOf(PersisterConflictError);
  });
});
