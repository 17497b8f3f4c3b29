import { BurrError, DeserializationError, SerializationError } from '../errors.js';
import { isSpecialNumber } from './fast-checks.js';
import { MAX_NESTING_DEPTH } from './limits.js';
import { customSerdeFor, customSerdes, SERDE_KEY, type SerdeKwargs } from './registry.js';
import type { ValueEncoding } from './value-encoding.js';

/** What {@link encodeValue} found while walking, besides the encoded value. */
export interface EncodeContext {
  readonly kwargs: SerdeKwargs;
  /** How `Date`, `Map`, `Set`, `bigint` and `Uint8Array` are written; see {@link ValueEncoding}. */
  readonly valueEncoding: ValueEncoding;
  /** Set when a number or bigint needs a Python token (NaN, Infinity, -0.0, an integer literal JSON.stringify cannot write). */
  needsPythonTokens: boolean;
  /** The first NaN/±Infinity met, for backends that cannot store them. */
  nonFinitePath?: Array<string | number> | undefined;
  /** Level of the JSON array or object being filled (the state object is 1); see {@link MAX_NESTING_DEPTH}. */
  depth: number;
}

type Path = Array<string | number>;

/**
 * Turns a value into JSON-ready data: tags values with a serde (or, with
 * `'python-plain'`, writes the built-in types as plain JSON), validates
 * everything else. Returns the same reference when nothing needed changing,
 * so the common case allocates nothing. Refuses, with a
 * {@link SerializationError} naming the path, what would not come back
 * identical: `undefined` (outside an object member, which is left out as
 * JSON does), array holes, symbol keys, nesting beyond {@link MAX_NESTING_DEPTH}.
 */
export function encodeValue(value: unknown, path: Path, ctx: EncodeContext, ancestors: Set<object> = new Set()): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      throw new SerializationError(path, 'undefined cannot be stored (it would come back as null or not at all); use null');
    case 'number':
      if (isSpecialNumber(value)) {
        ctx.needsPythonTokens = true;
        if (!Number.isFinite(value)) ctx.nonFinitePath ??= [...path];
      }
      return value;
    case 'bigint':
      if (ctx.valueEncoding === 'python-plain') {
        // A bare integer literal, which JSON.stringify cannot write: Python reads an int.
        ctx.needsPythonTokens = true;
        return value;
      }
      // Tagged whatever its size, so it reads back as a bigint here (a bare 5 would read as a number).
      return nested(path, ctx, () => tagged('bigint', value.toString()));
    case 'function':
      throw new SerializationError(path, `a function (${value.name || 'anonymous'}) cannot be stored`);
    case 'symbol':
      throw new SerializationError(path, 'a symbol cannot be stored');
  }
  if (value === null) return null;
  const object = value as object;
  if (Array.isArray(object)) return container(object, path, ctx, ancestors, () => encodeArray(object, path, ctx, ancestors));
  const proto = Object.getPrototypeOf(object) as unknown;
  if (proto === Object.prototype || proto === null) {
    return container(object, path, ctx, ancestors, () => encodeObject(object as Record<string, unknown>, path, ctx, ancestors));
  }
  return encodeInstance(object, path, ctx, ancestors);
}

/**
 * Runs `encode`, which writes one JSON array or object for `value`, one
 * level deeper; refuses a cycle through `value` and a level beyond
 * {@link MAX_NESTING_DEPTH}.
 */
function container<T>(object: object, path: Path, ctx: EncodeContext, ancestors: Set<object>, encode: () => T): T {
  if (ancestors.has(object)) throw new SerializationError(path, 'circular reference');
  ancestors.add(object);
  try {
    return nested(path, ctx, encode);
  } finally {
    ancestors.delete(object);
  }
}

/** Throws unless a JSON array or object may sit at `level`. */
function assertDepthAvailable(level: number, path: Path): void {
  if (level > MAX_NESTING_DEPTH) throw new SerializationError(path, `nests arrays and objects deeper than ${MAX_NESTING_DEPTH} levels`);
}

/** Runs `encode`, which writes one JSON array or object, one level deeper. */
function nested<T>(path: Path, ctx: EncodeContext, encode: () => T): T {
  assertDepthAvailable(ctx.depth + 1, path);
  ctx.depth++;
  try {
    return encode();
  } finally {
    ctx.depth--;
  }
}

function encodeArray(array: unknown[], path: Path, ctx: EncodeContext, ancestors: Set<object>): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    path.push(i);
    if (array[i] === undefined) {
      throw new SerializationError(path, i in array ? 'undefined in an array would come back as null; use null' : 'a hole in a sparse array would come back as null; use null');
    }
    const encoded = encodeValue(array[i], path, ctx, ancestors);
    path.pop();
    if (encoded !== array[i]) copy ??= array.slice();
    if (copy) copy[i] = encoded;
  }
  return copy ?? array;
}

function encodeObject(object: Record<string, unknown>, path: Path, ctx: EncodeContext, ancestors: Set<object>): Record<string, unknown> {
  const symbols = Object.getOwnPropertySymbols(object);
  if (symbols.length > 0) throw new SerializationError(path, `the symbol key ${String(symbols[0])} cannot be stored`);
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const original = object[key];
    // Left out, as JSON.stringify does: reading the member back gives undefined all the same.
    if (original === undefined) continue;
    path.push(key);
    if (key === SERDE_KEY && !foreignTagged.has(object)) {
      throw new SerializationError(path, `the key ${SERDE_KEY} is reserved for tagged values`);
    }
    const encoded = encodeValue(original, path, ctx, ancestors);
    path.pop();
    if (encoded !== original) copy ??= { ...object };
    if (copy) copy[key] = encoded;
  }
  return copy ?? object;
}

/** A class instance: a registered serde's tag, else a built-in type (tagged, or plain JSON with `'python-plain'`), else refused. */
function encodeInstance(object: object, path: Path, ctx: EncodeContext, ancestors: Set<object>): unknown {
  for (const serde of customSerdes()) {
    if (serde.matches(object)) {
      const payload = callSerializer(() => serde.serialize(object, ctx.kwargs), path, `the serde tagged ${JSON.stringify(serde.tag)}`);
      return container(object, path, ctx, ancestors, () => tagged(serde.tag, encodeValue(payload, path, ctx, ancestors)));
    }
  }
  const plain = ctx.valueEncoding === 'python-plain';
  if (object instanceof Date) {
    if (Number.isNaN(object.getTime())) throw new SerializationError(path, 'an invalid Date cannot be stored');
    const iso = object.toISOString();
    return plain ? iso : container(object, path, ctx, ancestors, () => tagged('date', iso));
  }
  if (object instanceof Uint8Array) {
    const base64 = Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64');
    return plain ? base64 : container(object, path, ctx, ancestors, () => tagged('bytes', base64));
  }
  if (object instanceof Map) {
    if (plain) return container(object, path, ctx, ancestors, () => encodeMapAsObject(object, path, ctx, ancestors));
    // Stored as a list of [key, value] pairs: two JSON levels below the tag object.
    return container(object, path, ctx, ancestors, () => {
      const entries = nested(path, ctx, () =>
        [...object.entries()].map(([key, item], i) => {
          path.push(i);
          try {
            return nested(path, ctx, () => [encodeValue(key, path, ctx, ancestors), encodeValue(item, path, ctx, ancestors)]);
          } finally {
            path.pop();
          }
        }),
      );
      return tagged('map', entries);
    });
  }
  if (object instanceof Set) {
    if (plain) return container(object, path, ctx, ancestors, () => encodeArray([...object], path, ctx, ancestors));
    return container(object, path, ctx, ancestors, () =>
      tagged(
        'set',
        nested(path, ctx, () => encodeArray([...object], path, ctx, ancestors)),
      ),
    );
  }
  const name = object.constructor?.name ?? 'object';
  throw new SerializationError(path, `an instance of ${name} has no serde; register one with registerSerde() or store plain data`);
}

/** A Map as a JSON object (`'python-plain'`): only string keys, and never the tag key, which would make it read as a tagged value. */
function encodeMapAsObject(map: Map<unknown, unknown>, path: Path, ctx: EncodeContext, ancestors: Set<object>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, item] of map) {
    if (typeof key !== 'string') {
      throw new SerializationError(
        path,
        `the python-plain encoding writes a Map as a JSON object, whose keys are strings, and this Map has the key ${describeKey(key)}; use string keys, or the default 'tagged' encoding with burr_ts_serde.register() in Python`,
      );
    }
    if (key === SERDE_KEY) throw new SerializationError(path, `the python-plain encoding cannot write a Map with the key ${SERDE_KEY}: Python would read it as a tagged value`);
    path.push(key);
    const encoded = encodeValue(item, path, ctx, ancestors);
    path.pop();
    // defineProperty: a key named "__proto__" must stay data, not a prototype.
    Object.defineProperty(object, key, { value: encoded, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

function describeKey(key: unknown): string {
  if (typeof key === 'bigint') return `${key}n`;
  if (typeof key === 'object' && key !== null) return `of type ${key.constructor?.name ?? 'object'}`;
  return `${String(key)} (${typeof key})`;
}

/** Runs a user serializer; anything it throws becomes a {@link SerializationError} at `path`. */
export function callSerializer(serialize: () => unknown, path: ReadonlyArray<string | number>, serializerName: string): unknown {
  try {
    return serialize();
  } catch (error) {
    if (error instanceof BurrError) throw error;
    throw new SerializationError(path, `${serializerName} threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * Objects read back from a tag nobody registered here (a Python pydantic
 * model, say). They stay plain objects, and may be written back as they are
 * although they hold the reserved key; a user object holding it is refused.
 */
const foreignTagged = new WeakSet<object>();

function tagged(tag: string, value: unknown): Record<string, unknown> {
  return { [SERDE_KEY]: tag, value };
}

/** Rebuilds tagged values inside parsed JSON. Tags nobody registered are left as plain objects, so nothing is lost. */
export function decodeValue(value: unknown, kwargs: SerdeKwargs): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeValue(value[i], kwargs);
    return value;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) object[key] = decodeValue(object[key], kwargs);
  const tag = object[SERDE_KEY];
  return typeof tag === 'string' ? decodeTagged(tag, object, kwargs) : object;
}

function decodeTagged(tag: string, object: Record<string, unknown>, kwargs: SerdeKwargs): unknown {
  const payload = object.value;
  try {
    switch (tag) {
      case 'date': {
        const date = new Date(typeof payload === 'string' ? payload : Number.NaN);
        if (Number.isNaN(date.getTime())) throw new Error(`${JSON.stringify(payload)} is not an ISO date`);
        return date;
      }
      case 'map':
        if (!Array.isArray(payload) || !payload.every((entry) => Array.isArray(entry) && entry.length === 2)) throw new Error('expected a list of [key, value] pairs');
        return new Map(payload as Array<[unknown, unknown]>);
      case 'set':
        if (!Array.isArray(payload)) throw new Error('expected a list');
        return new Set(payload);
      case 'bigint':
        return BigInt(payload as string);
      case 'bytes':
        return new Uint8Array(Buffer.from(payload as string, 'base64'));
    }
    const serde = customSerdeFor(tag);
    if (serde) return serde.deserialize(payload, kwargs);
    foreignTagged.add(object);
    return object;
  } catch (error) {
    throw new DeserializationError(`Could not rebuild a value tagged ${JSON.stringify(tag)}: ${(error as Error).message}`, { cause: error });
  }
}
