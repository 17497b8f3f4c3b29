import { SerializationError } from '../errors.js';
import type { SerdeKwargs } from './registry.js';

/**
 * How values that are not plain JSON (`Date`, `Map`, `Set`, `bigint`,
 * `Uint8Array`) are written:
 *
 * - `'tagged'` (default): as `{"__burr_serde__": tag, "value": ...}`, which
 *   reads back as the same type here, and in Python Burr once it has
 *   deserializers for these tags (`python/burr_ts_serde.py`'s `register()`).
 *   A `bigint` is always tagged, whatever its size.
 * - `'python-plain'`: only what stock Python Burr reads, for a Python app
 *   that cannot change: a `bigint` as a bare integer, a `Date` as its ISO
 *   8601 text, a `Set` as a list, a `Map` with string keys as an object,
 *   bytes as base64 text. They read back as a number (a `bigint` beyond
 *   2^53), a string, an array, a plain object and a string. A `Map` with a
 *   key that is not a string is refused with a {@link SerializationError}
 *   before the write. Values of a type registered with `registerSerde` are
 *   still tagged: Python needs a deserializer for that tag.
 */
export type ValueEncoding = 'tagged' | 'python-plain';

/**
 * The serde kwarg that selects the {@link ValueEncoding} when the caller
 * passes none: `serdeKwargs: { valueEncoding: 'python-plain' }` on any
 * persister or tracker applies it to everything they write.
 */
export const VALUE_ENCODING_KWARG = 'valueEncoding';

const ENCODINGS: ReadonlySet<unknown> = new Set<ValueEncoding>(['tagged', 'python-plain']);

/** The explicit option, else the {@link VALUE_ENCODING_KWARG} serde kwarg, else `'tagged'`; anything else is a {@link SerializationError}. */
export function resolveValueEncoding(option: ValueEncoding | undefined, kwargs: SerdeKwargs): ValueEncoding {
  const chosen = option ?? kwargs[VALUE_ENCODING_KWARG] ?? 'tagged';
  if (!ENCODINGS.has(chosen)) {
    throw new SerializationError([], `unknown value encoding ${JSON.stringify(chosen) ?? String(chosen)}; expected 'tagged' or 'python-plain'`);
  }
  return chosen as ValueEncoding;
}
