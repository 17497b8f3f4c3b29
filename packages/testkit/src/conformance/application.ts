import assert from 'node:assert/strict';
import { action, ApplicationBuilder, expr, Result, type BaseStatePersister } from '@burr/core';
import { newAppId, type SuiteContext } from './context.js';

/** A counter that counts to 5, then ends in `done`; it throws once when `crashAt` is reached. */
function counterApp(persister: BaseStatePersister, identifiers: { appId: string; partitionKey: string }, crash: { at: number | null }) {
  const counter = action({
    reads: ['count'],
    writes: ['count'],
    run: (state) => {
      const count = state.get('count') as number;
      if (crash.at === count) {
        crash.at = null;
        throw new Error('simulated crash');
      }
      return state.update({ count: count + 1 });
    },
  });
  return new ApplicationBuilder()
    .withActions({ counter, done: new Result('count') })
    .withTransitions(['counter', 'counter', expr((state) => (state.get('count') as number) < 5, 'count < 5')], ['counter', 'done'])
    .withIdentifiers(identifiers)
    .withStatePersister(persister);
}

/** The persister as the runner uses it: save every step, resume after a crash, fork. */
export function applicationCases({ api, fresh, again }: SuiteContext): void {
  api.it('runs an app, resumes it after a crash from a second connection, and forks it', async () => {
    const persister = await fresh();
    const appId = newAppId('counter');
    const identifiers = { appId, partitionKey: 'user' };
    const resume = { resumeAtNextAction: true, defaultState: { count: 0 }, defaultEntrypoint: 'counter' };

    const crash = { at: 2 as number | null };
    const first = await counterApp(persister, identifiers, crash).initializeFrom(persister, resume).build();
    await assert.rejects(first.run({ haltAfter: ['done'] }), /simulated crash/);
    const failed = await persister.load('user', appId);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.sequenceId, 2);
    assert.equal(failed?.state.get('count'), 2, 'a failed step keeps the state from before the action');

    // A restarted process: new connection, same app id.
    const restarted = await again(persister);
    const second = await counterApp(restarted, identifiers, crash).initializeFrom(restarted, resume).build();
    assert.equal(second.getNextAction(), 'counter', 'a failed step is re-run');
    const { action: last, state } = await second.run({ haltAfter: ['done'] });
    assert.equal(last, 'done');
    assert.equal(state.get('count'), 5);
    const latest = await persister.load('user', appId);
    assert.deepEqual([latest?.sequenceId, latest?.position, latest?.status], [6, 'done', 'completed']);
    assert.equal((await persister.load('user', appId, 3))?.state.get('count'), 3, 'the retry continued at failed + 1');

    const forkId = newAppId('fork');
    const fork = await counterApp(persister, { appId: forkId, partitionKey: 'user' }, { at: null })
      .initializeFrom(persister, { ...resume, forkFromAppId: appId, forkFromPartitionKey: 'user', forkFromSequenceId: 1 })
      .build();
    assert.deepEqual(fork.parentPointer, { appId, sequenceId: 1, partitionKey: 'user' });
    assert.equal(fork.state.get('count'), 2);
    await fork.step();
    const forked = await persister.load('user', forkId);
    assert.deepEqual([forked?.sequenceId, forked?.state.get('count')], [2, 3]);
    assert.equal((await persister.load('user', appId))?.sequenceId, 6, 'forking leaves the original app untouched');
    assert.deepEqual(await persister.listAppIds('user'), [forkId, appId]);
  });
}
