import { MissingStateKeyError, StateOperationError } from './errors.js';
import { grownList } from './list-growth.js';

/** The shape of a state: string keys to values. A `State` with this shape is untyped: any key, `unknown` values. */
export type StateValues = Record<string, unknown>;

/** The key names of a state shape `T`, as strings. */
export type StateKey<T> = keyof T & string;

/** The keys of `U` replace those of `T`. @inline */
type Merge<T, U> = Omit<T, keyof U> & U;
/** The element type of a list value in a state (`unknown` when the value's type is not known). */
export type ElementOf<V> = V extends ReadonlyArray<infer E> ? E : unknown extends V ? unknown : never;
/** Argument of {@link State.append}: one element to add to each named list. */
export type AppendPatch<T> = { [K in keyof T]?: ElementOf<T[K]> } & StateValues;
/** Argument of {@link State.extend}: elements to add to each named list. */
export type ExtendPatch<T> = { [K in keyof T]?: Iterable<ElementOf<T[K]>> } & Record<string, Iterable<unknown>>;
/** Argument of {@link State.increment}: how much to add to each named integer. */
export type IncrementPatch<T> = { [K in keyof T]?: number | bigint } & Record<string, number | bigint>;

declare const WRITTEN: unique symbol;

/**
 * Type-only mark carried by the states that `update`, `append`, `extend`,
 * `increment`, `merge` and `wipe({ delete })` return: the keys written
 * since the plain `State` they started from. An action's declared `writes`
 * are checked against it, so writing a key the action does not declare (which
 * the runner would drop) is a compile error. Nothing of it exists at run time.
 * A plain `State` carries no mark.
 */
export type WrittenKeys<K> = [K] extends [never] ? unknown : WrittenOnly<K>;

/**
 * A state type whose marked written keys (see {@link WrittenKeys}) are all
 * in `K`: what an action with `writes` `K` may return.
 */
export interface WrittenOnly<K> {
  /** @internal */
  readonly [WRITTEN]?: K;
}

/** The keys marked written on a state type (none for a plain `State`). */
export type WrittenIn<S> = S extends WrittenOnly<infer K> ? (unknown extends K ? never : Exclude<K, undefined>) : never;

const STATE_BRAND = Symbol.for('@burr/core.State');
const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/** Name of the hidden key holding the sequence id of the last step. */
export const SEQUENCE_ID_KEY = '__SEQUENCE_ID';
/** Name of the hidden key holding the name of the last completed action. */
export const PRIOR_STEP_KEY = '__PRIOR_STEP';

/** The hidden keys the runner keeps in every application state, and their values. */
export interface HiddenValues {
  /** Sequence id of the last step. */
  [SEQUENCE_ID_KEY]: number;
  /** Name of the last completed action. */
  [PRIOR_STEP_KEY]: string;
}

/** How `util.inspect` calls a custom inspector (the `inspect` function itself comes third). */
interface InspectOptions {
  depth?: number | null | undefined;
}

/**
 * Immutable application state. Every operation returns a new `State`; key
 * order is insertion order, and stays so through serialization.
 *
 * `T` is the shape of the state: with it, `get` only takes its keys and
 * returns their types, and an application built with
 * `new ApplicationBuilder<T>()` hands this type to every action, condition
 * and hook. A plain `State` (shape {@link StateValues}) takes any key and
 * gives `unknown`.
 *
 * @example
 * const s = new State({ count: 0, history: [] as string[] });
 * const next = s.increment({ count: 1 }).append({ history: 'hi' });
 * next.get('count'); // number
 */
export class State<out T extends object = StateValues> implements Iterable<[string, unknown]> {
  readonly #values: ReadonlyMap<string, unknown>;

  /**
   * `instanceof State` holds for States of every copy of this package, so an
   * app that loads core through both `import` and `require` (ESM and CJS
   * builds) still works.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[STATE_BRAND] === true;
  }

  /** @internal */
  get [STATE_BRAND](): true {
    return true;
  }

  /** A state holding these `[key, value]` pairs, in their order. */
  constructor(entries: Iterable<readonly [string, unknown]>);
  /** A state holding the keys and values of a plain object (none when omitted). */
  constructor(values?: T);
  constructor(values?: T | Iterable<readonly [string, unknown]>) {
    if (values === undefined) this.#values = new Map();
    else if (isIterable(values)) this.#values = new Map(values);
    else this.#values = new Map(Object.entries(values));
  }

  /**
   * The value at `key`. Without a fallback, an absent key throws
   * `MissingStateKeyError` (use {@link State.has} to test); with one, an
   * absent key (or one holding `undefined`) gives the fallback. The hidden
   * keys the runner keeps ({@link SEQUENCE_ID_KEY}, {@link PRIOR_STEP_KEY})
   * can be read from any state.
   */
  get<K extends keyof HiddenValues>(key: K): HiddenValues[K];
  get<K extends keyof HiddenValues, F>(key: K, fallback: F): HiddenValues[K] | F;
  get<K extends StateKey<T>>(key: K): T[K];
  get<K extends StateKey<T>, F>(key: K, fallback: F): Exclude<T[K], undefined> | F;
  get(key: string, fallback?: unknown): unknown {
    const value = this.#values.get(key);
    if (value !== undefined) return value;
    // arguments.length, not a rest parameter: this is the runner's hot path, and `get(key, undefined)` is a fallback too.
    // biome-ignore lint/complexity/noArguments: telling an omitted fallback from an undefined one, without allocating.
    if (arguments.length > 1) return fallback;
    if (!this.#values.has(key)) throw new MissingStateKeyError(key, this.keys());
    return value;
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return this.#values.has(key);
  }

  /** How many keys the state holds (hidden `__` keys included). */
  get size(): number {
    return this.#values.size;
  }

  /** Key names in insertion order. */
  keys(): string[] {
    return [...this.#values.keys()];
  }

  /** A plain object copy of every key and value, in insertion order. */
  getAll(): T {
    return Object.fromEntries(this.#values) as T;
  }

  /** Entries in insertion order (what serialization walks). */
  entries(): IterableIterator<[string, unknown]> {
    return this.#values.entries();
  }

  /** Iterates `[key, value]` pairs in insertion order, like {@link State.entries}. */
  [Symbol.iterator](): IterableIterator<[string, unknown]> {
    return this.#values.entries();
  }

  /**
   * What `JSON.stringify(state)` writes: the keys and values as a plain
   * object. For storage use a persister or `encodeState`, which keep what
   * JSON cannot (`bigint`, `Date`, `Map`...).
   */
  toJSON(): T {
    return this.getAll();
  }

  /**
   * How `console.log` and `util.inspect` show a state: `State { count: 1 }`,
   * its values nested as deep as those of a plain object in its place.
   * @internal
   */
  [INSPECT](depth: number, options: InspectOptions, inspect: (value: unknown, options: InspectOptions) => string): string {
    return depth < 0 ? '[State]' : `State ${inspect(this.getAll(), options)}`;
  }

  /** Sets the given keys (new keys go last, existing keys keep their place). */
  update<U extends StateValues & { [K in keyof T]?: T[K] }>(patch: U): State<Merge<T, U>> & WrittenKeys<WrittenIn<this> | StateKey<U>> {
    const next = new Map(this.#values);
    for (const [key, value] of Object.entries(patch)) next.set(key, value);
    return State.#of(next);
  }

  /** Appends one value to each named list; a missing key starts as an empty list. */
  append<P extends AppendPatch<T>>(patch: P): State<T> & WrittenKeys<WrittenIn<this> | StateKey<P>> {
    const next = new Map(this.#values);
    for (const [key, value] of Object.entries(patch)) next.set(key, grownList(this.#listAt(key, 'append to'), [value]));
    return State.#of(next);
  }

  /** Appends every value of an iterable to each named list; a missing key starts as an empty list. */
  extend<P extends ExtendPatch<T>>(patch: P): State<T> & WrittenKeys<WrittenIn<this> | StateKey<P>> {
    const next = new Map(this.#values);
    for (const [key, values] of Object.entries(patch)) next.set(key, grownList(this.#listAt(key, 'extend'), values));
    return State.#of(next);
  }

  /**
   * Adds to integer values; a missing key starts at 0 (or `0n` when the step
   * is a bigint). Numbers and bigints do not mix, and a number sum beyond
   * `Number.MAX_SAFE_INTEGER` is refused rather than rounded: use bigints there.
   */
  increment<P extends IncrementPatch<T>>(patch: P): State<T> & WrittenKeys<WrittenIn<this> | StateKey<P>> {
    const next = new Map(this.#values);
    for (const [key, by] of Object.entries(patch)) {
      const current = this.#values.has(key) ? this.#values.get(key) : typeof by === 'bigint' ? 0n : 0;
      if (typeof current === 'bigint' && typeof by === 'bigint') {
        next.set(key, current + by);
      } else if (Number.isSafeInteger(current) && Number.isSafeInteger(by)) {
        const sum = (current as number) + (by as number);
        if (!Number.isSafeInteger(sum)) {
          throw new StateOperationError(
            `Cannot increment ${JSON.stringify(key)} by ${String(by)}: the sum is beyond Number.MAX_SAFE_INTEGER and would lose precision; store a bigint instead`,
          );
        }
        next.set(key, sum);
      } else {
        throw new StateOperationError(`Cannot increment ${JSON.stringify(key)} by ${String(by)}: current value ${describe(current)} is not an integer of the same kind`);
      }
    }
    return State.#of(next);
  }

  /** Removes the keys listed in `delete`, or keeps only those listed in `keep`. */
  wipe<K extends StateKey<T>>(options: { keep: readonly K[] }): State<Pick<T, K>> & WrittenKeys<WrittenIn<this>>;
  wipe<K extends StateKey<T>>(options: { delete: readonly K[] }): State<Omit<T, K>> & WrittenKeys<WrittenIn<this> | K>;
  wipe(options: { keep?: readonly string[]; delete?: readonly string[] }): State<StateValues> {
    if ((options.keep === undefined) === (options.delete === undefined)) {
      throw new StateOperationError('wipe() takes exactly one of { keep } or { delete }');
    }
    if (options.keep) {
      const keep = new Set(options.keep);
      return State.#of(new Map([...this.#values].filter(([key]) => keep.has(key))));
    }
    const next = new Map(this.#values);
    for (const key of options.delete ?? []) next.delete(key);
    return State.#of(next);
  }

  /** This state with every key of `other` set over it. */
  merge<U extends object>(other: State<U>): State<Merge<T, U>> & WrittenKeys<WrittenIn<this> | StateKey<U>> {
    const next = new Map(this.#values);
    for (const [key, value] of other.entries()) next.set(key, value);
    return State.#of(next);
  }

  /** A state with only the given keys (absent keys are ignored), in this state's order. */
  subset<K extends StateKey<T>>(...keys: K[]): State<Pick<T, K>> & WrittenKeys<WrittenIn<this>> {
    return this.wipe({ keep: keys });
  }

  #listAt(key: string, verb: string): unknown[] {
    if (!this.#values.has(key)) return [];
    const current = this.#values.get(key);
    if (!Array.isArray(current)) {
      throw new StateOperationError(`Cannot ${verb} ${JSON.stringify(key)}: its value ${describe(current)} is not a list`);
    }
    return current;
  }

  static #of<U extends object>(values: Map<string, unknown>): State<U> {
    return new State<U>(values);
  }
}

function isIterable(value: unknown): value is Iterable<readonly [string, unknown]> {
  return typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') {
    const name: string = value.constructor?.name ?? 'object';
    return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
  }
  return `${typeof value} ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
}
