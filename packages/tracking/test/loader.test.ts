import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidIdentifierError, State } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { InvalidProjectNameError, LocalTrackingClient } from '../src/index.js';
import { countingBuilder, useStorageDir } from './helpers.js';

const storageDir = useStorageDir();
const graph = { entrypoint: 'a', actions: [], transitions: [] };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Writes an app folder the way Python Burr 0.40 does (pydantic JSON, naive local times). */
async function writePythonApp(projectDir: string, appId: string, partitionKey: string | null, lines: string[]): Promise<void> {
  const dir = join(projectDir, appId);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'metadata.json'),
    JSON.stringify({ type: 'application_metadata', partition_key: partitionKey, parent_pointer: null, spawning_parent_pointer: null })
      .replaceAll('":', '": ')
      .replaceAll(',"', ', "'),
  );
  await writeFile(join(dir, 'log.jsonl'), lines.map((l) => `${l}\n`).join(''));
}

describe('LocalTrackingClient as a state loader', () => {
  it('returns null for an unknown project, app or sequence id, never throwing', async () => {
    const tracker = new LocalTrackingClient({ project: 'nothing-here', storageDir: storageDir() });
    expect(await tracker.load(null, 'missing')).toBeNull();
    expect(await tracker.load('pk', 'missing', 3)).toBeNull();
    expect(await tracker.listAppIds(null)).toEqual([]);

    const app = await countingBuilder().withState({ count: 0 }).withEntrypoint('counter').withIdentifiers({ appId: 'known' }).withTracker(tracker).build();
    expect(await tracker.load(null, 'known')).toBeNull(); // created, no step yet
    await app.step();
    expect(await tracker.load(null, 'known', 7)).toBeNull();
    expect(await tracker.load(null, 'known', 0)).toMatchObject({ sequenceId: 0 });
  });

  it('matches the partition key of metadata.json, null and "" being the same', async () => {
    const tracker = new LocalTrackingClient({ project: 'parts', storageDir: storageDir() });
    const noPartition = await countingBuilder().withState({ count: 0 }).withEntrypoint('counter').withIdentifiers({ appId: 'np' }).withTracker(tracker).build();
    await noPartition.step();
    const withPartition = await countingBuilder()
      .withState({ count: 0 })
      .withEntrypoint('counter')
      .withIdentifiers({ appId: 'wp', partitionKey: 'alice' })
      .withTracker(tracker)
      .build();
    await withPartition.step();

    expect(await tracker.load(null, 'np')).toMatchObject({ partitionKey: '', appId: 'np' });
    expect(await tracker.load('', 'np')).toMatchObject({ partitionKey: '' });
    expect(await tracker.load('alice', 'np')).toBeNull();
    expect(await tracker.load('alice', 'wp')).toMatchObject({ partitionKey: 'alice' });
    expect(await tracker.load('bob', 'wp')).toBeNull();
    expect(await tracker.load(null, 'wp')).toBeNull();
    expect(await tracker.listAppIds('')).toEqual(['np']);
    expect(await tracker.listAppIds('alice')).toEqual(['wp']);
  });

  it('lists the apps of a partition, most recently logged first', async () => {
    const tracker = new LocalTrackingClient({ project: 'listing', storageDir: storageDir() });
    const make = (appId: string, partitionKey: string | null = 'p') =>
      countingBuilder(10).withState({ count: 0 }).withEntrypoint('counter').withIdentifiers({ appId, partitionKey }).withTracker(tracker).build();
    const a = await make('app-a');
    const b = await make('app-b');
    const c = await make('app-c');
    const other = await make('other', 'q');
    await make('never-stepped');
    // Gaps larger than the file system's timestamp granularity.
    await a.step();
    await sleep(25);
    await b.step();
    await sleep(25);
    await c.step();
    await sleep(25);
    await other.step();
    await sleep(25);
    await a.step();
    expect(await tracker.listAppIds('p')).toEqual(['app-a', 'app-c', 'app-b']);
    expect(await tracker.listAppIds('q')).toEqual(['other']);
    expect(await tracker.listAppIds(null)).toEqual([]);
    // load(partition, null): the last step of the most recently logged app.
    expect(await tracker.load('p', null)).toMatchObject({ appId: 'app-a', sequenceId: 1 });
    expect(await tracker.load(null, null)).toBeNull();
    await expect(tracker.load('p', null, 0)).rejects.toThrow(/takes no sequenceId/);
  });

  it('reads a log written by Python Burr, status failed when an exception was logged', async () => {
    const tracker = new LocalTrackingClient({ project: 'py', storageDir: storageDir() });
    await writePythonApp(tracker.projectDir, 'py-app', 'user_4', [
      '{"type":"begin_entry","start_time":"2024-08-05T21:35:17.833666","action":"counter","inputs":{},"sequence_id":0}',
      '{"type":"end_entry","end_time":"2024-08-05T21:35:17.833786","action":"counter","result":{},"exception":null,"state":{"count_to":10,"counter":1,"ratio":NaN,"__SEQUENCE_ID":0,"__PRIOR_STEP":"counter"},"sequence_id":0}',
      '{"type":"begin_entry","start_time":"2024-08-05T21:35:18.000001","action":"counter","inputs":{"x":1},"sequence_id":1}',
      '{"type":"end_entry","end_time":"2024-08-05T21:35:18.250000","action":"counter","result":null,"exception":"Traceback (most recent call last):\\n  ...\\nValueError: boom\\n","state":{"count_to":10,"counter":1,"ratio":NaN,"__SEQUENCE_ID":1,"__PRIOR_STEP":"counter"},"sequence_id":1}',
    ]);
    const latest = await tracker.load('user_4', 'py-app');
    expect(latest).toMatchObject({ sequenceId: 1, position: 'counter', status: 'failed', partitionKey: 'user_4' });
    expect(latest!.createdAt).toEqual(new Date(2024, 7, 5, 21, 35, 18, 250));
    expect(latest!.state.keys()).toEqual(['count_to', 'counter', 'ratio', '__SEQUENCE_ID']);
    expect(Number.isNaN(latest!.state.get('ratio'))).toBe(true);
    expect(await tracker.load('user_4', 'py-app', 0)).toMatchObject({ sequenceId: 0, status: 'completed' });
    expect(await tracker.listAppIds('user_4')).toEqual(['py-app']);
  });

  it('skips torn or foreign lines anywhere in the log', async () => {
    const tracker = new LocalTrackingClient({ project: 'torn', storageDir: storageDir() });
    await writePythonApp(tracker.projectDir, 't', null, [
      '{"type":"end_entry","end_time":"2024-08-05T21:35:17.833786","action":"a","result":{},"exception":null,"state":{"n":1},"sequence_id":0}',
      '{"type":"end_entry","end_time":"2024-08-05T21:35:17.9","action":"b","result":{},"exception":null,"state":{"n":2},"seq',
      '[1, 2, 3]',
      '{"type":"end_entry","action":"c","state":"not an object","sequence_id":1}',
      '{"type":"begin_span","start_time":"2024-08-05T21:35:18.000001","action_sequence_id":1,"span_id":"0:1","span_name":"x","parent_span_id":null,"span_dependencies":[]}',
      '',
    ]);
    expect(await tracker.load(null, 't')).toMatchObject({ sequenceId: 0, position: 'a' });
    // Fields in another order, and a nested "sequence_id" at the end of the line: still found by its own sequence id.
    await appendFile(join(tracker.appDir('t'), 'log.jsonl'), '{"sequence_id":2,"type":"end_entry","action":"d","exception":null,"state":{"meta":{"sequence_id":0}}}\n');
    expect(await tracker.load(null, 't', 2)).toMatchObject({ sequenceId: 2, position: 'd' });
    expect((await tracker.load(null, 't', 2))!.state.get('meta')).toEqual({ sequence_id: 0 });
    expect(await tracker.load(null, 't', 0)).toMatchObject({ sequenceId: 0, position: 'a' });
    await appendFile(join(tracker.appDir('t'), 'log.jsonl'), '{"type":"end_entry"');
    expect(await tracker.load(null, 't')).toMatchObject({ sequenceId: 2, position: 'd' });
  });

  it('treats an app folder without metadata.json as having no partition', async () => {
    const tracker = new LocalTrackingClient({ project: 'bare', storageDir: storageDir() });
    const dir = join(tracker.projectDir, 'bare-app');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'log.jsonl'), '{"type":"end_entry","end_time":"x","action":"a","result":null,"exception":null,"state":{"n":1},"sequence_id":4}\n');
    const loaded = await tracker.load(null, 'bare-app');
    expect(loaded).toMatchObject({ sequenceId: 4, position: 'a', status: 'completed' });
    expect(loaded!.createdAt).toBeInstanceOf(Date); // no readable end_time: the file's modification time
    expect(await tracker.load('someone', 'bare-app')).toBeNull();
  });

  it('finds the newest step quickly in a log larger than one read chunk, with states spanning chunks', async () => {
    const tracker = new LocalTrackingClient({ project: 'big', storageDir: storageDir() });
    await tracker.postApplicationCreate({ appId: 'big', partitionKey: null, state: new State(), graph, parentPointer: null });
    const filler = 'é'.repeat(70_000); // two bytes each: lines of ~140 KB cross 256 KB chunk boundaries
    for (let i = 0; i < 12; i++) {
      await tracker.preRunStep({ appId: 'big', partitionKey: null, sequenceId: i, action: 'a', state: new State(), inputs: {} });
      await tracker.postRunStep({ appId: 'big', partitionKey: null, sequenceId: i, action: 'a', state: new State({ i, filler }), result: {}, error: null });
    }
    const latest = await tracker.load(null, 'big');
    expect(latest!.sequenceId).toBe(11);
    expect(latest!.state.get('filler')).toBe(filler);
    for (const i of [0, 5, 10]) {
      const step = await tracker.load(null, 'big', i);
      expect(step!.state.get('i')).toBe(i);
      expect(step!.state.get('filler')).toBe(filler);
    }
  });
});

describe('names and paths', () => {
  it('rejects project names that are not a single safe folder name, with a typed error', () => {
    for (const project of ['', '..', '.', 'a/b', 'a\\b', '../etc', 'with space', 'dot.name', 'ü']) {
      let caught: unknown;
      try {
        new LocalTrackingClient({ project, storageDir: '/tmp/x' });
      } catch (error) {
        caught = error;
      }
      expect(caught, project).toBeInstanceOf(InvalidProjectNameError);
      expect(caught).toBeInstanceOf(InvalidIdentifierError);
      expect((caught as InvalidProjectNameError).code).toBe('BURR_INVALID_IDENTIFIER');
      expect((caught as Error).message).toContain('tracking project name');
    }
    expect(() => new LocalTrackingClient({ project: 42 as unknown as string })).toThrow(InvalidProjectNameError);
    expect(new LocalTrackingClient({ project: 'demo_chatbot-2' }).project).toBe('demo_chatbot-2');
  });

  it('defaults to ~/.burr and expands a leading ~', () => {
    expect(new LocalTrackingClient({ project: 'p' }).projectDir).toBe(join(homedir(), '.burr', 'p'));
    expect(new LocalTrackingClient({ project: 'p', storageDir: '~/elsewhere' }).storageDir).toBe(join(homedir(), 'elsewhere'));
  });

  it('refuses app ids that would leave the project folder, on write and on load', async () => {
    const tracker = new LocalTrackingClient({ project: 'safe', storageDir: storageDir() });
    for (const appId of ['..', '.', '../other/app', 'a/b', 'a\\b', 'nul\u0000']) {
      await expect(tracker.load(null, appId)).rejects.toBeInstanceOf(InvalidIdentifierError);
      await expect(tracker.preRunStep({ appId, partitionKey: null, sequenceId: 0, action: 'a', state: new State(), inputs: {} })).rejects.toBeInstanceOf(InvalidIdentifierError);
    }
    await expect(countingBuilder().withState({ count: 0 }).withEntrypoint('counter').withIdentifiers({ appId: '../escape' }).withTracker(tracker).build()).rejects.toBeInstanceOf(
      InvalidIdentifierError,
    );
    await expect(readFile(join(storageDir(), 'escape', 'graph.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
