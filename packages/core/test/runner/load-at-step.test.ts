/**
 * withIdentifiers({ sequenceId }) with initializeFrom: load this app at an
 * earlier saved step (Python's with_identifiers(sequence_id=...)) without
 * forking: same app id, no parent pointer.
 */
import { describe, expect, it } from 'vitest';
import { action, ApplicationBuildError, ApplicationBuilder, InMemoryPersister, PersisterConflictError, SEQUENCE_ID_KEY, type State } from '@burr/core';
import { type Counting, countingBuilder, finish, rejection } from './helpers.js';

async function savedRun(): Promise<InMemoryPersister> {
  const persister = new InMemoryPersister();
  await persister.initialize();
  const app = await countingBuilder(3)
    .initializeFrom(persister, { defaultState: { count: 0 }, defaultEntrypoint: 'counter' })
    .withIdentifiers({ appId: 'run', partitionKey: 'user' })
    .withStatePersister(persister)
    .build();
  await app.run({ haltAfter: ['finish'] });
  return persister;
}

function reopen(persister: InMemoryPersister, sequenceId: number | null) {
  return countingBuilder(3)
    .initializeFrom(persister, { defaultState: { count: 0 }, defaultEntrypoint: 'counter' })
    .withIdentifiers({ appId: 'run', partitionKey: 'user', sequenceId })
    .withStatePersister(persister);
}

/** The saved run loaded at its first step, its counting action adding `amount()` (1 in the run that saved it). */
function replayedAdding(persister: InMemoryPersister, amount: () => number) {
  const counter = action({ reads: ['count'], writes: ['count'], run: (state: State<Counting>) => state.update({ count: state.get('count') + amount() }) });
  return new ApplicationBuilder<Counting>()
    .withActions({ counter, finish })
    .withTransitions(['counter', 'counter'])
    .initializeFrom(persister, { defaultState: { count: 0 }, defaultEntrypoint: 'counter' })
    .withIdentifiers({ appId: 'run', partitionKey: 'user', sequenceId: 0 })
    .withStatePersister(persister)
    .build();
}

describe('loading an app at an earlier step', () => {
  it('starts from the saved step under the same app id, and continues from there', async () => {
    const persister = await savedRun();
    expect((await persister.load('user', 'run'))?.sequenceId).toBe(3);
    const app = await reopen(persister, 1).build();
    expect(app.uid).toBe('run');
    expect(app.parentPointer).toBeNull();
    expect(app.sequenceId).toBe(1);
    expect(app.state.get('count')).toBe(2);
    expect(app.state.get(SEQUENCE_ID_KEY)).toBe(1);
    expect(app.getNextAction()).toBe('counter');
  });

  it('running the same steps again saves them again (idempotent); the later steps stay as they were', async () => {
    const persister = await savedRun();
    const app = await reopen(persister, 1).build();
    const out = await app.run({ haltAfter: ['finish'] });
    expect([out.action, app.sequenceId, out.state.get('count')]).toEqual(['finish', 3, 3]);
    expect((await persister.load('user', 'run'))?.sequenceId).toBe(3);
  });

  it('the same action turning out differently than its saved step is refused, never overwritten', async () => {
    const persister = await savedRun();
    const app = await replayedAdding(persister, () => 10);
    expect(await rejection(app.step())).toBeInstanceOf(PersisterConflictError);
    expect((await persister.load('user', 'run', 1))?.state.get('count')).toBe(2);
  });

  it('after a refused replay the next step runs the action again: once it gives the saved outcome, the app goes on', async () => {
    const persister = await savedRun();
    let add = 10;
    const app = await replayedAdding(persister, () => add);
    expect(await rejection(app.step())).toBeInstanceOf(PersisterConflictError);
    // Retrying the refused record could only conflict again: the action runs again instead.
    expect(await rejection(app.step())).toBeInstanceOf(PersisterConflictError);
    add = 1;
    expect((await app.step())?.state.get('count')).toBe(2);
    expect(app.sequenceId).toBe(1);
    expect((await app.step())?.state.get('count')).toBe(3);
    expect((await persister.load('user', 'run', 2))?.state.get('count')).toBe(3);
  });

  it('without a sequence id (null) it loads the latest step, as before', async () => {
    const app = await reopen(await savedRun(), null).build();
    expect(app.sequenceId).toBe(3);
  });

  it('refuses a step that is not saved, a bad sequence id, a missing appId, no initializeFrom, and a fork', async () => {
    const persister = await savedRun();
    const missing = await rejection(reopen(persister, 9).build());
    expect(missing).toBeInstanceOf(ApplicationBuildError);
    expect(missing.message).toBe('Nothing is saved for app "run" in partition "user" at sequence id 9');
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect((await rejection(reopen(persister, bad).build())).message).toMatch(/sequenceId must be a non-negative integer/);
    }
    const noAppId = countingBuilder().initializeFrom(persister, { defaultEntrypoint: 'counter' }).withIdentifiers({ sequenceId: 1 });
    expect((await rejection(noAppId.build())).message).toMatch(/needs the appId/);
    const noInitialize = countingBuilder().withState({ count: 0 }).withEntrypoint('counter').withIdentifiers({ appId: 'run', sequenceId: 1 });
    expect((await rejection(noInitialize.build())).message).toMatch(/call initializeFrom\(\) too/);
    const fork = countingBuilder()
      .initializeFrom(persister, { defaultEntrypoint: 'counter', forkFromAppId: 'run', forkFromPartitionKey: 'user' })
      .withIdentifiers({ appId: 'other', sequenceId: 1 });
    expect((await rejection(fork.build())).message).toMatch(/forkFromSequenceId/);
  });
});
