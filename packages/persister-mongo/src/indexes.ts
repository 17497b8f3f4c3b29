import type { IndexDescription } from 'mongodb';

/**
 * The step key. Unique, so a second save of the same key fails inside the
 * server (duplicate key, code 11000) instead of racing a check-then-insert.
 * Its prefix also serves both `load()` queries: equality on partition and
 * app, then `sequence_id`/`position` walked forwards (a given sequence id)
 * or backwards (the latest step), so "latest for an app" needs no index of
 * its own. The history reads the same way: `listSteps` and prune's batches
 * are range scans of one app's `sequence_id`, and an app scan seeks from one
 * (partition, app) prefix to the next.
 */
export const STEP_KEY_INDEX = {
  name: 'burr_step_key',
  key: { partition_key: 1, app_id: 1, sequence_id: 1, position: 1 },
  unique: true,
} as const satisfies IndexDescription;

/** `listAppIds()` and "latest in a partition": one partition's steps by time of saving. */
export const CREATED_AT_INDEX = {
  name: 'burr_partition_created_at',
  key: { partition_key: 1, created_at: -1 },
} as const satisfies IndexDescription;

/** Every index `initialize()` creates. */
export const BURR_INDEXES: readonly IndexDescription[] = [STEP_KEY_INDEX, CREATED_AT_INDEX];

/** Whether `indexes` (from `listIndexes`) hold the unique step-key index, under any name. */
export function hasStepKeyIndex(indexes: ReadonlyArray<{ key?: unknown; unique?: unknown }>): boolean {
  const wanted = Object.entries(STEP_KEY_INDEX.key);
  return indexes.some((index) => {
    if (index.unique !== true || typeof index.key !== 'object' || index.key === null) return false;
    const actual = Object.entries(index.key);
    return actual.length === wanted.length && wanted.every(([field, direction], i) => actual[i]?.[0] === field && Number(actual[i]?.[1]) === direction);
  });
}
