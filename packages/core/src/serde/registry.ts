/** The key that marks a tagged value in stored JSON, shared with Python Burr. */
export const SERDE_KEY = '__burr_serde__';

/** Options passed through to every serializer and deserializer (Python's `serde_kwargs`). */
export type SerdeKwargs = Readonly<Record<string, unknown>>;

/**
 * Serialization for one custom type. Stored as
 * `{"__burr_serde__": tag, "value": serialize(v)}`; the serialized payload may
 * itself hold values with a serde (a Date inside, say).
 */
export interface TypeSerde<T> {
  /** Unique tag written into stored JSON. Built-in tags: date, map, set, bigint, bytes. */
  readonly tag: string;
  /** Whether this serde handles `value`; usually `value instanceof MyClass`. */
  matches(value: unknown): value is T;
  serialize(value: T, kwargs: SerdeKwargs): unknown;
  deserialize(payload: unknown, kwargs: SerdeKwargs): T;
}

/** Serialization for one top-level state field, whatever its type (Python's `register_field_serde`). */
export interface FieldSerde<T = unknown> {
  /** Returns JSON data (plain objects, arrays, strings, numbers, booleans, null). */
  serialize(value: T, kwargs: SerdeKwargs): unknown;
  deserialize(stored: unknown, kwargs: SerdeKwargs): T;
}

const BUILTIN_TAGS = new Set(['date', 'map', 'set', 'bigint', 'bytes']);
// Kept on globalThis so the ESM and CJS builds of this package, if both are loaded, share one registry.
const globalSlots = globalThis as Record<symbol, unknown>;
const REGISTRIES_SLOT = Symbol.for('@burr/core.serde');
globalSlots[REGISTRIES_SLOT] ??= {
  typeSerdes: new Map<string, TypeSerde<unknown>>(),
  fieldSerdes: new Map<string, FieldSerde>(),
};
const registries = globalSlots[REGISTRIES_SLOT] as { typeSerdes: Map<string, TypeSerde<unknown>>; fieldSerdes: Map<string, FieldSerde> };
const typeSerdes = registries.typeSerdes;
const fieldSerdes = registries.fieldSerdes;

/**
 * Registers serialization for a custom type, process-wide. Values of types
 * with no serde are refused at save time rather than stored lossily.
 */
export function registerSerde<T>(serde: TypeSerde<T>): void {
  if (BUILTIN_TAGS.has(serde.tag)) throw new TypeError(`The serde tag ${JSON.stringify(serde.tag)} is built in`);
  typeSerdes.set(serde.tag, serde as TypeSerde<unknown>);
}

/** Registers serialization for one top-level state field, process-wide. */
export function registerFieldSerde<T>(field: string, serde: FieldSerde<T>): void {
  fieldSerdes.set(field, serde as FieldSerde);
}

/** Removes a custom type serde (mainly for tests). */
export function unregisterSerde(tag: string): void {
  typeSerdes.delete(tag);
}

/** Removes a field serde (mainly for tests). */
export function unregisterFieldSerde(field: string): void {
  fieldSerdes.delete(field);
}

/** @internal */
export function customSerdes(): Iterable<TypeSerde<unknown>> {
  return typeSerdes.values();
}

/** @internal */
export function customSerdeFor(tag: string): TypeSerde<unknown> | undefined {
  return typeSerdes.get(tag);
}

/** @internal */
export function fieldSerdeFor(field: string): FieldSerde | undefined {
  return fieldSerdes.size === 0 ? undefined : fieldSerdes.get(field);
}
