import { describe, expect, it } from 'vitest';
import { action, ApplicationBuilder, InMemoryPersister, StepHookFailedError } from '@burr/core';
import { countingBuilder, rejection } from './helpers.js';

describe('a hook failing after the step was saved', () => {
  it('commits the saved step, so the next step continues instead of re-running and conflicting', async () => {
    const persister = new InMemoryPersister();
    await persister.initialize();
    let trackerDown = true;
    const app = await countingBuilder(5)
      .withState({ count: 0 })
      .withEntrypoint('counter')
      .withStatePersister(persister)
      .withHooks({ postRunStep: () => (trackerDown ? Promise.reject(new Error('tracker disk full')) : undefined) })
      .build();
    expect((await rejection(app.step())).message).toBe('tracker disk full');
    expect(app.sequenceId).toBe(0);
    expect(app.state.get('count')).toBe(1);
    trackerDown = false;
    expect((await app.step())?.state.get('count')).toBe(2);
    expect((await persister.load(null, app.uid))?.sequenceId).toBe(1);
  });

  it('commits a saved failed step too: the retry uses the next sequence id', async () => {
    const persister = new InMemoryPersister();
    await persister.initialize();
    let actionFails = true;
    const flaky = action({
      reads: [],
      writes: ['n'],
      run: (s) => {
        if (actionFails) throw new Error('boom');
        return s.update({ n: 1 });
      },
    });
    const app = await new ApplicationBuilder()
      .withActions({ flaky })
      .withState({})
      .withEntrypoint('flaky')
      .withStatePersister(persister)
      .withHooks({ postRunStep: () => Promise.reject(new Error('tracker down')) })
      .build();
    expect(await rejection(app.step())).toBeInstanceOf(StepHookFailedError);
    expect((await persister.load(null, app.uid))?.status).toBe('failed');
    actionFails = false;
    // The tracker still fails, but the save of sequence 1 lands: no conflict with the failed record at 0.
    expect((await rejection(app.step())).message).toBe('tracker down');
    expect(await persister.load(null, app.uid)).toMatchObject({ sequenceId: 1, status: 'completed' });
  });

  it("a fork with forkFromPartitionKey: null reads the unpartitioned app, not this app's partition", async () => {
    const persister = new InMemoryPersister();
    await persister.initialize();
    const source = await countingBuilder(5).withState({ count: 0 }).withEntrypoint('counter').withStatePersister(persister).withIdentifiers({ appId: 'src' }).build();
    await source.step();
    const fork = await countingBuilder(5)
      .withIdentifiers({ appId: 'copy', partitionKey: 'alice' })
      .initializeFrom(persister, { defaultEntrypoint: 'counter', forkFromAppId: 'src', forkFromPartitionKey: null })
      .build();
    expect(fork.state.get('count')).toBe(1);
  });
});
