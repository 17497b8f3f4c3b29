import { UnsupportedValueError, formatKeyPath } from '@burr/core';

/**
 * JSONB stores numbers as `numeric` and strings as `text`, which differs from
 * the JSON text we write in two ways this module deals with before a write:
 *
 * - `\u0000` is refused (`text` cannot hold NUL): we throw first, naming the key path;
 * - exponent forms lose their float-ness: `1e+22` comes back as the integer
 *   literal `10000000000000000000000`, which reads as a bigint. We write such
 *   doubles as `10000000000000000000000.0`, which JSONB keeps as written.
 */

/** A `\u0000` escape: preceded by an even number of backslashes (`\\u0000` is a backslash, then "u0000"). */
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;
/** A quick pre-check for exponent numbers; may also hit text inside strings, which the full scan skips. */
const MAYBE_BIG_EXPONENT = /\d[eE]\+?\d/;
/** Strings (skipped as they are) or numbers written with a non-negative exponent. */
const STRING_OR_EXPONENT_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?[eE]\+?\d+/g;

/**
 * Returns the JSON text of a serialized state as JSONB must receive it.
 * Throws {@link UnsupportedValueError} naming the key path when a string or
 * key holds a NUL character; nothing is written then.
 */
export function toJsonbText(json: string): string {
  // The substring search is cheap; the exact regex runs only when it hits.
  if (json.includes('\\u0000') && NUL_ESCAPE.test(json)) {
    throw new UnsupportedValueError(
      `Cannot store a NUL character (U+0000) at ${formatKeyPath(findStringPath(JSON.parse(json), hasNul) ?? [])}: PostgreSQL JSONB strings cannot hold it. Nothing was written.`,
    );
  }
  // JSON.stringify escapes only unpaired surrogates as \udXXX; JSONB refuses them (invalid UTF-8).
  if (json.includes('\\ud')) {
    const path = findStringPath(JSON.parse(json), hasLoneSurrogate);
    if (path) {
      throw new UnsupportedValueError(`Cannot store an unpaired UTF-16 surrogate at ${formatKeyPath(path)}: PostgreSQL JSONB strings must be valid Unicode. Nothing was written.`);
    }
  }
  // Core writes positive exponents as `e+` (String(1e22) is "1e+22"): a substring search rules most texts out cheaply.
  if (!json.includes('e+') || !MAYBE_BIG_EXPONENT.test(json)) return json;
  return json.replace(STRING_OR_EXPONENT_NUMBER, (token) => (token.startsWith('"') ? token : plainFloatText(token)));
}

/** Throws {@link UnsupportedValueError} when a text column value (app id, position...) holds a NUL character. */
export function assertNoNulInText(value: string, column: string): void {
  if (value.includes('\u0000')) {
    throw new UnsupportedValueError(`Cannot store a NUL character (U+0000) in ${column} ${JSON.stringify(value)}: PostgreSQL text cannot hold it. Nothing was written.`);
  }
}

/** `1e+22` → `10000000000000000000000.0`; small values (`1.5e1`) stay as they are: they read back as the same number. */
function plainFloatText(token: string): string {
  const value = Number(token);
  if (!Number.isFinite(value) || Math.abs(value) <= Number.MAX_SAFE_INTEGER) return token;
  // Beyond 2^53 every double is an integer, so BigInt() is exact.
  return `${BigInt(value).toString()}.0`;
}

type KeyPath = Array<string | number>;

/** Where the first NUL character sits in a parsed document (in a key or a string value). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const hasNul = (text: string): boolean => text.includes('\u0000');
const hasLoneSurrogate = (text: string): boolean => LONE_SURROGATE.test(text);

/** Where the first key or string value matching `test` sits in a parsed document. */
function findStringPath(value: unknown, test: (text: string) => boolean, path: KeyPath = []): KeyPath | undefined {
  if (typeof value === 'string') return test(value) ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  for (const [key, item] of entries) {
    const here = [...path, key];
    if (typeof key === 'string' && test(key)) return here;
    const found = findStringPath(item, test, here);
    if (found) return found;
  }
  return undefined;
}
