import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { action, ApplicationBuilder, InMemoryPersister, type State } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { LocalTrackingClient } from '../src/index.js';
import { countingBuilder, readJsonLines, useStorageDir } from './helpers.js';

const storageDir = useStorageDir();

/** A builder resuming app `appId` from the tracker, tracked by it as well. */
function resumingBuilder(tracker: LocalTrackingClient, appId: string, limit = 3) {
  return countingBuilder(limit)
    .withTracker(tracker)
    .initializeFrom(tracker, { defaultEntrypoint: 'counter', defaultState: { count: 0 } })
    .withIdentifiers({ appId, partitionKey: 'u1' });
}

describe('resuming from the tracker', () => {
  it('continues after a kill between steps, ignoring the torn line the crash left', async () => {
    const tracker = new LocalTrackingClient({ project: 'resume', storageDir: storageDir() });
    const first = await resumingBuilder(tracker, 'run-1', 5).build();
    await first.step();
    await first.step();
    // The process dies while writing the next begin_entry: half a line, no newline.
    const logFile = join(tracker.appDir('run-1'), 'log.jsonl');
    await appendFile(logFile, '{"type":"begin_entry","start_time":"2026-01-01T00:00:0');

    const loaded = await tracker.load('u1', 'run-1');
    expect(loaded).toMatchObject({ partitionKey: 'u1', appId: 'run-1', sequenceId: 1, position: 'counter', status: 'completed' });
    expect(loaded!.state.getAll()).toEqual({ count: 2, __SEQUENCE_ID: 1 });

    const again = await resumingBuilder(new LocalTrackingClient({ project: 'resume', storageDir: storageDir() }), 'run-1', 5).build();
    expect(again.getNextAction()).toBe('counter');
    const out = await again.step();
    expect(out!.state.get('count')).toBe(3);
    expect(again.sequenceId).toBe(2);

    // The torn line was closed before the next append, so the new lines are intact.
    const text = await readFile(logFile, 'utf8');
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.filter((l) => l.startsWith('{"type":"begin_entry","start_time":"2026-01-01T00:00:0') && !l.endsWith('}'))).toHaveLength(1);
    const parsed = lines.slice(-3, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((l) => [l.type, l.sequence_id])).toEqual([
      ['begin_entry', 2],
      ['end_entry', 2],
    ]);
    expect(await tracker.load('u1', 'run-1')).toMatchObject({ sequenceId: 2, status: 'completed' });
  });

  it('ignores a cut end_entry and resumes from the step before it', async () => {
    const tracker = new LocalTrackingClient({ project: 'resume', storageDir: storageDir() });
    const app = await resumingBuilder(tracker, 'run-2', 5).build();
    await app.step();
    const logFile = join(tracker.appDir('run-2'), 'log.jsonl');
    const full = await readFile(logFile, 'utf8');
    // Simulate dying in the middle of step 1's end_entry.
    await appendFile(logFile, '{"type":"begin_entry","start_time":"2026-01-01T00:00:00.000000","action":"counter","inputs":{},"sequence_id":1}\n');
    const end = full.split('\n')[1]!.replaceAll('"sequence_id":0', '"sequence_id":1').replace('"count":1', '"count":2');
    await appendFile(logFile, end.slice(0, end.length - 5));

    const loaded = await tracker.load('u1', 'run-2');
    expect(loaded).toMatchObject({ sequenceId: 0, position: 'counter', status: 'completed' });
    const resumed = await resumingBuilder(tracker, 'run-2', 5).build();
    const out = await resumed.step();
    expect(out).toMatchObject({ action: 'counter' });
    expect(resumed.sequenceId).toBe(1);
    expect(out!.state.get('count')).toBe(2);
  });

  it('re-runs a failed step, starting from the state before it', async () => {
    let fail = true;
    const flaky = action({
      reads: ['count'],
      writes: ['count'],
      run: (state: State) => {
        if (fail) throw new Error('temporary outage');
        return state.update({ count: (state.get('count') as number) + 10 });
      },
    });
    const build = (tracker: LocalTrackingClient) =>
      new ApplicationBuilder()
        .withActions({ start: action({ reads: [], writes: ['count'], run: (s) => s.update({ count: 1 }) }), flaky })
        .withTransitions(['start', 'flaky'], ['flaky', 'start'])
        .withTracker(tracker)
        .initializeFrom(tracker, { defaultEntrypoint: 'start', defaultState: {} })
        .withIdentifiers({ appId: 'flaky-run' })
        .build();

    const tracker = new LocalTrackingClient({ project: 'resume', storageDir: storageDir() });
    const app = await build(tracker);
    await app.step();
    await expect(app.step()).rejects.toThrow('temporary outage');

    const loaded = await tracker.load(null, 'flaky-run');
    expect(loaded).toMatchObject({ sequenceId: 1, position: 'flaky', status: 'failed' });
    expect(loaded!.state.getAll()).toEqual({ count: 1, __SEQUENCE_ID: 1 });

    fail = false;
    const resumed = await build(new LocalTrackingClient({ project: 'resume', storageDir: storageDir() }));
    expect(resumed.getNextAction()).toBe('flaky');
    const out = await resumed.step();
    expect(out).toMatchObject({ action: 'flaky' });
    expect(out!.state.get('count')).toBe(11);
    expect(resumed.sequenceId).toBe(2);
    expect(await tracker.load(null, 'flaky-run')).toMatchObject({ sequenceId: 2, position: 'flaky', status: 'completed' });
    // The failed record is still there by its sequence id.
    expect(await tracker.load(null, 'flaky-run', 1)).toMatchObject({ status: 'failed', position: 'flaky' });
  });

  it('restarts at the default entrypoint with resumeAtNextAction: false, keeping the state and sequence', async () => {
    const tracker = new LocalTrackingClient({ project: 'resume', storageDir: storageDir() });
    const app = await resumingBuilder(tracker, 'run-3', 2).build();
    await app.run({ haltAfter: ['finish'] });
    const loaded = await tracker.load('u1', 'run-3');
    expect(loaded).toMatchObject({ position: 'finish', sequenceId: 2 });
    // Python's tracker drops hidden keys but the sequence id: no stale __PRIOR_STEP steers the next action.
    expect(loaded!.state.has('__PRIOR_STEP')).toBe(false);

    const restarted = await countingBuilder(2)
      .withTracker(tracker)
      .initializeFrom(tracker, { defaultEntrypoint: 'counter', defaultState: { count: 0 }, resumeAtNextAction: false })
      .withIdentifiers({ appId: 'run-3', partitionKey: 'u1' })
      .build();
    expect(restarted.getNextAction()).toBe('counter');
    expect(restarted.state.get('count')).toBe(2);
    const out = await restarted.step();
    expect(out!.state.get('count')).toBe(3);
    expect(restarted.sequenceId).toBe(3);
  });

  it('starts from the default state when the app was never tracked', async () => {
    const tracker = new LocalTrackingClient({ project: 'resume', storageDir: storageDir() });
    const app = await resumingBuilder(tracker, 'brand-new').build();
    expect(app.getNextAction()).toBe('counter');
    expect(app.sequenceId).toBeNull();
    expect(app.state.getAll()).toEqual({ count: 0 });
  });

  it('runs next to a database persister on the same app; both record the same steps and either resumes', async () => {
    const tracker = new LocalTrackingClient({ project: 'both', storageDir: storageDir() });
    const persister = new InMemoryPersister();
    await persister.initialize();
    const app = await countingBuilder(3)
      .withTracker(tracker)
      .withStatePersister(persister)
      .initializeFrom(persister, { defaultEntrypoint: 'counter', defaultState: { count: 0 } })
      .withIdentifiers({ appId: 'dual', partitionKey: 'u9' })
      .build();
    await app.step();
    await app.step();

    const fromTracker = await tracker.load('u9', 'dual');
    const fromPersister = await persister.load('u9', 'dual');
    expect(fromTracker).toMatchObject({ sequenceId: fromPersister!.sequenceId, position: fromPersister!.position, status: fromPersister!.status });
    expect(fromTracker!.state.get('count')).toBe(fromPersister!.state.get('count'));
    expect(await tracker.listAppIds('u9')).toEqual(await persister.listAppIds('u9'));

    // Resume the same app from the tracker while still saving to the persister.
    const resumed = await countingBuilder(3)
      .withTracker(tracker)
      .withStatePersister(persister)
      .initializeFrom(tracker, { defaultEntrypoint: 'counter', defaultState: { count: 0 } })
      .withIdentifiers({ appId: 'dual', partitionKey: 'u9' })
      .build();
    const result = await resumed.run({ haltAfter: ['finish'] });
    expect(result.state.get('count')).toBe(3);
    expect(await persister.load('u9', 'dual')).toMatchObject({ sequenceId: 3, position: 'finish' });
    expect(await tracker.load('u9', 'dual')).toMatchObject({ sequenceId: 3, position: 'finish' });
    const types = (await readJsonLines(join(tracker.appDir('dual'), 'log.jsonl'))).map((l) => `${String(l.type)}:${String(l.sequence_id)}`);
    expect(types).toEqual(['begin_entry:0', 'end_entry:0', 'begin_entry:1', 'end_entry:1', 'begin_entry:2', 'end_entry:2', 'begin_entry:3', 'end_entry:3']);
  });
});
