import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { BaseStateLoader, BaseStatePersister, PersistStatus } from '@burr/core';
import type { TestApi } from './harness.js';

/** One `load()` call Python Burr made on the fixture, and what it returned. */
export interface PythonLoadCase {
  partitionKey: string | null;
  appId: string;
  sequenceId: number | null;
  expected: null | {
    partitionKey: string;
    appId: string;
    sequenceId: number;
    position: string;
    status: PersistStatus;
    state: Record<string, unknown>;
  };
}

/** One `list_app_ids()` call and its result, sorted. */
export interface PythonListCase {
  partitionKey: string | null;
  appIds: string[];
}

/** A database written by Python Burr (as SQL text) plus what Python's loader returned for it. */
export interface PythonCompatFixture {
  /** SQLite dump: `CREATE TABLE`, the rows, the index. */
  sql: string;
  loads: PythonLoadCase[];
  listAppIds: PythonListCase[];
}

interface ExpectedFile {
  load: Array<{
    args: { partition_key: string | null; app_id: string; sequence_id: number | null };
    result: null | { partition_key: string; app_id: string; sequence_id: number; position: string; status: PersistStatus; state: Record<string, unknown> };
  }>;
  list_app_ids: Record<string, string[]>;
}

/**
 * Reads a Python-written fixture folder (see `packages/testkit/fixtures/`) (`burr_state.sql` and
 * `expected.json`). Values JSON cannot carry come back as JavaScript values:
 * `{"$float": "nan"}` → `NaN` (also `inf`, `-inf`), `{"$bigint": "…"}` → bigint;
 * the partition key `"None"` of `list_app_ids` means `null`.
 */
export function readPythonCompatFixture(dir: URL): PythonCompatFixture {
  const sql = readFileSync(new URL('burr_state.sql', dir), 'utf8');
  const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8'), reviveMarkers) as ExpectedFile;
  return {
    sql,
    loads: expected.load.map(({ args, result }) => ({
      partitionKey: args.partition_key,
      appId: args.app_id,
      sequenceId: args.sequence_id,
      expected: result && {
        partitionKey: result.partition_key,
        appId: result.app_id,
        sequenceId: result.sequence_id,
        position: result.position,
        status: result.status,
        state: result.state,
      },
    })),
    listAppIds: Object.entries(expected.list_app_ids).map(([key, appIds]) => ({ partitionKey: key === 'None' ? null : key, appIds })),
  };
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
  /** A loader on a fresh database into which `sql` (the fixture's dump) was loaded, used as is (no `initialize()`). */
  open(sql: string): Promise<BaseStateLoader & { cleanup(): Promise<void> }>;
}

/**
 * Registers one test per `load()` and `listAppIds()` call Python Burr made on
 * the fixture, each checking that our loader returns what Python's did:
 * key, position, status, and the state deep-equal (NaN, -0, bigints and the
 * order of top-level keys included).
 */
export function runPythonCompatCases(api: TestApi, options: PythonCompatOptions): void {
  const fixture = readPythonCompatFixture(options.fixtureDir);
  api.describe(`${options.name} reads what Python Burr wrote`, () => {
    let loader: (BaseStateLoader & { cleanup(): Promise<void> }) | undefined;
    const opened = (): BaseStateLoader => {
      assert.ok(loader, 'the fixture database did not open');
      return loader;
    };
    api.beforeAll(async () => {
      loader = await options.open(fixture.sql);
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
        assert.deepEqual({ partitionKey: loaded.partitionKey, appId: loaded.appId, sequenceId: loaded.sequenceId, position: loaded.position, status: loaded.status }, key);
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

    // Last: it initializes the database, which the cases above read as Python left it.
    api.it('after initialize(), listApps indexes every app Python wrote, each with its latest step', async () => {
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
        }
      }
    });
  });
}
