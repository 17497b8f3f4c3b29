import { describe, expect, it } from 'vitest';
import {
  action,
  ApplicationBuildError,
  ApplicationBuilder,
  encodeState,
  expr,
  InMemoryPersister,
  PersisterConflictError,
  PRIOR_STEP_KEY,
  SEQUENCE_ID_KEY,
  StepHookFailedError,
  type BaseStateLoader,
  type InitializeFromOptions,
  type PersistedStateData,
  type State,
} from '@burr/core';
import { type Counting, counter, finish, rejection } from './helpers.js';

async function newPersister(): Promise<InMemoryPersister> {
  const persister = new InMemoryPersister();
  await persister.initialize();
  return persister;
}

/** Every saved step of an app, in sequence order, up to its latest. */
async function history(persister: InMemoryPersister, appId: string, partitionKey: string | null = null): Promise<PersistedStateData[]> {
  const latest = await persister.load(partitionKey, appId);
  const steps: PersistedStateData[] = [];
  for (let seq = 0; latest !== null && seq <= latest.sequenceId; seq++) {
    const step = await persister.load(partitionKey, appId, seq);
    if (step !== null) steps.push(step);
  }
  return steps;
}

/** The state of {@link graph}'s apps. */
type Flaky = Counting & { flaked?: boolean };

/** counter loops while count < limit, then finish; `flaky` (fails while `failures.left > 0`) sits between. */
function graph(limit: number, failures = { left: 0 }) {
  const flaky = action({
    reads: ['count'],
    writes: ['flaked'],
    run: (s: State<Flaky>) => {
      if (failures.left > 0) {
        failures.left--;
        throw new Error('flaky failed');
      }
      return s.update({ flaked: true });
    },
  });
  return new ApplicationBuilder<Flaky>()
    .withActions({ counter, flaky, finish })
    .withTransitions(['counter', 'counter', expr((s) => s.get('count') < limit, 'under limit')], ['counter', 'flaky'], ['flaky', 'finish']);
}

type FlakyOptions = InitializeFromOptions<Flaky, 'counter' | 'flaky' | 'finish'>;

function resumeOptions(extra: Partial<FlakyOptions> = {}): FlakyOptions {
  return { resumeAtNextAction: true, defaultState: { count: 0 }, defaultEntrypoint: 'counter', ...extra };
}

describe('persisting every step', () => {
  it('saves each step as completed with its sequence id, position and state', async () => {
    const persister = await newPersister();
    const app = await graph(2).withState({ count: 0 }).withEntrypoint('counter').withIdentifiers({ appId: 'run', partitionKey: 'user' }).withStatePersister(persister).build();
    await app.run();
    const steps = await history(persister, 'run', 'user');
    expect(steps.map((s) => [s.sequenceId, s.position, s.status, s.partitionKey, s.appId])).toEqual([
      [0, 'counter', 'completed', 'user', 'run'],
      [1, 'counter', 'completed', 'user', 'run'],
      [2, 'flaky', 'completed', 'user', 'run'],
      [3, 'finish', 'completed', 'user', 'run'],
    ]);
    expect(steps.map((s) => s.state.get('count'))).toEqual([1, 2, 2, 2]);
    // The stored JSON has the layout Python Burr writes: hidden keys in the state, after the user's keys.
    expect(encodeState(steps[0]!.state)).toBe('{"count":1,"__SEQUENCE_ID":0,"__PRIOR_STEP":"counter"}');
    expect(await persister.listAppIds('user')).toEqual(['run']);
  });

  it('a failed action is saved as failed with the pre-action state, and a new app re-runs it at the next sequence id', async () => {
    const persister = await newPersister();
    const failures = { left: 1 };
    const first = await graph(2, failures).initializeFrom(persister, resumeOptions()).withIdentifiers({ appId: 'job' }).withStatePersister(persister).build();
    expect(first.sequenceId).toBeNull();
    expect((await rejection(first.run())).message).toBe('flaky failed');

    const failed = await persister.load(null, 'job');
    expect(failed).toMatchObject({ sequenceId: 2, position: 'flaky', status: 'failed' });
    expect(failed?.state.getAll()).toEqual({ count: 2, [SEQUENCE_ID_KEY]: 2, [PRIOR_STEP_KEY]: 'counter' });

    // A new process: same app id, initializeFrom the persister.
    const second = await graph(2, failures).initializeFrom(persister, resumeOptions()).withIdentifiers({ appId: 'job' }).withStatePersister(persister).build();
    expect(second.sequenceId).toBe(2);
    expect(second.getNextAction()).toBe('flaky');
    expect(second.parentPointer).toBeNull();
    const rerun = await second.step();
    expect(rerun?.action).toBe('flaky');
    expect(rerun?.state.get(SEQUENCE_ID_KEY)).toBe(3);
    await second.run();
    const steps = await history(persister, 'job');
    expect(steps.map((s) => [s.sequenceId, s.position, s.status])).toEqual([
      [0, 'counter', 'completed'],
      [1, 'counter', 'completed'],
      [2, 'flaky', 'failed'],
      [3, 'flaky', 'completed'],
      [4, 'finish', 'completed'],
    ]);
    expect(steps[4]?.state.getAll()).toMatchObject({ count: 2, flaked: true, done: true });
  });

  it('the same app retrying in-process also continues at the next sequence id', async () => {
    const persister = await newPersister();
    const app = await graph(1, { left: 1 }).withState({ count: 0 }).withEntrypoint('counter').withIdentifiers({ appId: 'retry' }).withStatePersister(persister).build();
    await rejection(app.run());
    expect(app.getNextAction()).toBe('flaky');
    await app.run();
    expect((await history(persister, 'retry')).map((s) => [s.sequenceId, s.position, s.status])).toEqual([
      [0, 'counter', 'completed'],
      [1, 'flaky', 'failed'],
      [2, 'flaky', 'completed'],
      [3, 'finish', 'completed'],
    ]);
  });

  it('resuming a completed run continues with the transition after its position', async () => {
    const persister = await newPersister();
    const first = await graph(3).initializeFrom(persister, resumeOptions()).withIdentifiers({ appId: 'chat', partitionKey: 'u' }).withStatePersister(persister).build();
    await first.run({ haltAfter: ['counter'] });
    await first.run({ haltAfter: ['counter'] });
    expect(first.sequenceId).toBe(1);

    const second = await graph(3).initializeFrom(persister, resumeOptions()).withIdentifiers({ appId: 'chat', partitionKey: 'u' }).withStatePersister(persister).build();
    expect(second.state.get('count')).toBe(2);
    expect(second.getNextAction()).toBe('counter');
    await second.run({ haltAfter: ['counter'] });
    // count reached the limit: the transition after counter now leads to flaky.
    expect(second.getNextAction()).toBe('flaky');
    expect((await history(persister, 'chat', 'u')).map((s) => [s.sequenceId, s.position, s.state.get('count')])).toEqual([
      [0, 'counter', 1],
      [1, 'counter', 2],
      [2, 'counter', 3],
    ]);
  });

  it('a completed record whose position has no outgoing transition leaves no next action', async () => {
    const persister = await newPersister();
    const first = await graph(1).initializeFrom(persister, resumeOptions()).withIdentifiers({ appId: 'done' }).withStatePersister(persister).build();
    await first.run();
    const second = await graph(1).initializeFrom(persister, resumeOptions()).withIdentifiers({ appId: 'done' }).withStatePersister(persister).build();
    expect(second.sequenceId).toBe(2);
    expect(second.getNextAction()).toBeNull();
    expect(await second.step()).toBeNull();
  });

  it('resumeAtNextAction: false keeps the loaded state but restarts at the default entrypoint', async () => {
    const persister = await newPersister();
    const first = await graph(1).initializeFrom(persister, resumeOptions()).withIdentifiers({ appId: 'restart' }).withStatePersister(persister).build();
    await first.run();
    const second = await graph(5)
      .initializeFrom(persister, resumeOptions({ resumeAtNextAction: false }))
      .withIdentifiers({ appId: 'restart' })
      .withStatePersister(persister)
      .build();
    expect(second.getNextAction()).toBe('counter');
    expect(second.state.get('done')).toBe(true);
    const out = await second.step();
    expect(out?.action).toBe('counter');
    expect(out?.state.get('count')).toBe(2);
    expect(out?.state.get(SEQUENCE_ID_KEY)).toBe(3);
    expect((await persister.load(null, 'restart'))?.sequenceId).toBe(3);
  });

  it('nothing saved: default state at the default entrypoint, sequence ids from 0', async () => {
    const persister = await newPersister();
    const app = await graph(1)
      .initializeFrom(persister, resumeOptions({ defaultState: { count: 10 } }))
      .withIdentifiers({ appId: 'fresh' })
      .withStatePersister(persister)
      .build();
    expect(app.state.getAll()).toEqual({ count: 10 });
    expect(app.getNextAction()).toBe('counter');
    expect((await app.step())?.state.get(SEQUENCE_ID_KEY)).toBe(0);
  });

  it('no app id given: a new one is generated and nothing is loaded', async () => {
    const persister = await newPersister();
    const loads: unknown[] = [];
    const loader: BaseStateLoader = {
      load: (...args) => {
        loads.push(args);
        return persister.load(...args);
      },
      listAppIds: (pk) => persister.listAppIds(pk),
    };
    const app = await graph(1).initializeFrom(loader, resumeOptions()).withStatePersister(persister).build();
    expect(loads).toEqual([]);
    expect(app.uid).toMatch(/^[0-9a-f-]{36}$/);
    await app.step();
    expect((await persister.load(null, app.uid))?.sequenceId).toBe(0);
  });

  it('a loaded position that is not an action of the graph is a build error', async () => {
    const persister = await newPersister();
    const other = action({ reads: [], writes: [], run: (s) => s });
    const first = await new ApplicationBuilder().withActions({ other }).withEntrypoint('other').withIdentifiers({ appId: 'moved' }).withStatePersister(persister).build();
    await first.step();
    const error = await rejection(graph(1).initializeFrom(persister, resumeOptions()).withIdentifiers({ appId: 'moved' }).build());
    expect(error).toBeInstanceOf(ApplicationBuildError);
    expect(error.message).toMatch(/"other", which is not an action/);
  });
});

describe('forking', () => {
  async function original(persister: InMemoryPersister) {
    const app = await graph(4).initializeFrom(persister, resumeOptions()).withIdentifiers({ appId: 'orig', partitionKey: 'p' }).withStatePersister(persister).build();
    await app.run();
    return app;
  }

  it('forks a given step into a new app id: shorter history, parent pointer set, original untouched', async () => {
    const persister = await newPersister();
    await original(persister);
    const before = (await history(persister, 'orig', 'p')).map((s) => [s.sequenceId, s.position, s.status, encodeState(s.state)]);
    expect(before).toHaveLength(6);

    const fork = await graph(4)
      .initializeFrom(persister, resumeOptions({ forkFromAppId: 'orig', forkFromSequenceId: 1 }))
      .withIdentifiers({ appId: 'forked', partitionKey: 'p' })
      .withStatePersister(persister)
      .build();
    expect(fork.uid).toBe('forked');
    expect(fork.parentPointer).toEqual({ appId: 'orig', sequenceId: 1, partitionKey: 'p' });
    expect(fork.state.get('count')).toBe(2);
    expect(fork.sequenceId).toBe(1);
    expect(fork.getNextAction()).toBe('counter');
    await fork.run();

    // No steps 0 and 1 of its own: the fork's first saved step is the fork point plus one.
    const forked = await history(persister, 'forked', 'p');
    expect(forked.map((s) => [s.sequenceId, s.position, s.status, s.state.get('count')])).toEqual([
      [2, 'counter', 'completed', 3],
      [3, 'counter', 'completed', 4],
      [4, 'flaky', 'completed', 4],
      [5, 'finish', 'completed', 4],
    ]);
    expect(forked.length).toBeLessThan(before.length);
    expect((await history(persister, 'orig', 'p')).map((s) => [s.sequenceId, s.position, s.status, encodeState(s.state)])).toEqual(before);
    expect(await persister.listAppIds('p')).toEqual(['forked', 'orig']);
  });

  it('forks the latest step when no sequence id is given, across partitions, into a generated app id', async () => {
    const persister = await newPersister();
    await original(persister);
    const fork = await graph(4)
      .initializeFrom(persister, resumeOptions({ forkFromAppId: 'orig', forkFromPartitionKey: 'p' }))
      .withStatePersister(persister)
      .build();
    expect(fork.uid).not.toBe('orig');
    expect(fork.partitionKey).toBeNull();
    expect(fork.parentPointer).toEqual({ appId: 'orig', sequenceId: 5, partitionKey: 'p' });
    expect(fork.getNextAction()).toBeNull();
  });

  it('a fork may keep the app id when it moves to another partition', async () => {
    const persister = await newPersister();
    await original(persister);
    const fork = await graph(4)
      .initializeFrom(persister, resumeOptions({ forkFromAppId: 'orig', forkFromPartitionKey: 'p', forkFromSequenceId: 0 }))
      .withIdentifiers({ appId: 'orig', partitionKey: 'q' })
      .withStatePersister(persister)
      .build();
    await fork.step();
    expect((await persister.load('q', 'orig'))?.sequenceId).toBe(1);
    expect((await persister.load('p', 'orig'))?.sequenceId).toBe(5);
  });

  it('forking into the same app id is refused and writes nothing', async () => {
    const persister = await newPersister();
    await original(persister);
    const error = await rejection(
      graph(4)
        .initializeFrom(persister, resumeOptions({ forkFromAppId: 'orig' }))
        .withIdentifiers({ appId: 'orig', partitionKey: 'p' })
        .withStatePersister(persister)
        .build(),
    );
    expect(error).toBeInstanceOf(ApplicationBuildError);
    expect((await persister.load('p', 'orig'))?.sequenceId).toBe(5);
  });
});

describe('save failures are never silent', () => {
  it('a conflicting save reaches the caller and the app does not advance', async () => {
    const persister = await newPersister();
    const a = await graph(3).withState({ count: 0 }).withEntrypoint('counter').withIdentifiers({ appId: 'twin' }).withStatePersister(persister).build();
    const b = await graph(3).withState({ count: 100 }).withEntrypoint('counter').withIdentifiers({ appId: 'twin' }).withStatePersister(persister).build();
    await a.step();
    const error = await rejection(b.step());
    expect(error).toBeInstanceOf(PersisterConflictError);
    expect(b.sequenceId).toBeNull();
    expect(b.state.get('count')).toBe(100);
    expect((await persister.load(null, 'twin', 0))?.state.get('count')).toBe(1);
  });

  it('an action failure followed by a failed save reports both', async () => {
    const persister = await newPersister();
    const failing = action({
      reads: [],
      writes: [],
      run: () => {
        throw new Error('action broke');
      },
    });
    const working = action({ reads: [], writes: [], run: (s) => s });
    // Another app with the same id already saved step 0 at the same position, so the failed record cannot be saved.
    await (await new ApplicationBuilder().withActions({ work: working }).withEntrypoint('work').withIdentifiers({ appId: 'clash' }).withStatePersister(persister).build()).step();
    const app = await new ApplicationBuilder().withActions({ work: failing }).withEntrypoint('work').withIdentifiers({ appId: 'clash' }).withStatePersister(persister).build();
    const error = await rejection(app.step());
    expect(error).toBeInstanceOf(StepHookFailedError);
    const both = error as StepHookFailedError;
    expect((both.actionError as Error).message).toBe('action broke');
    expect(both.hookError).toBeInstanceOf(PersisterConflictError);
    expect(both.message).toMatch(/action broke.*already saved/);
    expect(app.sequenceId).toBeNull();
  });
});
