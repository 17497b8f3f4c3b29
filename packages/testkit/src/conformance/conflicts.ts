import assert from 'node:assert/strict';
import { PersisterConflictError, State } from '@burr/core';
import { newAppId, pause, stepState, type SuiteContext } from './context.js';

/** What a rejected promise threw, or `null` when it resolved. */
function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (caught: unknown) => caught,
  );
}

/**
 * A state with what backends like to rewrite: key order (JSONB sorts keys),
 * floats, exponents, big integers, nested objects, non-ASCII text, tagged values.
 */
function awkwardState(sequenceId: number, withNonFinite: boolean): State {
  return stepState(
    {
      'a much longer key': { zeta: 1, a: [1.5, 0.1, 1e22, -2, { y: null, x: true }] },
      b: 'naïve ☃ 𝄞 "quoted"\n',
      big: 2n ** 70n,
      when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
      empty: {},
      list: [],
      ...(withNonFinite ? { nan: Number.NaN, inf: Number.POSITIVE_INFINITY } : {}),
    },
    sequenceId,
  );
}

/** Duplicate keys, idempotent re-saves and concurrent writers. */
export function conflictCases({ api, capabilities, fresh, again }: SuiteContext): void {
  const { it } = api;

  it('saving the stored step again (same status and content) succeeds and leaves the first record, created_at included', async () => {
    const persister = await fresh();
    const appId = newAppId('resave');
    const state = awkwardState(0, capabilities.storesNonFiniteNumbers);
    await persister.save({ partitionKey: 'pk', appId, sequenceId: 0, position: 'p', state, status: 'completed' });
    const first = await persister.load('pk', appId, 0);
    await pause(5);
    await persister.save({ partitionKey: 'pk', appId, sequenceId: 0, position: 'p', state, status: 'completed' });
    // The same values built in another key order are the same content.
    const reordered = new State(Object.fromEntries(Object.entries(state.getAll()).reverse()));
    await persister.save({ partitionKey: 'pk', appId, sequenceId: 0, position: 'p', state: reordered, status: 'completed' });
    const other = await again(persister);
    await other.save({ partitionKey: 'pk', appId, sequenceId: 0, position: 'p', state, status: 'completed' });
    const stored = await persister.load('pk', appId, 0);
    assert.equal(stored?.createdAt.getTime(), first?.createdAt.getTime(), 'the first save time is kept');
    assert.deepEqual(stored?.state.getAll(), first?.state.getAll());
    assert.equal((await persister.load('pk', appId))?.sequenceId, 0);
    assert.deepEqual(await persister.listAppIds('pk'), [appId]);
  });

  it('a re-save with another status, or content that differs anywhere, is a conflict and the first record stays', async () => {
    const persister = await fresh();
    const appId = newAppId('differs');
    const nonFinite = capabilities.storesNonFiniteNumbers;
    const save = (state: State, status: 'completed' | 'failed' = 'completed') => persister.save({ appId, sequenceId: 0, position: 'p', state, status });
    await save(awkwardState(0, nonFinite));
    const variants: Array<[string, State, 'completed' | 'failed']> = [
      ['another status', awkwardState(0, nonFinite), 'failed'],
      ['a neighbouring big integer', awkwardState(0, nonFinite).update({ big: 2n ** 70n + 1n }), 'completed'],
      ['a nested value', awkwardState(0, nonFinite).update({ 'a much longer key': { zeta: 1, a: [1.5, 0.1, 1e22, -2, { y: null, x: false }] } }), 'completed'],
      ['an extra key', awkwardState(0, nonFinite).update({ extra: null }), 'completed'],
      ['a missing key', awkwardState(0, nonFinite).wipe({ delete: ['empty'] }), 'completed'],
    ];
    for (const [what, state, status] of variants) {
      const error = await rejectionOf(save(state, status));
      assert.ok(error instanceof PersisterConflictError, `${what}: expected PersisterConflictError, got ${String(error)}`);
    }
    const stored = await persister.load(null, appId, 0);
    assert.equal(stored?.status, 'completed');
    assert.equal(stored?.state.get('big'), 2n ** 70n);
  });

  it('two connections saving the identical step at once: both succeed and it is stored once', async () => {
    const persister = await fresh();
    const other = await again(persister);
    for (let round = 0; round < 5; round++) {
      const appId = newAppId(`same${round}`);
      const state = stepState({ writer: 'both', round }, 0);
      const results = await Promise.allSettled([
        persister.save({ appId, sequenceId: 0, position: 'p', state, status: 'completed' }),
        other.save({ appId, sequenceId: 0, position: 'p', state, status: 'completed' }),
      ]);
      assert.deepEqual(
        results.map((result) => (result.status === 'rejected' ? String(result.reason) : 'ok')),
        ['ok', 'ok'],
        `round ${round}`,
      );
      assert.equal((await persister.load(null, appId))?.state.get('writer'), 'both');
    }
  });

  if (capabilities.positionsPerSequence === 'many') {
    it('an identical re-save of a position that is not the least at its sequence id succeeds; other content there still conflicts', async () => {
      const persister = await fresh();
      const appId = newAppId('second-position');
      const save = (position: string, at: string) => persister.save({ appId, sequenceId: 0, position, state: stepState({ at }, 0), status: 'completed' });
      await save('a', 'a');
      await save('b', 'b');
      await save('b', 'b');
      const error = await rejectionOf(save('b', 'changed'));
      assert.ok(error instanceof PersisterConflictError, `expected PersisterConflictError, got ${String(error)}`);
      assert.equal((await persister.load(null, appId, 0))?.state.get('at'), 'a', 'by sequence id: the least position');
      assert.equal((await persister.load(null, appId))?.state.get('at'), 'b', 'latest: the greatest position, unchanged');
    });
  }

  if (capabilities.positionsPerSequence === 'one') {
    it('with one position per sequence id, the same state at another position is still a conflict', async () => {
      const persister = await fresh();
      const appId = newAppId('position');
      const state = stepState({ v: 1 }, 0);
      await persister.save({ appId, sequenceId: 0, position: 'first', state, status: 'completed' });
      const error = await rejectionOf(persister.save({ appId, sequenceId: 0, position: 'second', state, status: 'completed' }));
      assert.ok(error instanceof PersisterConflictError, `expected PersisterConflictError, got ${String(error)}`);
      assert.equal((await persister.load(null, appId, 0))?.position, 'first');
    });
  }

  it('a second save of the same key with other content is a PersisterConflictError and the first record stays intact', async () => {
    const persister = await fresh();
    const appId = newAppId('dup');
    await persister.save({ partitionKey: 'pk', appId, sequenceId: 0, position: 'p', state: stepState({ v: 'first' }, 0), status: 'completed' });
    const error = await persister.save({ partitionKey: 'pk', appId, sequenceId: 0, position: 'p', state: stepState({ v: 'second' }, 0), status: 'failed' }).then(
      () => null,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof PersisterConflictError, `expected PersisterConflictError, got ${String(error)}`);
    assert.equal(error.code, 'BURR_PERSISTER_CONFLICT');
    assert.deepEqual([error.partitionKey, error.appId, error.sequenceId, error.position], ['pk', appId, 0, 'p']);
    const stored = await persister.load('pk', appId, 0);
    assert.equal(stored?.state.get('v'), 'first');
    assert.equal(stored?.status, 'completed');
    await persister.save({ partitionKey: 'pk', appId, sequenceId: 1, position: 'p', state: stepState({ v: 'next' }, 1), status: 'completed' });
    assert.equal((await persister.load('pk', appId))?.sequenceId, 1, 'the persister still works after a conflict');
  });

  it('two connections saving the same key at once: exactly one wins, and its state is stored', async () => {
    const persister = await fresh();
    const other = await again(persister);
    for (let round = 0; round < 5; round++) {
      const appId = newAppId(`race${round}`);
      const results = await Promise.allSettled([
        persister.save({ appId, sequenceId: 0, position: 'p', state: stepState({ writer: 'one' }, 0), status: 'completed' }),
        other.save({ appId, sequenceId: 0, position: 'p', state: stepState({ writer: 'two' }, 0), status: 'completed' }),
      ]);
      const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i === 0 ? 'one' : 'two'] : []));
      const losers = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
      assert.equal(winners.length, 1, `round ${round}: exactly one save must succeed`);
      assert.ok(losers[0] instanceof PersisterConflictError, `round ${round}: the loser gets a conflict, got ${String(losers[0])}`);
      assert.equal((await persister.load(null, appId))?.state.get('writer'), winners[0]);
    }
  });

  it('many concurrent saves of different keys all land', async () => {
    const persister = await fresh();
    const other = await again(persister);
    const appId = newAppId('burst');
    await Promise.all(
      Array.from({ length: 40 }, (_, sequenceId) =>
        (sequenceId % 2 ? other : persister).save({ appId, sequenceId, position: 'p', state: stepState({ i: sequenceId }, sequenceId), status: 'completed' }),
      ),
    );
    assert.equal((await persister.load(null, appId))?.sequenceId, 39);
    for (const sequenceId of [0, 17, 38]) assert.equal((await other.load(null, appId, sequenceId))?.state.get('i'), sequenceId);
  });
}
