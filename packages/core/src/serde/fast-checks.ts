import { SERDE_KEY } from './registry.js';

/**
 * Whether `JSON.stringify(value)` already writes exactly what the full serde
 * walk would: only strings, booleans, null, plain finite numbers, arrays and
 * plain objects without the tag key. It keeps no key path and no cycle set,
 * which makes it several times cheaper than the walk; anything else (a
 * Date, a bigint, NaN, a function, a cycle) answers `false`, and the caller
 * takes the full walk, which names the problem precisely.
 */
export function isPlainJson(value: unknown): boolean {
  try {
    return plain(value);
  } catch (error) {
    // A cycle recurses until the stack overflows: let the full walk report it.
    if (error instanceof RangeError) return false;
    throw error;
  }
}

function plain(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'number':
      return !isSpecialNumber(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!plain(value[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const object = value as Record<string, unknown>;
  for (const key in object) {
    if (key === SERDE_KEY || !plain(object[key])) return false;
  }
  return true;
}

/**
 * Whether parsed JSON holds an integer-valued number beyond 2^53, which
 * `JSON.parse` may have rounded (Python writes such integers exactly).
 */
export function hasUnsafeInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasUnsafeInteger(value[i])) return true;
    return false;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) if (hasUnsafeInteger(object[key])) return true;
  return false;
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
