import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidPersistArgumentError, State } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { LineAppender } from '../src/files.js';
import { LocalTrackingClient, TrackedAppPartitionError } from '../src/index.js';
import { readJson, readJsonLines, useStorageDir } from './helpers.js';

const storageDir = useStorageDir();
const graph = { entrypoint: 'a', actions: [], transitions: [] };

describe('writes', () => {
  it('keeps lines whole and in call order when hooks are not awaited one by one', async () => {
    const tracker = new LocalTrackingClient({ project: 'order', storageDir: storageDir() });
    const big = 'z'.repeat(200_000);
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < 200; i++) {
      writes.push(tracker.preRunStep({ appId: 'o', partitionKey: null, sequenceId: i, action: 'a', state: new State(), inputs: { i } }));
      writes.push(
        tracker.postRunStep({ appId: 'o', partitionKey: null, sequenceId: i, action: 'a', state: new State({ i, big: i % 50 === 0 ? big : '' }), result: {}, error: null }),
      );
    }
    await Promise.all(writes);
    const lines = await readJsonLines(join(tracker.appDir('o'), 'log.jsonl'));
    expect(lines).toHaveLength(400);
    lines.forEach((line, n) => {
      expect(line.type).toBe(n % 2 === 0 ? 'begin_entry' : 'end_entry');
      expect(line.sequence_id).toBe(Math.floor(n / 2));
    });
    expect((await tracker.load(null, 'o'))!.sequenceId).toBe(199);
  });

  it('rejects only the failing append; the ones after it still run', async () => {
    const appender = new LineAppender();
    const path = join(storageDir(), 'sub', 'x.jsonl');
    const results = await Promise.allSettled([appender.append(path, 'one'), appender.append(path, 'bad\nline'), appender.append(path, 'two')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await readFile(path, 'utf8')).toBe('one\ntwo\n');
    await appender.flush();
  });

  it('records a fork in its parent once, and leaves complete metadata, when two creations race', async () => {
    const tracker = new LocalTrackingClient({ project: 'race', storageDir: storageDir() });
    const args = { appId: 'kid', partitionKey: null, state: new State(), graph, parentPointer: { appId: 'mom', sequenceId: 3, partitionKey: null } };
    await Promise.all([
      tracker.postApplicationCreate(args),
      tracker.postApplicationCreate(args),
      new LocalTrackingClient({ project: 'race', storageDir: storageDir() }).postApplicationCreate(args),
    ]);
    expect(await readJsonLines(join(tracker.appDir('mom'), 'children.jsonl'))).toHaveLength(1);
    expect((await readJson(join(tracker.appDir('kid'), 'metadata.json'))).parent_pointer).toMatchObject({ app_id: 'mom', sequence_id: 3 });
    // No temporary files are left behind.
    expect((await readdir(tracker.appDir('kid'))).sort()).toEqual(['graph.json', 'metadata.json']);
  });

  it('keeps the first graph.json and metadata.json of an app', async () => {
    const tracker = new LocalTrackingClient({ project: 'keep', storageDir: storageDir() });
    await tracker.postApplicationCreate({ appId: 'k', partitionKey: 'first', state: new State(), graph, parentPointer: null });
    await tracker.postApplicationCreate({ appId: 'k', partitionKey: 'first', state: new State(), graph: { ...graph, entrypoint: 'b' }, parentPointer: null });
    expect((await readJson(join(tracker.appDir('k'), 'graph.json'))).entrypoint).toBe('a');
  });

  it('refuses to track an app id under a second partition, since both would share one folder', async () => {
    const tracker = new LocalTrackingClient({ project: 'keep', storageDir: storageDir() });
    await tracker.postApplicationCreate({ appId: 'k', partitionKey: null, state: new State(), graph, parentPointer: null });
    await tracker.postApplicationCreate({ appId: 'k', partitionKey: '', state: new State(), graph, parentPointer: null });
    const error = await tracker.postApplicationCreate({ appId: 'k', partitionKey: 'second', state: new State(), graph, parentPointer: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackedAppPartitionError);
    expect(error).toBeInstanceOf(InvalidPersistArgumentError);
    expect(error).toMatchObject({ code: 'BURR_INVALID_PERSIST_ARGUMENT', appId: 'k', trackedPartitionKey: '', requestedPartitionKey: 'second' });
    expect((await readJson(join(tracker.appDir('k'), 'metadata.json'))).partition_key).toBeNull();
  });
});
