import { SERDE_KEY } from '@burr/core';

/** One step of a path into a state: an object key or an array index. */
export type PathSegment = string | number;

/** One difference between two states, at `path` (`[]` is the state itself). */
export type DiffEntry =
  | { kind: 'added'; path: PathSegment[]; after: unknown }
  | { kind: 'removed'; path: PathSegment[]; before: unknown }
  | { kind: 'changed'; path: PathSegment[]; before: unknown; after: unknown }
  /** A list that grew at its end: `items` were appended after index `fromIndex - 1`. */
  | { kind: 'appended'; path: PathSegment[]; fromIndex: number; items: unknown[] }
  /** A list that lost its last `items.length` items, from index `fromIndex` on. */
  | { kind: 'truncated'; path: PathSegment[]; fromIndex: number; items: unknown[] };

/** What {@link diffStates} found. */
export interface StateDiff {
  entries: DiffEntry[];
  /** Differences past `maxEntries` that were counted but not kept. */
  omitted: number;
  /** Top-level keys starting with `__` (Burr's bookkeeping) that were left out of the comparison. */
  hiddenKeysSkipped: boolean;
}

/** Options of {@link diffStates}. */
export interface DiffOptions {
  /** Compare `__` keys too (default `false`: `__SEQUENCE_ID` and `__PRIOR_STEP` change at every step). */
  includeHidden?: boolean | undefined;
  /** Entries kept (default 1000); the rest are only counted. */
  maxEntries?: number | undefined;
}

/**
 * Compares two states in their stored form (plain JSON trees, tagged values
 * as `{__burr_serde__, value}` objects compared whole). Objects are compared
 * key by key; lists item by item over their common length, then what one has
 * past the other's end is `appended` or `truncated`.
 */
export function diffStates(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>, options: DiffOptions = {}): StateDiff {
  const maxEntries = options.maxEntries ?? 1000;
  const diff: StateDiff = { entries: [], omitted: 0, hiddenKeysSkipped: false };
  const push = (entry: DiffEntry): void => {
    if (diff.entries.length < maxEntries) diff.entries.push(entry);
    else diff.omitted++;
  };
  const visible = (key: string): boolean => {
    if (options.includeHidden || !key.startsWith('__')) return true;
    diff.hiddenKeysSkipped = true;
    return false;
  };
  compareObjects(before, after, [], push, visible);
  return diff;
}

function compareObjects(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  path: PathSegment[],
  push: (entry: DiffEntry) => void,
  visible: (key: string) => boolean = () => true,
): void {
  for (const key of Object.keys(before)) {
    if (!visible(key)) continue;
    if (!Object.hasOwn(after, key)) push({ kind: 'removed', path: [...path, key], before: before[key] });
    else compareValues(before[key], after[key], [...path, key], push);
  }
  for (const key of Object.keys(after)) {
    if (!Object.hasOwn(before, key) && visible(key)) push({ kind: 'added', path: [...path, key], after: after[key] });
  }
}

function compareValues(before: unknown, after: unknown, path: PathSegment[], push: (entry: DiffEntry) => void): void {
  if (Array.isArray(before) && Array.isArray(after)) {
    const common = Math.min(before.length, after.length);
    for (let index = 0; index < common; index++) compareValues(before[index], after[index], [...path, index], push);
    if (after.length > common) push({ kind: 'appended', path, fromIndex: common, items: after.slice(common) });
    if (before.length > common) push({ kind: 'truncated', path, fromIndex: common, items: before.slice(common) });
    return;
  }
  if (isPlainObject(before) && isPlainObject(after) && !isTagged(before) && !isTagged(after)) {
    compareObjects(before, after, path, push);
    return;
  }
  if (!deepEqual(before, after)) push({ kind: 'changed', path, before, after });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value Burr's serde tagged (a date, a set, your own type): compared whole, not key by key. */
function isTagged(value: Record<string, unknown>): boolean {
  return Object.hasOwn(value, SERDE_KEY);
}

/** Equality of stored-form values: NaN equals NaN, -0 is not 0 (Python keeps `-0.0`), bigints by value. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a === 'bigint' || typeof b === 'bigint') return typeof a === typeof b && a === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}
