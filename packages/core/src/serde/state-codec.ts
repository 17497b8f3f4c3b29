import { DeserializationError, SerializationError, UnsupportedValueError, formatKeyPath } from '../errors.js';
import { State, type StateValues } from '../state.js';
import { isPlainJson } from './fast-checks.js';
import { ARRAY_INDEX, parsePythonJsonEntries, stringifyPythonJson } from './python-json.js';
import { SERDE_KEY, fieldSerdeFor, type SerdeKwargs } from './registry.js';
import { resolveValueEncoding, type ValueEncoding } from './value-encoding.js';
import { callSerializer, decodeValue, encodeValue, type EncodeContext } from './walk.js';

/** Options for {@link encodeState}. */
export interface EncodeStateOptions {
  kwargs?: SerdeKwargs | undefined;
  /**
   * `'python'` (default) writes NaN and ±Infinity as Python's bare tokens;
   * `'reject'` throws {@link UnsupportedValueError} naming the key path, for
   * stores whose JSON type refuses them (PostgreSQL JSONB).
   */
  nonFiniteNumbers?: 'python' | 'reject' | undefined;
  /**
   * How `Date`, `Map`, `Set`, `bigint` and `Uint8Array` are written (see
   * {@link ValueEncoding}). Unset: the `valueEncoding` entry of `kwargs`
   * (so a persister's `serdeKwargs` can choose), else `'tagged'`.
   */
  valueEncoding?: ValueEncoding | undefined;
}

/**
 * Serializes a state to the JSON text every persister stores (hidden keys
 * included). Throws {@link SerializationError} naming the key path of the
 * first value that cannot be stored or would not come back identical, before
 * anything is written: a function, symbol, class instance without a serde,
 * cycle, `undefined` as a state value or array element, an array hole, a
 * symbol key, nesting deeper than {@link MAX_NESTING_DEPTH}; with the
 * `'python-plain'` {@link ValueEncoding}, also a `Map` with a key that is
 * not a string. An object member whose value is `undefined` is left out,
 * as `JSON.stringify` does.
 */
export function encodeState(state: State, options: EncodeStateOptions = {}): string {
  const kwargs = options.kwargs ?? {};
  const valueEncoding = resolveValueEncoding(options.valueEncoding, kwargs);
  const keys: string[] = [];
  const values: EncodedTree[] = [];
  let oneNativePass = true;
  for (const [key, raw] of state.entries()) {
    const fieldSerde = fieldSerdeFor(key);
    const value = fieldSerde ? callSerializer(() => fieldSerde.serialize(raw, kwargs), [key], `the field serde of ${JSON.stringify(key)}`) : raw;
    // A missing key reads differently from an undefined one (State.get throws), so refuse rather than drop it.
    if (value === undefined) throw new SerializationError([key], 'undefined cannot be stored (the key would be missing after a load); use null or delete the key');
    const encoded = encodeTree(value, [key], options, valueEncoding, 1);
    keys.push(key);
    values.push(encoded);
    // JSON.stringify would move integer-like keys first, and cannot write Python's tokens; a name Object.prototype
    // has (`__proto__`, `constructor`...) assigned to a plain object could reach its setter or a frozen property.
    if (encoded.pythonTokens || ARRAY_INDEX.test(key) || key in Object.prototype) oneNativePass = false;
  }
  if (oneNativePass) {
    // One native pass, no concatenation: the common case, and much cheaper for large states. A plain object, not a
    // null-prototype one: V8 keeps the latter as a dictionary, off JSON.stringify's fast path (1.5 µs of 4 at 1 KB).
    const object: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) object[keys[i]!] = values[i]!.value;
    return JSON.stringify(object);
  }
  return `{${keys.map((key, i) => `${JSON.stringify(key)}:${jsonText(values[i]!)}`).join(',')}}`;
}

/**
 * Serializes one value with the state serde (tagged values, Python's number
 * tokens), e.g. an action's inputs or result for a tracker's log. Returns
 * `undefined` for `undefined`, like `JSON.stringify`.
 */
export function encodeValueJson(value: unknown, options: EncodeStateOptions = {}): string | undefined {
  if (value === undefined) return undefined;
  return jsonText(encodeTree(value, [], options, resolveValueEncoding(options.valueEncoding, options.kwargs ?? {}), 0));
}

/** A value made JSON-ready, and whether writing it needs Python's tokens. */
interface EncodedTree {
  value: unknown;
  pythonTokens: boolean;
}

/** `parentDepth`: the JSON level of the object `value` is stored in (the state object is 1, none is 0). */
function encodeTree(value: unknown, path: Array<string | number>, options: EncodeStateOptions, valueEncoding: ValueEncoding, parentDepth: number): EncodedTree {
  if (isPlainJson(value, parentDepth + 1)) return { value, pythonTokens: false };
  const ctx: EncodeContext = { kwargs: options.kwargs ?? {}, valueEncoding, needsPythonTokens: false, depth: parentDepth };
  const encoded = encodeValue(value, path, ctx);
  if (ctx.nonFinitePath && options.nonFiniteNumbers === 'reject') {
    throw new UnsupportedValueError(`Cannot store NaN or Infinity at ${formatKeyPath(ctx.nonFinitePath)}: this backend's JSON type has no such number`, ctx.nonFinitePath);
  }
  return { value: encoded, pythonTokens: ctx.needsPythonTokens };
}

function jsonText(tree: EncodedTree): string {
  return tree.pythonTokens ? stringifyPythonJson(tree.value) : JSON.stringify(tree.value);
}

/** Rebuilds a state from stored JSON text: Python's tokens, tagged values and field serdes included. */
export function decodeState<T extends StateValues = StateValues>(json: string, kwargs: SerdeKwargs = {}): State<T> {
  // Tagged values are rebuilt first, mirroring encodeState, which tags what a field serializer returns.
  const entries = parseStateEntries(json, kwargs);
  for (const entry of entries) entry[1] = deserializeField(entry[0], entry[1], kwargs);
  return new State<T>(entries);
}

/**
 * Stored state JSON as entries in document order, tagged values rebuilt,
 * field serdes not run; the values of the keys `keepStored` names stay as
 * parsed (tags included).
 */
export function parseStateEntries(json: string, kwargs: SerdeKwargs, keepStored: (key: string) => boolean = () => false): Array<[string, unknown]> {
  const entries = parsePythonJsonEntries(json);
  if (json.includes(`"${SERDE_KEY}"`)) for (const entry of entries) if (!keepStored(entry[0])) entry[1] = decodeValue(entry[1], kwargs);
  return entries;
}

/**
 * Runs the field serde registered for `key`, if any, on its stored value
 * (tagged values already rebuilt); returns the value as it is otherwise. A
 * failure is a `DeserializationError` naming the field.
 */
export function deserializeField(key: string, value: unknown, kwargs: SerdeKwargs): unknown {
  const fieldSerde = fieldSerdeFor(key);
  if (!fieldSerde) return value;
  try {
    return fieldSerde.deserialize(value, kwargs);
  } catch (error) {
    if (error instanceof DeserializationError) throw error;
    throw new DeserializationError(`Could not deserialize field ${JSON.stringify(key)}: ${(error as Error).message}`, { cause: error });
  }
}
