import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { action, ApplicationBuilder, State, when } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { LocalTrackingClient, parsePythonDateTime } from '../src/index.js';
import { countingBuilder, readJson, readJsonLines, useStorageDir } from './helpers.js';

const storageDir = useStorageDir();
// Python's pydantic writes naive local times with microseconds: 2024-08-05T21:35:17.833666
const PYTHON_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

describe('a tracked run', () => {
  it('writes log.jsonl, graph.json and metadata.json in the format of Python Burr', async () => {
    const tracker = new LocalTrackingClient({ project: 'demo_counter', storageDir: storageDir() });
    const before = Date.now();
    const app = await countingBuilder(2)
      .withState({ count: 0 })
      .withEntrypoint('counter')
      .withIdentifiers({ appId: 'count-to-2', partitionKey: 'user_4' })
      .withTracker(tracker)
      .build();
    await app.run({ haltAfter: ['finish'] });

    const appDir = join(storageDir(), 'demo_counter', 'count-to-2');
    expect(tracker.appDir('count-to-2')).toBe(appDir);
    expect((await readdir(appDir)).sort()).toEqual(['graph.json', 'log.jsonl', 'metadata.json']);

    const lines = await readJsonLines(join(appDir, 'log.jsonl'));
    expect(lines.map((l) => [l.type, l.action, l.sequence_id])).toEqual([
      ['begin_entry', 'counter', 0],
      ['end_entry', 'counter', 0],
      ['begin_entry', 'counter', 1],
      ['end_entry', 'counter', 1],
      ['begin_entry', 'finish', 2],
      ['end_entry', 'finish', 2],
    ]);
    // Field names and order as pydantic writes them.
    expect(Object.keys(lines[0]!)).toEqual(['type', 'start_time', 'action', 'inputs', 'sequence_id']);
    expect(Object.keys(lines[1]!)).toEqual(['type', 'end_time', 'action', 'result', 'exception', 'state', 'sequence_id']);
    for (const line of lines) {
      const time = (line.start_time ?? line.end_time) as string;
      expect(time).toMatch(PYTHON_TIME);
      expect(parsePythonDateTime(time)!.getTime()).toBeGreaterThanOrEqual(before - 1);
    }
    expect(lines[1]).toMatchObject({ result: {}, exception: null, state: { count: 1, __SEQUENCE_ID: 0, __PRIOR_STEP: 'counter' } });
    expect(lines[5]).toMatchObject({ result: { final: 2 }, exception: null, state: { count: 2, __SEQUENCE_ID: 2, __PRIOR_STEP: 'finish', done: true } });

    expect(await readJson(join(appDir, 'graph.json'))).toEqual({
      type: 'application',
      entrypoint: 'counter',
      actions: [
        { type: 'action', name: 'counter', reads: ['count'], writes: ['count'], code: '', inputs: [], optional_inputs: [] },
        { type: 'action', name: 'finish', reads: ['count'], writes: ['done'], code: '', inputs: [], optional_inputs: [] },
      ],
      transitions: [
        { type: 'transition', from_: 'counter', to: 'counter', condition: 'count < 2' },
        { type: 'transition', from_: 'counter', to: 'finish', condition: 'default' },
      ],
    });
    expect(await readJson(join(appDir, 'metadata.json'))).toEqual({
      type: 'application_metadata',
      partition_key: 'user_4',
      parent_pointer: null,
      spawning_parent_pointer: null,
      app_id: 'count-to-2',
    });
  });

  it('names conditions as Python does (when, negation, default) and records declared inputs', async () => {
    const ask = action({
      reads: [],
      writes: ['answer'],
      inputs: ['question'],
      optionalInputs: ['tone'],
      run: (s, inputs) => s.update({ answer: `re: ${String(inputs.question)}` }),
    });
    const done = action({ reads: [], writes: [], run: (s) => s });
    const tracker = new LocalTrackingClient({ project: 'p', storageDir: storageDir() });
    const app = await new ApplicationBuilder()
      .withActions({ ask, done })
      .withTransitions(['ask', 'done', when({ answer: 're: hi' })], ['ask', 'ask', when({ answer: 're: hi' }).not()])
      .withState({})
      .withEntrypoint('ask')
      .withIdentifiers({ appId: 'a1' })
      .withTracker(tracker)
      .build();
    await app.step({ inputs: { question: 'hi', tone: 'dry', unused: 1 } });

    const graph = await readJson(join(tracker.appDir('a1'), 'graph.json'));
    expect(graph.transitions).toEqual([
      { type: 'transition', from_: 'ask', to: 'done', condition: 'answer=re: hi' },
      { type: 'transition', from_: 'ask', to: 'ask', condition: '~(answer=re: hi)' },
    ]);
    expect((graph.actions as Array<Record<string, unknown>>)[0]).toMatchObject({ name: 'ask', inputs: ['question'], optional_inputs: ['tone'] });
    const [begin] = await readJsonLines(join(tracker.appDir('a1'), 'log.jsonl'));
    expect(begin!.inputs).toEqual({ question: 'hi', tone: 'dry' });
  });

  it('writes state with the serde: tagged values and Python number tokens, read back intact', async () => {
    const when0 = new Date('2026-01-02T03:04:05.678Z');
    const stamp = action({
      reads: [],
      writes: ['at', 'tags', 'ratio', 'big', '10'],
      run: (s) => ({ result: { at: when0 }, state: s.update({ at: when0, tags: new Set(['a']), ratio: Number.NaN, big: 2n ** 70n, '10': 'ten' }) }),
    });
    const tracker = new LocalTrackingClient({ project: 'p', storageDir: storageDir() });
    const app = await new ApplicationBuilder()
      .withActions({ stamp })
      .withState({ first: 1 })
      .withEntrypoint('stamp')
      .withIdentifiers({ appId: 'serde' })
      .withTracker(tracker)
      .build();
    await app.step();

    const text = await readFile(join(tracker.appDir('serde'), 'log.jsonl'), 'utf8');
    const end = text.split('\n')[1]!;
    expect(end).toContain('"ratio":NaN');
    expect(end).toContain('"big":{"__burr_serde__":"bigint","value":"1180591620717411303424"}');
    expect(end).toContain('"result":{"at":{"__burr_serde__":"date","value":"2026-01-02T03:04:05.678Z"}}');

    const loaded = await tracker.load(null, 'serde');
    const state = loaded!.state;
    expect(state.keys()).toEqual(['first', 'at', 'tags', 'ratio', 'big', '10', '__SEQUENCE_ID']);
    expect(state.get('at')).toEqual(when0);
    expect(state.get('tags')).toEqual(new Set(['a']));
    expect(Number.isNaN(state.get('ratio'))).toBe(true);
    expect(state.get('big')).toBe(2n ** 70n);
  });

  it('logs a failed step with its stack and the state from before the action', async () => {
    const boom = action({
      reads: [],
      writes: ['x'],
      run: () => {
        throw new TypeError('no network');
      },
    });
    const tracker = new LocalTrackingClient({ project: 'p', storageDir: storageDir() });
    const app = await new ApplicationBuilder().withActions({ boom }).withState({ x: 1 }).withEntrypoint('boom').withIdentifiers({ appId: 'f' }).withTracker(tracker).build();
    await expect(app.step()).rejects.toThrow('no network');
    const [, end] = await readJsonLines(join(tracker.appDir('f'), 'log.jsonl'));
    expect(end).toMatchObject({ type: 'end_entry', action: 'boom', result: null, state: { x: 1, __SEQUENCE_ID: 0 }, sequence_id: 0 });
    expect(end!.exception).toMatch(/^TypeError: no network\n\s+at /);
  });

  it('does not fail a step for an input or result the serde cannot write: it shows why instead', async () => {
    const echo = action({ reads: [], writes: [], inputs: ['client'], run: (s) => ({ result: { fn: () => 1, ok: true }, state: s }) });
    const tracker = new LocalTrackingClient({ project: 'p', storageDir: storageDir() });
    const app = await new ApplicationBuilder().withActions({ echo }).withState({}).withEntrypoint('echo').withIdentifiers({ appId: 'e' }).withTracker(tracker).build();
    class Client {}
    await app.step({ inputs: { client: new Client() } });
    const [begin, end] = await readJsonLines(join(tracker.appDir('e'), 'log.jsonl'));
    expect(begin!.inputs).toEqual({ client: expect.stringMatching(/^<not serializable: .*Client has no serde/) });
    expect(end!.result).toEqual({ fn: expect.stringMatching(/^<not serializable: .*function/), ok: true });
  });

  it('refuses a state the serde cannot write, before writing the end_entry', async () => {
    const bad = action({ reads: [], writes: ['cb'], run: (s) => s.update({ cb: () => 1 }) });
    const tracker = new LocalTrackingClient({ project: 'p', storageDir: storageDir() });
    const app = await new ApplicationBuilder().withActions({ bad }).withState({}).withEntrypoint('bad').withIdentifiers({ appId: 'b' }).withTracker(tracker).build();
    await expect(app.step()).rejects.toMatchObject({ code: 'BURR_SERIALIZATION', keyPath: ['cb'] });
    const lines = await readJsonLines(join(tracker.appDir('b'), 'log.jsonl'));
    expect(lines.map((l) => l.type)).toEqual(['begin_entry']);
  });

  it('wraps a result that is not an object, since the UI reads `result` as a dict', async () => {
    const tracker = new LocalTrackingClient({ project: 'p', storageDir: storageDir() });
    await tracker.postApplicationCreate({ appId: 'r', partitionKey: null, state: new State(), graph: { entrypoint: 'a', actions: [], transitions: [] }, parentPointer: null });
    await tracker.postRunStep({ appId: 'r', partitionKey: null, sequenceId: 0, action: 'a', state: new State({ k: 1 }), result: 'plain text', error: null });
    const [end] = await readJsonLines(join(tracker.appDir('r'), 'log.jsonl'));
    expect(end!.result).toEqual({ value: 'plain text' });
  });
});
