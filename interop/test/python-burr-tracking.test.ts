import { action, ApplicationBuilder, expr, type PersistedStateData, type SerdeKwargs, type State } from '@burr/core';
import { temporaryDirectory } from '@burr/testkit';
import { LocalTrackingClient } from '@burr/tracking';
import { afterAll, describe, expect, it } from 'vitest';
import { findPythonBurr, type PythonTrackingOp } from '../src/python-burr.js';
import { comparable, py, toPython } from '../src/python-values.js';

/**
 * Tracking folders both ways, against the real Python Burr: our
 * `LocalTrackingClient` and Python Burr's write `<storage>/<project>/<app id>/`
 * (`graph.json`, `metadata.json`, `log.jsonl`, `children.jsonl`), and each
 * side loads, resumes and forks what the other tracked. Python runs
 * `python/tracking_ops.py`: its tracker's `load()` and `list_app_ids()`, the
 * same four-action app built with its `ApplicationBuilder`, and what Burr's UI
 * parses of an app with the UI's own pydantic models.
 */

const python = findPythonBurr();
const PROJECT = 'interop';

/**
 * The app both sides build: start -> counter; counter -> counter while
 * count < 2; counter -> boom; boom -> finish. `boom` throws when its input
 * `explode` is true. Ours appends `ts:<count>` to history, Python's `py:<count>`.
 */
function trackedApp(tracker: LocalTrackingClient) {
  const start = action({
    reads: [],
    writes: ['values', 'count', 'history'],
    inputs: ['values'],
    run: (state: State, inputs) => state.update({ values: inputs.values, count: 0, history: [] }),
  });
  const counter = action({
    reads: ['count', 'history'],
    writes: ['count', 'history'],
    run: (state: State) => {
      const count = (state.get('count') as number) + 1;
      return state.update({ count, history: [...(state.get('history') as string[]), `ts:${count}`] });
    },
  });
  const boom = action({
    reads: ['count'],
    writes: ['recovered'],
    inputs: ['explode'],
    run: (state: State, inputs) => {
      if (inputs.explode === true) throw new Error('typescript outage');
      return state.update({ recovered: true });
    },
  });
  const finish = action({ reads: ['count'], writes: ['done'], run: (state: State) => state.update({ done: true }) });
  return new ApplicationBuilder()
    .withActions({ start, counter, boom, finish })
    .withTransitions(['start', 'counter'], ['counter', 'counter', expr((s) => (s.get('count') as number) < 2, 'count < 2')], ['counter', 'boom'], ['boom', 'finish'])
    .withTracker(tracker);
}

/** What Python's tracker `load()` returned through `tracking_ops.py` (`state` described by type). */
interface PythonTrackedStep {
  partition_key: string | null;
  app_id: string;
  sequence_id: number;
  position: string;
  status: 'completed' | 'failed';
  created_at: string;
  state: { t: 'dict'; v: Array<[string, unknown]> };
}

/** What Burr's UI parsed of an app (`ui_read` in `tracking_ops.py`). */
interface UiRead {
  graph: {
    entrypoint: string;
    actions: Array<{ name: string; reads: string[]; writes: string[]; inputs: string[] }>;
    transitions: Array<{ from: string; to: string; condition: string }>;
  };
  metadata: { partition_key: string | null; parent_pointer: unknown; spawning_parent_pointer: unknown };
  num_steps: number;
  steps: Array<{ sequence_id: number; action: string; inputs: Record<string, unknown>; ended: boolean; failed: boolean; result: unknown; start_before_end: boolean }>;
  children: Array<Record<string, unknown>>;
}

/** A Python state description as a map of key → description, with sets (and, with `keepsOrder` false, dicts) made order-free. */
function describedState(loaded: unknown): Record<string, unknown> {
  const { state } = loaded as PythonTrackedStep;
  expect(state.t).toBe('dict');
  return Object.fromEntries(state.v.map(([key, value]) => [key, comparable(value, true)]));
}

const stepOf = (loaded: unknown) => {
  const { partition_key, app_id, sequence_id, position, status, created_at } = loaded as PythonTrackedStep;
  expect(created_at, 'created_at (the log file ctime)').toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  return { partition_key, app_id, sequence_id, position, status };
};
const tsStep = (loaded: PersistedStateData | null) =>
  loaded && { partitionKey: loaded.partitionKey, appId: loaded.appId, sequenceId: loaded.sequenceId, position: loaded.position, status: loaded.status };

/** Every value type our serde tags, plus plain JSON edge cases, as a TypeScript app's state holds them. */
const TS_VALUES = {
  when: new Date('2026-11-22T01:57:00.123Z'),
  tags: new Set(['a', 'b']),
  byName: new Map<unknown, unknown>([['k', 1]]),
  byNumber: new Map<unknown, unknown>([[2, 'two']]),
  big: 2n ** 64n + 1n,
  raw: new Uint8Array([0, 1, 254, 255]),
  quarter: 0.25,
  beyond: 2 ** 60,
  missing: Number.NaN,
  text: 'é中😀 "quoted"\n',
  nested: { a: [1, { b: null }], deep: { deeper: { deepest: [true, -7] } } },
};

/** The same values as Python holds them after `burr_ts_serde.register()` (serde_ops.describe()). */
const TS_VALUES_IN_PYTHON = py.dict(
  ['when', py.datetime('2026-11-22T01:57:00.123000+00:00')],
  ['tags', py.set('a', 'b')],
  ['byName', py.tsMap(['k', py.int(1)])],
  ['byNumber', py.tsMap([py.int(2), 'two'])],
  ['big', py.bigint(2n ** 64n + 1n)],
  ['raw', py.bytes('AAH+/w==')],
  ['quarter', py.float('0.25')],
  ['beyond', py.float('1.152921504606847e+18')],
  ['missing', py.float('nan')],
  ['text', 'é中😀 "quoted"\n'],
  ['nested', py.dict(['a', py.list(py.int(1), py.dict(['b', null]))], ['deep', py.dict(['deeper', py.dict(['deepest', py.list(true, py.int(-7))])])])],
);

if ('skip' in python) {
  describe.skip(`Python Burr's tracker and ours share tracking folders [skipped: ${python.skip}]`, () => it('is skipped', () => {}));
} else if (python.missingTracker() !== undefined) {
  describe.skip(`Python Burr's tracker and ours share tracking folders [skipped: ${python.missingTracker()}]`, () => it('is skipped', () => {}));
} else {
  describe(`Python Burr ${python.version}'s LocalTrackingClient and ours share tracking folders`, () => {
    const dir = temporaryDirectory('interop-tracking');
    afterAll(() => dir.remove());
    const storage = { storage_dir: dir.dir, project: PROJECT };
    const ours = (serdeKwargs?: SerdeKwargs) => new LocalTrackingClient({ project: PROJECT, storageDir: dir.dir, ...(serdeKwargs ? { serdeKwargs } : {}) });
    const runPython = (ops: PythonTrackingOp[], register = true) => python.runTracking(storage, ops, { register });

    describe('TypeScript tracks, Python Burr loads and resumes', () => {
      const appId = 'ts-app';
      const partitionKey = 'tenant-ts';

      it("our tracker logs 3 steps and a failed one; Python's load() returns each by sequence id, the latest as failed with the state before it", async () => {
        const tracker = ours();
        const app = await trackedApp(tracker).withState({}).withEntrypoint('start').withIdentifiers({ appId, partitionKey }).build();
        await app.step({ inputs: { values: TS_VALUES } });
        await app.step();
        await app.step();
        await expect(app.step({ inputs: { explode: true } })).rejects.toThrow('typescript outage');
        await tracker.flush();

        const [latest, ...bySequenceId] = await runPython([
          { op: 'load', partition_key: partitionKey, app_id: appId },
          ...[0, 1, 2, 3, 9].map((sequence_id): PythonTrackingOp => ({ op: 'load', partition_key: partitionKey, app_id: appId, sequence_id })),
        ]);
        expect(stepOf(latest)).toEqual({ partition_key: partitionKey, app_id: appId, sequence_id: 3, position: 'boom', status: 'failed' });
        // Python's tracker drops hidden keys but __SEQUENCE_ID, as ours does.
        expect(describedState(latest)).toEqual({
          values: comparable(TS_VALUES_IN_PYTHON, true),
          count: py.int(2),
          history: py.list('ts:1', 'ts:2'),
          __SEQUENCE_ID: py.int(3),
        });
        expect(bySequenceId.slice(0, 4).map(stepOf)).toEqual(
          ['start', 'counter', 'counter', 'boom'].map((position, sequence_id) => ({
            partition_key: partitionKey,
            app_id: appId,
            sequence_id,
            position,
            status: position === 'boom' ? 'failed' : 'completed',
          })),
        );
        expect(bySequenceId.slice(0, 4).map((step) => describedState(step).count)).toEqual([py.int(0), py.int(1), py.int(2), py.int(2)]);
        // Where ours returns null, Python's tracker raises.
        expect(bySequenceId[4]).toEqual({ error: `ValueError: Sequence number 9 not found for ${PROJECT}/${appId}.` });
        expect(await tracker.load(partitionKey, appId, 9)).toBeNull();
      });

      it("Burr's UI parses our files with its own models: graph, metadata, every step with its inputs, the failed one", async () => {
        const [ui] = (await runPython([{ op: 'ui_read', app_id: appId }])) as [UiRead];
        expect(ui.graph).toEqual({
          entrypoint: 'start',
          actions: [
            { name: 'start', reads: [], writes: ['values', 'count', 'history'], inputs: ['values'] },
            { name: 'counter', reads: ['count', 'history'], writes: ['count', 'history'], inputs: [] },
            { name: 'boom', reads: ['count'], writes: ['recovered'], inputs: ['explode'] },
            { name: 'finish', reads: ['count'], writes: ['done'], inputs: [] },
          ],
          transitions: [
            { from: 'start', to: 'counter', condition: 'default' },
            { from: 'counter', to: 'counter', condition: 'count < 2' },
            { from: 'counter', to: 'boom', condition: 'default' },
            { from: 'boom', to: 'finish', condition: 'default' },
          ],
        });
        expect(ui.metadata).toMatchObject({ partition_key: partitionKey, parent_pointer: null, spawning_parent_pointer: null });
        expect(ui.num_steps).toBe(4);
        expect(ui.steps.map(({ sequence_id, action, ended, failed, start_before_end }) => ({ sequence_id, action, ended, failed, start_before_end }))).toEqual(
          ['start', 'counter', 'counter', 'boom'].map((action, sequence_id) => ({ sequence_id, action, ended: true, failed: action === 'boom', start_before_end: true })),
        );
        expect(ui.steps[0]!.inputs).toMatchObject({
          values: {
            when: { __burr_serde__: 'date', value: '2026-11-22T01:57:00.123Z' },
            big: { __burr_serde__: 'bigint', value: String(TS_VALUES.big) },
            missing: { $float: 'nan' },
            text: TS_VALUES.text,
          },
        });
        expect(ui.steps[3]!.inputs).toEqual({ explode: true });
        expect(ui.steps[3]!.result).toBeNull();
        expect(ui.children).toEqual([]);
      });

      it("Python Burr's ApplicationBuilder resumes it from our files at the failed action, and we load what it logged", async () => {
        const [run] = (await runPython([{ op: 'run', app_id: appId, partition_key: partitionKey, resume: true, steps: [{ explode: false }, {}] }])) as [
          { first_action: string; steps: Array<{ action: string | null; sequence_id: number; error: string | null }> },
        ];
        expect(run.first_action).toBe('boom');
        expect(run.steps).toEqual([
          { action: 'boom', sequence_id: 4, error: null },
          { action: 'finish', sequence_id: 5, error: null },
        ]);

        const tracker = ours();
        const latest = await tracker.load(partitionKey, appId);
        expect(tsStep(latest)).toEqual({ partitionKey, appId, sequenceId: 5, position: 'finish', status: 'completed' });
        // Every tagged value comes back as the same type; Python's tracker logs NaN as null (pydantic's JSON).
        expect(latest!.state.getAll()).toEqual({
          values: { ...TS_VALUES, missing: null },
          count: 2,
          history: ['ts:1', 'ts:2'],
          recovered: true,
          done: true,
          __SEQUENCE_ID: 5,
        });
        expect(tsStep(await tracker.load(partitionKey, appId, 3))).toMatchObject({ position: 'boom', status: 'failed' });
        expect(tsStep(await tracker.load(partitionKey, appId, 4))).toMatchObject({ position: 'boom', status: 'completed' });
        expect(await tracker.listAppIds(partitionKey)).toEqual([appId]);
        // Python's tracker lists no apps: its list_app_ids() is a stub returning [].
        expect(await runPython([{ op: 'list_app_ids', partition_key: partitionKey }])).toEqual([[]]);
      });

      it("with valueEncoding 'python-plain', stock Python Burr loads and resumes it, and we read back plain JSON", async () => {
        const plainId = 'ts-plain';
        const tracker = ours({ valueEncoding: 'python-plain' });
        const { byNumber: _notPlain, missing: _nan, ...plainValues } = TS_VALUES;
        const app = await trackedApp(tracker).withState({}).withEntrypoint('start').withIdentifiers({ appId: plainId }).build();
        await app.step({ inputs: { values: plainValues } });
        await app.step();
        await app.step();
        await tracker.flush();

        const [latest, ui, run] = await runPython(
          [
            { op: 'load', partition_key: null, app_id: plainId },
            { op: 'ui_read', app_id: plainId },
            { op: 'run', app_id: plainId, partition_key: null, resume: true, steps: [{ explode: false }, {}] },
          ],
          false,
        );
        expect(stepOf(latest)).toEqual({ partition_key: null, app_id: plainId, sequence_id: 2, position: 'counter', status: 'completed' });
        // No partition is null in metadata.json, as Python writes it.
        expect((ui as UiRead).metadata.partition_key).toBeNull();
        expect(describedState(latest).values).toEqual(
          comparable(
            py.dict(
              ['when', '2026-11-22T01:57:00.123Z'],
              ['tags', py.list('a', 'b')],
              ['byName', py.dict(['k', py.int(1)])],
              ['big', py.int(2n ** 64n + 1n)],
              ['raw', 'AAH+/w=='],
              ['quarter', py.float('0.25')],
              ['beyond', py.float('1.152921504606847e+18')],
              ['text', TS_VALUES.text],
              ['nested', py.dict(['a', py.list(py.int(1), py.dict(['b', null]))], ['deep', py.dict(['deeper', py.dict(['deepest', py.list(true, py.int(-7))])])])],
            ),
            true,
          ),
        );
        expect(run).toMatchObject({
          first_action: 'boom',
          steps: [
            { action: 'boom', sequence_id: 3 },
            { action: 'finish', sequence_id: 4 },
          ],
        });

        const back = await tracker.load(null, plainId);
        expect(tsStep(back)).toEqual({ partitionKey: '', appId: plainId, sequenceId: 4, position: 'finish', status: 'completed' });
        expect(back!.state.get('values')).toEqual({ ...plainValues, when: '2026-11-22T01:57:00.123Z', tags: ['a', 'b'], byName: { k: 1 }, raw: 'AAH+/w==' });
      });
    });

    describe('Python Burr tracks, TypeScript loads, resumes and forks', () => {
      const appId = 'py-app';
      const partitionKey = 'tenant-py';
      /** What the Python app stores, in serde_ops' `$py` notation. */
      const PYTHON_VALUES = {
        when: toPython.datetime('2026-11-22T01:57:00.123456+00:00'),
        tags: toPython.set('a'),
        raw: toPython.bytes('AAH+/w=='),
        big: toPython.int(2n ** 70n),
        half: toPython.float('2.5'),
        whole: toPython.float('2.0'),
        byNumber: toPython.tsMap([1, 'one']),
        text: 'é中😀',
        nested: { a: [1, { b: null }] },
      };
      /** The same values as we load them (burr_ts_serde registered in Python). */
      const PYTHON_VALUES_HERE = {
        when: new Date('2026-11-22T01:57:00.123Z'),
        tags: new Set(['a']),
        raw: new Uint8Array([0, 1, 254, 255]),
        big: 2n ** 70n,
        half: 2.5,
        whole: 2,
        byNumber: new Map([[1, 'one']]),
        text: 'é中😀',
        nested: { a: [1, { b: null }] },
      };

      it('Python Burr runs 3 steps and a failed one (and a second app with no partition); our load() and listAppIds() read them', async () => {
        const [run, other] = (await runPython([
          { op: 'run', app_id: appId, partition_key: partitionKey, steps: [{ values: PYTHON_VALUES }, {}, {}, { explode: true }] },
          { op: 'run', app_id: 'py-other', partition_key: null, steps: [{ values: { n: 1 } }, {}] },
        ])) as Array<{ steps: Array<{ action: string | null; sequence_id: number; error: string | null }> }>;
        expect(run!.steps.map((step) => step.error)).toEqual([null, null, null, 'RuntimeError: python outage']);
        expect(other!.steps.map((step) => step.action)).toEqual(['start', 'counter']);

        const tracker = ours();
        const latest = await tracker.load(partitionKey, appId);
        expect(tsStep(latest)).toEqual({ partitionKey, appId, sequenceId: 3, position: 'boom', status: 'failed' });
        expect(latest!.state.getAll()).toEqual({ values: PYTHON_VALUES_HERE, count: 2, history: ['py:1', 'py:2'], __SEQUENCE_ID: 3 });
        expect(latest!.createdAt.getTime()).not.toBeNaN();
        const steps = await Promise.all([0, 1, 2, 3].map((sequenceId) => tracker.load(partitionKey, appId, sequenceId)));
        expect(steps.map((step) => [step?.position, step?.status, step?.state.get('count')])).toEqual([
          ['start', 'completed', 0],
          ['counter', 'completed', 1],
          ['counter', 'completed', 2],
          ['boom', 'failed', 2],
        ]);
        expect(await tracker.load(partitionKey, appId, 9)).toBeNull();
        // Python wrote the partition in metadata.json: another partition does not see the app.
        expect(await tracker.load('another', appId)).toBeNull();
        expect(await tracker.listAppIds(partitionKey)).toEqual([appId]);
        expect(await tracker.listAppIds(null)).toContain('py-other');
        expect(await tracker.listAppIds(null)).not.toContain(appId);
        expect(tsStep(await tracker.load(partitionKey, null))).toEqual({ partitionKey, appId, sequenceId: 3, position: 'boom', status: 'failed' });
        expect(tsStep(await tracker.load(null, 'py-other'))).toEqual({ partitionKey: '', appId: 'py-other', sequenceId: 1, position: 'counter', status: 'completed' });
      });

      it('our ApplicationBuilder resumes it at the failed action, appends to its log, and Python Burr loads what we logged', async () => {
        const tracker = ours();
        const app = await trackedApp(tracker)
          .initializeFrom(tracker, { resumeAtNextAction: true, defaultEntrypoint: 'start', defaultState: {} })
          .withIdentifiers({ appId, partitionKey })
          .build();
        expect(app.getNextAction()).toBe('boom');
        expect(app.sequenceId).toBe(3);
        await app.step({ inputs: { explode: false } });
        await app.step();
        expect(app.sequenceId).toBe(5);
        await tracker.flush();

        const [latest, failed, ui] = await runPython([
          { op: 'load', partition_key: partitionKey, app_id: appId },
          { op: 'load', partition_key: partitionKey, app_id: appId, sequence_id: 3 },
          { op: 'ui_read', app_id: appId },
        ]);
        expect(stepOf(latest)).toEqual({ partition_key: partitionKey, app_id: appId, sequence_id: 5, position: 'finish', status: 'completed' });
        expect(describedState(latest)).toEqual({
          values: comparable(
            py.dict(
              ['when', py.datetime('2026-11-22T01:57:00.123000+00:00')],
              ['tags', py.set('a')],
              ['raw', py.bytes('AAH+/w==')],
              ['big', py.bigint(2n ** 70n)],
              ['half', py.float('2.5')],
              // The known difference: a whole float comes back to Python as an int once we saved it.
              ['whole', py.int(2)],
              ['byNumber', py.tsMap([py.int(1), 'one'])],
              ['text', 'é中😀'],
              ['nested', py.dict(['a', py.list(py.int(1), py.dict(['b', null]))])],
            ),
            true,
          ),
          count: py.int(2),
          history: py.list('py:1', 'py:2'),
          recovered: true,
          done: true,
          __SEQUENCE_ID: py.int(5),
        });
        expect(stepOf(failed)).toMatchObject({ sequence_id: 3, position: 'boom', status: 'failed' });
        const { graph, num_steps, steps } = ui as UiRead;
        // graph.json stays Python's (a resumed app keeps its first one).
        expect(graph.entrypoint).toBe('start');
        expect(num_steps).toBe(6);
        expect(steps.map(({ sequence_id, action, ended, failed: stepFailed }) => [sequence_id, action, ended, stepFailed])).toEqual([
          [0, 'start', true, false],
          [1, 'counter', true, false],
          [2, 'counter', true, false],
          [3, 'boom', true, true],
          [4, 'boom', true, false],
          [5, 'finish', true, false],
        ]);
      });

      it("we fork Python's app at step 1; Burr's UI shows the fork in the parent's children.jsonl and the child's metadata, and Python loads the child", async () => {
        const tracker = ours();
        const child = await trackedApp(tracker)
          .initializeFrom(tracker, { resumeAtNextAction: true, defaultEntrypoint: 'start', defaultState: {}, forkFromAppId: appId, forkFromSequenceId: 1 })
          .withIdentifiers({ appId: 'ts-fork', partitionKey })
          .build();
        expect(child.state.get('count')).toBe(1);
        expect(child.getNextAction()).toBe('counter');
        await child.step();
        await tracker.flush();

        const [parentUi, childUi, loaded] = await runPython([
          { op: 'ui_read', app_id: appId },
          { op: 'ui_read', app_id: 'ts-fork' },
          { op: 'load', partition_key: partitionKey, app_id: 'ts-fork' },
        ]);
        expect((parentUi as UiRead).children).toEqual([
          {
            type: 'child_application_data',
            child: { type: 'pointer_data', app_id: 'ts-fork', sequence_id: null, partition_key: partitionKey },
            event_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/),
            event_type: 'fork',
            sequence_id: 1,
          },
        ]);
        expect((childUi as UiRead).metadata).toMatchObject({
          partition_key: partitionKey,
          parent_pointer: { type: 'pointer_data', app_id: appId, sequence_id: 1, partition_key: partitionKey },
        });
        expect((childUi as UiRead).steps.map((step) => [step.sequence_id, step.action])).toEqual([[2, 'counter']]);
        expect(stepOf(loaded)).toEqual({ partition_key: partitionKey, app_id: 'ts-fork', sequence_id: 2, position: 'counter', status: 'completed' });
        expect(describedState(loaded).history).toEqual(py.list('py:1', 'ts:2'));
      });

      it('from stock Python Burr (no registration), datetime, set and bytes load as the strings Burr wrote, a big int as a bigint', async () => {
        const [run] = (await runPython(
          [
            {
              op: 'run',
              app_id: 'py-stock',
              partition_key: 'stock',
              steps: [{ values: { when: PYTHON_VALUES.when, tags: PYTHON_VALUES.tags, raw: PYTHON_VALUES.raw, big: PYTHON_VALUES.big, whole: PYTHON_VALUES.whole } }],
            },
          ],
          false,
        )) as Array<{ steps: Array<{ error: string | null }> }>;
        expect(run!.steps).toEqual([expect.objectContaining({ error: null })]);
        const loaded = await ours().load('stock', 'py-stock');
        expect(loaded!.state.get('values')).toEqual({ when: '2026-11-22 01:57:00.123456+00:00', tags: "{'a'}", raw: "b'\\x00\\x01\\xfe\\xff'", big: 2n ** 70n, whole: 2 });
      });
    });
  });
}
