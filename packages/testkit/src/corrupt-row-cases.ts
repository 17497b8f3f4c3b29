import assert from 'node:assert/strict';
import { DeserializationError, State, type BaseStatePersister, type StepPage } from '@burr/core';
import type { TestApi } from './harness.js';
import type { ProvidedDatabase } from './providers.js';
import { groupOrSkip, skipReasonOf, type ScratchStores } from './server-groups.js';

/** A stored field a corruption overwrites: the state's JSON, the status, or the creation time. */
export type RawStepField = 'state' | 'status' | 'created_at';

/** Which step a raw write targets. */
export interface RawStepKey {
  partitionKey: string;
  appId: string;
  sequenceId: number;
}

/** What a store's column types refuse to hold, so those corruptions cannot happen there and are left out. */
export interface CorruptionLimits {
  /** Whether the state is stored as text that may be any string (false for PostgreSQL JSONB: only valid JSON). Default true. */
  holdsMalformedJson?: boolean | undefined;
  /** Whether the creation time is stored as text that may be any string (false for a TIMESTAMP column). Default true. */
  holdsMalformedTimestamp?: boolean | undefined;
}

/** Options of {@link runCorruptRowCases}: the store, and how to corrupt a step in it. */
export interface CorruptRowOptions<P extends BaseStatePersister = BaseStatePersister> {
  /** Shown in test names, e.g. `"SQLite"`. */
  name: string;
  /** Where the store differs from the defaults of {@link CorruptionLimits}. */
  limits?: CorruptionLimits | undefined;
  /** The server the store lives on, or why there is none (every case is then registered as skipped, saying so); stopped after the cases. Omit for an embedded store. */
  server?: ProvidedDatabase | undefined;
  /** Where the steps are stored on `server` (a table, a key namespace), made once the server is there; dropped after the cases. */
  stores?: ((url: string) => ScratchStores) | undefined;
  /** A persister on the server at `url` (`''` without a server) storing in `store` (`''` without `stores`); the cases initialize it and clean it up. */
  open(url: string, store: string): P | Promise<P>;
  /**
   * Overwrites `field` of the stored step `key` with `value`, as the store
   * keeps it (text, JSON), with the driver itself (e.g. `persister.client`),
   * not through the persister; resolves to how many stored steps it changed.
   */
  writeRaw(persister: P, key: RawStepKey, field: RawStepField, value: string): Promise<number>;
  /** Called once after the cases, e.g. to remove a temporary folder. */
  teardown?(): Promise<void>;
}

/** Depth of the deeply nested corruption: far past the decoder's depth limit. */
const DEEP_NESTING = 5000;

interface Corruption {
  what: string;
  field: RawStepField;
  value: string;
  needs?: keyof CorruptionLimits | undefined;
}

const CORRUPTIONS: Corruption[] = [
  { what: 'truncated JSON', field: 'state', value: '{"count": 1, "history": [1, 2', needs: 'holdsMalformedJson' },
  { what: 'a JSON array where the state object belongs', field: 'state', value: '[1, 2, 3]' },
  { what: 'a bare JSON string', field: 'state', value: '"just text"' },
  { what: 'a bare JSON number', field: 'state', value: '42' },
  { what: 'a date tag whose value is no date', field: 'state', value: '{"when": {"__burr_serde__": "date", "value": "soon"}}' },
  { what: 'a map tag whose value is no list of pairs', field: 'state', value: '{"m": {"__burr_serde__": "map", "value": {"a": 1}}}' },
  { what: 'a set tag whose value is no list', field: 'state', value: '{"s": {"__burr_serde__": "set", "value": 7}}' },
  { what: 'a bigint tag whose value is no integer', field: 'state', value: '{"n": {"__burr_serde__": "bigint", "value": "12.5"}}' },
  {
    what: 'nesting far beyond the depth limit',
    field: 'state',
    value: `{"deep": ${'['.repeat(DEEP_NESTING)}${']'.repeat(DEEP_NESTING)}}`,
  },
  { what: 'an unknown status', field: 'status', value: 'paused' },
  { what: 'a timestamp that is no date', field: 'created_at', value: 'the day before yesterday', needs: 'holdsMalformedTimestamp' },
];

/**
 * Registers one case per kind of corrupt stored step the store can hold
 * (malformed or misshapen JSON, bad type tags, runaway nesting, an unknown
 * status, an unreadable time): `load()`, of the latest step and by sequence
 * id, must reject with a `DeserializationError` naming partition, app id and
 * sequence id (also as `storedStep`), never return a wrong state or crash;
 * `listSteps()` too when the status or the time is corrupt.
 */
export function runCorruptRowCases<P extends BaseStatePersister>(api: TestApi, options: CorruptRowOptions<P>): void {
  const title = `${options.name}: a corrupt stored step gives a DeserializationError naming partition, app id and sequence id`;
  // Field by field: a limit given as undefined keeps its default.
  const limits = { holdsMalformedJson: options.limits?.holdsMalformedJson ?? true, holdsMalformedTimestamp: options.limits?.holdsMalformedTimestamp ?? true };
  const { server } = options;
  groupOrSkip(api, title, skipReasonOf(server), (group) => {
    const url = server !== undefined && 'url' in server ? server.url : '';
    let stores: ScratchStores | undefined;
    let persister: P | undefined;
    const opened = async () => {
      if (persister === undefined) {
        stores = options.stores?.(url);
        persister = await options.open(url, stores?.next() ?? '');
        await persister.initialize();
      }
      return persister;
    };
    group.afterAll(async () => {
      await persister?.cleanup();
      await stores?.drop();
      await options.teardown?.();
      if (server !== undefined && 'stop' in server) await server.stop();
    });
    for (const [index, corruption] of CORRUPTIONS.entries()) {
      if (corruption.needs && !limits[corruption.needs]) continue;
      group.it(`for ${corruption.what}`, async () => {
        const store = await opened();
        const key = { partitionKey: 'tenant-7', appId: `app-${index}`, sequenceId: 3 };
        await store.save({ ...key, position: 'respond', state: new State({ count: 1 }), status: 'completed' });
        assert.equal(await options.writeRaw(store, key, corruption.field, corruption.value), 1, 'the raw write changed the one stored step');
        for (const sequenceId of [undefined, 3]) {
          const error = await store.load(key.partitionKey, key.appId, sequenceId).catch((caught: unknown) => caught);
          assert.ok(error instanceof DeserializationError, `load(…, ${sequenceId}) rejects with a DeserializationError, got ${String(error)}`);
          assert.ok(error.message.includes(`partition "tenant-7", app "${key.appId}", sequence "3"`), `the message names the step: ${error.message}`);
          assert.deepEqual(error.storedStep, key, 'storedStep names the step');
        }
        // A listing reads no state, but it reads the status and the time: a corrupt one there names its step alike.
        const listing = await store.listSteps(key.partitionKey, key.appId).catch((caught: unknown) => caught);
        if (corruption.field === 'state')
          assert.deepEqual(
            (listing as StepPage).steps.map((step) => step.sequenceId),
            [3],
            'the listing reads no state',
          );
        else {
          assert.ok(listing instanceof DeserializationError, `listSteps() rejects with a DeserializationError, got ${String(listing)}`);
          assert.deepEqual(listing.storedStep, key, 'storedStep names the step');
        }
      });
    }
  });
}
