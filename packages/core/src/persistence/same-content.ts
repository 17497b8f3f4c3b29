import { parsePythonJson } from '../serde/python-json.js';

/**
 * Whether two serialized states hold the same content. Backends may give the
 * text back changed (PostgreSQL JSONB reorders keys, drops whitespace and
 * rewrites number text), so equal text is only the fast path: otherwise both
 * are parsed and compared as values, with object key order ignored. Text that
 * does not parse is only the same when it is byte for byte equal.
 */
export function sameStateContent(ours: string, stored: string): boolean {
  if (ours === stored) return true;
  let left: unknown;
  let right: unknown;
  try {
    left = parsePythonJson(ours);
    right = parsePythonJson(stored);
  } catch {
    return false;
  }
  return sameJsonValue(left, right);
}

/** Deep equality of parsed JSON values (numbers by value, NaN equal to NaN, integers beyond 2^53 as bigints). */
function sameJsonValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJsonValue(item, b[i]));
  }
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  const bRecord = b as Record<string, unknown>;
  const aRecord = a as Record<string, unknown>;
  return aKeys.every((key) => Object.hasOwn(bRecord, key) && sameJsonValue(aRecord[key], bRecord[key]));
}
