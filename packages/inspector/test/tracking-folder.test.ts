// A tracking project folder, as @burr/tracking (and Python Burr) write it, read by the inspector and by burr-inspect.
import { action, ApplicationBuilder, expr, type State } from '@burr/core';
import { LocalTrackingClient } from '@burr/tracking';
import { temporaryDirectory } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingFolderStore } from '../src/index.js';
import { httpRequest } from './support/http.js';
import { ensureBuilt, runInspectorToEnd, startInspectorProcess } from './support/inspector-process.js';

const storage = temporaryDirectory('inspector-tracking');
const projectDir = storage.path('counter');

const count = action({ reads: ['count'], writes: ['count'], run: (state: State) => state.update({ count: (state.get('count') as number) + 1 }) });
const fail = action({
  reads: [],
  writes: [],
  run: () => {
    throw new Error('boom');
  },
});

beforeAll(async () => {
  const tracker = new LocalTrackingClient({ project: 'counter', storageDir: storage.dir });
  for (const [appId, partitionKey] of [
    ['run-1', 'team-a'],
    ['run-2', null],
  ] as const) {
    const app = await new ApplicationBuilder()
      .withActions({ count, fail })
      .withTransitions(['count', 'count', expr((state) => (state.get('count') as number) < 3, 'count < 3')], ['count', 'fail'])
      .withState({ count: 0 })
      .withEntrypoint('count')
      .withTracker(tracker)
      .withIdentifiers({ appId, partitionKey })
      .build();
    await expect(app.run({ haltAfter: ['fail'] })).rejects.toThrow('boom');
  }
  await tracker.flush();
  // Another project beside it, which an id such as "../secret/run-s" must not reach.
  const secret = new LocalTrackingClient({ project: 'secret', storageDir: storage.dir });
  const app = await new ApplicationBuilder()
    .withActions({ count })
    .withTransitions(['count', 'count'])
    .withState({ count: 0 })
    .withEntrypoint('count')
    .withTracker(secret)
    .withIdentifiers({ appId: 'run-s' })
    .build();
  await app.run({ haltAfter: ['count'] });
  await secret.flush();
  ensureBuilt();
}, 120_000);
afterAll(() => storage.remove());

describe('TrackingFolderStore', () => {
  it('lists partitions, apps and steps from the folder, and loads states through the tracker', async () => {
    const store = new TrackingFolderStore(projectDir);
    expect(await store.listPartitions()).toEqual(['', 'team-a']);
    const { apps } = await store.listApps('team-a');
    expect(apps).toEqual([{ partitionKey: 'team-a', appId: 'run-1', lastSequenceId: 3, lastPosition: 'fail', lastStatus: 'failed', lastSavedAt: expect.any(Date) }]);
    const newest = await store.listSteps('team-a', 'run-1', { limit: 2 });
    expect(newest.steps.map((step) => [step.sequenceId, step.position, step.status])).toEqual([
      [3, 'fail', 'failed'],
      [2, 'count', 'completed'],
    ]);
    expect(newest.nextCursor).toBe(2);
    const older = await store.listSteps('team-a', 'run-1', { limit: 2, before: 2 });
    expect(older.steps.map((step) => step.sequenceId)).toEqual([1, 0]);
    expect(older.nextCursor).toBeNull();
    expect((await store.listSteps('', 'run-1')).steps).toEqual([]);
    expect((await store.load('team-a', 'run-1', 2))?.state.get('count')).toBe(3);
    const graph = await store.graphOf('team-a', 'run-1');
    expect(graph?.entrypoint).toBe('count');
    expect(graph?.transitions).toContainEqual({ from: 'count', to: 'count', condition: 'count < 3' });
  });

  it('refuses an app id that would leave the project folder, and lists only its own apps', async () => {
    const store = new TrackingFolderStore(projectDir);
    for (const appId of ['../secret/run-s', '..', 'run-1/../../secret/run-s']) {
      await expect(store.listSteps('', appId)).rejects.toMatchObject({ code: 'BURR_INVALID_IDENTIFIER' });
      await expect(store.graphOf('', appId)).rejects.toMatchObject({ code: 'BURR_INVALID_IDENTIFIER' });
    }
    expect((await store.listApps('')).apps.map((app) => app.appId)).toEqual(['run-2']);
    expect((await new TrackingFolderStore(storage.path('secret')).listSteps('', 'run-s')).steps).toHaveLength(1);
  });

  it('is served read-only by burr-inspect FOLDER, with the recorded graph', async () => {
    const inspector = await startInspectorProcess([projectDir]);
    try {
      expect(inspector.stdout()).toContain(`tracking folder ${projectDir} (read-only)`);
      const apps = await httpRequest(`${inspector.origin}/?partition=team-a`);
      expect(apps.body).toContain('>run-1</a>');
      expect(apps.body).toContain('<a href="/?partition=team-a">team-a</a>');
      const app = await httpRequest(`${inspector.origin}/app?partition=team-a&app=run-1`);
      expect(app.body).toContain('<g class="node current" data-action="fail">');
      const step = await httpRequest(`${inspector.origin}/step?partition=team-a&app=run-1&seq=2`);
      expect(step.body).toContain('data-kind="changed" data-path="count"');
    } finally {
      await inspector.stop();
    }
  });

  it('a storage folder of projects is refused naming the project to open', async () => {
    const run = await runInspectorToEnd([storage.dir, '--port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`burr-inspect: ${storage.dir} holds tracking projects; open one: ${projectDir}, ${storage.path('secret')}\n`);
  });
});
