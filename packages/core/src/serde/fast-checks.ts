import { MAX_NESTING_DEPTH } from './limits.js';
import { SERDE_KEY } from './registry.js';

/**
 * Whether `JSON.stringify(value)` already writes exactly what the full serde
 * walk would: only strings, booleans, null, plain finite numbers, arrays and
 * plain objects without the tag key or symbol keys, nested at most
 * {@link MAX_NESTING_DEPTH} deep (`depth` is the level `value` would sit at
 * if it is an array or object). It keeps no key path and no cycle set, which
 * makes it several times cheaper than the walk; anything else (a Date, a
 * bigint, NaN, `undefined` in an array, a hole, a cycle) answers `false`, and
 * the caller takes the full walk, which accepts it or names the problem.
 */
export function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return !isSpecialNumber(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  // The depth bound also ends a cycle, which the full walk then reports.
  if (depth > MAX_NESTING_DEPTH) return false;
  if (Array.isArray(value)) {
    // A hole reads as undefined, which is not plain: the walk refuses both.
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const object = value as Record<string, unknown>;
  for (const key in object) {
    const item = object[key];
    // An undefined member is left out, as JSON.stringify does.
    if (key === SERDE_KEY || (item !== undefined && !isPlainJson(item, depth + 1))) return false;
  }
  return Object.getOwnPropertySymbols(object).length === 0;
}

/** Thrown by {@link parsedJsonFlags} when parsed JSON nests deeper than {@link MAX_NESTING_DEPTH}. */
export class NestingTooDeepSignal {}

/** A flag of {@link parsedJsonFlags}: an integer-valued number beyond 2^53, which `JSON.parse` may have rounded (Python writes such integers exactly). */
export const UNSAFE_INTEGER = 1;
/** A flag of {@link parsedJsonFlags}: an object holding the serde tag key, a tagged value for `decodeValue` to rebuild. */
export const TAGGED = 2;
const EVERY_FLAG = UNSAFE_INTEGER | TAGGED;

/**
 * What parsed JSON holds that `JSON.parse` alone does not give back, as
 * flags: {@link UNSAFE_INTEGER}, {@link TAGGED}. Throws
 * {@link NestingTooDeepSignal} for an array or object deeper than
 * {@link MAX_NESTING_DEPTH} (`depth` is the level of `value`), so one walk
 * checks all three; the caller finds the path and reports it.
 */
export function parsedJsonFlags(value: unknown, depth: number): number {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value) ? UNSAFE_INTEGER : 0;
  if (value === null || typeof value !== 'object') return 0;
  if (depth > MAX_NESTING_DEPTH) throw new NestingTooDeepSignal();
  // Stopping once every flag is set is safe: an unsafe integer sends the text to the hand-written parser, which checks the depth itself.
  let flags = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && flags !== EVERY_FLAG; i++) flags |= parsedJsonFlags(value[i], depth + 1);
    return flags;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) {
    if (key === SERDE_KEY) flags |= TAGGED;
    flags |= parsedJsonFlags(object[key], depth + 1);
    if (flags === EVERY_FLAG) break;
  }
  return flags;
}

/**
 * The key path to the first array or object of parsed JSON that sits deeper
 * than {@link MAX_NESTING_DEPTH} (`root` being level 1), or `null`. Walks
 * without recursion, so any depth is safe; called only after a failure.
 */
export function pathTooDeep(root: unknown): Array<string | number> | null {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (path.length + 1 > MAX_NESTING_DEPTH) return path;
    const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], path: [...path, entries[i]![0]] });
  }
  return null;
}

/**
 * Whether a number needs writing by hand: a token plain JSON cannot write
 * (NaN, ±Infinity, -0.0), or an integer-valued double beyond 2^53, which
 * `JSON.stringify` writes as a bare integer that reads back as an integer
 * (a `bigint` here, an `int` in Python) instead of a float.
 */
export function isSpecialNumber(value: number): boolean {
  return !Number.isFinite(value) || Object.is(value, -0) || Math.abs(value) > Number.MAX_SAFE_INTEGER;
}
