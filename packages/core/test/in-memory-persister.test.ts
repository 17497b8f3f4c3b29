import { afterEach, describe, expect, it } from 'vitest';
import {
  InMemoryPersister,
  InMemoryStore,
  PersisterClosedError,
  InvalidIdentifierError,
  InvalidPersistArgumentError,
  PersisterConflictError,
  PersisterNotInitializedError,
  SerializationError,
  State,
  registerSerde,
  unregisterSerde,
  type SaveStateArgs,
  type SerdeKwargs,
} from '@burr/core';

async function initialized(): Promise<InMemoryPersister> {
  const persister = new InMemoryPersister();
  await persister.initialize();
  return persister;
}

function step(sequenceId: number, patch: Partial<SaveStateArgs> = {}): SaveStateArgs {
  return {
    partitionKey: null,
    appId: 'app',
    sequenceId,
    position: 'counter',
    state: new State({ count: sequenceId + 1, __SEQUENCE_ID: sequenceId, __PRIOR_STEP: 'counter' }),
    status: 'completed',
    ...patch,
  };
}

/** A rejection's reason (fails the test when the promise resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, the promise resolved');
}

describe('InMemoryPersister initialization', () => {
  it('refuses to save before initialize(), and stores nothing', async () => {
    const persister = new InMemoryPersister();
    expect(await persister.isInitialized()).toBe(false);
    const error = await rejectionOf(persister.save(step(0)));
    expect(error).toBeInstanceOf(PersisterNotInitializedError);
    expect((error as PersisterNotInitializedError).code).toBe('BURR_PERSISTER_NOT_INITIALIZED');
    expect((error as Error).message).toContain('InMemoryPersister');
    await persister.initialize();
    expect(await persister.load(null, 'app')).toBeNull();
  });

  it('initialize() is idempotent', async () => {
    const persister = await initialized();
    await persister.save(step(0));
    await persister.initialize();
    expect(await persister.isInitialized()).toBe(true);
    expect((await persister.load(null, 'app'))?.sequenceId).toBe(0);
  });
});

describe('InMemoryPersister save and load', () => {
  it('loads the latest step by default and any step by sequence id', async () => {
    const persister = await initialized();
    const before = Date.now();
    for (const id of [0, 1, 2]) await persister.save(step(id));
    const latest = await persister.load(null, 'app');
    expect(latest).not.toBeNull();
    expect(latest?.partitionKey).toBe('');
    expect(latest?.appId).toBe('app');
    expect(latest?.sequenceId).toBe(2);
    expect(latest?.position).toBe('counter');
    expect(latest?.status).toBe('completed');
    expect(latest?.state.getAll()).toEqual({ count: 3, __SEQUENCE_ID: 2, __PRIOR_STEP: 'counter' });
    expect(latest?.createdAt).toBeInstanceOf(Date);
    expect(latest?.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(latest?.createdAt.getTime()).toBeLessThanOrEqual(Date.now());

    const first = await persister.load(null, 'app', 0);
    expect(first?.sequenceId).toBe(0);
    expect(first?.state.get('count')).toBe(1);
    expect(await persister.load(null, 'app', 7)).toBeNull();
    expect(await persister.load(null, 'other-app')).toBeNull();
    expect(await persister.load(null, 'app', null)).toMatchObject({ sequenceId: 2 });
  });

  it("treats a null, undefined and '' partition key as one partition, apart from named ones", async () => {
    const persister = await initialized();
    await persister.save(step(0, { partitionKey: undefined }));
    await persister.save(step(0, { partitionKey: 'user1', state: new State({ who: 'user1' }) }));
    expect((await persister.load('', 'app'))?.sequenceId).toBe(0);
    expect((await persister.load(null, 'app'))?.state.has('count')).toBe(true);
    expect((await persister.load(undefined, 'app'))?.partitionKey).toBe('');
    const named = await persister.load('user1', 'app');
    expect(named?.partitionKey).toBe('user1');
    expect(named?.state.getAll()).toEqual({ who: 'user1' });
    expect(await persister.load('user2', 'app')).toBeNull();
  });

  it('the latest step is the highest sequence id whatever its status, and a failed step keeps its status', async () => {
    const persister = await initialized();
    await persister.save(step(0));
    await persister.save(step(1, { status: 'failed' }));
    const latest = await persister.load(null, 'app');
    expect(latest?.sequenceId).toBe(1);
    expect(latest?.status).toBe('failed');
  });

  it('orders by sequence id as a number, not as text', async () => {
    const persister = await initialized();
    for (const id of [2, 10, 9]) await persister.save(step(id));
    expect((await persister.load(null, 'app'))?.sequenceId).toBe(10);
  });

  it('with two positions at one sequence id: latest takes the greatest position, a sequence lookup the least', async () => {
    const persister = await initialized();
    await persister.save(step(0, { position: 'counter' }));
    await persister.save(step(0, { position: 'other_position', state: new State({ x: 1 }) }));
    expect((await persister.load(null, 'app'))?.position).toBe('other_position');
    expect((await persister.load(null, 'app', 0))?.position).toBe('counter');
  });

  it('stores a snapshot: changing objects after save does not change what loads', async () => {
    const persister = await initialized();
    const history = ['hi'];
    await persister.save(step(0, { state: new State({ history }) }));
    history.push('changed');
    expect((await persister.load(null, 'app'))?.state.get('history')).toEqual(['hi']);
  });

  it('round-trips tagged values and Python tokens through storage', async () => {
    const persister = await initialized();
    const state = new State({ when: new Date(1), big: 2n ** 70n, small: 3n, nan: Number.NaN, neg0: -0, tags: new Set(['a']) });
    await persister.save(step(0, { state }));
    const back = (await persister.load(null, 'app'))?.state;
    expect(back?.get('when')).toEqual(new Date(1));
    expect(back?.get('big')).toBe(2n ** 70n);
    expect(back?.get('small')).toBe(3n);
    expect(back?.get('nan')).toBeNaN();
    expect(Object.is(back?.get('neg0'), -0)).toBe(true);
    expect(back?.get('tags')).toEqual(new Set(['a']));
  });
});

describe('InMemoryPersister conflicts and bad input', () => {
  it('a second save of the same key is a typed conflict and leaves the first record intact', async () => {
    const persister = await initialized();
    await persister.save(step(0, { partitionKey: 'p', state: new State({ version: 'first' }) }));
    const error = await rejectionOf(persister.save(step(0, { partitionKey: 'p', state: new State({ version: 'second' }), status: 'failed' })));
    expect(error).toBeInstanceOf(PersisterConflictError);
    const conflict = error as PersisterConflictError;
    expect(conflict.code).toBe('BURR_PERSISTER_CONFLICT');
    expect([conflict.partitionKey, conflict.appId, conflict.sequenceId, conflict.position]).toEqual(['p', 'app', 0, 'counter']);
    const stored = await persister.load('p', 'app', 0);
    expect(stored?.state.getAll()).toEqual({ version: 'first' });
    expect(stored?.status).toBe('completed');
  });

  it('a null and an empty partition key are the same key for conflicts too', async () => {
    const persister = await initialized();
    await persister.save(step(0, { partitionKey: null }));
    await expect(persister.save(step(0, { partitionKey: '', status: 'failed' }))).rejects.toBeInstanceOf(PersisterConflictError);
  });

  it('of two concurrent saves of one key exactly one wins', async () => {
    const persister = await initialized();
    const results = await Promise.allSettled([persister.save(step(0, { state: new State({ writer: 'a' }) })), persister.save(step(0, { state: new State({ writer: 'b' }) }))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(PersisterConflictError);
    const winner = results[0]?.status === 'fulfilled' ? 'a' : 'b';
    expect((await persister.load(null, 'app'))?.state.get('writer')).toBe(winner);
  });

  it('a state that cannot be serialized fails before anything is stored, naming the key path', async () => {
    const persister = await initialized();
    const error = await rejectionOf(persister.save(step(0, { state: new State({ ok: 1, bad: { fn: () => 1 } }) })));
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).keyPath).toEqual(['bad', 'fn']);
    expect(await persister.load(null, 'app')).toBeNull();
    expect(await persister.listAppIds(null)).toEqual([]);
    await persister.save(step(0));
  });

  it('refuses invalid save and load arguments with typed errors', async () => {
    const persister = await initialized();
    await expect(persister.save(step(-1))).rejects.toBeInstanceOf(InvalidPersistArgumentError);
    await expect(persister.save(step(0, { appId: '' }))).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(persister.save(step(0, { status: 'ok' as 'completed' }))).rejects.toBeInstanceOf(InvalidPersistArgumentError);
    await expect(persister.load(null, '')).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(persister.load(null, 'app', -2)).rejects.toBeInstanceOf(InvalidPersistArgumentError);
    await expect(persister.load(null, 'app', 1.5)).rejects.toBeInstanceOf(InvalidPersistArgumentError);
    expect(await persister.listAppIds(null)).toEqual([]);
  });
});

describe('InMemoryPersister.listAppIds', () => {
  it('lists distinct app ids of a partition, the most recently saved first', async () => {
    const persister = await initialized();
    await persister.save(step(0, { appId: 'a' }));
    await persister.save(step(0, { appId: 'b' }));
    await persister.save(step(1, { appId: 'a' }));
    await persister.save(step(0, { appId: 'c' }));
    await persister.save(step(0, { appId: 'other', partitionKey: 'user1' }));
    expect(await persister.listAppIds(null)).toEqual(['c', 'a', 'b']);
    await persister.save(step(1, { appId: 'b' }));
    expect(await persister.listAppIds('')).toEqual(['b', 'c', 'a']);
    expect(await persister.listAppIds('user1')).toEqual(['other']);
    expect(await persister.listAppIds('nobody')).toEqual([]);
  });

  it('a rejected save does not count as the latest write', async () => {
    const persister = await initialized();
    await persister.save(step(0, { appId: 'a' }));
    await persister.save(step(0, { appId: 'b' }));
    await expect(persister.save(step(0, { appId: 'a', status: 'failed' }))).rejects.toBeInstanceOf(PersisterConflictError);
    await persister.save(step(0, { appId: 'a' }));
    // Neither a conflict nor an identical re-save counts as a write.
    expect(await persister.listAppIds(null)).toEqual(['b', 'a']);
  });
});

describe('InMemoryPersister serde kwargs', () => {
  class Token {
    constructor(readonly text: string) {}
  }
  afterEach(() => unregisterSerde('token'));

  it('hands the constructor option, then setSerdeKwargs(), to serializers and deserializers', async () => {
    const seen: Array<[string, SerdeKwargs]> = [];
    registerSerde<Token>({
      tag: 'token',
      matches: (value): value is Token => value instanceof Token,
      serialize: (token, kwargs) => {
        seen.push(['serialize', kwargs]);
        return token.text;
      },
      deserialize: (payload, kwargs) => {
        seen.push(['deserialize', kwargs]);
        return new Token(payload as string);
      },
    });
    const persister = new InMemoryPersister({ serdeKwargs: { from: 'constructor' } });
    await persister.initialize();
    await persister.save(step(0, { state: new State({ token: new Token('t0') }) }));
    persister.setSerdeKwargs({ from: 'setter' });
    const loaded = await persister.load(null, 'app');
    expect(loaded?.state.get('token')).toEqual(new Token('t0'));
    expect(seen).toEqual([
      ['serialize', { from: 'constructor' }],
      ['deserialize', { from: 'setter' }],
    ]);
  });
});

describe('InMemoryPersister cleanup', () => {
  class CountingPersister extends InMemoryPersister {
    closed = 0;
    constructor(owned = true) {
      super();
      if (owned) this.takeOwnershipOfClient();
    }
    protected override async closeClient(): Promise<void> {
      this.closed++;
    }
  }

  it('cleanup() closes only a client the persister owns', async () => {
    const borrowed = new CountingPersister(false);
    await borrowed.cleanup();
    expect(borrowed.closed).toBe(0);
  });

  it('cleanup() is idempotent: resources close once however often it is called', async () => {
    const persister = new CountingPersister();
    await persister.cleanup();
    await Promise.all([persister.cleanup(), persister.cleanup()]);
    expect(persister.closed).toBe(1);
  });

  it('`await using` cleans up at the end of the block', async () => {
    let outer: CountingPersister | undefined;
    {
      await using persister = new CountingPersister();
      outer = persister;
      await persister.initialize();
      await persister.save(step(0));
      expect(persister.closed).toBe(0);
    }
    expect(outer.closed).toBe(1);
    await outer.cleanup();
    expect(outer.closed).toBe(1);
  });

  it('`await using` cleans up when the block throws', async () => {
    const holder: { persister?: CountingPersister } = {};
    await expect(
      (async () => {
        await using persister = new CountingPersister();
        holder.persister = persister;
        throw new Error('boom');
      })(),
    ).rejects.toThrow('boom');
    expect(holder.persister?.closed).toBe(1);
  });
});

describe('InMemoryPersister after cleanup', () => {
  it('refuses every call with PersisterClosedError', async () => {
    const persister = await initialized();
    await persister.save(step(0));
    await persister.cleanup();
    for (const call of [
      () => persister.save(step(1)),
      () => persister.load(null, 'app'),
      () => persister.listAppIds(null),
      () => persister.initialize(),
      () => persister.isInitialized(),
    ]) {
      const error = await rejectionOf(call());
      expect(error).toBeInstanceOf(PersisterClosedError);
      expect((error as PersisterClosedError).code).toBe('BURR_PERSISTER_CLOSED');
    }
  });
});

describe('InMemoryStore shared by two persisters', () => {
  it('each sees what the other saved, conflicts included, and closing one leaves the other working', async () => {
    const store = new InMemoryStore();
    const first = new InMemoryPersister({ store });
    const second = new InMemoryPersister({ store });
    await first.initialize();
    expect(await second.isInitialized()).toBe(true);
    await first.save(step(0));
    expect((await second.load(null, 'app'))?.sequenceId).toBe(0);
    await expect(second.save(step(0, { status: 'failed' }))).rejects.toBeInstanceOf(PersisterConflictError);
    await first.cleanup();
    await second.save(step(1));
    expect(await second.listAppIds(null)).toEqual(['app']);
    expect(await new InMemoryPersister().isInitialized()).toBe(false);
  });
});

describe('InMemoryPersister prune beside other writers', () => {
  for (const storage of ['full', 'incremental'] as const) {
    it(`${storage} storage: an app deleted and started again while a keepLast prune runs keeps its new steps, its latest included`, async () => {
      const persister = new InMemoryPersister({ storage });
      await persister.initialize();
      const save = (sequenceId: number, run: string) => persister.save({ appId: 'app', sequenceId, position: 'step', state: new State({ run, sequenceId }), status: 'completed' });
      for (let n = 0; n < 30; n++) await save(n, 'first');
      let restarted: Promise<void> | undefined;
      // After the prune's first batch, another writer deletes the app and saves a new run's first steps (below the kept ones).
      const onProgress = () => {
        restarted ??= (async () => {
          await persister.deleteApp(null, 'app');
          for (let n = 0; n < 3; n++) await save(n, 'second');
        })();
      };
      await persister.prune({ keepLast: 5, batchSize: 2, onProgress });
      await restarted;
      const steps = (await persister.listSteps(null, 'app', { order: 'oldest-first' })).steps;
      expect(steps.map((step) => step.sequenceId)).toEqual([0, 1, 2]);
      expect((await persister.load(null, 'app'))?.state.getAll()).toEqual({ run: 'second', sequenceId: 2 });
    });
  }
});
