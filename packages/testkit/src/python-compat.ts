import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { State, type BaseStateLoader, type BaseStatePersister, type PersistedStateData, type PersistStatus } from '@burr/core';
import type { TestApi } from './harness.js';

/** What Python's `load()` returned: a step, or `null`. */
export type PythonLoadResult = null | {
  partitionKey: string;
  appId: string;
  sequenceId: number;
  position: string;
  status: PersistStatus;
  state: Record<string, unknown>;
};

/** One `load()` call Python Burr made on the fixture, and what it returned. */
export interface PythonLoadCase {
  partitionKey: string | null;
  appId: string;
  sequenceId: number | null;
  expected: PythonLoadResult;
}

/** One `list_app_ids()` call and its result, sorted. */
export interface PythonListCase {
  partitionKey: string | null;
  appIds: string[];
}

/** One `load(partition_key, None)` call ("the last thing written" in the partition) and what it returned. */
export interface PythonLatestOfPartitionCase {
  partitionKey: string | null;
  expected: PythonLoadResult;
}

/** A store written by Python Burr plus what Python's loader returned for it. */
export interface PythonCompatFixture {
  /** The stored data, as the fixture's data file holds it (`burr_state.sql`: a dump with `CREATE TABLE`, the rows, the index). */
  data: string;
  /** The same text as {@link data}; the name from when every fixture was SQL. */
  sql: string;
  loads: PythonLoadCase[];
  listAppIds: PythonListCase[];
  /** `load(partition_key, None)` calls, where Python's persister supports them (its SQL ones); else empty. */
  latestOfPartition: PythonLatestOfPartitionCase[];
}

/** What one Python `load()` call returned, as the fixture records it. @inline */
type ExpectedResult = null | {
  partition_key: string | null;
  app_id: string;
  sequence_id: number;
  position: string;
  status: PersistStatus;
  created_at: string;
  state: Record<string, unknown>;
};

/** A fixture's `expected.json` as Python wrote it (snake_case; see {@link readPythonCompatFixture} for the decoded form). */
export interface PythonExpectedFile {
  load: Array<{ args: { partition_key: string | null; app_id: string; sequence_id: number | null }; result: ExpectedResult }>;
  list_app_ids: Record<string, string[]>;
  /** `list_app_ids()` exactly as Python returned it, repeats included (PostgreSQL repeats an app per distinct `created_at`). */
  list_app_ids_as_returned?: Record<string, string[]> | undefined;
  load_latest_of_partition?: Array<{ args: { partition_key: string | null }; result: ExpectedResult }> | undefined;
}

/** Reads a fixture's `expected.json` as Python wrote it, with its value markers (`$float`, `$bigint`) decoded. */
export function readPythonExpectedFile(dir: URL): PythonExpectedFile {
  return JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8'), reviveMarkers) as PythonExpectedFile;
}

const fromExpected = (result: ExpectedResult): PythonLoadResult =>
  result && {
    partitionKey: result.partition_key ?? '',
    appId: result.app_id,
    sequenceId: result.sequence_id,
    position: result.position,
    status: result.status,
    state: result.state,
  };

/**
 * Reads a Python-written fixture folder (see `packages/testkit/fixtures/`):
 * its data file (`burr_state.sql` unless `dataFile` names another) and
 * `expected.json`. Values JSON cannot carry come back as JavaScript values:
 * `{"$float": "nan"}` → `NaN` (also `inf`, `-inf`), `{"$bigint": "…"}` → bigint;
 * the partition key `"None"` of `list_app_ids` means `null`. A step Python
 * returned with partition `None` (MongoDB) has partition key `''` here, as
 * our loaders return it.
 */
export function readPythonCompatFixture(dir: URL, options: { dataFile?: string } = {}): PythonCompatFixture {
  const data = readFileSync(new URL(options.dataFile ?? 'burr_state.sql', dir), 'utf8');
  const expected = readPythonExpectedFile(dir);
  return {
    data,
    sql: data,
    loads: expected.load.map(({ args, result }) => ({
      partitionKey: args.partition_key,
      appId: args.app_id,
      sequenceId: args.sequence_id,
      expected: fromExpected(result),
    })),
    listAppIds: Object.entries(expected.list_app_ids).map(([key, appIds]) => ({ partitionKey: key === 'None' ? null : key, appIds })),
    latestOfPartition: (expected.load_latest_of_partition ?? []).map(({ args, result }) => ({ partitionKey: args.partition_key, expected: fromExpected(result) })),
  };
}

/**
 * The fixture as our loaders must answer it where Python's persister tells
 * partition `None` from `''` (Redis keys `None` as a partition named "None";
 * MongoDB matches `null` only; PostgreSQL's `list_app_ids(None)` compares
 * with `= NULL` and finds nothing) and we do not (docs/python-api-mapping.md,
 * "Where we deliberately differ", 1): a `load()` with either spelling expects
 * what Python returned for the spelling the app was saved under, and a
 * `list_app_ids()` with either expects the apps of both.
 */
export function unifyNoPartition(fixture: PythonCompatFixture): PythonCompatFixture {
  const noPartition = (key: string | null) => key === null || key === '';
  const loads = fixture.loads.map((call) => {
    if (call.expected !== null || !noPartition(call.partitionKey)) return call;
    const other = fixture.loads.find(
      (candidate) =>
        candidate.expected !== null &&
        noPartition(candidate.partitionKey) &&
        candidate.partitionKey !== call.partitionKey &&
        candidate.appId === call.appId &&
        candidate.sequenceId === call.sequenceId,
    );
    return other ? { ...call, expected: other.expected } : call;
  });
  const unified = [...new Set(fixture.listAppIds.filter((call) => noPartition(call.partitionKey)).flatMap((call) => call.appIds))].sort();
  const listAppIds = fixture.listAppIds.map((call) => (noPartition(call.partitionKey) ? { ...call, appIds: unified } : call));
  return { ...fixture, loads, listAppIds };
}

function reviveMarkers(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1) return value;
  const marker = value as { $float?: unknown; $bigint?: unknown };
  if (typeof marker.$bigint === 'string') return BigInt(marker.$bigint);
  if (marker.$float === 'nan') return NaN;
  if (marker.$float === 'inf') return Infinity;
  if (marker.$float === '-inf') return -Infinity;
  return value;
}

function isPersister(loader: BaseStateLoader): loader is BaseStatePersister {
  return typeof (loader as Partial<BaseStatePersister>).listApps === 'function' && typeof (loader as Partial<BaseStatePersister>).initialize === 'function';
}

/** Options of {@link runPythonCompatCases}. */
export interface PythonCompatOptions {
  /** Shown in test names, e.g. `"sqlite"`. */
  name: string;
  /** A Python-written fixture folder (a `file:` URL ending in `/`). */
  fixtureDir: URL;
  /** The fixture's data file, handed to {@link open}; default `burr_state.sql`. */
  dataFile?: string | undefined;
  /**
   * Python's persister for this backend tells partition `None` from `''` in
   * some call (Redis, MongoDB, PostgreSQL's `list_app_ids`): expect our
   * answers as {@link unifyNoPartition} describes.
   */
  unifyNoPartition?: boolean | undefined;
  /** A loader on a fresh store into which `data` (the fixture's data file) was loaded, used as is (no `initialize()`). */
  open(data: string): Promise<BaseStateLoader & { cleanup(): Promise<void> }>;
}

/** The fields of a loaded step that Python's result names, for comparison. */
function keyOf(loaded: { partitionKey: string; appId: string; sequenceId: number; position: string; status: PersistStatus }) {
  return { partitionKey: loaded.partitionKey, appId: loaded.appId, sequenceId: loaded.sequenceId, position: loaded.position, status: loaded.status };
}

/**
 * Registers one test per `load()` and `listAppIds()` call Python Burr made on
 * the fixture, each checking that our loader returns what Python's did:
 * key, position, status, and the state deep-equal (NaN, -0, bigints and the
 * order of top-level keys included). A last test initializes the store (on
 * SQL this creates and fills the app index) and checks the history calls on
 * what Python wrote: `listApps` lists every app with its latest step,
 * `listSteps` holds every step Python loaded, and `load(partitionKey, null)`
 * returns what Python's `load(partition_key, None)` did, where it has one.
 */
export function runPythonCompatCases(api: TestApi, options: PythonCompatOptions): void {
  const read = readPythonCompatFixture(options.fixtureDir, { dataFile: options.dataFile });
  const fixture = options.unifyNoPartition ? unifyNoPartition(read) : read;
  api.describe(`${options.name} reads what Python Burr wrote`, () => {
    let loader: (BaseStateLoader & { cleanup(): Promise<void> }) | undefined;
    const opened = (): BaseStateLoader => {
      assert.ok(loader, 'the fixture store did not open');
      return loader;
    };
    api.beforeAll(async () => {
      loader = await options.open(fixture.data);
    });
    api.afterAll(async () => {
      await loader?.cleanup();
    });

    for (const call of fixture.loads) {
      const title = `load(${JSON.stringify(call.partitionKey)}, ${JSON.stringify(call.appId)}, ${JSON.stringify(call.sequenceId)})`;
      api.it(`${title} returns what Python's load() returned`, async () => {
        const loaded = await opened().load(call.partitionKey, call.appId, call.sequenceId);
        if (call.expected === null) {
          assert.equal(loaded, null);
          return;
        }
        assert.ok(loaded, `${title} found nothing`);
        const { state, ...key } = call.expected;
        assert.deepEqual(keyOf(loaded), key);
        assert.deepEqual(loaded.state.getAll(), state);
        // Python keeps dict order; a plain object would move integer-like keys first, so compare only without them.
        const expectedKeys = Object.keys(state);
        if (!expectedKeys.some((k) => /^\d+$/.test(k))) assert.deepEqual(loaded.state.keys(), expectedKeys);
        assert.ok(loaded.createdAt instanceof Date && !Number.isNaN(loaded.createdAt.getTime()), 'createdAt must be a valid Date');
      });
    }

    for (const call of fixture.listAppIds) {
      api.it(`listAppIds(${JSON.stringify(call.partitionKey)}) returns Python's app ids`, async () => {
        const appIds = await opened().listAppIds(call.partitionKey);
        assert.deepEqual([...appIds].sort(), call.appIds);
      });
    }

    // Last: it initializes the store, which the cases above read as Python left it.
    api.it('after initialize(), listApps, listSteps and load(partitionKey, null) read every app Python wrote', async () => {
      const persister = opened();
      if (!isPersister(persister)) return;
      await persister.initialize();
      for (const call of fixture.listAppIds) {
        const { apps } = await persister.listApps(call.partitionKey, { limit: 1000 });
        assert.deepEqual(apps.map((app) => app.appId).sort(), call.appIds);
        for (const app of apps) {
          const latest = await persister.load(call.partitionKey, app.appId);
          assert.ok(latest, `${app.appId} has no latest step`);
          assert.deepEqual([app.lastSequenceId, app.lastPosition, app.lastStatus], [latest.sequenceId, latest.position, latest.status]);
          // Every step Python loaded by its sequence id is in the app's history, with its position and status.
          const { steps } = await persister.listSteps(call.partitionKey, app.appId, { order: 'oldest-first', limit: 1000 });
          for (const loadCall of fixture.loads) {
            if (loadCall.expected === null || loadCall.sequenceId === null || loadCall.appId !== app.appId || loadCall.expected.partitionKey !== latest.partitionKey) continue;
            const { sequenceId, position, status } = loadCall.expected;
            assert.ok(
              steps.some((step) => step.sequenceId === sequenceId && step.position === position && step.status === status),
              `listSteps(${JSON.stringify(call.partitionKey)}, ${JSON.stringify(app.appId)}) lacks step ${sequenceId} (${position}, ${status})`,
            );
          }
        }
      }
      for (const call of fixture.latestOfPartition) {
        const latest = await persister.load(call.partitionKey, null);
        if (call.expected === null) assert.equal(latest, null);
        else {
          assert.ok(latest, `load(${JSON.stringify(call.partitionKey)}, null) found nothing`);
          assert.deepEqual(keyOf(latest), keyOf(call.expected));
          assert.deepEqual(latest.state.getAll(), call.expected.state);
        }
      }
    });
  });
}

/**
 * Saves the next step of the app every Python fixture has in partition
 * `user1`, `app-E` (latest: step #3, `counter`, count 102), as a TypeScript
 * app resuming it would: step #4 at `flaky`, count 202. Returns the step it
 * loaded first.
 */
export async function continuePythonFixtureApp(persister: BaseStatePersister): Promise<PersistedStateData | null> {
  const resumed = await persister.load('user1', 'app-E');
  assert.ok(resumed, 'the fixture holds user1/app-E');
  await persister.save({
    partitionKey: 'user1',
    appId: 'app-E',
    sequenceId: 4,
    position: 'flaky',
    state: new State({ ...resumed.state.getAll(), count: 202, __SEQUENCE_ID: 4, __PRIOR_STEP: 'flaky' }),
    status: 'completed',
  });
  return resumed;
}
