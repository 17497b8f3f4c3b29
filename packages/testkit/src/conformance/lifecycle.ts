import assert from 'node:assert/strict';
import { PersisterClosedError, PersisterNotInitializedError, State } from '@burr/core';
import type { SuiteContext } from './context.js';

/** initialize / isInitialized / cleanup / ownership of connections. */
export function lifecycleCases({ api, harness, capabilities, fresh, uninitialized, again, openOptions, assertStorageMode }: SuiteContext): void {
  const { it } = api;

  if (capabilities.needsInitialize) {
    it('isInitialized() is false before initialize() and true after, also from a second connection', async () => {
      const persister = await uninitialized();
      assert.equal(await persister.isInitialized(), false);
      const other = await again(persister);
      assert.equal(await other.isInitialized(), false);
      await persister.initialize();
      assert.equal(await persister.isInitialized(), true);
      assert.equal(await other.isInitialized(), true);
    });

    it('save() before initialize() throws PersisterNotInitializedError', async () => {
      const persister = await uninitialized();
      await assert.rejects(persister.save({ appId: 'a', sequenceId: 0, position: 'p', state: new State({ x: 1 }), status: 'completed' }), PersisterNotInitializedError);
    });

    if (capabilities.readsBeforeInitialize === 'throw') {
      it('load() and listAppIds() before initialize() throw PersisterNotInitializedError saying what is missing', async () => {
        const persister = await uninitialized();
        await assert.rejects(persister.load(null, 'a'), PersisterNotInitializedError);
        await assert.rejects(persister.load('p', 'a', 0), PersisterNotInitializedError);
        await assert.rejects(persister.listAppIds(null), (error: unknown) => error instanceof PersisterNotInitializedError && /not initialized/.test(error.message));
      });
    } else {
      it('load() and listAppIds() before initialize() find nothing, and create nothing', async () => {
        const persister = await uninitialized();
        assert.equal(await persister.load(null, 'a'), null);
        assert.equal(await persister.load('p', 'a', 0), null);
        assert.deepEqual(await persister.listAppIds(null), []);
        assert.equal(await persister.isInitialized(), false);
      });
    }
  } else {
    it('needs no schema: isInitialized() is true and saves work without initialize()', async () => {
      const persister = await uninitialized();
      assert.equal(await persister.isInitialized(), true);
      await persister.save({ appId: 'a', sequenceId: 0, position: 'p', state: new State({ x: 1 }), status: 'completed' });
      assert.equal((await persister.load(null, 'a'))?.state.get('x'), 1);
    });
  }

  it('initialize() is idempotent, also when several connections run it at once', async () => {
    const persister = await uninitialized();
    const others = await Promise.all([again(persister), again(persister), again(persister)]);
    await Promise.all([persister.initialize(), ...others.map((other) => other.initialize())]);
    await persister.initialize();
    await persister.save({ appId: 'a', sequenceId: 0, position: 'p', state: new State({ x: 1 }), status: 'completed' });
    await persister.initialize();
    assert.equal((await others[0]!.load(null, 'a'))?.state.get('x'), 1, 'a second initialize() must not drop data');
  });

  it('cleanup() does not close a client the caller passed in, and is idempotent', async () => {
    const { persister, clientStillWorks, closeClient } = await harness.withCallerClient(openOptions());
    try {
      assertStorageMode(persister, openOptions());
      await persister.initialize();
      await persister.save({ appId: 'own', sequenceId: 0, position: 'p', state: new State({ x: 1 }), status: 'completed' });
      await persister.cleanup();
      await persister.cleanup();
      assert.equal(await clientStillWorks(), true, "the caller's client must survive cleanup()");
    } finally {
      await closeClient();
    }
  });

  it('cleanup() closes what the persister opened; [Symbol.asyncDispose] does the same', async () => {
    const persister = await fresh();
    await persister[Symbol.asyncDispose]();
    await persister.cleanup();
    await assert.rejects(persister.load(null, 'a'), PersisterClosedError);
  });
}
