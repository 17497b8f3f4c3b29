import assert from 'node:assert/strict';
import { InvalidIdentifierError, InvalidPersistArgumentError, PersisterConflictError, State } from '@burr/core';
import { newAppId, pause, stepState, type SuiteContext } from './context.js';

/** Saving and loading: latest, by sequence id, statuses, partitions, listing. */
export function saveLoadCases({ api, capabilities, fresh }: SuiteContext): void {
  const { it } = api;

  it('loads the latest step of an app and any step by sequence id, with every field', async () => {
    const persister = await fresh();
    const appId = newAppId('app');
    const before = Date.now();
    for (let sequenceId = 0; sequenceId < 3; sequenceId++) {
      await persister.save({
        partitionKey: 'user',
        appId,
        sequenceId,
        position: `step${sequenceId}`,
        state: stepState({ count: sequenceId + 1 }, sequenceId, `step${sequenceId}`),
        status: 'completed',
      });
    }
    const latest = await persister.load('user', appId);
    assert.ok(latest, 'latest step must be found');
    assert.equal(latest.partitionKey, 'user');
    assert.equal(latest.appId, appId);
    assert.equal(latest.sequenceId, 2);
    assert.equal(latest.position, 'step2');
    assert.equal(latest.status, 'completed');
    assert.deepEqual(latest.state.getAll(), { count: 3, __SEQUENCE_ID: 2, __PRIOR_STEP: 'step2' });
    if (capabilities.preservesKeyOrder !== false) {
      assert.deepEqual(latest.state.keys(), ['count', '__SEQUENCE_ID', '__PRIOR_STEP'], 'key order survives');
    }
    assert.ok(latest.createdAt instanceof Date);
    assert.ok(Math.abs(latest.createdAt.getTime() - before) < 60_000, `createdAt ${latest.createdAt.toISOString()} should be about now`);
    const first = await persister.load('user', appId, 0);
    assert.equal(first?.position, 'step0');
    assert.equal(first?.state.get('count'), 1);
    assert.equal(await persister.load('user', appId, 7), null, 'an unknown sequence id loads nothing');
  });

  it('returns null for an unknown app and for a known app under another partition', async () => {
    const persister = await fresh();
    const appId = newAppId('app');
    await persister.save({ partitionKey: 'alice', appId, sequenceId: 0, position: 'p', state: stepState({}, 0), status: 'completed' });
    assert.equal(await persister.load('alice', 'no-such-app'), null);
    assert.equal(await persister.load('bob', appId), null);
    assert.equal(await persister.load(null, appId), null);
  });

  it('returns a failed step as the latest, with the state it was saved with', async () => {
    const persister = await fresh();
    const appId = newAppId('failing');
    await persister.save({ appId, sequenceId: 0, position: 'a', state: stepState({ n: 1 }, 0, 'a'), status: 'completed' });
    await persister.save({ appId, sequenceId: 1, position: 'b', state: stepState({ n: 1 }, 1, 'a'), status: 'failed' });
    const latest = await persister.load(null, appId);
    assert.equal(latest?.status, 'failed');
    assert.equal(latest?.position, 'b');
    assert.equal(latest?.state.get('n'), 1);
  });

  it('treats a null, undefined and empty partition key as the same partition', async () => {
    const persister = await fresh();
    const appId = newAppId('nopk');
    await persister.save({ partitionKey: null, appId, sequenceId: 0, position: 'p', state: stepState({ v: 'null' }, 0), status: 'completed' });
    await persister.save({ appId, sequenceId: 1, position: 'p', state: stepState({ v: 'undefined' }, 1), status: 'completed' });
    for (const partitionKey of [null, undefined, '']) {
      const loaded = await persister.load(partitionKey, appId);
      assert.equal(loaded?.sequenceId, 1, `load(${String(partitionKey)})`);
      assert.equal(loaded?.partitionKey, '');
      assert.deepEqual(await persister.listAppIds(partitionKey), [appId]);
    }
    await assert.rejects(
      persister.save({ partitionKey: '', appId, sequenceId: 0, position: 'p', state: stepState({}, 0), status: 'completed' }),
      PersisterConflictError,
      "'' and null must be one partition",
    );
  });

  it('lists app ids of a partition once each, most recently saved first', async () => {
    const persister = await fresh();
    const [a, b, c] = [newAppId('a'), newAppId('b'), newAppId('c')];
    const saveStep = async (appId: string, sequenceId: number, partitionKey = 'tenant') => {
      await persister.save({ partitionKey, appId, sequenceId, position: 'p', state: stepState({}, sequenceId), status: 'completed' });
      await pause(15);
    };
    await saveStep(a, 0);
    await saveStep(b, 0);
    await saveStep(a, 1);
    await saveStep(c, 0);
    await saveStep(b, 1);
    await saveStep(newAppId('elsewhere'), 0, 'other-tenant');
    assert.deepEqual(await persister.listAppIds('tenant'), [b, c, a]);
    assert.deepEqual(await persister.listAppIds('nobody'), []);
  });

  if (capabilities.positionsPerSequence === 'many') {
    it('keeps two positions at one sequence id: by id gives the least position, latest the greatest', async () => {
      const persister = await fresh();
      const appId = newAppId('positions');
      await persister.save({ appId, sequenceId: 0, position: 'beta', state: stepState({ v: 'beta' }, 0), status: 'completed' });
      await persister.save({ appId, sequenceId: 0, position: 'alpha', state: stepState({ v: 'alpha' }, 0), status: 'completed' });
      assert.equal((await persister.load(null, appId, 0))?.position, 'alpha');
      assert.equal((await persister.load(null, appId))?.position, 'beta');
    });
  } else {
    it('refuses a second position at one sequence id as a conflict (the key has no position)', async () => {
      const persister = await fresh();
      const appId = newAppId('positions');
      await persister.save({ appId, sequenceId: 0, position: 'beta', state: stepState({ v: 'beta' }, 0), status: 'completed' });
      await assert.rejects(persister.save({ appId, sequenceId: 0, position: 'alpha', state: stepState({ v: 'alpha' }, 0), status: 'completed' }), PersisterConflictError);
      assert.equal((await persister.load(null, appId))?.state.get('v'), 'beta');
    });
  }

  it('rejects malformed arguments with typed errors and stores nothing', async () => {
    const persister = await fresh();
    const state = new State({ x: 1 });
    await assert.rejects(persister.save({ appId: '', sequenceId: 0, position: 'p', state, status: 'completed' }), InvalidIdentifierError);
    await assert.rejects(persister.save({ appId: 'bad', sequenceId: -1, position: 'p', state, status: 'completed' }), InvalidPersistArgumentError);
    await assert.rejects(persister.save({ appId: 'bad', sequenceId: 1.5, position: 'p', state, status: 'completed' }), InvalidPersistArgumentError);
    await assert.rejects(persister.save({ appId: 'bad', sequenceId: 0, position: '', state, status: 'completed' }), InvalidPersistArgumentError);
    // @ts-expect-error a status outside the contract
    await assert.rejects(persister.save({ appId: 'bad', sequenceId: 0, position: 'p', state, status: 'done' }), InvalidPersistArgumentError);
    // @ts-expect-error a plain object is not a State
    await assert.rejects(persister.save({ appId: 'bad', sequenceId: 0, position: 'p', state: { x: 1 }, status: 'completed' }), InvalidPersistArgumentError);
    // @ts-expect-error an object where an app id belongs (query-operator injection)
    await assert.rejects(persister.load(null, { $ne: null }), InvalidIdentifierError);
    await assert.rejects(persister.load(null, 'bad', -3), InvalidPersistArgumentError);
    assert.equal(await persister.load(null, 'bad'), null);
    assert.deepEqual(await persister.listAppIds(null), []);
  });
}
