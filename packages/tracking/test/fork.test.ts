import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalTrackingClient, parsePythonDateTime } from '../src/index.js';
import { countingBuilder, readJson, readJsonLines, useStorageDir } from './helpers.js';

const storageDir = useStorageDir();

describe('forking from a tracked step', () => {
  it('starts the fork from that step and links parent and child both ways', async () => {
    const tracker = new LocalTrackingClient({ project: 'forks', storageDir: storageDir() });
    const parent = await countingBuilder(5)
      .withState({ count: 0 })
      .withEntrypoint('counter')
      .withIdentifiers({ appId: 'parent', partitionKey: 'team' })
      .withTracker(tracker)
      .build();
    await parent.run({ haltAfter: ['finish'] });

    const child = await countingBuilder(5)
      .withTracker(tracker)
      .initializeFrom(tracker, { defaultEntrypoint: 'counter', defaultState: { count: 0 }, forkFromAppId: 'parent', forkFromSequenceId: 1 })
      .withIdentifiers({ appId: 'child', partitionKey: 'team' })
      .build();
    expect(child.state.get('count')).toBe(2);
    expect(child.getNextAction()).toBe('counter');
    const out = await child.step();
    expect(out!.state.get('count')).toBe(3);
    expect(child.sequenceId).toBe(2);

    expect(await readJson(join(tracker.appDir('child'), 'metadata.json'))).toEqual({
      type: 'application_metadata',
      partition_key: 'team',
      parent_pointer: { type: 'pointer_data', app_id: 'parent', sequence_id: 1, partition_key: 'team' },
      spawning_parent_pointer: null,
      app_id: 'child',
    });
    const children = await readJsonLines(join(tracker.appDir('parent'), 'children.jsonl'));
    expect(children).toEqual([
      {
        type: 'child_application_data',
        child: { type: 'pointer_data', app_id: 'child', sequence_id: null, partition_key: 'team' },
        event_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/),
        event_type: 'fork',
        sequence_id: 1,
      },
    ]);
    expect(parsePythonDateTime(children[0]!.event_time)).not.toBeNull();
    // The child's own log starts at the sequence id after the fork point.
    const childLog = await readJsonLines(join(tracker.appDir('child'), 'log.jsonl'));
    expect(childLog.map((l) => l.sequence_id)).toEqual([2, 2]);

    // Resuming the fork later does not record it as a child a second time.
    await countingBuilder(5)
      .withTracker(tracker)
      .initializeFrom(tracker, { defaultEntrypoint: 'counter', defaultState: { count: 0 } })
      .withIdentifiers({ appId: 'child', partitionKey: 'team' })
      .build();
    expect(await readJsonLines(join(tracker.appDir('parent'), 'children.jsonl'))).toHaveLength(1);
    expect((await readdir(tracker.projectDir)).sort()).toEqual(['child', 'parent']);
  });

  it('forks from the latest step when no sequence id is given, and fails clearly for an unknown source', async () => {
    const tracker = new LocalTrackingClient({ project: 'forks', storageDir: storageDir() });
    const parent = await countingBuilder(5).withState({ count: 0 }).withEntrypoint('counter').withIdentifiers({ appId: 'p2' }).withTracker(tracker).build();
    await parent.step();
    await parent.step();
    const child = await countingBuilder(5)
      .withTracker(tracker)
      .initializeFrom(tracker, { defaultEntrypoint: 'counter', forkFromAppId: 'p2' })
      .withIdentifiers({ appId: 'c2' })
      .build();
    expect(child.parentPointer).toEqual({ appId: 'p2', sequenceId: 1, partitionKey: null });
    expect((await readJson(join(tracker.appDir('c2'), 'metadata.json'))).parent_pointer).toEqual({ type: 'pointer_data', app_id: 'p2', sequence_id: 1, partition_key: null });

    await expect(
      countingBuilder(5).initializeFrom(tracker, { defaultEntrypoint: 'counter', forkFromAppId: 'nobody' }).withIdentifiers({ appId: 'c3' }).build(),
    ).rejects.toMatchObject({ code: 'BURR_APPLICATION_BUILD' });
  });
});
