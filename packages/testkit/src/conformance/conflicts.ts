import assert from 'node:assert/strict';
import { PersisterConflictError } from '@burr/core';
import { newAppId, stepState, type SuiteContext } from './context.js';

/** Duplicate keys and concurrent writers. */
export function conflictCases({ api, fresh, again }: SuiteContext): void {
  const { it } = api;

  it('a second save of the same key is a PersisterConflictError and the first record stays intact', async () => {
    const persister = await fresh();
    const appId = newAppId('dup');
    await persister.save({ partitionKey: 'pk', appId, sequenceId: 0, position: 'p', state: stepState({ v: 'first' }, 0), status: 'completed' });
    const error = await persister
      .save({ partitionKey: 'pk', appId, sequenceId: 0, position: 'p', state: stepState({ v: 'second' }, 0), status: 'failed' })
      .then(() => null, (caught: unknown) => caught);
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
